"use client";
// One response to rate: the response, and thumbs up / down (a radio pair: A and X, as Prodigy's accept / reject)
// when the project asks for them. The criteria, on their scales, are the ratings grid below it.
import type { Draft, DraftChange } from "@/components/annotate/draft";
import { ModelText } from "@/components/annotate/model-text";
import type { ItemView } from "@/components/annotate/types";
import { Kbd } from "@/components/ui/kbd";

export function RatingView({ item, draft, thumbs, onChange }: { item: ItemView; draft: Draft; thumbs: boolean; onChange: (c: DraftChange) => void }) {
  const c = item.candidates[0];
  const border = draft.thumbs === true ? "border-emerald-500 ring-2 ring-emerald-200" : draft.thumbs === false ? "border-red-400 ring-2 ring-red-200" : "border-slate-200";
  return (
    <section aria-label="Response" data-testid="candidate-A" data-candidate-id={c.id} className={`min-w-0 rounded-lg border bg-white p-3 ${border}`}>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-slate-500">
        <span className="font-semibold text-slate-700">Response</span>
        {c.model && <span className="rounded bg-slate-100 px-1">{c.model}</span>}
        {thumbs && (
          <div role="radiogroup" aria-label="Is this a good response?" className="ml-auto flex gap-1" data-testid="thumbs">
            {([true, false] as const).map((up) => {
              const checked = draft.thumbs === up;
              return (
                <button
                  key={String(up)}
                  type="button"
                  role="radio"
                  aria-checked={checked}
                  aria-label={up ? "Thumbs up: good response" : "Thumbs down: bad response"}
                  tabIndex={checked || (draft.thumbs === null && up) ? 0 : -1}
                  onClick={() => onChange({ kind: "thumbs", value: up })}
                  className={`flex min-h-8 items-center gap-1 rounded-md px-2 text-sm ring-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 pointer-coarse:min-h-11 ${
                    checked ? (up ? "bg-emerald-600 text-white ring-emerald-600" : "bg-red-600 text-white ring-red-600") : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"
                  }`}
                >
                  <span aria-hidden>{up ? "✓" : "✗"}</span> {up ? "Good" : "Bad"} <Kbd>{up ? "A" : "X"}</Kbd>
                </button>
              );
            })}
          </div>
        )}
      </div>
      <ModelText text={c.text} tree={item.trees?.candidates[c.id]} />
    </section>
  );
}
