"use client";
// Marks a model active (one per kind): the active reward model scores items and orders active-learning queues.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fromServer } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

export function ActivateModelButton({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const activate = useMutation(trpc.model.setActive.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant="secondary"
        className="py-0.5 text-xs"
        aria-label={`Mark ${name} active`}
        disabled={activate.isPending}
        onClick={async () => {
          try {
            await activate.mutateAsync({ id });
            setError(null);
            router.refresh();
          } catch (err) {
            setError(fromServer(err).message);
          }
        }}
      >
        Mark active
      </Button>
      {error && <span role="alert" className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
