"use client";
// What a panel that queues a project's runs on an endpoint needs (Self-Instruct on the import page, the AI judge on
// the analytics page): the endpoints to choose from, the project's runs of the kind (polled while one is active), and
// a launch that keeps the server's message and field errors, or the queued run's id.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fromServer, type FieldErrors } from "@/components/admin/form";
import { isActive } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";
import type { RouterInputs } from "@/server/api/root";

const POLL_MS = 2000;

type LaunchInput = RouterInputs["run"]["launch"];

export function useProjectRunLaunch({ kind, projectId }: { kind: "SELF_INSTRUCT" | "JUDGE"; projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.endpoint.list.queryOptions());
  const runsQuery = trpc.run.list.queryOptions({ kind, projectId, limit: 20 });
  const runs = useQuery({ ...runsQuery, refetchInterval: (q) => (q.state.data?.some((r) => isActive(r.status)) ? POLL_MS : false) });
  const mutation = useMutation(trpc.run.launch.mutationOptions());
  const [endpointId, setEndpointId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [queued, setQueued] = useState<string | null>(null);
  const chosenEndpoint = endpointId || endpoints.data?.[0]?.id || "";

  /** Clears what the last attempt said. */
  function reset() {
    setError(null);
    setFields({});
    setQueued(null);
  }

  async function launch(input: LaunchInput) {
    try {
      const run = await mutation.mutateAsync(input);
      setQueued(run.id);
      await queryClient.invalidateQueries({ queryKey: runsQuery.queryKey });
    } catch (err) {
      const f = fromServer(err);
      setError(f.message);
      setFields(f.fields);
    }
  }

  return {
    endpoints: endpoints.data,
    chosenEndpoint,
    setEndpointId,
    runs: runs.data ?? [],
    launch,
    pending: mutation.isPending,
    reset,
    error,
    fields,
    setFields,
    queued,
    setQueued,
  };
}
