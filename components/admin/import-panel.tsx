"use client";
// Upload an import file with two progress bars: bytes sent by the browser (XMLHttpRequest upload events) and
// bytes processed by the server (the ImportJob row, polled). Then the outcome: counts, and errors by line
// and field. Below it, the project's past imports; any of them can be opened the same way.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Checkbox, Field, fieldProps, FormMessage, formatDate, inputClass } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/server/format";
import { importFormats } from "@/server/schemas/import";

type FormatOption = "auto" | (typeof importFormats)[number];

const formatLabels: Record<FormatOption, string> = {
  auto: "Detect automatically",
  jsonl: "Project JSONL (prompt + candidates)",
  trl: "TRL preference (prompt / chosen / rejected)",
  hh: "HH-RLHF transcripts (chosen / rejected)",
  openai: "OpenAI chat messages",
  csv: "CSV (prompt, response_1..k, model_1..k)",
  alpaca: "Alpaca / Self-Instruct (instruction / input / output)",
  sni: "Super-NaturalInstructions task file (Definition, Instances)",
};

interface UploadState {
  jobId: string;
  sent: number;
  total: number;
  done: boolean;
  error: string | null;
}

interface LineError {
  line?: number;
  field: string;
  message: string;
}

interface Counts {
  prompts?: number;
  candidates?: number;
  items?: number;
  reusedPrompts?: number;
  reusedCandidates?: number;
  duplicateItems?: number;
  rejected?: number;
  nearDuplicates?: number;
}

function ProgressBar({ label, value, max }: { label: string; value: number; max: number }) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div className="text-sm">
      <div className="flex justify-between text-slate-600">
        <span>{label}</span>
        <span className="tabular-nums">{formatBytes(value)}{max > 0 ? ` / ${formatBytes(max)} (${pct.toFixed(0)}%)` : ""}</span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} className="mt-1 h-2 overflow-hidden rounded bg-slate-200">
        <div className="h-full bg-indigo-600 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** Sends the file as the raw request body, so the server can stream it without a multipart parser. */
function upload(url: string, file: File, onProgress: (sent: number) => void, xhrRef: { current: XMLHttpRequest | null }): Promise<{ ok: boolean; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhrRef.current = xhr;
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { error: { message: `The server answered ${xhr.status} without details.` } };
      }
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, body });
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted (network error)."));
    xhr.onabort = () => reject(new Error("Upload cancelled."));
    xhr.send(file);
  });
}

