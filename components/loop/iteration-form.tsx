"use client";
// Queues the next turn of the loop from a project: one form, one chain of runs (server/services/loop.ts). The
// trainers' defaults are used for every step; a run's page shows its settings, and a step can be launched by hand
// from the runs page for anything finer.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, fromServer, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

interface Choice {
  id: string;
  label: string;
}

export function IterationForm({ projectId, snapshots, policies, rewardModels }: { projectId: string; snapshots: (Choice & { hasTest: boolean })[]; policies: Choice[]; rewardModels: Choice[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queue = useMutation(trpc.loop.queue.mutationOptions());
  const [name, setName] = useState("");
  const [method, setMethod] = useState<"REWARD" | "DPO">("DPO");
  // "" = build a new version of the project's loop snapshot from its judgements as they are now
  const [snapshotId, setSnapshotId] = useState("");
  const [heldOut, setHeldOut] = useState("20");
  const [policyModelId, setPolicyModelId] = useState(policies[0]?.id ?? "");
  const [rewardModelId, setRewardModelId] = useState(method === "DPO" ? (rewardModels[0]?.id ?? "") : "");
  const [arena, setArena] = useState(true);
  const [gpuCount, setGpuCount] = useState("0");
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const fe = (k: string) => error?.fields[k];
  const chosen = snapshots.find((s) => s.id === snapshotId);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const iteration = await queue.mutateAsync({ projectId, name: name.trim(), method, ...(snapshotId ? { snapshotId } : { testRatio: Number(heldOut) / 100 }), policyModelId, ...(rewardModelId ? { rewardModelId } : {}), arena, gpuCount: Number(gpuCount) });
      setError(null);
      setDone(`Queued ${iteration.name}: ${iteration.runIds.length} runs.`);
      setName("");
      router.refresh();
    } catch (err) {
      setDone(null);
      setError(fromServer(err));
    }
  }

  const select = (id: string, label: string, value: string, onChange: (v: string) => void, choices: Choice[], empty: string, hint?: string) => (
    <Field label={label} name={id} error={fe(id)} hint={choices.length === 0 ? empty : hint}>
      <select {...fieldProps(id, fe(id))} className={inputClass} value={value} onChange={(e) => onChange(e.target.value)} disabled={choices.length === 0}>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>{c.label}</option>
        ))}
      </select>
    </Field>
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Queue the next iteration" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-sm font-semibold">Queue the next iteration</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Iteration name" name="name" error={fe("name")} hint="Names its runs and the policy it registers.">
          <input {...fieldProps("name", fe("name"))} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <fieldset className="text-sm">
          <legend className="font-medium text-slate-700">Method</legend>
          <div className="mt-1 flex flex-col gap-1">
            <label className="flex items-center gap-2">
              <input type="radio" name="method" className="accent-indigo-600" checked={method === "DPO"} onChange={() => setMethod("DPO")} />
              DPO on the snapshot&apos;s pairs
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="method" className="accent-indigo-600" checked={method === "REWARD"} onChange={() => setMethod("REWARD")} />
              a reward model, then PPO against it
            </label>
          </div>
        </fieldset>
        {select(
          "snapshotId",
          "Snapshot",
          snapshotId,
          setSnapshotId,
          [{ id: "", label: "A new snapshot of this project's judgements, built now" }, ...snapshots],
          "",
          chosen && !chosen.hasTest ? "It has no test split: the evaluation needs held-out prompts." : "Trains on its train split; evaluates on its test split.",
        )}
        {!snapshotId && (
          <Field label="Held-out prompts (%)" name="testRatio" error={fe("testRatio")} hint="The new snapshot's test split: the evaluation and the arena answer these prompts.">
            <input {...fieldProps("testRatio", fe("testRatio"))} className={`${inputClass} tabular-nums`} type="number" min={5} max={50} value={heldOut} onChange={(e) => setHeldOut(e.target.value)} />
          </Field>
        )}
        {select("policyModelId", "Starting policy", policyModelId, setPolicyModelId, policies, "No policies registered: register a base model on the Models page.", "Trained from, and compared with.")}
        {select("rewardModelId", "Evaluation judged by", rewardModelId, setRewardModelId, [...(method === "REWARD" ? [{ id: "", label: "the iteration's new reward model" }] : []), ...rewardModels], "No reward model: mark one active, or use the reward-model method.", method === "DPO" ? "The reward model that scores both policies." : "A held-out reward model judges more fairly than the one PPO optimised.")}
        <Field label="GPUs per run" name="gpuCount" error={fe("gpuCount")} hint="0 = a worker's CPU slot; each run of the chain asks for this many.">
          <input {...fieldProps("gpuCount", fe("gpuCount"))} className={`${inputClass} tabular-nums`} type="number" min={0} max={64} value={gpuCount} onChange={(e) => setGpuCount(e.target.value)} />
        </Field>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" className="accent-indigo-600" checked={arena} onChange={(e) => setArena(e.target.checked)} />
          Also a blind human arena: new policy vs starting policy
        </label>
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={queue.isPending}>{queue.isPending ? "Queueing…" : "Queue iteration"}</Button>
        {done && <span role="status" className="text-sm text-emerald-700">{done}</span>}
      </div>
      <FormMessage error={error?.message} />
    </form>
  );
}
