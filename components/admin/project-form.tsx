"use client";
// Create or edit a project: every setting of the project model, with a live preview of the guidelines.
// Validates with the same zod schema the server uses, so most mistakes show beside their field before sending.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ModelText } from "@/components/annotate/model-text";
import { Checkbox, Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { projectSettingsSchema, type ProjectSettings } from "@/server/schemas/project";

interface CriterionDraft {
  key: string;
  label: string;
  description: string;
}

interface Draft {
  name: string;
  slug: string;
  guidelines: string;
  taskType: "PAIRWISE" | "RANKING";
  criteria: CriterionDraft[];
  allowTies: boolean;
  requireRationale: boolean;
  // numbers stay text while typing so a half-typed value is not turned into NaN or 0
  overlap: string;
  leaseMinutes: string;
  goldPercent: string;
  showModelNames: boolean;
  activeLearning: boolean;
}

function toDraft(p?: ProjectSettings): Draft {
  return {
    name: p?.name ?? "",
    slug: p?.slug ?? "",
    guidelines: p?.guidelines ?? "",
    taskType: p?.taskType ?? "PAIRWISE",
    criteria: p?.criteria ?? [],
    allowTies: p?.allowTies ?? true,
    requireRationale: p?.requireRationale ?? false,
    overlap: String(p?.overlap ?? 1),
    leaseMinutes: String(+((p?.leaseSeconds ?? 600) / 60).toFixed(2)),
    goldPercent: String(+((p?.goldRate ?? 0) * 100).toFixed(2)),
    showModelNames: p?.showModelNames ?? false,
    activeLearning: p?.activeLearning ?? false,
  };
}

function toSettings(d: Draft) {
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  return {
    name: d.name,
    slug: d.slug,
    guidelines: d.guidelines,
    taskType: d.taskType,
    criteria: d.criteria,
    allowTies: d.allowTies,
    requireRationale: d.requireRationale,
    overlap: num(d.overlap),
    leaseSeconds: Math.round(num(d.leaseMinutes) * 60),
    goldRate: num(d.goldPercent) / 100,
    showModelNames: d.showModelNames,
    activeLearning: d.activeLearning,
  };
}

/** Server field names → the form's own names where they differ (lease and gold rate are shown in other units). */
function formField(field: string): string {
  if (field === "leaseSeconds") return "leaseMinutes";
  if (field === "goldRate") return "goldPercent";
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
        <Field label="Task type" name="taskType" error={fieldError("taskType")} hint={hasItems ? "Fixed: the project already has items." : "Pairwise: exactly 2 candidates. Ranking: 2–9."}>
          <select {...fieldProps("taskType", fieldError("taskType"))} className={inputClass} value={draft.taskType} disabled={hasItems} onChange={(e) => set("taskType", e.target.value as Draft["taskType"])}>
            <option value="PAIRWISE">Pairwise (A vs B)</option>
            <option value="RANKING">Ranking (2–9 candidates)</option>
          </select>
        </Field>
        <Field label="Overlap" name="overlap" error={fieldError("overlap")} hint="How many different annotators judge each item.">
          <input {...fieldProps("overlap", fieldError("overlap"))} className={inputClass} type="number" min={1} max={50} step={1} value={draft.overlap} onChange={(e) => set("overlap", e.target.value)} />
        </Field>
        <Field label="Lease (minutes)" name="leaseMinutes" error={fieldError("leaseMinutes")} hint="How long an item stays reserved for the annotator who claimed it.">
          <input {...fieldProps("leaseMinutes", fieldError("leaseMinutes"))} className={inputClass} type="number" min={0.5} max={1440} step="any" value={draft.leaseMinutes} onChange={(e) => set("leaseMinutes", e.target.value)} />
        </Field>
        <Field label="Gold rate (%)" name="goldPercent" error={fieldError("goldPercent")} hint="Share of served items that are gold (known answer), 0–50%.">
          <input {...fieldProps("goldPercent", fieldError("goldPercent"))} className={inputClass} type="number" min={0} max={50} step="any" value={draft.goldPercent} onChange={(e) => set("goldPercent", e.target.value)} />
        </Field>
        <div className="space-y-2 sm:col-span-2 sm:grid sm:grid-cols-2 sm:gap-2 sm:space-y-0">
          <Checkbox name="allowTies" label="Ties allowed" hint="Annotators may judge candidates equally good." checked={draft.allowTies} onChange={(v) => set("allowTies", v)} />
          <Checkbox name="requireRationale" label="Rationale required" hint="A written reason is needed to submit." checked={draft.requireRationale} onChange={(v) => set("requireRationale", v)} />
          <Checkbox name="showModelNames" label="Show model names" hint="Off keeps annotators blind to which model wrote what." checked={draft.showModelNames} onChange={(v) => set("showModelNames", v)} />
          <Checkbox name="activeLearning" label="Active learning" hint="Serve items the active reward model is least sure about first." checked={draft.activeLearning} onChange={(v) => set("activeLearning", v)} />
        </div>
      </section>

      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="criteria-heading">
        <div className="flex items-center gap-3">
          <h2 id="criteria-heading" className="font-medium">Rating criteria</h2>
          <span className="text-xs text-slate-500">Each is rated 1–7 per candidate. Optional, up to 10.</span>
          <Button
            variant="secondary"
            className="ml-auto"
            disabled={draft.criteria.length >= 10}
            onClick={() => set("criteria", [...draft.criteria, { key: "", label: "", description: "" }])}
          >
            Add criterion
          </Button>
        </div>
        {fieldError("criteria") && <p className="text-xs text-red-700">{fieldError("criteria")}</p>}
        {draft.criteria.length === 0 && <p className="text-sm text-slate-500">No criteria: annotators only rank.</p>}
        <ol className="space-y-3">
          {draft.criteria.map((c, i) => (
            <li key={i} className="grid gap-2 rounded-md bg-slate-50 p-3 sm:grid-cols-[10rem_12rem_1fr_auto]">
              <Field label="Key" name={`criteria.${i}.key`} error={fieldError(`criteria.${i}.key`)}>
                <input {...fieldProps(`criteria.${i}.key`, fieldError(`criteria.${i}.key`))} className={`${inputClass} font-mono`} value={c.key} placeholder="helpfulness" onChange={(e) => setCriterion(i, { key: e.target.value })} />
              </Field>
              <Field label="Label" name={`criteria.${i}.label`} error={fieldError(`criteria.${i}.label`)}>
                <input {...fieldProps(`criteria.${i}.label`, fieldError(`criteria.${i}.label`))} className={inputClass} value={c.label} placeholder="Helpfulness" onChange={(e) => setCriterion(i, { label: e.target.value })} />
              </Field>
              <Field label="Description" name={`criteria.${i}.description`} error={fieldError(`criteria.${i}.description`)}>
                <input {...fieldProps(`criteria.${i}.description`, fieldError(`criteria.${i}.description`))} className={inputClass} value={c.description} onChange={(e) => setCriterion(i, { description: e.target.value })} />
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
