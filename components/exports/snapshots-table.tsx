"use client";
// The snapshot list, polled every 1.5 s while any snapshot is still building so its progress bar moves.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDate } from "@/components/admin/form";
import { count, fileTypeText, formatLabel, isBuilding, percent, SnapshotStatus } from "@/components/exports/snapshot-labels";
import { ProgressBar } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";
import type { RouterOutputs } from "@/server/api/root";

type SnapshotView = RouterOutputs["export"]["list"][number];

const POLL_MS = 1500;

export function SnapshotsTable({
  initialSnapshots,
  projectNames,
  creatorNames,
}: {
  initialSnapshots: SnapshotView[];
  projectNames: Record<string, string>;
  creatorNames: Record<string, string>;
}) {
  const trpc = useTRPC();
  const snapshots = useQuery({
    ...trpc.export.list.queryOptions({ limit: 100 }),
    initialData: initialSnapshots,
    refetchInterval: (q) => ((q.state.data ?? []).some((s) => isBuilding(s.status)) ? POLL_MS : false),
  });
  const list = snapshots.data;
  if (list.length === 0) return <p className="text-slate-600">No snapshots yet. Create one to export the judgements collected so far.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm">
        <caption className="sr-only">Dataset snapshots, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">Snapshot</th>
            <th scope="col" className="px-3 py-2">Projects</th>
            <th scope="col" className="px-3 py-2">Format</th>
            <th scope="col" className="w-44 px-3 py-2">Status</th>
            <th scope="col" className="px-3 py-2 text-right">Train</th>
            <th scope="col" className="px-3 py-2 text-right">Test</th>
            <th scope="col" className="px-3 py-2 text-right">Comparisons</th>
            <th scope="col" className="px-3 py-2 text-right">Annotators</th>
            <th scope="col" className="px-3 py-2 text-right">Agreement</th>
            <th scope="col" className="px-3 py-2">Created</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {list.map((s) => (
            <tr key={s.id} data-testid="snapshot-row">
              <td className="px-3 py-2 whitespace-nowrap">
                <Link href={`/admin/exports/${s.id}`} className="font-medium text-indigo-700 hover:underline">{s.name}</Link>
                <span className="ml-1.5 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">v{s.version}</span>
              </td>
              <td className="px-3 py-2">{s.projectIds.map((id) => projectNames[id] ?? id).join(", ")}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                {formatLabel[s.definition.format]}
                <span className="block text-xs text-slate-500">{fileTypeText(s.definition)}</span>
              </td>
              <td className="px-3 py-2">
                {isBuilding(s.status) ? (
                  <ProgressBar value={s.progress} label={`Export progress of ${s.name} v${s.version}`} />
                ) : (
                  <SnapshotStatus status={s.status} />
                )}
                {s.status === "FAILED" && s.error && <span className="mt-1 block max-w-xs truncate text-xs text-red-700" title={s.error}>{s.error}</span>}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{count(s.rowCounts.train)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{count(s.rowCounts.test)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{count(s.stats.comparisons)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{count(s.stats.annotators)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{typeof s.stats.agreement === "number" ? percent(s.stats.agreement) : "—"}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                {formatDate(s.createdAt)}
                <span className="block text-xs text-slate-500">{(s.createdById && creatorNames[s.createdById]) || "—"}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
