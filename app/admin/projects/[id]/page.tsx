import Link from "next/link";
import { ArchiveButton } from "@/components/admin/archive-button";
import { MembersEditor } from "@/components/admin/members-editor";
import { PausePanel } from "@/components/admin/pause-panel";
import { ProjectForm } from "@/components/admin/project-form";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const project = await page(`/admin/projects/${id}`, (api) => api.project.get({ id }));
  const items = project._count.items;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{project.name}</h1>
        {project.archived && <span className="rounded bg-slate-200 px-2 py-0.5 text-xs text-slate-600">archived</span>}
        {project.pausedAt && <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800">paused</span>}
        <span className="text-sm text-slate-500">{items.toLocaleString()} items</span>
        <nav aria-label="Project" className="ml-auto flex items-center gap-3 text-sm">
          <Link href={`/admin/projects/${id}/import`} className="rounded-md px-3 py-1.5 text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50">Import</Link>
          <Link href={`/admin/projects/${id}/analytics`} className="rounded-md px-3 py-1.5 text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50">Analytics</Link>
          <Link href={`/admin/projects/${id}/loop`} className="rounded-md px-3 py-1.5 text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50">Loop</Link>
          <Link href={`/annotate/${project.slug}`} className="rounded-md px-3 py-1.5 text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50">Open as annotator</Link>
          <ArchiveButton projectId={id} archived={project.archived} />
        </nav>
      </div>
      <PausePanel projectId={project.id} pausedAt={project.pausedAt} pauseMessage={project.pauseMessage} />
      <ProjectForm
        project={{
          id: project.id,
          name: project.name,
          slug: project.slug,
          guidelines: project.guidelines,
          taskType: project.taskType,
          criteria: project.criteria,
          allowTies: project.allowTies,
          requireRationale: project.requireRationale,
          overlap: project.overlap,
          leaseSeconds: project.leaseSeconds,
          goldRate: project.goldRate,
          showModelNames: project.showModelNames,
          activeLearning: project.activeLearning,
          thumbs: project.thumbs,
          editsAsPreference: project.editsAsPreference,
          reviewSampleRate: project.reviewSampleRate,
          reviewFlagged: project.reviewFlagged,
          reviewFailedGold: project.reviewFailedGold,
          reviewDisagreeing: project.reviewDisagreeing,
          minGoldAccuracy: project.minGoldAccuracy,
          minGoldAnswers: project.minGoldAnswers,
          dailyCap: project.dailyCap,
          totalCap: project.totalCap,
          showGoldAccuracy: project.showGoldAccuracy,
          suggestionMode: project.suggestionMode,
          reviewJudgeDisagreeing: project.reviewJudgeDisagreeing,
        }}
        hasItems={items > 0}
      />
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="members-heading">
        <h2 id="members-heading" className="font-medium">Members</h2>
        <p className="text-sm text-slate-500">Annotators see only the projects they are a member of; reviewers also browse and review its judgements (<Link href={`/review/${id}`} className="text-indigo-700 hover:underline">open the review pages</Link>).</p>
        <MembersEditor projectId={id} />
      </section>
    </div>
  );
}
