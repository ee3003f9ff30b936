// A project's runs of one kind on the page that queues them (Self-Instruct on the import page, the AI judge on the
// analytics page): each linked to its run page, with its status and progress.
import Link from "next/link";
import { ProgressBar, StatusBadge } from "@/components/runs/run-status";
type RunStatus = Parameters<typeof StatusBadge>[0]["status"];

export function ProjectRunsTable({ runs, label, progressHeader }: { runs: { id: string; name: string; status: RunStatus; progress: number }[]; label: string; progressHeader: string }) {
  if (runs.length === 0) return null;
  return (
    <table className="w-full text-sm" aria-label={label}>
      <thead className="text-left text-xs text-slate-500">
        <tr><th className="py-1 font-medium">Run</th><th className="font-medium">Status</th><th className="w-48 font-medium">{progressHeader}</th></tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} className="border-t border-slate-100">
            <td className="py-1.5"><Link href={`/admin/runs/${r.id}`} className="text-indigo-700 hover:underline">{r.name}</Link></td>
            <td><StatusBadge status={r.status} /></td>
            <td><ProgressBar value={r.progress} label={`progress of ${r.name}`} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
