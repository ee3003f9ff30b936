"use client";
// Makes the item gold with this judgement's answer as the expected one (or the adjudicated answer, when there is
// one), or stops it being gold. Judgements from now on are scored against it.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fromServer } from "@/components/admin/form";
import { LABELS } from "@/components/annotate/types";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { RouterOutputs } from "@/server/api/root";

type Detail = RouterOutputs["review"]["judgement"];

export function GoldPanel({ projectId, detail }: { projectId: string; detail: Detail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const save = useMutation(trpc.review.setGold.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const { item, annotation, project } = detail;
  const order = item.candidates.map((c) => c.id);
  const answer = ((item.adjudicated?.ranking ?? annotation.ranking) as string[][]) ?? [];
  const describe = (r: string[][]) => r.map((g) => g.map((id) => LABELS[order.indexOf(id)]).join(" = ")).join(" ≻ ");
  const rating = project.taskType === "RATING";

  async function send(gold: boolean) {
    setError(null);
    try {
      await save.mutateAsync(gold ? { projectId, itemId: item.id, gold, ...(rating ? { thumbs: annotation.thumbs ?? undefined } : { ranking: answer }) } : { projectId, itemId: item.id, gold });
      router.refresh();
    } catch (err) {
      setError(fromServer(err).message);
    }
  }

  return (
    <section aria-label="Gold" className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <h2 className="font-semibold text-slate-700">Gold</h2>
      {item.isGold ? (
        <>
          <span data-testid="gold-state">
            Gold item; expected answer:{" "}
            {rating ? (item.goldThumbs === null ? "—" : item.goldThumbs ? "thumbs up" : "thumbs down") : describe((item.goldRanking as string[][] | null) ?? [])}
          </span>
          <Button variant="secondary" onClick={() => send(false)} disabled={save.isPending}>Stop using as gold</Button>
        </>
      ) : (
        <>
          <span className="text-slate-600">
            Not gold. Expected answer if made gold: {rating ? (annotation.thumbs === null ? "— (this judgement has no thumbs)" : annotation.thumbs ? "thumbs up" : "thumbs down") : describe(answer)}
            {item.adjudicated ? " (the adjudicated answer)" : " (this judgement's)"}
          </span>
          <Button variant="secondary" onClick={() => send(true)} disabled={save.isPending}>Make gold</Button>
        </>
      )}
      {error && <p role="alert" className="w-full rounded-md bg-red-50 px-3 py-2 text-red-800">{error}</p>}
    </section>
  );
}
