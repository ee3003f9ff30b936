"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormMessage, fromServer } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

export function ScoreItemsButton({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const score = useMutation(trpc.model.scoreItems.mutationOptions());
  const [result, setResult] = useState<{ ok?: string; error?: string }>({});
  return (
    <div className="space-y-2">
      <Button
        variant="secondary"
        disabled={score.isPending}
        onClick={async () => {
          setResult({});
          try {
            const r = await score.mutateAsync({ projectId });
            setResult({ ok: r.items === 0 ? "No open items to score." : `Scored ${r.items.toLocaleString("en-US")} open items (${r.candidates.toLocaleString("en-US")} candidates).` });
            router.refresh();
          } catch (err) {
            setResult({ error: fromServer(err).message });
          }
        }}
      >
        {score.isPending ? "Scoring…" : "Score pending items with the active reward model"}
      </Button>
      <FormMessage ok={result.ok} error={result.error} />
    </div>
  );
}
