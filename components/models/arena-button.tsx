"use client";
// One action: a blind pairwise project where two policies answer the same held-out prompts, and the generation run
// that fills it. Its judgements rank the two on the project's Bradley-Terry leaderboard.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fromServer } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

export function ArenaButton({ policyModelId, opponentModelId, snapshotId, label, config }: { policyModelId: string; opponentModelId: string; snapshotId: string; label: string; config: Record<string, unknown> }) {
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.model.createArena.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        variant="secondary"
        className="py-0.5 text-xs whitespace-nowrap"
        aria-label={`Human arena: ${label}`}
        disabled={create.isPending}
        onClick={async () => {
          try {
            const { project } = await create.mutateAsync({ policyModelId, opponentModelId, snapshotId, config });
            router.push(`/admin/projects/${project.id}`);
          } catch (err) {
            setError(fromServer(err).message);
          }
        }}
      >
        {create.isPending ? "Creating…" : "Human arena"}
      </Button>
      {error && <span role="alert" className="max-w-xs text-xs text-red-700">{error}</span>}
    </span>
  );
}
