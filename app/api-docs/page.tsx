// The HTTP API's reference: /api/v1/openapi.json rendered here, on the server, from the same document (no CDN, no
// script). Public like the document itself: it describes the API, it holds no data.
import type { Metadata } from "next";
import { ApiReference, type ApiDocument } from "@/components/api-docs/api-reference";
import { openApiDocument } from "@/server/api/v1/openapi";

export const metadata: Metadata = { title: "API reference · RLHF Studio" };

export default function ApiDocsPage() {
  const doc = openApiDocument() as unknown as ApiDocument;
  return (
    <div className="space-y-4">
      <div className="max-w-3xl space-y-2">
        <h1 className="text-xl font-semibold">{doc.info.title} <span className="text-sm font-normal text-slate-500">v{doc.info.version}</span></h1>
        <p className="text-sm text-slate-700">{doc.info.description}</p>
        <p className="text-sm text-slate-700">
          The machine-readable document: <a className="text-indigo-700 underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1;
          generate a client with any OpenAPI tool). Tokens: <a className="text-indigo-700 underline" href="/admin/tokens">Admin → API tokens</a>.
        </p>
        <pre className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{`curl -H "Authorization: Bearer $RLHF_TOKEN" ${"<this site>"}/api/v1/projects`}</pre>
      </div>
      <ApiReference doc={doc} />
    </div>
  );
}
