"use client";
// Starts a snapshot build: what to select, how to aggregate overlapping judgements, how to split and write rows.
// Validates with the server's own schema first, so most mistakes show beside their field before anything is sent;
// the build itself runs in the background and the list below polls its progress.
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Checkbox, Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { aggregationLabel, fileTypeLabel, formatLabel } from "@/components/exports/snapshot-labels";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import {
  aggregationPolicies,
  bothBadModes,
  aiLabelFormats,
  createSnapshotInputSchema,
  labelSources,
  exportFileTypes,
  exportFormats,
  type AggregationPolicy,
  type BothBadMode,
  type LabelSource,
  type CreateSnapshotInput,
  type ExportFileType,
  type ExportFormat,
} from "@/server/schemas/export";

export interface ProjectOption {
  id: string;
  name: string;
  annotations: number;
  archived: boolean;
}

interface Draft {
  name: string;
  projectIds: string[];
  format: ExportFormat;
  fileType: ExportFileType;
  gzip: boolean;
  policy: AggregationPolicy;
  ties: "drop" | "keep";
  bothBad: BothBadMode;
  labels: LabelSource;
  judgeRunId: string;
  // numbers and dates stay text while typing so a half-typed value is not turned into NaN or 0
  minAgreement: string;
  ktoThreshold: string;
  from: string;
  until: string;
  excludeFlagged: boolean;
  excludeGold: boolean;
  minGoldAccuracy: string;
  excludeInactiveAnnotators: boolean;
  includeRejected: boolean;
  minJudgements: string;
  testRatio: string;
  seed: string;
}

const initialDraft: Draft = {
  name: "",
  projectIds: [],
  format: "trl",
  fileType: "jsonl",
  gzip: false,
  policy: "all",
  ties: "drop",
  bothBad: "drop",
  labels: "human",
  judgeRunId: "",
  minAgreement: "0",
  ktoThreshold: "5",
  from: "",
  until: "",
  // flagged items were reported as unsafe or broken by an annotator: leaving them out is the safer default
  excludeFlagged: true,
  excludeGold: false,
  minGoldAccuracy: "",
  excludeInactiveAnnotators: false,
  includeRejected: false,
  minJudgements: "",
  testRatio: "0.1",
  seed: "",
};

const bothBadLabel: Record<BothBadMode, string> = { drop: "Drop their pairs", keep: "Keep, flagged (both_bad column)" };
const labelsLabel: Record<LabelSource, string> = { human: "People's judgements", ai: "AI judge only (RLAIF)", both: "Both, with a source column" };

/** What the both-bad option does in the chosen format (the rule itself is the server's: FormatSpec.bothBad). */
function bothBadHint(format: ExportFormat): string {
  if (format === "kto") return "Judgements marked both bad always give undesirable rows; keep adds the both_bad column.";
  if (format.startsWith("sft")) return "SFT never takes a completion from a judgement marked both bad.";
  if (format === "raw") return "Raw rows always carry both_bad.";
  return "Judgements where the annotator marked every response bad: leave their pairs out, or keep them with a both_bad column.";
}