export function ImportPanel({ projectId, archived }: { projectId: string; archived: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const createJob = useMutation(trpc.importJob.create.mutationOptions());
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<FormatOption>("auto");
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [trlAsGold, setTrlAsGold] = useState(false);
  const [splitCandidates, setSplitCandidates] = useState(false);
  const [skipNearDuplicates, setSkipNearDuplicates] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [state, setState] = useState<UploadState | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const xhr = useRef<XMLHttpRequest | null>(null);

  const uploading = state !== null && !state.done;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!file) {
      setFormError("Choose a file to import.");
      return;
    }
    setFormError(null);
    let jobId: string;
    try {
      jobId = (await createJob.mutateAsync({ projectId, fileName: file.name, format, bytesTotal: file.size, skipInvalid })).id;
    } catch (err) {
      setFormError(err instanceof Error ? err.message : "Could not start the import.");
      return;
    }
    setViewing(jobId);
    setState({ jobId, sent: 0, total: file.size, done: false, error: null });
    await queryClient.invalidateQueries({ queryKey: trpc.importJob.list.queryKey({ projectId }) });
    const params = new URLSearchParams({
      format,
      skipInvalid: String(skipInvalid),
      trlAsGold: String(trlAsGold),
      splitCandidates: String(splitCandidates),
      skipNearDuplicates: String(skipNearDuplicates),
      jobId,
      fileName: file.name,
    });
    let error: string | null = null;
    try {
      const res = await upload(`/api/projects/${encodeURIComponent(projectId)}/upload?${params}`, file, (sent) => setState((s) => (s ? { ...s, sent } : s)), xhr);
      if (!res.ok) error = (res.body as { error?: { message?: string } }).error?.message ?? "The import failed.";
    } catch (err) {
      error = err instanceof Error ? err.message : "The upload failed.";
    }
    xhr.current = null;
    setState((s) => (s ? { ...s, done: true, error } : s));
    await queryClient.invalidateQueries({ queryKey: trpc.importJob.pathKey() });
  }

  return (
    <div className="space-y-6">
      <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" aria-label="Import a file">
        {archived && <FormMessage error="This project is archived: unarchive it before importing." />}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="File" name="file" hint="JSONL, CSV or JSON lines; gzip is not accepted.">
            <input
              {...fieldProps("file")}
              type="file"
              accept=".jsonl,.json,.ndjson,.csv,.txt,application/json,text/csv"
              className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-1.5 file:text-indigo-700"
              disabled={uploading}
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </Field>
          <Field label="Format" name="format">
            <select {...fieldProps("format")} className={inputClass} value={format} disabled={uploading} onChange={(e) => setFormat(e.target.value as FormatOption)}>
              {(["auto", ...importFormats] as FormatOption[]).map((f) => (
                <option key={f} value={f}>{formatLabels[f]}</option>
              ))}
            </select>
          </Field>
          <Checkbox
            name="skipInvalid"
            label="Skip invalid lines"
            hint="Write the valid lines and keep the rejected ones as a downloadable file. Off: any invalid line means nothing is written."
            checked={skipInvalid}
            disabled={uploading}
            onChange={setSkipInvalid}
          />
          <Checkbox
            name="trlAsGold"
            label="Use the TRL / HH preference as gold"
            hint="Rows keep their chosen-over-rejected answer as the item's gold answer."
            checked={trlAsGold}
            disabled={uploading}
            onChange={setTrlAsGold}
          />
          <Checkbox
            name="splitCandidates"
            label="Split rows with more candidates"
            hint="A row with more responses than an item takes becomes several items (pairs, or groups of up to 9)."
            checked={splitCandidates}
            disabled={uploading}
            onChange={setSplitCandidates}
          />
          <Checkbox
            name="skipNearDuplicates"
            label="Skip near-duplicate prompts"
            hint="Leave out rows whose prompt is within ROUGE-L 0.7 of a different prompt of the project or of the file (the Self-Instruct filter); they are listed with the errors and in the rejected-lines file."
            checked={skipNearDuplicates}
            disabled={uploading}
            onChange={setSkipNearDuplicates}
          />
        </div>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={uploading || archived || createJob.isPending}>{uploading ? "Importing…" : "Upload and import"}</Button>
          {uploading && (
            <Button variant="secondary" onClick={() => xhr.current?.abort()}>Cancel upload</Button>
          )}
          <FormMessage error={formError} />
        </div>
        {state && (
          <div className="space-y-2" aria-live="polite">
            <ProgressBar label="Uploaded" value={state.sent} max={state.total} />
            {state.error && <FormMessage error={state.error} />}
          </div>
        )}
      </form>

      {viewing && <JobView projectId={projectId} jobId={viewing} live={uploading && state?.jobId === viewing} />}

      <ImportHistory projectId={projectId} selected={viewing} onSelect={setViewing} />
    </div>
  );
}

const statusStyle: Record<string, string> = {
  PENDING: "bg-slate-100 text-slate-700",
  RUNNING: "bg-blue-100 text-blue-800",
  SUCCEEDED: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
};

