"use client";
// Create or edit a project: every setting of the project model, with a live preview of the guidelines.
// Validates with the same zod schema the server uses, so most mistakes show beside their field before sending.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ModelText } from "@/components/annotate/model-text";
import { capOf, Checkbox, Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { Scale, TaskType } from "@/server/schemas/judgement";
import { projectSettingsSchema, type ProjectSettings } from "@/server/schemas/project";

type ScaleChoice = "likert5" | "likert7" | "likert10" | "binary";

interface CriterionDraft {
  key: string;
  label: string;
  description: string;
  scale: ScaleChoice;
  /** anchor labels, "|"-separated: two (the ends) or one per point; a binary scale's two answers */
  labels: string;
}

const SCALE_CHOICES: { value: ScaleChoice; label: string }[] = [
  { value: "likert5", label: "1–5" },
  { value: "likert7", label: "1–7" },
  { value: "likert10", label: "1–10" },
  { value: "binary", label: "Yes / no (binary)" },
];

const TASK_TYPES: { value: TaskType; label: string; hint: string }[] = [
  { value: "PAIRWISE", label: "Pairwise (A vs B)", hint: "Two responses per item; which is better, and by how much." },
  { value: "RANKING", label: "Ranking (2–9 responses)", hint: "Order 2–9 responses best to worst." },
  { value: "RATING", label: "Rating (one response)", hint: "One response per item: thumbs up/down and/or the criteria on their scales." },
  { value: "DEMONSTRATION", label: "Demonstration (write or improve)", hint: "Annotators write the ideal response to a prompt, or improve the model's response when the item has one." },
];

function scaleChoice(s: Scale | undefined): { scale: ScaleChoice; labels: string } {
  if (!s) return { scale: "likert7", labels: "" };
  if (s.kind === "binary") return { scale: "binary", labels: s.labels.join(" | ") };
  return { scale: `likert${s.points}` as ScaleChoice, labels: (s.labels ?? []).join(" | ") };
}

function toScale(c: CriterionDraft): Scale {
  const labels = c.labels.split("|").map((l) => l.trim()).filter(Boolean);
  if (c.scale === "binary") return { kind: "binary", labels: (labels.length ? labels : ["No", "Yes"]) as [string, string] };
  return { kind: "likert", points: Number(c.scale.slice(6)) as 5 | 7 | 10, ...(labels.length ? { labels } : {}) };
}

interface Draft {
  name: string;
  slug: string;
  guidelines: string;
  taskType: TaskType;
  criteria: CriterionDraft[];
  allowTies: boolean;
  requireRationale: boolean;
  // numbers stay text while typing so a half-typed value is not turned into NaN or 0
  overlap: string;
  leaseMinutes: string;
  goldPercent: string;
  showModelNames: boolean;
  activeLearning: boolean;
  thumbs: boolean;
  editsAsPreference: boolean;
  reviewPercent: string;
  reviewFlagged: boolean;
  reviewFailedGold: boolean;
  reviewDisagreeing: boolean;
  /** empty: no automatic pause */
  minGoldPercent: string;
  minGoldAnswers: string;
  /** empty: no cap */
  dailyCap: string;
  totalCap: string;
  showGoldAccuracy: boolean;
  suggestionMode: "HIDDEN" | "AFTER_SUBMIT" | "PREFILL";
  reviewJudgeDisagreeing: boolean;
}

function toDraft(p?: ProjectSettings): Draft {
  return {
    name: p?.name ?? "",
    slug: p?.slug ?? "",
    guidelines: p?.guidelines ?? "",
    taskType: p?.taskType ?? "PAIRWISE",
    criteria: (p?.criteria ?? []).map((c) => ({ key: c.key, label: c.label, description: c.description, ...scaleChoice(c.scale) })),
    allowTies: p?.allowTies ?? true,
    requireRationale: p?.requireRationale ?? false,
    overlap: String(p?.overlap ?? 1),
    leaseMinutes: String(+((p?.leaseSeconds ?? 600) / 60).toFixed(2)),
    goldPercent: String(+((p?.goldRate ?? 0) * 100).toFixed(2)),
    showModelNames: p?.showModelNames ?? false,
    activeLearning: p?.activeLearning ?? false,
    thumbs: p?.thumbs ?? true,
    editsAsPreference: p?.editsAsPreference ?? false,
    reviewPercent: String(+((p?.reviewSampleRate ?? 0.1) * 100).toFixed(2)),
    reviewFlagged: p?.reviewFlagged ?? true,
    reviewFailedGold: p?.reviewFailedGold ?? true,
    reviewDisagreeing: p?.reviewDisagreeing ?? true,
    minGoldPercent: p?.minGoldAccuracy === null || p?.minGoldAccuracy === undefined ? "" : String(+(p.minGoldAccuracy * 100).toFixed(2)),
    minGoldAnswers: String(p?.minGoldAnswers ?? 10),
    dailyCap: p?.dailyCap ? String(p.dailyCap) : "",
    totalCap: p?.totalCap ? String(p.totalCap) : "",
    showGoldAccuracy: p?.showGoldAccuracy ?? false,
    suggestionMode: p?.suggestionMode ?? "HIDDEN",
    reviewJudgeDisagreeing: p?.reviewJudgeDisagreeing ?? false,
  };
}

function toSettings(d: Draft) {
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  return {
    name: d.name,
    slug: d.slug,
    guidelines: d.guidelines,
    taskType: d.taskType,
    criteria: d.taskType === "DEMONSTRATION" ? [] : d.criteria.map((c) => ({ key: c.key, label: c.label, description: c.description, scale: toScale(c) })),
    allowTies: d.allowTies,
    requireRationale: d.requireRationale,
    overlap: num(d.overlap),
    leaseSeconds: Math.round(num(d.leaseMinutes) * 60),
    goldRate: num(d.goldPercent) / 100,
    showModelNames: d.showModelNames,
    activeLearning: d.activeLearning,
    thumbs: d.thumbs,
    editsAsPreference: d.editsAsPreference,
    reviewSampleRate: num(d.reviewPercent) / 100,
    reviewFlagged: d.reviewFlagged,
    reviewFailedGold: d.reviewFailedGold,
    reviewDisagreeing: d.reviewDisagreeing,
    minGoldAccuracy: d.minGoldPercent.trim() === "" ? null : num(d.minGoldPercent) / 100,
    minGoldAnswers: num(d.minGoldAnswers),
    dailyCap: capOf(d.dailyCap),
    totalCap: capOf(d.totalCap),
    showGoldAccuracy: d.showGoldAccuracy,
    suggestionMode: d.suggestionMode,
    reviewJudgeDisagreeing: d.reviewJudgeDisagreeing,
  };
}

/** Server field names → the form's own names where they differ (lease and gold rate are shown in other units). */
function formField(field: string): string {
  if (field === "leaseSeconds") return "leaseMinutes";
  if (field === "goldRate") return "goldPercent";
  if (field === "reviewSampleRate") return "reviewPercent";
  if (field === "minGoldAccuracy") return "minGoldPercent";
  // a scale's problems show at its labels (points come from a select and cannot be wrong)
  const scale = /^(criteria\.\d+)\.scale(?:\..*)?$/.exec(field);
  if (scale) return `${scale[1]}.labels`;
  return field;
}

function slugify(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
}

export function ProjectForm({ project, hasItems = false }: { project?: ProjectSettings & { id: string }; hasItems?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => toDraft(project));
  const [slugTouched, setSlugTouched] = useState(Boolean(project));
  const [error, setError] = useState<FormError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const create = useMutation(trpc.project.create.mutationOptions());
  const update = useMutation(trpc.project.update.mutationOptions());
  const pending = create.isPending || update.isPending;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(null);
    setDraft((d) => ({ ...d, [key]: value, ...(key === "name" && !slugTouched ? { slug: slugify(String(value)) } : {}) }));
  };
  const setCriterion = (i: number, patch: Partial<CriterionDraft>) =>
    set("criteria", draft.criteria.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const moveCriterion = (i: number, by: -1 | 1) => {
    const list = [...draft.criteria];
    [list[i], list[i + by]] = [list[i + by], list[i]];
    set("criteria", list);
  };

  const fieldError = (name: string) => error?.fields[name];

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const parsed = projectSettingsSchema.safeParse(toSettings(draft));
    if (!parsed.success) {
      const fe = fromZod(parsed.error);
      setError({ ...fe, fields: Object.fromEntries(Object.entries(fe.fields).map(([k, v]) => [formField(k), v])) });
      return;
    }
    setError(null);
    try {
      if (project) {
        await update.mutateAsync({ id: project.id, ...parsed.data });
        await queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
        setSaved("Saved.");
        router.refresh();
      } else {
        const created = await create.mutateAsync(parsed.data);
        router.push(`/admin/projects/${created.id}`);
      }
    } catch (err) {
      const fe = fromServer(err);
      setError({ ...fe, fields: Object.fromEntries(Object.entries(fe.fields).map(([k, v]) => [formField(k), v])) });
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label={project ? "Project settings" : "New project"}>
      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <Field label="Name" name="name" error={fieldError("name")}>
          <input {...fieldProps("name", fieldError("name"))} className={inputClass} value={draft.name} onChange={(e) => set("name", e.target.value)} required maxLength={120} />
        </Field>
        <Field label="Slug" name="slug" error={fieldError("slug")} hint="Used in the annotation URL: /annotate/<slug>">
          <input
            {...fieldProps("slug", fieldError("slug"))}
            className={`${inputClass} font-mono`}
            value={draft.slug}
            onChange={(e) => {
              setSlugTouched(true);
              set("slug", e.target.value);
            }}
            required
          />
        </Field>
        <Field label="Task type" name="taskType" error={fieldError("taskType")} hint={hasItems ? "Fixed: the project already has items." : TASK_TYPES.find((t) => t.value === draft.taskType)?.hint}>
          <select
            {...fieldProps("taskType", fieldError("taskType"))}
            className={inputClass}
            value={draft.taskType}
            disabled={hasItems}
            onChange={(e) => {
              const t = e.target.value as TaskType;
              set("taskType", t);
              // a demonstration has no gold to check against
              if (t === "DEMONSTRATION") setDraft((d) => ({ ...d, taskType: t, goldPercent: "0" }));
            }}
          >
            {TASK_TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
          </select>
        </Field>
        <Field label="Overlap" name="overlap" error={fieldError("overlap")} hint="How many different annotators judge each item.">
          <input {...fieldProps("overlap", fieldError("overlap"))} className={inputClass} type="number" min={1} max={50} step={1} value={draft.overlap} onChange={(e) => set("overlap", e.target.value)} />
        </Field>
        <Field label="Lease (minutes)" name="leaseMinutes" error={fieldError("leaseMinutes")} hint="How long an item stays reserved for the annotator who claimed it.">
          <input {...fieldProps("leaseMinutes", fieldError("leaseMinutes"))} className={inputClass} type="number" min={0.5} max={1440} step="any" value={draft.leaseMinutes} onChange={(e) => set("leaseMinutes", e.target.value)} />
        </Field>
        <Field
          label="Gold rate (%)"
          name="goldPercent"
          error={fieldError("goldPercent")}
          hint={
            draft.taskType === "DEMONSTRATION"
              ? "Demonstrations have no gold: a written response has no single right answer. Gold checks comparisons (the known ranking) and ratings (the known thumbs)."
              : draft.taskType === "RATING"
                ? "Share of served items that are gold, 0–50%: a gold rating item has known thumbs (import with gold.thumbs)."
                : "Share of served items that are gold (known answer), 0–50%."
          }
        >
          <input {...fieldProps("goldPercent", fieldError("goldPercent"))} className={inputClass} type="number" min={0} max={50} step="any" value={draft.goldPercent} disabled={draft.taskType === "DEMONSTRATION"} onChange={(e) => set("goldPercent", e.target.value)} />
        </Field>
        <Field label="Minimum gold accuracy (%)" name="minGoldPercent" error={fieldError("minGoldPercent")} hint="An annotator below it is paused in this project until an admin reinstates them. Empty: never.">
          <input {...fieldProps("minGoldPercent", fieldError("minGoldPercent"))} className={inputClass} type="number" min={0} max={100} step="any" value={draft.minGoldPercent} disabled={draft.taskType === "DEMONSTRATION"} onChange={(e) => set("minGoldPercent", e.target.value)} />
        </Field>
        <Field label="…after gold items" name="minGoldAnswers" error={fieldError("minGoldAnswers")} hint="How many gold answers count before the minimum applies.">
          <input {...fieldProps("minGoldAnswers", fieldError("minGoldAnswers"))} className={inputClass} type="number" min={1} max={10000} step={1} value={draft.minGoldAnswers} onChange={(e) => set("minGoldAnswers", e.target.value)} />
        </Field>
        <Field label="Daily cap (items per annotator)" name="dailyCap" error={fieldError("dailyCap")} hint="Each annotator's judgements per UTC day, counting the items they hold. Empty: no cap.">
          <input {...fieldProps("dailyCap", fieldError("dailyCap"))} className={inputClass} type="number" min={1} step={1} value={draft.dailyCap} placeholder="no cap" onChange={(e) => set("dailyCap", e.target.value)} />
        </Field>
        <Field label="Total cap (items per annotator)" name="totalCap" error={fieldError("totalCap")} hint="Each annotator's judgements in this project in all. A member's own caps (below) replace these.">
          <input {...fieldProps("totalCap", fieldError("totalCap"))} className={inputClass} type="number" min={1} step={1} value={draft.totalCap} placeholder="no cap" onChange={(e) => set("totalCap", e.target.value)} />
        </Field>
        <Field label="Review sample (%)" name="reviewPercent" error={fieldError("reviewPercent")} hint="Share of each annotator's judgements the review queue takes.">
          <input {...fieldProps("reviewPercent", fieldError("reviewPercent"))} className={inputClass} type="number" min={0} max={100} step="any" value={draft.reviewPercent} onChange={(e) => set("reviewPercent", e.target.value)} />
        </Field>
        <div className="space-y-2 sm:col-span-2 sm:grid sm:grid-cols-3 sm:gap-2 sm:space-y-0">
          <Checkbox name="reviewFlagged" label="Review every flagged judgement" checked={draft.reviewFlagged} onChange={(v) => set("reviewFlagged", v)} />
          <Checkbox name="reviewFailedGold" label="Review every failed gold answer" checked={draft.reviewFailedGold} onChange={(v) => set("reviewFailedGold", v)} />
          <Checkbox name="reviewDisagreeing" label="Review every disagreement" hint="Another annotator of the item chose differently." checked={draft.reviewDisagreeing} onChange={(v) => set("reviewDisagreeing", v)} />
          <Checkbox name="reviewJudgeDisagreeing" label="Review every disagreement with the AI judge" hint="The latest AI judge chose differently on the item." checked={draft.reviewJudgeDisagreeing} onChange={(v) => set("reviewJudgeDisagreeing", v)} />
        </div>
        {draft.taskType !== "DEMONSTRATION" && (
          <Field label="AI judge's suggestions" name="suggestionMode" error={fieldError("suggestionMode")} hint="What annotators see of the AI judge's verdict on an item. Hidden avoids anchoring them; the mode in force is stored with each judgement.">
            <select {...fieldProps("suggestionMode", fieldError("suggestionMode"))} className={inputClass} value={draft.suggestionMode} onChange={(e) => set("suggestionMode", e.target.value as Draft["suggestionMode"])}>
              <option value="HIDDEN">Hidden from annotators</option>
              <option value="AFTER_SUBMIT">Shown after they submit</option>
              <option value="PREFILL">Prefilled, to confirm or change</option>
            </select>
          </Field>
        )}
        <div className="space-y-2 sm:col-span-2 sm:grid sm:grid-cols-2 sm:gap-2 sm:space-y-0">
          {(draft.taskType === "PAIRWISE" || draft.taskType === "RANKING") && (
            <Checkbox name="allowTies" label="Ties allowed" hint="Annotators may judge candidates equally good." checked={draft.allowTies} onChange={(v) => set("allowTies", v)} />
          )}
          {draft.taskType === "RATING" && (
            <Checkbox name="thumbs" label="Thumbs up / down" hint="Ask whether the response is good or bad (A / X), beside any criteria." checked={draft.thumbs} onChange={(v) => set("thumbs", v)} />
          )}
          {draft.taskType === "DEMONSTRATION" && (
            <Checkbox name="editsAsPreference" label="Improvements as preferences" hint="An improved response also counts as a comparison: edited ≻ original (exports, analytics, reward models)." checked={draft.editsAsPreference} onChange={(v) => set("editsAsPreference", v)} />
          )}
          <Checkbox name="showGoldAccuracy" label="Annotators see their gold accuracy" hint="On their own statistics page (Account → Statistics)." checked={draft.showGoldAccuracy} onChange={(v) => set("showGoldAccuracy", v)} />
          <Checkbox name="requireRationale" label="Rationale required" hint="A written reason is needed to submit." checked={draft.requireRationale} onChange={(v) => set("requireRationale", v)} />
          <Checkbox name="showModelNames" label="Show model names" hint="Off keeps annotators blind to which model wrote what." checked={draft.showModelNames} onChange={(v) => set("showModelNames", v)} />
          <Checkbox name="activeLearning" label="Active learning" hint="Serve items the active reward model is least sure about first." checked={draft.activeLearning} onChange={(v) => set("activeLearning", v)} />
        </div>
      </section>

      {draft.taskType !== "DEMONSTRATION" && (
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="criteria-heading">
        <div className="flex items-center gap-3">
          <h2 id="criteria-heading" className="font-medium">Rating criteria</h2>
          <span className="text-xs text-slate-500">Each rated per response on its scale. {draft.taskType === "RATING" && !draft.thumbs ? "Required without thumbs" : "Optional"}, up to 10.</span>
          <Button
            variant="secondary"
            className="ml-auto"
            disabled={draft.criteria.length >= 10}
            onClick={() => set("criteria", [...draft.criteria, { key: "", label: "", description: "", scale: "likert7", labels: "" }])}
          >
            Add criterion
          </Button>
        </div>
        {fieldError("criteria") && <p className="text-xs text-red-700">{fieldError("criteria")}</p>}
        {draft.criteria.length === 0 && <p className="text-sm text-slate-500">No criteria: annotators only rank.</p>}
        <ol className="space-y-3">
          {draft.criteria.map((c, i) => (
            <li key={i} className="grid gap-2 rounded-md bg-slate-50 p-3 sm:grid-cols-[10rem_12rem_1fr_auto] lg:grid-cols-[10rem_12rem_1fr_9rem_14rem_auto]">
              <Field label="Key" name={`criteria.${i}.key`} error={fieldError(`criteria.${i}.key`)}>
                <input {...fieldProps(`criteria.${i}.key`, fieldError(`criteria.${i}.key`))} className={`${inputClass} font-mono`} value={c.key} placeholder="helpfulness" onChange={(e) => setCriterion(i, { key: e.target.value })} />
              </Field>
              <Field label="Label" name={`criteria.${i}.label`} error={fieldError(`criteria.${i}.label`)}>
                <input {...fieldProps(`criteria.${i}.label`, fieldError(`criteria.${i}.label`))} className={inputClass} value={c.label} placeholder="Helpfulness" onChange={(e) => setCriterion(i, { label: e.target.value })} />
              </Field>
              <Field label="Description" name={`criteria.${i}.description`} error={fieldError(`criteria.${i}.description`)}>
                <input {...fieldProps(`criteria.${i}.description`, fieldError(`criteria.${i}.description`))} className={inputClass} value={c.description} onChange={(e) => setCriterion(i, { description: e.target.value })} />
              </Field>
              <Field label="Scale" name={`criteria.${i}.scale`}>
                <select {...fieldProps(`criteria.${i}.scale`, undefined)} className={inputClass} value={c.scale} onChange={(e) => setCriterion(i, { scale: e.target.value as ScaleChoice })}>
                  {SCALE_CHOICES.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                </select>
              </Field>
              <Field label="Labels" name={`criteria.${i}.labels`} error={fieldError(`criteria.${i}.labels`)}>
                <input
                  {...fieldProps(`criteria.${i}.labels`, fieldError(`criteria.${i}.labels`))}
                  className={inputClass}
                  value={c.labels}
                  placeholder={c.scale === "binary" ? "No | Yes" : "Poor | Excellent"}
                  title="Separated by |: the two ends, or one per point"
                  onChange={(e) => setCriterion(i, { labels: e.target.value })}
                />
              </Field>
              <div className="flex items-end gap-1">
                <Button variant="ghost" aria-label={`Move criterion ${i + 1} up`} disabled={i === 0} onClick={() => moveCriterion(i, -1)}>↑</Button>
                <Button variant="ghost" aria-label={`Move criterion ${i + 1} down`} disabled={i === draft.criteria.length - 1} onClick={() => moveCriterion(i, 1)}>↓</Button>
                <Button variant="ghost" aria-label={`Remove criterion ${i + 1}`} onClick={() => set("criteria", draft.criteria.filter((_, j) => j !== i))}>✕</Button>
              </div>
            </li>
          ))}
        </ol>
      </section>
      )}

      <section className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="guidelines-heading">
        <h2 id="guidelines-heading" className="font-medium">Guidelines</h2>
        <div className="grid gap-4 lg:grid-cols-2">
          <Field label="Markdown" name="guidelines" error={fieldError("guidelines")} hint="Annotators read this in the guidelines drawer.">
            <textarea
              {...fieldProps("guidelines", fieldError("guidelines"))}
              className={`${inputClass} h-96 font-mono text-xs`}
              value={draft.guidelines}
              onChange={(e) => set("guidelines", e.target.value)}
            />
          </Field>
          <div className="text-sm">
            <div className="font-medium text-slate-700" id="guidelines-preview-label">Preview</div>
            <div aria-labelledby="guidelines-preview-label" data-testid="guidelines-preview" className="mt-1 h-96 overflow-auto rounded-md border border-slate-200 p-3">
              {draft.guidelines.trim() ? <ModelText text={draft.guidelines} /> : <p className="text-slate-400">Nothing to preview yet.</p>}
            </div>
          </div>
        </div>
      </section>

      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>{pending ? "Saving…" : project ? "Save settings" : "Create project"}</Button>
        <FormMessage error={error?.message} ok={saved} />
      </div>
    </form>
  );
}
