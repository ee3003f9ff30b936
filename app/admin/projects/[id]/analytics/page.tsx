import Link from "next/link";
import { CollectionAnalyticsView } from "@/components/analytics/collection-view";
import { FreshnessNote } from "@/components/analytics/freshness-note";
import { ProjectAnalyticsView } from "@/components/analytics/project-analytics-view";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { ReviewTable } from "@/components/analytics/review-table";
import { JudgePanel } from "@/components/analytics/judge-panel";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

const REFRESH_SECONDS = 30;

export default async function AnalyticsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [analytics, collection, agreement, rewardModels, reviews] = await page(`/admin/projects/${id}/analytics`, (api) =>
    Promise.all([
      api.analytics.project({ projectId: id }),
      api.analytics.collection({ projectId: id }),
      api.model.agreement({ projectId: id }),
      api.model.list({ kind: "REWARD" }),
      api.analytics.reviews({ projectId: id }),
    ]),
  );
  const rm = rewardModels.find((m) => m.active);
  const rewardModel = { model: rm ? { id: rm.id, name: rm.name } : null, comparisons: agreement.comparisons, agreement: agreement.agreement };
  return (
    <div className="space-y-4">
      <div>
        <Link href={`/admin/projects/${id}`} className="text-sm text-indigo-700 hover:underline">← {analytics.project.name}</Link>
        <div className="flex flex-wrap items-baseline gap-x-3">
          <h1 className="text-xl font-semibold">Analytics</h1>
          <FreshnessNote freshness={analytics.freshness} generatedAt={analytics.generatedAt} />
        </div>
        <p className="text-xs text-slate-500">Updates every {REFRESH_SECONDS} seconds.</p>
      </div>
      <AutoRefresh seconds={REFRESH_SECONDS} />
      {collection && <CollectionAnalyticsView figures={collection} />}
      <ProjectAnalyticsView analytics={analytics} rewardModel={rewardModel} />
      <ReviewTable projectId={id} rows={reviews} />
      {collection?.kind !== "demonstrations" && (
        <JudgePanel projectId={id} projectName={analytics.project.name} taskType={collection?.kind === "ratings" ? "RATING" : analytics.project.taskType} />
      )}
    </div>
  );
}
