import { NewSnapshotForm, type ProjectOption } from "@/components/exports/new-snapshot-form";
import { SnapshotsTable } from "@/components/exports/snapshots-table";
import { page } from "@/server/api/server";
import { requireAdmin } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function ExportsPage() {
  const user = await requireAdmin("/admin/exports");
  const [snapshots, projectList] = await page("/admin/exports", (api) => Promise.all([api.export.list({ limit: 100 }), api.project.list({ includeArchived: true })]));
  // snapshots started from this page after it loaded are the viewer's own
  const creators = snapshots.flatMap((s) => (s.createdById && s.createdByName ? [[s.createdById, s.createdByName] as const] : []));
  const creatorNames = Object.fromEntries([[user.id, user.name], ...creators]);
  const projectNames = Object.fromEntries(projectList.map((p) => [p.id, p.name]));
  const options: ProjectOption[] = projectList
    .map((p) => ({ id: p.id, name: p.name, annotations: p._count.annotations, archived: p.archived }))
    .sort((a, b) => Number(a.archived) - Number(b.archived) || a.name.localeCompare(b.name));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Exports</h1>
        <p className="text-sm text-slate-600">
          Snapshots are immutable, versioned exports of the collected judgements, ready for TRL, OpenRLHF or your own aggregation.
          The same definition over unchanged data gives byte-identical files.
        </p>
      </div>
      <SnapshotsTable initialSnapshots={snapshots} projectNames={projectNames} creatorNames={creatorNames} />
      <details open={snapshots.length === 0} className="group rounded-lg border border-slate-200 bg-slate-50 p-4">
        <summary className="cursor-pointer text-base font-semibold">New snapshot</summary>
        <div className="mt-4">
          <NewSnapshotForm projects={options} />
        </div>
      </details>
    </div>
  );
}