const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
const optionalNum = (s: string) => (s.trim() === "" ? undefined : Number(s));
const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` day as the instant its UTC day starts, optionally shifted by whole days. */
function utcDay(day: string, shiftDays = 0): Date | undefined {
  if (day === "") return undefined;
  return new Date(Date.parse(`${day}T00:00:00Z`) + shiftDays * DAY_MS);
}

function toInput(d: Draft): CreateSnapshotInput {
  return {
    name: d.name,
    projectIds: d.projectIds,
    format: d.format,
    fileType: d.fileType,
    gzip: d.fileType === "jsonl" && d.gzip,
    aggregation: { policy: d.policy, ties: d.ties, minAgreement: num(d.minAgreement) },
 bothBad: d.bothBad,
    labels: d.labels,
    ...(d.labels !== "human" && d.judgeRunId ? { judgeRunId: d.judgeRunId } : {}),
    ...(d.format === "kto" ? { ktoThreshold: num(d.ktoThreshold) } : {}),
    filters: {
      from: utcDay(d.from),
      // the service's `to` is exclusive; people pick the last day they want included
      to: utcDay(d.until, 1),
      excludeFlagged: d.excludeFlagged,
      excludeGold: d.excludeGold,
      minGoldAccuracy: optionalNum(d.minGoldAccuracy),
      excludeInactiveAnnotators: d.excludeInactiveAnnotators,
      includeRejected: d.includeRejected,
      minJudgements: optionalNum(d.minJudgements),
    },
    split: { testRatio: num(d.testRatio), seed: d.seed },
  };
}

/** Server field paths → the form's field ids where they differ. */
function formField(field: string): string {
  if (field === "filters.to") return "until";
  if (field === "filters.from") return "from";
  if (field.startsWith("projectIds")) return "projectIds";
  const leaf = field.split(".").pop() ?? field;
  return leaf in initialDraft ? leaf : field;
}

function mapFields(e: FormError): FormError {
  return { ...e, fields: Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [formField(k), v])) };
}

export function NewSnapshotForm({ projects }: { projects: ProjectOption[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(initialDraft);
  const [error, setError] = useState<FormError | null>(null);
  const [started, setStarted] = useState<{ id: string; label: string } | null>(null);
  const create = useMutation(trpc.export.create.mutationOptions());

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const toggleProject = (id: string, on: boolean) =>
    set("projectIds", on ? [...draft.projectIds, id] : draft.projectIds.filter((p) => p !== id));
  const fieldError = (name: string) => error?.fields[name];
  // the AI judges of the chosen projects (runs with verdicts), for exporting their labels
  const judges = useQueries({ queries: draft.labels === "human" ? [] : draft.projectIds.map((projectId) => trpc.analytics.judges.queryOptions({ projectId })) })
    .flatMap((q) => q.data ?? [])
    .filter((s) => s.withVerdict > 0);
  const judgeRunId = draft.judgeRunId || judges[0]?.runId || "";

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setStarted(null);
    const parsed = createSnapshotInputSchema.safeParse(toInput({ ...draft, judgeRunId }));
    if (!parsed.success) {
      setError(mapFields(fromZod(parsed.error)));
      return;
    }
    setError(null);
    try {
      const snapshot = await create.mutateAsync(toInput({ ...draft, judgeRunId }));
      setStarted({ id: snapshot.id, label: `${snapshot.name} v${snapshot.version}` });
      await queryClient.invalidateQueries({ queryKey: trpc.export.list.pathKey() });
    } catch (err) {
      setError(mapFields(fromServer(err)));
    }
  }

  const numberField = (name: "minAgreement" | "ktoThreshold" | "minGoldAccuracy" | "minJudgements" | "testRatio", label: string, hint: string, opts: { step: string; max?: string; placeholder?: string }) => (
    <Field label={label} name={name} error={fieldError(name)} hint={hint}>
      <input
        {...fieldProps(name, fieldError(name))}
        type="number"
        inputMode="decimal"
        min="0"
        max={opts.max}
        step={opts.step}
        placeholder={opts.placeholder}
        className={inputClass}
        value={draft[name]}
        onChange={(e) => set(name, e.target.value)}
      />
    </Field>
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="New snapshot">
      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <Field label="Name" name="name" error={fieldError("name")} hint="Reusing a name makes the next version of it.">
          <input {...fieldProps("name", fieldError("name"))} className={inputClass} value={draft.name} onChange={(e) => set("name", e.target.value)} placeholder="helpfulness" maxLength={100} required />
        </Field>
        <fieldset className="text-sm sm:row-span-2" aria-describedby={fieldError("projectIds") ? "projectIds-error" : undefined}>
          <legend className="font-medium text-slate-700">Projects</legend>
          {projects.length === 0 ? (
            <p className="mt-1 text-slate-600">No projects yet.</p>
          ) : (
            <div id="projectIds" className="mt-1 max-h-40 space-y-1 overflow-y-auto rounded-md border border-slate-300 p-2">
              {projects.map((p) => (
                <label key={p.id} className="flex items-center gap-2">
                  <input type="checkbox" className="size-4 accent-indigo-600" checked={draft.projectIds.includes(p.id)} onChange={(e) => toggleProject(p.id, e.target.checked)} />
                  <span>{p.name}</span>
                  <span className="text-xs text-slate-500">{p.annotations.toLocaleString("en-US")} annotations{p.archived ? " · archived" : ""}</span>
                </label>
              ))}
            </div>
          )}
          {fieldError("projectIds") && <p id="projectIds-error" className="mt-1 text-xs text-red-700">{fieldError("projectIds")}</p>}
        </fieldset>
        <div className="grid grid-cols-2 gap-4">
          <Field label="Format" name="format" error={fieldError("format")}>
            <select {...fieldProps("format", fieldError("format"))} className={inputClass} value={draft.format} onChange={(e) => set("format", e.target.value as ExportFormat)}>
              {exportFormats.map((f) => <option key={f} value={f}>{formatLabel[f]}</option>)}
            </select>
          </Field>
          <Field label="File type" name="fileType" error={fieldError("fileType")}>
            <select {...fieldProps("fileType", fieldError("fileType"))} className={inputClass} value={draft.fileType} onChange={(e) => set("fileType", e.target.value as ExportFileType)}>
              {exportFileTypes.map((f) => <option key={f} value={f}>{fileTypeLabel[f]}</option>)}
            </select>
          </Field>
          <div className="col-span-2">
            <Checkbox name="gzip" label="Compress with gzip" hint={draft.fileType === "parquet" ? "Parquet files are compressed inside." : "Writes .jsonl.gz files."} checked={draft.fileType === "jsonl" && draft.gzip} disabled={draft.fileType !== "jsonl"} onChange={(v) => set("gzip", v)} />
            {fieldError("gzip") && <p id="gzip-error" className="mt-1 text-xs text-red-700">{fieldError("gzip")}</p>}
          </div>
        </div>
      </section>

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <h2 className="text-sm font-semibold sm:col-span-3">Aggregation of overlapping judgements</h2>
        <Field label="Policy" name="policy" error={fieldError("policy")}>
          <select {...fieldProps("policy", fieldError("policy"))} className={inputClass} value={draft.policy} onChange={(e) => set("policy", e.target.value as AggregationPolicy)}>
            {aggregationPolicies.map((p) => <option key={p} value={p}>{aggregationLabel[p]}</option>)}
          </select>
        </Field>
        <Field label="Ties" name="ties" error={fieldError("ties")} hint={draft.policy === "all" ? "Only for majority and Bradley-Terry." : "Evenly split pairs: drop them, or keep them with margin 0."}>
          <select {...fieldProps("ties", fieldError("ties"))} className={inputClass} value={draft.ties} disabled={draft.policy === "all"} onChange={(e) => set("ties", e.target.value as "drop" | "keep")}>
            <option value="drop">Drop</option>
            <option value="keep">Keep</option>
          </select>
        </Field>
 <Field label="Labels" name="labels" error={fieldError("labels")} hint={`Whose judgements the rows are. An AI judge's labels export as ${aiLabelFormats.join(", ")}.`}>
          <select {...fieldProps("labels", fieldError("labels"))} className={inputClass} value={draft.labels} onChange={(e) => set("labels", e.target.value as LabelSource)}>
            {labelSources.map((l) => <option key={l} value={l}>{labelsLabel[l]}</option>)}
          </select>
        </Field>
        {draft.labels !== "human" && (
          <Field label="AI judge" name="judgeRunId" error={fieldError("judgeRunId")} hint={judges.length ? "the run whose verdicts become rows" : "no AI judge has judged the chosen projects yet"}>
            <select {...fieldProps("judgeRunId", fieldError("judgeRunId"))} className={inputClass} value={judgeRunId} onChange={(e) => set("judgeRunId", e.target.value)}>
              {judges.map((j) => <option key={j.runId} value={j.runId}>{j.judge} — {j.name} ({j.withVerdict} verdicts)</option>)}
            </select>
          </Field>
        )}
        <Field label="Both bad" name="bothBad" error={fieldError("bothBad")} hint={bothBadHint(draft.format)}>
          <select {...fieldProps("bothBad", fieldError("bothBad"))} className={inputClass} value={draft.bothBad} onChange={(e) => set("bothBad", e.target.value as BothBadMode)}>
            {bothBadModes.map((m) => <option key={m} value={m}>{bothBadLabel[m]}</option>)}
          </select>
        </Field>
        {numberField("minAgreement", "Min agreement", "Share of votes (0–1) that must agree with the exported direction; 0 keeps all.", { step: "0.05", max: "1" })}
        {draft.format === "kto" &&
          numberField("ktoThreshold", "Desirable from (KTO)", "A rating without thumbs is desirable when its mean criterion rating is at least this (TRL's UltraFeedback conversion uses 5).", { step: "0.5", max: "10" })}
      </section>

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <h2 className="text-sm font-semibold sm:col-span-3">Filters</h2>
        <Field label="From (UTC day, inclusive)" name="from" error={fieldError("from")} hint="Annotations made on or after this day.">
          <input {...fieldProps("from", fieldError("from"))} type="date" className={inputClass} value={draft.from} onChange={(e) => set("from", e.target.value)} />
        </Field>
        <Field label="Until (UTC day, inclusive)" name="until" error={fieldError("until")} hint="Annotations made on or before this day.">
          <input {...fieldProps("until", fieldError("until"))} type="date" className={inputClass} value={draft.until} onChange={(e) => set("until", e.target.value)} />
        </Field>
        {numberField("minJudgements", "Min judgements per item", "Only items judged at least this often; empty keeps all.", { step: "1", placeholder: "any" })}
        {numberField("minGoldAccuracy", "Min gold accuracy", "Drop annotators whose gold accuracy (0–1) is below this; empty keeps all.", { step: "0.05", max: "1", placeholder: "any" })}
        <div className="space-y-2 sm:col-span-2">
          <Checkbox name="excludeFlagged" label="Exclude flagged items" hint="Items any annotator flagged (unsafe, PII, broken)." checked={draft.excludeFlagged} onChange={(v) => set("excludeFlagged", v)} />
          <Checkbox name="excludeGold" label="Exclude gold items" hint="Quality-control items with a known answer." checked={draft.excludeGold} onChange={(v) => set("excludeGold", v)} />
          <Checkbox name="excludeInactiveAnnotators" label="Exclude deactivated annotators" checked={draft.excludeInactiveAnnotators} onChange={(v) => set("excludeInactiveAnnotators", v)} />
          <Checkbox name="includeRejected" label="Include rejected judgements" hint="Judgements a reviewer rejected are left out unless this is on." checked={draft.includeRejected} onChange={(v) => set("includeRejected", v)} />
        </div>
      </section>

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <h2 className="text-sm font-semibold sm:col-span-3">Train / test split</h2>
        {numberField("testRatio", "Test ratio", "Share of prompts (0–1) in the test split; a prompt never straddles splits.", { step: "0.05", max: "1" })}
        <Field label="Split seed" name="seed" error={fieldError("seed")} hint="Optional: changes which prompts go to test.">
          <input {...fieldProps("seed", fieldError("seed"))} className={inputClass} value={draft.seed} onChange={(e) => set("seed", e.target.value)} maxLength={100} />
        </Field>
      </section>

      <div className="flex items-center gap-3">
        <Button type="submit" disabled={create.isPending}>{create.isPending ? "Starting…" : "Create snapshot"}</Button>
        {started && (
          <p role="status" className="text-sm text-emerald-800">
            Started <Link href={`/admin/exports/${started.id}`} className="font-medium underline">{started.label}</Link>; its progress shows in the list.
          </p>
        )}
      </div>
      <FormMessage error={error?.message} />
    </form>
  );
}
