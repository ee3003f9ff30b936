"use client";
// The runs list, refreshed every few seconds while any run is queued or running.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDate } from "@/components/admin/form";
import { elapsed, isActive, ProgressBar, QueuePosition, runKindLabel, StatusBadge, WaitingFor } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";
import type { RouterOutputs } from "@/server/api/root";

type RunWithPosition = RouterOutputs["run"]["list"][number];

const POLL_MS = 3000;

export function RunsTable({ initialRuns }: { initialRuns: RunWithPosition[] }) {
  const trpc = useTRPC();
  const runs = useQuery({
    ...trpc.run.list.queryOptions({ limit: 100 }),
    initialData: initialRuns,
    refetchInterval: (q) => ((q.state.data ?? []).some((r) => isActive(r.status)) ? POLL_MS : POLL_MS * 5),
  });
  const list = runs.data;
  if (list.length === 0) return <p className="text-slate-600">No runs yet. Launch one to train a reward model from a snapshot.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm">
        <caption className="sr-only">Training and generation runs, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">Name</th>
            <th scope="col" className="px-3 py-2">Kind</th>
            <th scope="col" className="px-3 py-2">Status</th>
            <th scope="col" className="w-48 px-3 py-2">Progress</th>
            <th scope="col" className="px-3 py-2 text-right">GPUs</th>
            <th scope="col" className="px-3 py-2">Created</th>
            <th scope="col" className="px-3 py-2 text-right">Time</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {list.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td className="px-3 py-2">
                <Link href={`/admin/runs/${r.id}`} className="font-medium text-indigo-700 hover:underline">{r.name}</Link>
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{runKindLabel[r.kind]}</td>
              <td className="space-x-2 px-3 py-2 whitespace-nowrap">
                <StatusBadge status={r.status} />
                <QueuePosition position={r.queuePosition} />
                <WaitingFor status={r.status} needs={r.needs} />
              </td>
              <td className="px-3 py-2">
                <ProgressBar value={r.progress} label={`Progress of ${r.name}`} />
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{r.gpuCount === 0 ? "CPU" : r.gpuCount}</td>
              <td className="px-3 py-2 whitespace-nowrap">{formatDate(r.createdAt)}</td>
              <td suppressHydrationWarning className="px-3 py-2 text-right whitespace-nowrap tabular-nums">{elapsed(r.startedAt, r.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
