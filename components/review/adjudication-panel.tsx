"use client";
// The final answer for an item its annotators disagree on: ranks per candidate (in the order the page shows them)
// and, for a pair, the strength. The "adjudicated" aggregation of an export writes it instead of the votes.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fromServer } from "@/components/admin/form";
import { LABELS } from "@/components/annotate/types";
import { ranks } from "@/components/review/judgement-view";
import { rankingFrom } from "@/components/review/review-panel";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";
import { STRENGTHS } from "@/server/schemas/judgement";

type Detail = RouterOutputs["review"]["judgement"];
type Strength = NonNullable<RouterInputs["review"]["adjudicate"]["strength"]>;

const fieldClass = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

export function AdjudicationPanel({ projectId, detail }: { projectId: string; detail: Detail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const save = useMutation(trpc.review.adjudicate.mutationOptions());
  const { item, project } = detail;
  const current = item.adjudicated;
  const [rankOf, setRankOf] = useState<Record<string, number>>(() => Object.fromEntries(ranks(current?.ranking ?? detail.annotation.ranking)));
  const [strength, setStrength] = useState<string>(current?.strength ?? "BETTER");
  const [note, setNote] = useState(current?.note ?? "");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const order = item.candidates.map((c) => c.id);
  const labelOf = (id: string) => LABELS[order.indexOf(id)];

  async function onSubmit() {
    setError(null);
    const ranking = rankingFrom(rankOf, order);
    const tie = ranking.length === 1;
    try {
      await save.mutateAsync({ projectId, itemId: item.id, ranking, ...(project.taskType === "PAIRWISE" ? { strength: (tie ? "TIE" : strength) as Strength } : {}), note });
      setDone(true);
      router.refresh();
    } catch (err) {
      const e = fromServer(err);
      setError([e.message, ...Object.entries(e.fields).map(([f, m]) => `${f}: ${m}`)].join(" · "));
    }
  }

  return (
    <section aria-label="Adjudication" className="space-y-2 rounded-lg border border-amber-200 bg-amber-50/50 p-3">
      <h2 className="text-sm font-semibold text-slate-700">Final answer for this item</h2>
      {current ? (
        <p className="text-sm text-slate-700" data-testid="adjudicated">
          Adjudicated by {current.reviewer.name}: {(current.ranking as string[][]).map((g) => g.map(labelOf).join(" = ")).join(" ≻ ")}
          {current.strength ? ` (${current.strength.toLowerCase().replaceAll("_", " ")})` : ""}{current.note ? ` — “${current.note}”` : ""}
        </p>
      ) : (
        <p className="text-sm text-slate-600">The annotators disagree; exports with the &ldquo;adjudicated&rdquo; aggregation use the answer set here.</p>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit();
        }}
      >
        {item.candidates.map((c, i) => (
          <label key={c.id} className="text-xs text-slate-600">
            Response {LABELS[i]}
            <input
              type="number"
              min={1}
              max={item.candidates.length}
              className={`${fieldClass} mt-0.5 block w-20`}
              value={rankOf[c.id] ?? ""}
              onChange={(e) => setRankOf({ ...rankOf, [c.id]: Number(e.target.value) })}
              aria-label={`Final rank of response ${LABELS[i]}`}
            />
          </label>
        ))}
        {project.taskType === "PAIRWISE" && (
          <label className="text-xs text-slate-600">
            Strength
            <select className={`${fieldClass} mt-0.5 block`} value={strength} onChange={(e) => setStrength(e.target.value)} aria-label="Final strength">
              {STRENGTHS.filter((s) => s !== "TIE").map((s) => <option key={s} value={s}>{s.toLowerCase().replaceAll("_", " ")}</option>)}
            </select>
          </label>
        )}
        <label className="flex-1 text-xs text-slate-600">
          Note
          <input className={`${fieldClass} mt-0.5 block w-full`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={900} aria-label="Adjudication note" />
        </label>
        <Button type="submit" disabled={save.isPending}>{current ? "Change final answer" : "Set final answer"}</Button>
        {done && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
      </form>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
    </section>
  );
}
