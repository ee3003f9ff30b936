// The data browser's filter bar: a plain GET form, so the filters are the page's URL (a view to share or bookmark)
// and it works before any script has loaded. Field names are the URL query's (server/schemas/review.ts).
import type { ReactNode } from "react";
import { FLAG_LABELS, FLAGS, STRENGTHS } from "@/server/schemas/judgement";
import { BROWSE_SORTS, REVIEW_FILTERS } from "@/server/schemas/review";

type Values = Record<string, string>;

const fieldClass = "mt-0.5 block rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

function Select({ name, label, values, options }: { name: string; label: string; values: Values; options: [string, string][] }) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <select name={name} defaultValue={values[name] ?? ""} className={fieldClass}>
        <option value="">any</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
    </label>
  );
}

function Input({ name, label, values, type = "text", list, width = "w-28" }: { name: string; label: string; values: Values; type?: string; list?: string; width?: string }) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <input name={name} type={type} list={list} defaultValue={values[name] ?? ""} min={type === "number" ? 0 : undefined} step={type === "number" ? "any" : undefined} className={`${fieldClass} ${width}`} />
    </label>
  );
}

const YES_NO: [string, string][] = [["yes", "yes"], ["no", "no"]];
const label = (s: string) => s.toLowerCase().replaceAll("_", " ");

export function BrowseFilters({ action, values, annotators, models, taskType, extra }: {
  action: string;
  values: Values;
  annotators: { id: string; name: string }[];
  models: string[];
  taskType: string;
  extra?: ReactNode;
}) {
  const ranks = taskType === "PAIRWISE" || taskType === "RANKING";
  return (
    <form method="get" action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-3" aria-label="Filters">
      <div className="flex flex-wrap items-end gap-2">
        <Select name="annotator" label="Annotator" values={values} options={annotators.map((a) => [a.id, a.name])} />
        <Input name="model" label="Model" values={values} list="browse-models" width="w-36" />
        <datalist id="browse-models">
          {models.map((m) => <option key={m} value={m} />)}
        </datalist>
        <Input name="item" label="Item id" values={values} width="w-32" />
        {taskType === "PAIRWISE" && <Select name="strength" label="Strength" values={values} options={STRENGTHS.map((s) => [s, label(s)])} />}
        {ranks && <Select name="tie" label="Tie" values={values} options={YES_NO} />}
        {ranks && <Select name="bothBad" label="Both bad" values={values} options={YES_NO} />}
        <Select name="flag" label="Flags" values={values} options={[["yes", "any flag"], ["no", "no flag"], ...FLAGS.map((f): [string, string] => [f, FLAG_LABELS[f]])]} />
        <Select name="gold" label="Gold" values={values} options={[["any", "gold items"], ["passed", "gold passed"], ["failed", "gold failed"], ["no", "not gold"]]} />
        <Select name="late" label="Late" values={values} options={YES_NO} />
        <Select name="surplus" label="Surplus" values={values} options={YES_NO} />
        <Select name="disagree" label="Disagrees" values={values} options={YES_NO} />
        <Select name="judgeDisagree" label="AI judge differs" values={values} options={YES_NO} />
        <Select name="review" label="Review" values={values} options={REVIEW_FILTERS.map((r) => [r, r])} />
      </div>
      <div className="flex flex-wrap items-end gap-2">
        <Input name="minSeconds" label="Time ≥ s" values={values} type="number" width="w-20" />
        <Input name="maxSeconds" label="Time ≤ s" values={values} type="number" width="w-20" />
        <Input name="from" label="From (UTC)" values={values} type="date" width="w-36" />
        <Input name="to" label="To (UTC)" values={values} type="date" width="w-36" />
        <label className="text-xs font-medium text-slate-600">
          Sort
          <select name="sort" defaultValue={values.sort ?? "newest"} className={fieldClass}>
            {BROWSE_SORTS.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">Apply</button>
        <a href={action} className="px-2 py-1.5 text-sm text-slate-600 hover:underline">Clear</a>
        {extra}
      </div>
    </form>
  );
}
