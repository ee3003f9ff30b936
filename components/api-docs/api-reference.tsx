// The API reference page's body: the OpenAPI document (server/api/v1/openapi.ts) rendered as HTML on the server —
// operations by tag with their scope, parameters, request body and answers, and the named schemas they refer to.
// No script and nothing from a CDN: the page is the document, readable with JavaScript off.
import type { ReactNode } from "react";

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required: boolean; description?: string; schema: Schema };
type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  "x-scope"?: string;
  "x-role"?: string;
  parameters: Parameter[];
  requestBody?: { description?: string; content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema: Schema }> }>;
};
export type ApiDocument = {
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-900",
  post: "bg-emerald-100 text-emerald-900",
  patch: "bg-amber-100 text-amber-900",
  delete: "bg-rose-100 text-rose-900",
};

const refName = (ref: string) => ref.replace("#/components/schemas/", "");

/** A schema's type in a few words: `string`, `integer ≥ 1`, `Project[]`, `"a" | "b"`. */
function typeLabel(schema: Schema): ReactNode {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return <a href={`#schema-${name}`} className="text-indigo-700 underline">{name}</a>;
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return variants.map((v, i) => <span key={i}>{i > 0 && " | "}{typeLabel(v)}</span>);
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type as string | undefined);
  if (type === "array" && schema.items) return <>{typeLabel(schema.items as Schema)}[]</>;
  const bounds = [
    schema.minimum !== undefined && `≥ ${schema.minimum}`,
    schema.maximum !== undefined && `≤ ${schema.maximum}`,
    schema.minLength !== undefined && `length ≥ ${schema.minLength}`,
    schema.maxLength !== undefined && `length ≤ ${schema.maxLength}`,
    schema.format && `${schema.format}`,
    schema.pattern && `matching ${schema.pattern}`,
  ].filter(Boolean);
  return [type ?? "any", ...bounds].join(", ");
}

/** An object schema as a table of its fields; any other schema as its type. */
function SchemaView({ schema }: { schema: Schema }) {
  const properties = schema.properties as Record<string, Schema> | undefined;
  const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (!properties && variants && variants.some((v) => v.properties)) {
    return (
      <div className="space-y-2">
        <p className="text-xs text-slate-600">One of:</p>
        {variants.map((v, i) => <SchemaView key={i} schema={v} />)}
      </div>
    );
  }
  if (!properties) return <p className="font-mono text-xs">{typeLabel(schema)}</p>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return (
    <table className="w-full text-left text-xs">
      <tbody>
        {Object.entries(properties).map(([name, property]) => (
          <tr key={name} className="border-t border-slate-100 align-top">
            <td className="py-1 pr-3 font-mono">{name}{required.has(name) ? "" : "?"}</td>
            <td className="py-1 pr-3 font-mono text-slate-700">
              {property.properties ? <SchemaView schema={property} /> : typeLabel(property)}
              {property.default !== undefined && <span className="text-slate-500"> = {JSON.stringify(property.default)}</span>}
            </td>
            <td className="py-1 text-slate-600">{typeof property.description === "string" ? property.description : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const body = op.requestBody && Object.entries(op.requestBody.content)[0];
  return (
    <article id={op.operationId} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={`${op.operationId}-title`}>
      <h3 id={`${op.operationId}-title`} className="flex flex-wrap items-center gap-2">
        <span className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>{method}</span>
        <code className="text-sm">{path}</code>
        <span className="text-sm text-slate-600">— {op.summary}</span>
      </h3>
      {op.description.split("\n\n").map((para, i) => <p key={i} className="text-sm text-slate-700">{para}</p>)}
      <p className="text-xs text-slate-500">operationId <code>{op.operationId}</code></p>
      {op.parameters.length > 0 && (
        <section>
          <h4 className="text-sm font-medium">Parameters</h4>
          <table className="w-full text-left text-xs">
            <tbody>
              {op.parameters.map((p) => (
                <tr key={`${p.in}-${p.name}`} className="border-t border-slate-100 align-top">
                  <td className="py-1 pr-3 font-mono">{p.name}{p.required ? "" : "?"}</td>
                  <td className="py-1 pr-3 text-slate-500">{p.in}</td>
                  <td className="py-1 pr-3 font-mono text-slate-700">
                    {typeLabel(p.schema)}
                    {p.schema.default !== undefined && <span className="text-slate-500"> = {JSON.stringify(p.schema.default)}</span>}
                  </td>
                  <td className="py-1 text-slate-600">{p.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {body && (
        <section>
          <h4 className="text-sm font-medium">Request body <span className="font-normal text-slate-500">({body[0]})</span></h4>
          {op.requestBody?.description && <p className="text-xs text-slate-600">{op.requestBody.description}</p>}
          <SchemaView schema={body[1].schema} />
        </section>
      )}
      <section>
        <h4 className="text-sm font-medium">Answers</h4>
        <ul className="space-y-2 text-xs">
          {Object.entries(op.responses).filter(([, response]) => !response.$ref).map(([status, response]) => {
            const content = response.content && Object.entries(response.content)[0];
            return (
              <li key={status}>
                <span className="font-mono font-semibold">{status}</span> <span className="text-slate-600">{content?.[0]}</span>
                {content && content[0] === "application/json" && <div className="mt-1 pl-4"><SchemaView schema={content[1].schema} /></div>}
              </li>
            );
          })}
          <li>
            <span className="font-mono font-semibold">{Object.entries(op.responses).filter(([, r]) => r.$ref).map(([status]) => status).join(" · ")}</span>{" "}
            <a href="#schema-Error" className="text-indigo-700 underline">Error</a>
          </li>
        </ul>
      </section>
    </article>
  );
}

export function ApiReference({ doc }: { doc: ApiDocument }) {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  return (
    <div className="grid gap-6 pb-12 lg:grid-cols-[14rem_1fr]">
      <nav aria-label="Operations" className="text-sm lg:sticky lg:top-2 lg:self-start">
        {doc.tags.map(({ name }) => (
          <div key={name} className="mb-3">
            <p className="font-medium">{name}</p>
            <ul>
              {operations.filter((o) => o.op.tags.includes(name)).map((o) => (
                <li key={o.op.operationId}><a href={`#${o.op.operationId}`} className="text-indigo-700 hover:underline">{o.op.summary}</a></li>
              ))}
            </ul>
          </div>
        ))}
        <p className="font-medium"><a href="#schemas" className="text-indigo-700 hover:underline">Schemas</a></p>
      </nav>
      <div className="min-w-0 space-y-8">
        {doc.tags.map(({ name }) => (
          <section key={name} aria-labelledby={`tag-${name}`} className="space-y-3">
            <h2 id={`tag-${name}`} className="text-lg font-semibold">{name}</h2>
            {operations.filter((o) => o.op.tags.includes(name)).map((o) => <OperationView key={o.op.operationId} {...o} />)}
          </section>
        ))}
        <section id="schemas" aria-labelledby="schemas-heading" className="space-y-3">
          <h2 id="schemas-heading" className="text-lg font-semibold">Schemas</h2>
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <div key={name} id={`schema-${name}`} className="rounded-lg border border-slate-200 bg-white p-4">
              <h3 className="mb-1 font-mono text-sm font-semibold">{name}</h3>
              {typeof schema.description === "string" && <p className="mb-2 text-xs text-slate-600">{schema.description}</p>}
              <SchemaView schema={schema} />
            </div>
          ))}
        </section>
      </div>
    </div>
  );
}
