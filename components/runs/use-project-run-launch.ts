"use client";
// What a panel that queues a project's runs on a generator needs (Self-Instruct on the import page, the AI judge on
// the analytics page): the endpoints and registered policies to choose from, the project's runs of the kind (polled while one is active), and
// a launch that keeps the server's message and field errors, or the queued run's id.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fromServer, type FieldErrors } from "@/components/admin/form";
import { isActive } from "@/components/runs/run-status";
import { useTRPC } from "@/components/trpc";
import type { RouterInputs } from "@/server/api/root";

const POLL_MS = 2000;

type LaunchInput = RouterInputs["run"]["launch"];

/** The chosen generator: "endpoint:<id>" or "policy:<id>", what it is called, and the launch fields it sets. */
export interface GeneratorChoice {
  value: string;
  set: (value: string) => void;
  endpoints: { id: string; name: string; model: string }[];
  policies: { id: string; name: string; backend: string }[];
  /** the endpoint's model or the policy's name (for the run's name) */
  model: string | undefined;
  input: { endpointId: string } | { policyModelId: string };
}

export function useProjectRunLaunch({ kind, projectId }: { kind: "SELF_INSTRUCT" | "JUDGE"; projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.endpoint.list.queryOptions());
  const policies = useQuery(trpc.model.list.queryOptions({ kind: "POLICY" }));
  const runsQuery = trpc.run.list.queryOptions({ kind, projectId, limit: 20 });
  const runs = useQuery({ ...runsQuery, refetchInterval: (q) => (q.state.data?.some((r) => isActive(r.status)) ? POLL_MS : false) });
  const mutation = useMutation(trpc.run.launch.mutationOptions());
  const [picked, setPicked] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [queued, setQueued] = useState<string | null>(null);
  const endpointList = endpoints.data ?? [];
  const policyList = policies.data ?? [];
  const value = picked || (endpointList[0] ? `endpoint:${endpointList[0].id}` : policyList[0] ? `policy:${policyList[0].id}` : "");
  const [source, id] = [value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1)];
  const generator: GeneratorChoice = {
    value,
    set: setPicked,
    endpoints: endpointList,
    policies: policyList,
    model: source === "policy" ? policyList.find((m) => m.id === id)?.name : endpointList.find((e) => e.id === id)?.model,
    input: source === "policy" ? { policyModelId: id } : { endpointId: id },
  };
  /** nothing to choose from yet (undefined while loading) */
  const noGenerator = endpoints.data && policies.data ? endpointList.length === 0 && policyList.length === 0 : undefined;

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
    generator,
    noGenerator,
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
