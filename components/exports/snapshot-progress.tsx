"use client";
// The detail page of a snapshot that is still building: polls its progress and re-renders the server page once
// the build ends, so files, stats and the dataset card appear without a reload.
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { isBuilding } from "@/components/exports/snapshot-labels";
import { ProgressBar } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";

const POLL_MS = 1500;

export function SnapshotProgress({ id, label, initialProgress }: { id: string; label: string; initialProgress: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const snapshot = useQuery({
    ...trpc.export.get.queryOptions({ id }),
    refetchInterval: (q) => (q.state.data && !isBuilding(q.state.data.status) ? false : POLL_MS),
  });
  const done = snapshot.data !== undefined && !isBuilding(snapshot.data.status);
  useEffect(() => {
    if (done) router.refresh();
  }, [done, router]);
  return (
    <div className="max-w-md space-y-1">
      <ProgressBar value={snapshot.data?.progress ?? initialProgress} label={`Export progress of ${label}`} />
      <p className="text-xs text-slate-600">{done ? "Finished; loading the files…" : "Building: reading annotations and writing rows."}</p>
    </div>
  );
}
