import Link from "next/link";
import { redirect } from "next/navigation";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

// The queue's next judgement opens on its own page in queue mode (after each action the reviewer comes back here).
export default async function ReviewQueuePage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ skip?: string | string[] }> }) {
  const { projectId } = await params;
  const skipped = (await searchParams).skip;
  const skip = (Array.isArray(skipped) ? skipped : skipped ? skipped.split(",") : []).slice(0, 200);
  const next = await page(`/review/${projectId}/queue`, (api) => api.review.next({ projectId, skip }));
  if (next.annotationId) redirect(`/review/${projectId}/judgements/${next.annotationId}?queue=1${skip.length ? `&skip=${skip.join(",")}` : ""}`);
  return (
    <div className="space-y-3">
      <Link href={`/review/${projectId}`} className="text-sm text-indigo-700 hover:underline">← Browse judgements</Link>
      <h1 className="text-xl font-semibold">Review queue</h1>
      <p className="text-slate-600" data-testid="queue-empty">
        Nothing waits for review{skip.length ? ` except the ${skip.length} you passed over` : ""}. The queue takes a sample of each annotator&apos;s
        judgements and, as the project&apos;s settings say, the flagged, failed-gold and disagreeing ones.
      </p>
    </div>
  );
}
