import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatDate } from "@/components/admin/form";
import { parseModelText } from "@/components/annotate/markdown-tree";
import { ModelText } from "@/components/annotate/model-text";
import { aggregationText, count, fileTypeText, formatLabel, isBuilding, percent, SnapshotStatus } from "@/components/exports/snapshot-labels";
import { SnapshotProgress } from "@/components/exports/snapshot-progress";
import { formatBytes } from "@/server/format";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/**
 * The address this admin's browser reached the server at (through a proxy: its X-Forwarded-* headers), for the
 * copyable commands: links the app shows follow the browser, like invite and reset links do. Not NEXTAUTH_URL,
 * which `npm start` sets to localhost unless configured.
 */
async function origin(): Promise<string> {
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000"}`;
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex gap-3 py-1">
      <dt className="w-44 shrink-0 text-slate-500">{term}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

function Code({ label, children }: { label: string; children: string }) {
  return (
    <figure>
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{label}</figcaption>
      <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100"><code>{children}</code></pre>
    </figure>
  );
}

export default async function SnapshotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [{ snapshot: s, projects, card }, base] = await Promise.all([page(`/admin/exports/${id}`, (api) => api.export.detail({ id })), origin()]);
  const def = s.definition;
  const ready = s.status === "SUCCEEDED";
  const label = `${s.name} v${s.version}`;
  const dataFiles = s.files.filter((f) => f.split !== null);
  const fileUrl = (name: string) => `/api/exports/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`;
  const loader = def.fileType === "parquet" ? "parquet" : "json";
  const filters = def.filters;
  const filterText = [
    filters.from && `from ${formatDate(filters.from)}`,
    filters.to && `before ${formatDate(filters.to)}`,
    filters.excludeFlagged && "flagged items excluded",
    filters.excludeGold && "gold items excluded",
    filters.minGoldAccuracy !== undefined && `annotators with gold accuracy < ${percent(filters.minGoldAccuracy)} excluded`,
    filters.excludeInactiveAnnotators && "deactivated annotators excluded",
    filters.minJudgements !== undefined && `items with ≥ ${filters.minJudgements} judgements`,
  ].filter(Boolean);

  const pythonSnippet = `# after downloading the files (or the archive) into this folder
from datasets import load_dataset

ds = load_dataset(
    "${loader}",
    data_files={${dataFiles.map((f) => `"${f.split}": "${f.name}"`).join(", ")}},
)
print(ds)`;
  const curlSnippet = [
    "# a personal API token with READ scope, from /admin/tokens",
    "export TOKEN=...",
    ...dataFiles.map((f) => `curl -fL -C - -H "Authorization: Bearer $TOKEN" -o ${f.name} \\\n  ${base}/api/v1/exports/${id}/files/${f.name}`),
    `# or everything as one tar\ncurl -fL -H "Authorization: Bearer $TOKEN" -o ${s.name.replace(/[^\w.-]+/g, "_")}-v${s.version}.tar \\\n  ${base}/api/v1/exports/${id}/archive`,
  ].join("\n");

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <Link href="/admin/exports" className="text-sm text-indigo-700 hover:underline">← Exports</Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">{s.name} <span className="text-slate-500">v{s.version}</span></h1>
          <SnapshotStatus status={s.status} />
          {ready && (
            <a href={`/api/exports/${encodeURIComponent(id)}/archive`} className="ml-auto rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500" download>
              Download all (.tar)
            </a>
          )}
        </div>
        <p className="font-mono text-xs text-slate-500">{id}</p>
      </div>

      {isBuilding(s.status) && <SnapshotProgress id={id} label={label} initialProgress={s.progress} />}
      {s.status === "FAILED" && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">The build failed: {s.error ?? "no message recorded"}</p>
      )}

      {ready && (s.stats.warnings ?? []).length > 0 && (
        <ul aria-label="Warnings" className="space-y-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {(s.stats.warnings ?? []).map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}

      <div className="grid gap-4 lg:grid-cols-2">
        <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="definition">
          <h2 id="definition" className="mb-2 text-base font-semibold">Definition</h2>
          <dl className="text-sm">
            <Item term="Projects">
              {projects.length === 0
                ? s.projectIds.join(", ")
                : projects.map((p, i) => (
                    <span key={p.id}>
                      {i > 0 && ", "}
                      <Link href={`/admin/projects/${p.id}`} className="text-indigo-700 hover:underline">{p.name}</Link>
                    </span>
                  ))}
            </Item>
            <Item term="Format">{formatLabel[def.format]}</Item>
            <Item term="File type">{fileTypeText(def)}</Item>
            <Item term="Aggregation">{aggregationText(def.aggregation)}</Item>
            <Item term="Filters">{filterText.length === 0 ? "none" : filterText.join("; ")}</Item>
            <Item term="Test split">{percent(def.split.testRatio)} of prompts{def.split.seed ? `, seed “${def.split.seed}”` : ""}</Item>
            <Item term="Created">{formatDate(s.createdAt)}{s.createdByName ? ` by ${s.createdByName}` : ""}</Item>
            <Item term="Finished">{formatDate(s.finishedAt)}</Item>
          </dl>
        </section>

        <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="stats">
          <h2 id="stats" className="mb-2 text-base font-semibold">Stats</h2>
          {ready ? (
            <dl className="text-sm tabular-nums">
              <Item term="Rows">{count(s.rowCounts.train)} train · {count(s.rowCounts.test)} test</Item>
              <Item term="Annotations">{count(s.stats.annotations)}{s.stats.tieAnnotations ? ` (${count(s.stats.tieAnnotations)} with ties)` : ""}</Item>
              <Item term="Comparisons">{count(s.stats.comparisons)} before aggregation</Item>
              <Item term="Prompts · items">{count(s.stats.prompts)} · {count(s.stats.items)}</Item>
              <Item term="Annotators">{count(s.stats.annotators)}</Item>
              <Item term="Agreement">
                {typeof s.stats.agreement === "number" ? `${percent(s.stats.agreement)} over ${count(s.stats.multiVotePairs)} pairs judged more than once` : "no pair was judged more than once"}
              </Item>
              <Item term="Models">
                {Object.entries(s.stats.models ?? {})
                  .sort(([, a], [, b]) => b - a)
                  .map(([m, n]) => `${m} (${count(n)})`)
                  .join(", ") || "—"}
              </Item>
            </dl>
          ) : (
            <p className="text-sm text-slate-600">Stats appear when the build has finished.</p>
          )}
        </section>
      </div>

      {ready && (
        <>
          <section aria-labelledby="files" className="space-y-2">
            <h2 id="files" className="text-base font-semibold">Files</h2>
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="w-full text-sm">
                <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-3 py-2">File</th>
                    <th scope="col" className="px-3 py-2 text-right">Rows</th>
                    <th scope="col" className="px-3 py-2 text-right">Size</th>
                    <th scope="col" className="px-3 py-2">SHA-256</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {s.files.map((f) => (
                    <tr key={f.name} data-testid="snapshot-file">
                      <td className="px-3 py-2 whitespace-nowrap">
                        <a href={fileUrl(f.name)} download={f.name} className="font-mono text-indigo-700 hover:underline">{f.name}</a>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">{count(f.rows)}</td>
                      <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap" title={`${f.bytes.toLocaleString("en-US")} bytes`}>{formatBytes(f.bytes)}</td>
                      <td className="px-3 py-2 font-mono text-xs break-all text-slate-600">{f.sha256}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-labelledby="load" className="space-y-3">
            <h2 id="load" className="text-base font-semibold">Load it</h2>
            <Code label="Python (Hugging Face datasets)">{pythonSnippet}</Code>
            <Code label="Download with a token (resumable: -C - continues an interrupted file)">{curlSnippet}</Code>
            <p className="text-sm">
              To train a reward model on it, <Link href="/admin/runs/new?kind=REWARD" className="text-indigo-700 hover:underline">launch a run</Link> and pick this snapshot.
            </p>
          </section>

          {card !== null && (
            <section aria-labelledby="card" className="space-y-2">
              <h2 id="card" className="text-base font-semibold">Dataset card <span className="font-normal text-slate-500">(README.md)</span></h2>
              <div className="rounded-lg border border-slate-200 bg-white p-4">
                <ModelText text={card} tree={parseModelText(card)} />
              </div>
            </section>
          )}
        </>
      )}
    </div>
  );
}
