"use client";
// Scores the project's items (open and completed) with the active reward model: a SCORE run on the trainer queue,
// followed here until it ends, then the page is refreshed so the agreement figure includes the new scores.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { FormMessage, fromServer } from "@/components/admin/form";
import { isActive, ProgressBar } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

const POLL_MS = 1000;

export function ScoreItemsButton({ projectId, projectName }: { projectId: string; projectName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const launch = useMutation(trpc.run.launch.mutationOptions());
  const [runId, setRunId] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const run = useQuery({
    ...trpc.run.get.queryOptions({ id: runId ?? "" }),
    enabled: runId !== null,
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data.status) ? false : POLL_MS),
  });
  const ended = run.data !== undefined && !isActive(run.data.status);
  const metrics = useQuery({ ...trpc.run.metrics.queryOptions({ runId: runId ?? "", names: ["items_scored", "candidates_scored"] }), enabled: ended && run.data?.status === "SUCCEEDED" });
  useEffect(() => {
    if (ended) router.refresh();
  }, [ended, router]);

  const figure = (name: string) => (metrics.data?.find((m) => m.name === name)?.value ?? 0).toLocaleString("en-US");
  const running = runId !== null && !ended;
  return (
    <div className="space-y-2">
      <Button
        variant="secondary"
        disabled={launch.isPending || running}
        onClick={async () => {
          setError(undefined);
          try {
            const started = await launch.mutateAsync({ kind: "SCORE", name: `score ${projectName}`, projectId });
            setRunId(started.id);
          } catch (err) {
            setError(fromServer(err).message);
          }
        }}
      >
        {running ? "Scoring…" : "Score the project's items with the active reward model"}
      </Button>
      {runId && run.data && (
        <div className="max-w-md space-y-1 text-sm">
          {running && <ProgressBar value={run.data.progress} label="Scoring progress" />}
          <p className="text-xs text-slate-500">
            <Link href={`/admin/runs/${runId}`} className="text-indigo-700 hover:underline">Scoring run</Link>
            {run.data.status === "QUEUED" ? ": queued, waiting for a worker" : ""}
          </p>
        </div>
      )}
      <FormMessage
        ok={run.data?.status === "SUCCEEDED" && metrics.data ? `Scored ${figure("items_scored")} items (${figure("candidates_scored")} candidates).` : undefined}
        error={error ?? (ended && run.data?.status !== "SUCCEEDED" ? `Scoring ${run.data?.status.toLowerCase()}: ${run.data?.error ?? ""}` : undefined)}
      />
    </div>
  );
}
