// Two responses side by side (stacked on a phone); the chosen side is outlined. The scale itself lives in the
// action bar, always on screen.
import type { Draft } from "@/components/annotate/draft";
import { ModelText } from "@/components/annotate/model-text";
import { LABELS, type ItemView } from "@/components/annotate/types";

export function PairwiseView({ item, draft }: { item: ItemView; draft: Draft }) {
  const winner = draft.choice?.winner;
  return (
    <div className="grid gap-3 md:grid-cols-2">
      {item.candidates.map((c, i) => {
        const picked = winner === i;
        const tied = winner === "tie";
        return (
          <section
            key={c.id}
            aria-label={`Response ${LABELS[i]}`}
            data-testid={`candidate-${LABELS[i]}`}
            data-candidate-id={c.id}
            className={`min-w-0 rounded-lg border bg-white p-3 ${picked ? "border-indigo-500 ring-2 ring-indigo-300" : tied ? "border-amber-400 ring-1 ring-amber-200" : "border-slate-200"}`}
          >
            <div className="mb-2 flex items-center gap-2 text-xs text-slate-500">
              <span className="font-semibold text-slate-700">Response {LABELS[i]}</span>
              {c.model && <span className="rounded bg-slate-100 px-1">{c.model}</span>}
              {picked && <span className="ml-auto rounded bg-indigo-600 px-1.5 text-white">preferred</span>}
            </div>
            <ModelText text={c.text} tree={item.trees?.candidates[c.id]} />
          </section>
        );
      })}
    </div>
  );
}
