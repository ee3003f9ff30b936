import Link from "next/link";
import { notFound } from "next/navigation";
import { CollectionAnalyticsView } from "@/components/analytics/collection-view";
import { ProjectAnalyticsView } from "@/components/analytics/project-analytics-view";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { requireAdmin } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { projectAnalytics } from "@/server/services/analytics";
import { collectionAnalytics } from "@/server/services/analytics/collection";
import { activeRewardModel, rmHumanAgreement } from "@/server/services/models";

export const dynamic = "force-dynamic";

const REFRESH_SECONDS = 30;

export default async function AnalyticsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/projects/${id}/analytics`);
  const analytics = await projectAnalytics({ projectId: id }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const [rm, agreement, collection] = await Promise.all([activeRewardModel(), rmHumanAgreement({ projectId: id }), collectionAnalytics(id)]);
  const rewardModel = { model: rm ? { id: rm.id, name: rm.name } : null, comparisons: agreement.comparisons, agreement: agreement.agreement };
  return (
    <div className="space-y-4">
      <div>
        <Link href={`/admin/projects/${id}`} className="text-sm text-indigo-700 hover:underline">← {analytics.project.name}</Link>
        <h1 className="text-xl font-semibold">Analytics</h1>
        <p className="text-xs text-slate-500">Updates every {REFRESH_SECONDS} seconds.</p>
      </div>
      <AutoRefresh seconds={REFRESH_SECONDS} />
      {collection && <CollectionAnalyticsView figures={collection} />}
      <ProjectAnalyticsView analytics={analytics} rewardModel={rewardModel} />
    </div>
  );
}
