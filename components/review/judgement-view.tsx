// A judgement as its annotator saw it: the candidates in the order shown to them (A, B, … as on their page), the
// text rendered by the annotation page's own renderer, with what they chose; and every vote on the item side by
// side, one column per annotator.
import Link from "next/link";
import { ModelText } from "@/components/annotate/model-text";
import { LABELS } from "@/components/annotate/types";
import { ReviewBadge } from "@/components/review/review-badge";
import type { RouterOutputs } from "@/server/api/root";

type Detail = RouterOutputs["review"]["judgement"];
type Vote = Detail["votes"][number];

/** 1-based rank of each candidate in a ranking (tied candidates share one). */
export function ranks(ranking: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (Array.isArray(ranking)) ranking.forEach((group, g) => (Array.isArray(group) ? group : []).forEach((id) => out.set(String(id), g + 1)));
  return out;
}

const words = (s: string | null | undefined) => (s ? s.toLowerCase().replaceAll("_", " ") : "—");

export function JudgementCandidates({ projectId, item, annotation, taskType }: { projectId: string; item: Detail["item"]; annotation: Detail["annotation"]; taskType: string }) {
  const rank = ranks(annotation.ranking);
  const ratings = (annotation.ratings ?? {}) as Record<string, Record<string, number>>;
  return (
    <section aria-label="The judgement" className="space-y-3">
      <div className={`grid gap-3 ${item.candidates.length === 2 ? "md:grid-cols-2" : ""}`}>
        {item.candidates.map((c, i) => {
          const r = rank.get(c.id);
          const best = r === 1 && taskType !== "RATING";
          return (
            <section
              key={c.id}
              aria-label={`Response ${LABELS[i]}`}
              data-testid={`candidate-${LABELS[i]}`}
              className={`min-w-0 rounded-lg border bg-white p-3 ${best ? "border-indigo-500 ring-2 ring-indigo-300" : "border-slate-200"}`}
            >
              <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-slate-500">
                <span className="font-semibold text-slate-700">Response {LABELS[i]}</span>
                {c.model && (
                  <Link href={`/review/${projectId}?model=${encodeURIComponent(c.model)}`} className="rounded bg-slate-100 px-1 hover:underline" title="judgements of items with this model">
                    {c.model}
                  </Link>
                )}
                {r !== undefined && taskType === "RANKING" && <span className="rounded bg-indigo-50 px-1.5 text-indigo-800">rank {r}</span>}
                {best && <span className="ml-auto rounded bg-indigo-600 px-1.5 text-white">preferred</span>}
              </div>
              <ModelText text={c.text} />
              {ratings[c.id] && (
                <dl className="mt-2 flex flex-wrap gap-x-3 text-xs text-slate-600">
                  {Object.entries(ratings[c.id]).map(([k, v]) => (
                    <div key={k}><dt className="inline">{k}:</dt> <dd className="inline font-semibold">{v}</dd></div>
                  ))}
                </dl>
              )}
            </section>
          );
        })}
      </div>
      <dl className="grid gap-x-6 gap-y-1 rounded-lg border border-slate-200 bg-white p-3 text-sm sm:grid-cols-[max-content_1fr]">
        {taskType === "PAIRWISE" && (<><dt className="text-slate-500">Strength</dt><dd data-testid="strength">{words(annotation.strength)}</dd></>)}
        {taskType === "RATING" && (<><dt className="text-slate-500">Thumbs</dt><dd>{annotation.thumbs === null ? "—" : annotation.thumbs ? "up" : "down"}</dd></>)}
        {annotation.bothBad && (<><dt className="text-slate-500">Both bad</dt><dd>yes</dd></>)}
        <dt className="text-slate-500">Flags</dt><dd>{annotation.flags.length ? annotation.flags.join(", ") : "none"}{annotation.flagNote ? ` — ${annotation.flagNote}` : ""}</dd>
        <dt className="text-slate-500">Rationale</dt><dd className="whitespace-pre-wrap" dir="auto">{annotation.rationale || "—"}</dd>
      </dl>
      {annotation.demonstration !== null && (
        <section aria-label="Demonstration" className="rounded-lg border border-slate-200 bg-white p-3">
          <div className="mb-1 text-xs font-semibold text-slate-700">Response written{annotation.demonstrationFrom ? " (improving a candidate)" : ""}</div>
          <ModelText text={annotation.demonstration} />
        </section>
      )}
    </section>
  );
}

export function VotesTable({ item, votes, current, taskType, projectId }: { item: Detail["item"]; votes: Vote[]; current: string; taskType: string; projectId: string }) {
  const voteRanks = votes.map((v) => ranks(v.ranking));
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="text-sm" data-testid="votes">
        <thead className="bg-slate-50 text-left text-xs text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1.5" />
            {votes.map((v) => (
              <th key={v.id} scope="col" className={`px-3 py-1.5 ${v.id === current ? "bg-indigo-50" : ""}`}>
                <Link href={`/review/${projectId}/judgements/${v.id}`} className="text-indigo-700 hover:underline">{v.user.name}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {taskType !== "DEMONSTRATION" &&
            item.candidates.map((c, i) => (
              <tr key={c.id}>
                <th scope="row" className="whitespace-nowrap px-2 py-1 text-left text-xs font-medium text-slate-600">
                  {LABELS[i]} {c.model ? `· ${c.model}` : ""}
                </th>
                {votes.map((v, n) => (
                  <td key={v.id} className={`px-3 py-1 tabular-nums ${v.id === current ? "bg-indigo-50" : ""}`}>
                    {taskType === "RATING" ? Object.entries(((v.ratings ?? {}) as Record<string, Record<string, number>>)[c.id] ?? {}).map(([k, x]) => `${k} ${x}`).join(", ") || "—" : voteRanks[n].get(c.id) ?? "—"}
                  </td>
                ))}
              </tr>
            ))}
          {taskType === "PAIRWISE" && (
            <tr>
              <th scope="row" className="px-2 py-1 text-left text-xs font-medium text-slate-600">strength</th>
              {votes.map((v) => <td key={v.id} className="px-3 py-1 text-xs">{words(v.strength)}</td>)}
            </tr>
          )}
          {taskType === "RATING" && (
            <tr>
              <th scope="row" className="px-2 py-1 text-left text-xs font-medium text-slate-600">thumbs</th>
              {votes.map((v) => <td key={v.id} className="px-3 py-1 text-xs">{v.thumbs === null ? "—" : v.thumbs ? "up" : "down"}</td>)}
            </tr>
          )}
          <tr>
            <th scope="row" className="px-2 py-1 text-left text-xs font-medium text-slate-600">flags</th>
            {votes.map((v) => <td key={v.id} className="px-3 py-1 text-xs">{v.flags.join(", ") || "—"}</td>)}
          </tr>
          <tr>
            <th scope="row" className="px-2 py-1 text-left text-xs font-medium text-slate-600">time</th>
            {votes.map((v) => <td key={v.id} className="px-3 py-1 text-xs tabular-nums">{(v.timeSpentMs / 1000).toFixed(1)} s</td>)}
          </tr>
          <tr>
            <th scope="row" className="px-2 py-1 text-left text-xs font-medium text-slate-600">review</th>
            {votes.map((v) => <td key={v.id} className="px-3 py-1"><ReviewBadge state={v.reviewState} /></td>)}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
