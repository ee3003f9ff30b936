import Link from "next/link";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function AdminProjectsPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const includeArchived = (await searchParams).archived === "1";
  const list = await page("/admin", (api) => api.project.list({ includeArchived }));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Projects</h1>
        <Link
          href={includeArchived ? "/admin" : "/admin?archived=1"}
          className="text-sm text-indigo-700 underline-offset-2 hover:underline"
          aria-pressed={includeArchived}
        >
          {includeArchived ? "Hide archived" : "Show archived"}
        </Link>
        <Link href="/admin/projects/new" className="ml-auto rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          New project
        </Link>
      </div>
      {list.length === 0 ? (
        <p className="text-slate-600">No projects yet. Create one, then import prompts and candidates into it.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">Name</th>
                <th scope="col" className="px-3 py-2">Task</th>
                <th scope="col" className="px-3 py-2 text-right">Items</th>
                <th scope="col" className="px-3 py-2 text-right">Annotations</th>
                <th scope="col" className="px-3 py-2 text-right">Members</th>
                <th scope="col" className="px-3 py-2 text-right">Overlap</th>
                <th scope="col" className="px-3 py-2">Links</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.map((p) => (
                <tr key={p.id} className={p.archived ? "text-slate-400" : ""}>
                  <td className="px-3 py-2">
                    <Link href={`/admin/projects/${p.id}`} className="font-medium text-indigo-700 hover:underline">{p.name}</Link>
                    <span className="ml-2 font-mono text-xs text-slate-400">{p.slug}</span>
                    {p.archived && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-500">archived</span>}
                  </td>
                  <td className="px-3 py-2">{p.taskType === "PAIRWISE" ? "Pairwise" : "Ranking"}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{p._count.items.toLocaleString()}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{p._count.annotations.toLocaleString()}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{p._count.members}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{p.overlap}</td>
                  <td className="space-x-3 px-3 py-2">
                    <Link href={`/admin/projects/${p.id}/import`} className="text-indigo-700 hover:underline">Import</Link>
                    <Link href={`/admin/projects/${p.id}/analytics`} className="text-indigo-700 hover:underline">Analytics</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
