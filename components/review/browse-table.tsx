// One page of the data browser: a row per judgement, each opening the judgement as its annotator saw it.
import Link from "next/link";
import { ReviewBadge } from "@/components/review/review-badge";
import type { RouterOutputs } from "@/server/api/root";

type Row = RouterOutputs["review"]["browse"]["rows"][number];

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace("T", " ");
}

function choice(r: Row, taskType: string): string {
  if (taskType === "DEMONSTRATION") return r.demonstration ? `“${r.demonstration.slice(0, 80)}${r.demonstration.length > 80 ? "…" : ""}”` : "—";
  if (taskType === "RATING") return r.thumbs === null ? "rated" : r.thumbs ? "👍 up" : "👎 down";
  if (r.ranking[0]?.length > 1) return `tie: ${r.bestModels.join(" = ")}`;
  return r.bestModels.join(", ") || "—";
}

export function BrowseTable({ projectId, rows, taskType }: { projectId: string; rows: Row[]; taskType: string }) {
  if (rows.length === 0) return null;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm" data-testid="judgements">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-2">When (UTC)</th>
            <th scope="col" className="px-2 py-2">Annotator</th>
            <th scope="col" className="px-2 py-2">{taskType === "DEMONSTRATION" ? "Written" : taskType === "RATING" ? "Thumbs" : "Preferred"}</th>
            {taskType === "PAIRWISE" && <th scope="col" className="px-2 py-2">Strength</th>}
            <th scope="col" className="px-2 py-2">Flags</th>
            <th scope="col" className="px-2 py-2">Gold</th>
            <th scope="col" className="px-2 py-2 text-right">Time</th>
            <th scope="col" className="px-2 py-2">Notes</th>
            <th scope="col" className="px-2 py-2">Review</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-testid="judgement-row" data-annotation-id={r.id} className="hover:bg-slate-50">
              <td className="whitespace-nowrap px-2 py-1.5 tabular-nums">
                <Link href={`/review/${projectId}/judgements/${r.id}`} className="text-indigo-700 hover:underline">{when(r.createdAt)}</Link>
              </td>
              <td className="px-2 py-1.5">{r.annotator}</td>
              <td className="max-w-xs truncate px-2 py-1.5" title={r.rationale || undefined}>{choice(r, taskType)}</td>
              {taskType === "PAIRWISE" && <td className="px-2 py-1.5 text-xs">{r.strength?.toLowerCase().replaceAll("_", " ") ?? "—"}</td>}
              <td className="px-2 py-1.5 text-xs">{r.flags.length ? r.flags.join(", ") : ""}</td>
              <td className="px-2 py-1.5 text-xs">{r.isGold ? (r.goldCorrect === null ? "gold" : r.goldCorrect ? "✓ passed" : "✗ failed") : ""}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{(r.timeSpentMs / 1000).toFixed(1)} s</td>
              <td className="space-x-1 px-2 py-1.5 text-xs">
                {r.bothBad && <span className="rounded bg-orange-100 px-1 text-orange-800">both bad</span>}
                {r.late && <span className="rounded bg-slate-100 px-1">late</span>}
                {r.surplus && <span className="rounded bg-slate-100 px-1">surplus</span>}
                {r.disagrees && <span className="rounded bg-amber-100 px-1 text-amber-800">disagrees</span>}
                {r.judgeDisagrees && <span className="rounded bg-violet-100 px-1 text-violet-800">AI judge disagrees</span>}
              </td>
              <td className="px-2 py-1.5"><ReviewBadge state={r.reviewState} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
