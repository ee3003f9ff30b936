"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

/** Archived projects leave the annotators' lists and refuse imports; nothing is deleted. */
export function ArchiveButton({ projectId, archived }: { projectId: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const mutation = useMutation(trpc.project.setArchived.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant={archived ? "secondary" : "danger"}
        disabled={mutation.isPending}
        onClick={async () => {
          if (!archived && !window.confirm("Archive this project? Annotators will no longer see it. Nothing is deleted.")) return;
          try {
            await mutation.mutateAsync({ id: projectId, archived: !archived });
            setError(null);
            router.refresh();
          } catch (err) {
            setError(err instanceof Error ? err.message : "Could not change the archived state.");
          }
        }}
      >
        {archived ? "Unarchive" : "Archive"}
      </Button>
      {error && <span role="alert" className="text-sm text-red-700">{error}</span>}
    </span>
  );
}
