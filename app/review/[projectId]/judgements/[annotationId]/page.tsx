import Link from "next/link";
import { Conversation } from "@/components/annotate/conversation";
import { AdjudicationPanel } from "@/components/review/adjudication-panel";
import { GoldPanel } from "@/components/review/gold-panel";
import { ReviewPanel } from "@/components/review/review-panel";
import { JudgementCandidates, VotesTable } from "@/components/review/judgement-view";
import { ReviewBadge } from "@/components/review/review-badge";
import { formatDate } from "@/components/admin/form";
import { page } from "@/server/api/server";
import { currentUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function JudgementPage({ params, searchParams }: {
  params: Promise<{ projectId: string; annotationId: string }>;
  searchParams: Promise<{ queue?: string; skip?: string }>;
}) {
  const { projectId, annotationId } = await params;
  const { queue, skip } = await searchParams;
  const inQueue = queue === "1";
  const here = `/review/${projectId}/judgements/${annotationId}${inQueue ? "?queue=1" : ""}`;
  const detail = await page(here, (api) => api.review.judgement({ projectId, annotationId }));
  const user = await currentUser();
  const { annotation: a, item, project } = detail;
  const skipList = [...(skip ? skip.split(",") : []), a.id].slice(-200).join(",");
  const own = user?.id === a.userId;
  return (
    <div className="space-y-4 pb-10">
      <div className="flex flex-wrap items-baseline gap-3">
        <div>
          <Link href={`/review/${projectId}`} className="text-sm text-indigo-700 hover:underline">← {project.name}: judgements</Link>
          <h1 className="text-xl font-semibold">
            Judgement by{" "}
            <Link href={`/review/${projectId}?annotator=${a.user.id}`} className="text-indigo-700 hover:underline" title="Every judgement of this annotator">{a.user.name}</Link>
          </h1>
          <p className="text-xs text-slate-500">
            {formatDate(a.createdAt)} · {(a.timeSpentMs / 1000).toFixed(1)} s{a.late ? " · late" : ""}{a.surplus ? " · surplus" : ""}
            {a.isGold ? ` · gold ${a.goldCorrect === null ? "" : a.goldCorrect ? "passed" : "failed"}` : ""} · item <span className="font-mono">{item.id}</span> ·{" "}
            <Link href={`/review/${projectId}?item=${item.id}`} className="text-indigo-700 hover:underline">all votes on this item</Link>
            {user?.role === "ADMIN" && (
              <>
                {" · "}
                <Link href={`/admin/projects/${projectId}/analytics`} className="text-indigo-700 hover:underline">annotator and model statistics</Link>
              </>
            )}
          </p>
        </div>
        <span className="ml-auto"><ReviewBadge state={a.reviewState} /></span>
        {inQueue && (
          <Link href={`/review/${projectId}/queue?skip=${skipList}`} className="text-sm text-slate-600 hover:underline" data-testid="queue-skip">Pass over →</Link>
        )}
      </div>
      <section aria-label="Prompt">
        <Conversation messages={item.messages} />
      </section>
      <JudgementCandidates projectId={projectId} item={item} annotation={a} taskType={project.taskType} />
      <section aria-label="Every vote on this item" className="space-y-2">
        <h2 className="text-sm font-semibold text-slate-700">Every vote on this item ({detail.votes.length})</h2>
        <VotesTable item={item} votes={detail.votes} current={a.id} taskType={project.taskType} projectId={projectId} />
      </section>
      {detail.votes.length >= 2 && (project.taskType === "PAIRWISE" || project.taskType === "RANKING") && (detail.votes.some((v) => v.id !== a.id) && (
        <AdjudicationPanel projectId={projectId} detail={detail} />
      ))}
      {own ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-600">This is your own judgement: another reviewer reviews it.</p>
      ) : (
        <ReviewPanel projectId={projectId} detail={detail} queue={inQueue ? `/review/${projectId}/queue${skip ? `?skip=${skip}` : ""}` : null} />
      )}
      {project.taskType !== "DEMONSTRATION" && <GoldPanel projectId={projectId} detail={detail} />}
      <section aria-label="History" className="space-y-1 text-sm">
        <h2 className="text-sm font-semibold text-slate-700">History of this item</h2>
        <ul className="space-y-0.5 text-slate-600" data-testid="history">
          <li>{formatDate(item.createdAt)}: imported</li>
          {detail.history.map((h) => (
            <li key={h.id}>{formatDate(h.leasedAt)}: {h.user.name} — {h.state.toLowerCase()}{h.skipReason ? ` (“${h.skipReason}”)` : ""}</li>
          ))}
          {detail.reviews.map((r) => (
            <li key={r.id} data-testid="review-entry">
              {formatDate(r.createdAt)}: {r.reviewer.name} {r.state.toLowerCase()} {r.annotationId === a.id ? "this judgement" : "another vote"}
              {r.reason ? ` — “${r.reason}”` : ""}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
