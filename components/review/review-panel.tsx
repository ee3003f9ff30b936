"use client";
// The reviewer's actions on one judgement: accept, reject with a reason, or correct it (re-rank, change the
// strength, fix ratings or thumbs, edit the written response). The server checks a correction with the project's
// rules, as it checks a submit, and keeps the original. In queue mode each action moves on to the next judgement.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fromServer } from "@/components/admin/form";
import { LABELS } from "@/components/annotate/types";
import { ranks } from "@/components/review/judgement-view";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";
import { STRENGTHS } from "@/server/schemas/judgement";
import { REJECTION_REASONS } from "@/server/schemas/review";

type Detail = RouterOutputs["review"]["judgement"];
type Review = RouterInputs["review"]["act"]["review"];
type CorrectedJudgement = Extract<Review, { action: "correct" }>["judgement"];

const fieldClass = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

/** Rank numbers per candidate → ordered groups, best first (equal numbers are a tie). */
export function rankingFrom(rankOf: Record<string, number>, order: string[]): string[][] {
  const values = [...new Set(order.map((id) => rankOf[id]).filter((r) => Number.isFinite(r)))].sort((x, y) => x - y);
  return values.map((v) => order.filter((id) => rankOf[id] === v));
}

export function ReviewPanel({ projectId, detail, queue }: { projectId: string; detail: Detail; queue: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const act = useMutation(trpc.review.act.mutationOptions());
  const { annotation: a, item, project } = detail;
  const order = item.candidates.map((c) => c.id);
  const [mode, setMode] = useState<"idle" | "reject" | "correct">("idle");
  const [reason, setReason] = useState<string>(REJECTION_REASONS[0]);
  const [detailText, setDetailText] = useState("");
  const [note, setNote] = useState("");
  const [rankOf, setRankOf] = useState<Record<string, number>>(() => Object.fromEntries(ranks(a.ranking)));
  const [strength, setStrength] = useState<string>(a.strength ?? "");
  const [thumbs, setThumbs] = useState<string>(a.thumbs === null ? "" : a.thumbs ? "up" : "down");
  const [ratings, setRatings] = useState<Record<string, Record<string, number>>>(() => (a.ratings ?? {}) as Record<string, Record<string, number>>);
  const [demonstration, setDemonstration] = useState(a.demonstration ?? "");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function send(review: Review, said: string) {
    setError(null);
    try {
      await act.mutateAsync({ projectId, annotationId: a.id, review });
      setDone(said);
      setMode("idle");
      if (queue) router.push(queue);
      else router.refresh();
    } catch (err) {
      const e = fromServer(err);
      setError([e.message, ...Object.entries(e.fields).map(([f, m]) => `${f}: ${m}`)].join(" · "));
    }
  }

  function correction(): CorrectedJudgement {
    const base = {
      bothBad: a.bothBad,
      ratings,
      rationale: a.rationale,
      flags: a.flags as CorrectedJudgement["flags"],
      flagNote: a.flagNote,
    };
    if (project.taskType === "DEMONSTRATION") return { ...base, ranking: [], demonstration, ...(a.demonstrationFrom ? { demonstrationFrom: a.demonstrationFrom } : {}) };
    if (project.taskType === "RATING") return { ...base, ranking: a.ranking as string[][], ...(thumbs ? { thumbs: thumbs === "up" } : {}) };
    const ranking = rankingFrom(rankOf, order);
    const tie = ranking.length === 1;
    return { ...base, ranking, ...(project.taskType === "PAIRWISE" ? { strength: (tie ? "TIE" : strength || "BETTER") as CorrectedJudgement["strength"] } : {}) };
  }

  const busy = act.isPending;
  return (
    <section aria-label="Review" className="space-y-3 rounded-lg border border-indigo-200 bg-indigo-50/40 p-3">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="mr-2 text-sm font-semibold text-slate-700">Review</h2>
        <Button onClick={() => send({ action: "accept", note: "" }, "Accepted.")} disabled={busy}>Accept</Button>
        <Button variant="danger" onClick={() => setMode(mode === "reject" ? "idle" : "reject")} disabled={busy} aria-expanded={mode === "reject"}>Reject…</Button>
        <Button variant="secondary" onClick={() => setMode(mode === "correct" ? "idle" : "correct")} disabled={busy} aria-expanded={mode === "correct"}>Correct…</Button>
        {done && <span role="status" className="text-sm text-emerald-700">{done}</span>}
      </div>
      {mode === "reject" && (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send({ action: "reject", reason: detailText.trim() ? `${reason}: ${detailText.trim()}` : reason }, "Rejected.");
          }}
        >
          <label className="text-xs font-medium text-slate-600">
            Reason
            <select className={`${fieldClass} mt-0.5 block`} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus>
              {REJECTION_REASONS.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </label>
          <label className="flex-1 text-xs font-medium text-slate-600">
            Details (shown in the audit log and the review statistics)
            <input className={`${fieldClass} mt-0.5 block w-full`} value={detailText} onChange={(e) => setDetailText(e.target.value)} maxLength={900} />
          </label>
          <Button type="submit" variant="danger" disabled={busy}>Reject judgement</Button>
        </form>
      )}
      {mode === "correct" && (
        <form
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send({ action: "correct", judgement: correction(), note }, "Corrected.");
          }}
        >
          {(project.taskType === "PAIRWISE" || project.taskType === "RANKING") && (
            <fieldset className="flex flex-wrap items-end gap-3">
              <legend className="text-xs font-medium text-slate-600">Ranks (1 is best; equal numbers are a tie)</legend>
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
                    aria-label={`Rank of response ${LABELS[i]}`}
                  />
                </label>
              ))}
              {project.taskType === "PAIRWISE" && (
                <label className="text-xs text-slate-600">
                  Strength
                  <select className={`${fieldClass} mt-0.5 block`} value={strength} onChange={(e) => setStrength(e.target.value)} aria-label="Strength">
                    <option value="">—</option>
                    {STRENGTHS.filter((s) => s !== "TIE").map((s) => <option key={s} value={s}>{s.toLowerCase().replaceAll("_", " ")}</option>)}
                  </select>
                </label>
              )}
            </fieldset>
          )}
          {project.taskType === "RATING" && project.thumbs && (
            <label className="text-xs text-slate-600">
              Thumbs
              <select className={`${fieldClass} mt-0.5 block`} value={thumbs} onChange={(e) => setThumbs(e.target.value)}>
                <option value="">—</option>
                <option value="up">up</option>
                <option value="down">down</option>
              </select>
            </label>
          )}
          {project.criteria.length > 0 && (
            <fieldset className="space-y-1">
              <legend className="text-xs font-medium text-slate-600">Ratings</legend>
              {item.candidates.map((c, i) => (
                <div key={c.id} className="flex flex-wrap items-end gap-2 text-xs text-slate-600">
                  <span className="w-24 font-medium">Response {LABELS[i]}</span>
                  {project.criteria.map((k) => (
                    <label key={k.key}>
                      {k.label}
                      <input
                        type="number"
                        className={`${fieldClass} mt-0.5 block w-20`}
                        value={ratings[c.id]?.[k.key] ?? ""}
                        onChange={(e) => setRatings({ ...ratings, [c.id]: { ...ratings[c.id], [k.key]: Number(e.target.value) } })}
                        aria-label={`${k.label} of response ${LABELS[i]}`}
                      />
                    </label>
                  ))}
                </div>
              ))}
            </fieldset>
          )}
          {project.taskType === "DEMONSTRATION" && (
            <label className="block text-xs font-medium text-slate-600">
              Response
              <textarea className={`${fieldClass} mt-0.5 block h-40 w-full font-mono`} value={demonstration} onChange={(e) => setDemonstration(e.target.value)} />
            </label>
          )}
          <label className="block text-xs font-medium text-slate-600">
            Note on the correction
            <input className={`${fieldClass} mt-0.5 block w-full`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={900} />
          </label>
          <Button type="submit" disabled={busy}>Save correction</Button>
        </form>
      )}
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
    </section>
  );
}