function StatusBadge({ status }: { status: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusStyle[status] ?? ""}`}>{status.toLowerCase()}</span>;
}

function JobView({ projectId, jobId, live }: { projectId: string; jobId: string; live: boolean }) {
  const trpc = useTRPC();
  const job = useQuery({
    ...trpc.importJob.get.queryOptions({ projectId, jobId }),
    // poll while the job can still change; stop once it has finished
    refetchInterval: (q) => (live || !q.state.data || q.state.data.status === "PENDING" || q.state.data.status === "RUNNING" ? 500 : false),
    staleTime: 0,
  });
  if (job.error) return <FormMessage error={job.error.message} />;
  if (!job.data) return <p className="text-sm text-slate-500">Loading the import…</p>;
  const j = job.data;
  const counts = j.counts as Counts;
  const errors = (Array.isArray(j.errors) ? j.errors : []) as unknown as LineError[];
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="job-heading" data-testid="import-job">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="job-heading" className="font-medium">Import of {j.fileName}</h2>
        <StatusBadge status={j.status} />
        <span className="text-sm text-slate-500">format: {j.format} · started {formatDate(j.createdAt)}{j.finishedAt ? ` · finished ${formatDate(j.finishedAt)}` : ""}</span>
      </div>
      <ProgressBar label="Processed on the server" value={j.bytesRead} max={j.bytesTotal} />
      <p className="text-sm text-slate-600">{j.linesRead.toLocaleString()} lines read</p>
      {j.message && <FormMessage error={j.status === "FAILED" ? j.message : null} ok={j.status !== "FAILED" ? j.message : null} />}
      {j.status === "SUCCEEDED" && (
        <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          {(
            [
              ["Items created", counts.items],
              ["Prompts created", counts.prompts],
              ["Candidates created", counts.candidates],
              ["Duplicate items skipped", counts.duplicateItems],
              ["Prompts reused", counts.reusedPrompts],
              ["Candidates reused", counts.reusedCandidates],
              ["Lines rejected", counts.rejected],
              ...(counts.nearDuplicates !== undefined ? [["Near-duplicate prompts left out", counts.nearDuplicates] as const] : []),
            ] as const
          ).map(([label, n]) => (
            <div key={label} className="rounded-md bg-slate-50 p-2">
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-lg font-semibold tabular-nums">{(n ?? 0).toLocaleString()}</dd>
            </div>
          ))}
        </dl>
      )}
      {j.hasRejectedLines && (
        <a className="inline-block text-sm text-indigo-700 underline" href={`/api/projects/${encodeURIComponent(projectId)}/imports/${encodeURIComponent(jobId)}/rejected`} download>
          Download the rejected lines
        </a>
      )}
      {errors.length > 0 && (
        <div className="space-y-2">
          <h3 className="text-sm font-medium">
            Errors: {j.errorCount.toLocaleString()}
            {j.errorCount > errors.length ? ` (first ${errors.length} shown)` : ""}
          </h3>
          <div className="max-h-96 overflow-auto rounded-md border border-slate-200">
            <table className="w-full text-sm">
              <thead className="sticky top-0 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-1.5 text-right">Line</th>
                  <th scope="col" className="px-3 py-1.5">Field</th>
                  <th scope="col" className="px-3 py-1.5">Problem</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {errors.map((e, i) => (
                  <tr key={i}>
                    <td className="px-3 py-1.5 text-right font-mono tabular-nums">{e.line ?? "—"}</td>
                    <td className="px-3 py-1.5 font-mono text-xs">{e.field || "—"}</td>
                    <td className="px-3 py-1.5">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

function ImportHistory({ projectId, selected, onSelect }: { projectId: string; selected: string | null; onSelect: (id: string) => void }) {
  const trpc = useTRPC();
  const list = useQuery({
    ...trpc.importJob.list.queryOptions({ projectId }),
    refetchInterval: (q) => (q.state.data?.some((j) => j.status === "PENDING" || j.status === "RUNNING") ? 2000 : false),
  });
  return (
    <section className="space-y-2" aria-labelledby="history-heading">
      <h2 id="history-heading" className="font-medium">Past imports</h2>
      {list.error && <FormMessage error={list.error.message} />}
      {list.data?.length === 0 && <p className="text-sm text-slate-500">No imports yet.</p>}
      {list.data && list.data.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">When</th>
                <th scope="col" className="px-3 py-2">File</th>
                <th scope="col" className="px-3 py-2">Format</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2 text-right">Items</th>
                <th scope="col" className="px-3 py-2 text-right">Errors</th>
                <th scope="col" className="px-3 py-2">By</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Details</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.map((j) => (
                <tr key={j.id} className={selected === j.id ? "bg-indigo-50" : ""}>
                  <td className="px-3 py-2 whitespace-nowrap">{formatDate(j.createdAt)}</td>
                  <td className="px-3 py-2">{j.fileName} <span className="text-xs text-slate-400">{formatBytes(j.bytesTotal)}</span></td>
                  <td className="px-3 py-2">{j.format}</td>
                  <td className="px-3 py-2"><StatusBadge status={j.status} /></td>
                  <td className="px-3 py-2 text-right tabular-nums">{((j.counts as Counts).items ?? 0).toLocaleString()}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{j.errorCount.toLocaleString()}</td>
                  <td className="px-3 py-2">{j.createdBy ?? "—"}</td>
                  <td className="px-3 py-2">
                    <Button variant="ghost" onClick={() => onSelect(j.id)} aria-label={`Show details of the import of ${j.fileName}`}>Details</Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
