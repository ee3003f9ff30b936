"use client";
// Launch a run: a reward model from a snapshot, SFT of a policy on a snapshot's demonstrations, PPO, GRPO or RLOO of
// a policy against a registered reward model, DPO or KTO of a policy on a snapshot's preferences, generation of new
// candidates into a project (from a registered policy or an OpenAI-compatible endpoint; two policies make a blind
// arena), or an evaluation of a policy against a reference. Each training kind is offered only the snapshots in a
// format its trainer reads (trainingFormats). Models are picked from the registry, never typed as paths (a base model
// is registered on the Models page; SFT may also start a new tiny model). The hyperparameter
// fields, their labels, help and starting values per backend are the trainer's own (its config dataclasses, through
// server/schemas/run-launch.ts); the same schema checks the form here and the procedure on the server.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { ExportFormat } from "@/server/schemas/export";
import { launchFields, launchRunInput, type Backend, type LaunchField, type LaunchRunInput } from "@/server/schemas/run-launch";
import { trainingFormats } from "@/server/schemas/runs";

type Kind = "REWARD" | "SFT" | "PPO" | "GRPO" | "RLOO" | "DPO" | "KTO" | "GENERATE" | "EVAL";

/** Online RL: a policy against a registered reward model, on a project's or a snapshot's prompts. */
const isOnlineRl = (kind: Kind): kind is "PPO" | "GRPO" | "RLOO" => kind === "PPO" || kind === "GRPO" || kind === "RLOO";

export interface Choice {
  id: string;
  label: string;
}

export interface LaunchOptions {
  /** snapshots ready to train on, with their format and whether they have held-out rows */
  snapshots: (Choice & { format: ExportFormat; hasTest: boolean })[];
  rewardModels: Choice[];
  policies: (Choice & { backend: string })[];
  projects: Choice[];
  endpoints: Choice[];
}

function initialValues(fields: LaunchField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.key, f.initial]));
}

const kinds: { kind: Kind; label: string; hint: string }[] = [
  { kind: "REWARD", label: "Reward model", hint: "train on a snapshot's preferences" },
  { kind: "SFT", label: "SFT", hint: "a starting policy from a snapshot's demonstrations" },
  { kind: "PPO", label: "PPO", hint: "improve a policy against a reward model, with a value model" },
  { kind: "GRPO", label: "GRPO", hint: "against a reward model: k completions per prompt, scored against each other" },
  { kind: "RLOO", label: "RLOO", hint: "against a reward model: k completions per prompt, leave-one-out baseline" },
  { kind: "DPO", label: "DPO", hint: "improve a policy directly on a snapshot's preferences" },
  { kind: "KTO", label: "KTO", hint: "improve a policy on desirable and undesirable responses" },
  { kind: "GENERATE", label: "Generation", hint: "new candidates into a project" },
  { kind: "EVAL", label: "Evaluation", hint: "a policy against a reference on held-out prompts" },
];

const NONE = "";

export function LaunchForm({ options, initialKind = "REWARD" }: { options: LaunchOptions; initialKind?: Kind }) {
  const trpc = useTRPC();
  const router = useRouter();
  const launch = useMutation(trpc.run.launch.mutationOptions());
  const [kind, setKind] = useState<Kind>(initialKind);
  const [backend, setBackend] = useState<Backend>("tiny");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(launchFields(initialKind, "tiny")));
  const [gpuCount, setGpuCount] = useState("0");
  const [chosenSnapshotId, setSnapshotId] = useState(options.snapshots[0]?.id ?? "");
  const [rewardModelId, setRewardModelId] = useState(options.rewardModels[0]?.id ?? "");
  const [policySource, setPolicySource] = useState<"registry" | "path">(options.policies.length > 0 && initialKind !== "SFT" ? "registry" : "path");
  const [policyModelId, setPolicyModelId] = useState(options.policies[0]?.id ?? "");
  const [referenceModelId, setReferenceModelId] = useState(options.policies[1]?.id ?? options.policies[0]?.id ?? "");
  const [compareModelId, setCompareModelId] = useState(NONE);
  const [genPrompts, setGenPrompts] = useState<"project" | "snapshot">("project");
  const [promptSource, setPromptSource] = useState<"project" | "snapshot">("project");
  const [projectId, setProjectId] = useState(options.projects[0]?.id ?? "");
  const [genSource, setGenSource] = useState<"policy" | "endpoint">(options.policies.length > 0 || options.endpoints.length === 0 ? "policy" : "endpoint");
  const [endpointId, setEndpointId] = useState(options.endpoints[0]?.id ?? "");
  const [error, setError] = useState<FormError | null>(null);

  const fromEndpoint = kind === "GENERATE" && genSource === "endpoint";
  // an SFT run from a registered policy has no base model directory to give
  const fields = launchFields(kind, backend, { fromEndpoint }).filter((f) => !(kind === "SFT" && policySource === "registry" && f.key === "model_path"));
  const readable: readonly ExportFormat[] | undefined = kind in trainingFormats ? trainingFormats[kind as keyof typeof trainingFormats] : undefined;
  const snapshots = readable ? options.snapshots.filter((s) => readable.includes(s.format)) : options.snapshots;
  // the chosen snapshot, or the first this kind can read when the chosen one is in another format
  const snapshotId = snapshots.some((s) => s.id === chosenSnapshotId) ? chosenSnapshotId : (snapshots[0]?.id ?? "");
  const noSnapshot = readable ? `No ready snapshot in ${readable.join(", ")}: export one first.` : "No ready snapshot: export one first.";

  function reset(nextKind: Kind, nextBackend: Backend) {
    if (nextKind !== kind) setPolicySource(nextKind === "SFT" || options.policies.length === 0 ? "path" : "registry");
    setKind(nextKind);
    setBackend(nextBackend);
    setValues(initialValues(launchFields(nextKind, nextBackend)));
    setError(null);
  }

  function choosePolicy(id: string) {
    setPolicyModelId(id);
    const policy = options.policies.find((p) => p.id === id);
    // SFT, PPO, GRPO, RLOO, DPO and KTO train the policy and its reference (and the reward model) in one backend: follow the chosen policy's
    if (policy && (policy.backend === "tiny" || policy.backend === "hf") && policy.backend !== backend) reset(kind, policy.backend);
  }

  function buildInput(): LaunchRunInput {
    const config: Record<string, unknown> = {};
    for (const f of fields) {
      const v = values[f.key]?.trim();
      if (v) config[f.key] = f.text ? v : Number(v);
    }
    const common = { name: name.trim(), gpuCount: fromEndpoint ? 0 : Number(gpuCount), config };
    if (kind === "REWARD") return { kind, snapshotId, ...common, config: { backend, ...config } };
    const startingPolicy = { policyModelId, config: { backend, ...config } };
    if (isOnlineRl(kind)) {
      return { kind, modelId: rewardModelId, ...(promptSource === "project" ? { projectId } : { snapshotId }), ...common, ...startingPolicy };
    }
    if (kind === "DPO" || kind === "KTO") return { kind, snapshotId, ...common, ...startingPolicy };
    if (kind === "SFT") {
      return { kind, snapshotId, ...common, ...(policySource === "registry" ? { policyModelId } : {}), config: { backend, ...config } };
    }
    if (kind === "EVAL") return { kind, modelId: policyModelId, referenceModelId, rewardModelId, snapshotId, ...common };
    if (fromEndpoint) return { kind, projectId, endpointId, ...common };
    return {
      kind,
      projectId,
      modelId: policyModelId,
      ...(compareModelId !== NONE ? { compareModelId } : {}),
      ...(genPrompts === "snapshot" ? { snapshotId } : {}),
      ...common,
    };
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const input = buildInput();
    const parsed = launchRunInput.safeParse(input);
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      const run = await launch.mutateAsync(input);
      router.push(`/admin/runs/${run.id}`);
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  const select = (id: string, label: string, value: string, onChange: (v: string) => void, choices: Choice[], empty: string, hint?: ReactNode) => (
    <Field label={label} name={id} error={fe(id)} hint={choices.length === 0 ? empty : hint}>
      <select {...fieldProps(id, fe(id))} className={inputClass} value={value} onChange={(e) => onChange(e.target.value)} disabled={choices.length === 0}>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>{c.label}</option>
        ))}
      </select>
    </Field>
  );
  const radio = <T extends string>(group: string, value: T, current: T, onChange: (v: T) => void, label: string) => (
    <label className="flex items-center gap-2">
      <input type="radio" name={group} className="accent-indigo-600" checked={current === value} onChange={() => onChange(value)} />
      {label}
    </label>
  );

  const noPolicies = "No policies registered: register a base model on the Models page.";
  const startingPolicyFields = select("policyModelId", "Starting policy", policyModelId, choosePolicy, options.policies, noPolicies, "Also the frozen reference.");
  const heldOut = options.snapshots.filter((s) => s.hasTest);

  return (
    <Card className="max-w-3xl">
      <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Launch a run">
        <fieldset className="text-sm">
          <legend className="font-medium text-slate-700">Kind</legend>
          <div className="mt-1 grid gap-2 sm:grid-cols-3">
            {kinds.map((k) => (
              <label key={k.kind} className={`flex cursor-pointer items-start gap-2 rounded-md p-2 ring-1 ${kind === k.kind ? "bg-indigo-50 ring-indigo-300" : "ring-slate-200"}`}>
                <input type="radio" name="kind" className="mt-0.5 accent-indigo-600" checked={kind === k.kind} onChange={() => reset(k.kind, backend)} />
                <span>
                  <span className="font-medium">{k.label}</span>
                  <span className="block text-xs text-slate-500">{k.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Run name" name="name" error={fe("name")} hint="Also the name of the model it registers.">
            <input {...fieldProps("name", fe("name"))} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          {kind !== "GENERATE" && kind !== "EVAL" && (
            <Field label="Backend" name="config.backend" error={fe("config.backend")} hint={backend === "tiny" ? "small byte-level transformer; CPU is enough" : "Hugging Face model from a local directory"}>
              <select {...fieldProps("config.backend", fe("config.backend"))} className={inputClass} value={backend} onChange={(e) => reset(kind, e.target.value as Backend)}>
                <option value="tiny">tiny</option>
                <option value="hf">hf (transformers)</option>
              </select>
            </Field>
          )}
        </div>

        {kind === "REWARD" && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select("snapshotId", "Snapshot", snapshotId, setSnapshotId, snapshots, noSnapshot, "Trains on its train split, evaluates on its test split.")}
          </div>
        )}

        {kind === "SFT" && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select("snapshotId", "Snapshot", snapshotId, setSnapshotId, snapshots, noSnapshot, "Demonstrations, or a preference snapshot's chosen responses; evaluates on its test split.")}
            <fieldset className="text-sm">
              <legend className="font-medium text-slate-700">Start from</legend>
              <div className="mt-1 flex gap-4">
                {radio("policy-source", "path", policySource, setPolicySource, backend === "tiny" ? "a new tiny model" : "a base model directory")}
                {radio("policy-source", "registry", policySource, setPolicySource, "a registered policy")}
              </div>
            </fieldset>
            {policySource === "registry" &&
              select("policyModelId", "Policy", policyModelId, choosePolicy, options.policies, "No policies registered: start from a new or base model.", "Fine-tuned further on the demonstrations.")}
          </div>
        )}

        {isOnlineRl(kind) && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select("modelId", "Reward model", rewardModelId, setRewardModelId, options.rewardModels, "No reward model yet: train one first.", kind === "PPO" ? "Frozen; also initialises the value model." : "Frozen; scores every completion.")}
            <fieldset className="text-sm">
              <legend className="font-medium text-slate-700">Prompts from</legend>
              <div className="mt-1 flex gap-4">
                {radio("prompt-source", "project", promptSource, setPromptSource, "a project")}
                {radio("prompt-source", "snapshot", promptSource, setPromptSource, "a snapshot")}
              </div>
            </fieldset>
            {promptSource === "project"
              ? select("projectId", "Project", projectId, setProjectId, options.projects, "No projects.", "Its items' prompts.")
              : select("snapshotId", "Snapshot", snapshotId, setSnapshotId, snapshots, "No ready snapshot.", "The prompts of its train split.")}
            {startingPolicyFields}
          </div>
        )}

        {(kind === "DPO" || kind === "KTO") && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select(
              "snapshotId",
              "Snapshot",
              snapshotId,
              setSnapshotId,
              snapshots,
              noSnapshot,
              kind === "DPO" ? "Trains on its train split's pairs, evaluates on its test split." : "Unpaired rows (kto), or pairs split into a desirable and an undesirable response.",
            )}
            {startingPolicyFields}
          </div>
        )}

        {kind === "GENERATE" && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select("projectId", "Target project", projectId, setProjectId, options.projects, "No projects.", "Its prompts are answered; new items land in it.")}
            <fieldset className="text-sm">
              <legend className="font-medium text-slate-700">Sample from</legend>
              <div className="mt-1 flex gap-4">
                {radio("gen-source", "policy", genSource, setGenSource, "a registered policy")}
                {radio("gen-source", "endpoint", genSource, setGenSource, "an endpoint")}
              </div>
            </fieldset>
            {genSource === "policy"
              ? select("modelId", "Policy", policyModelId, setPolicyModelId, options.policies, noPolicies)
              : select("endpointId", "Endpoint", endpointId, setEndpointId, options.endpoints, "No endpoints: add one under Endpoints.", "OpenAI-compatible /v1/chat/completions.")}
            {genSource === "policy" && (
              <>
                {select("compareModelId", "Second policy (arena)", compareModelId, setCompareModelId, [{ id: NONE, label: "none: compare the policy's own samples" }, ...options.policies.filter((p) => p.id !== policyModelId)], noPolicies, "Each item pairs one response of each, shown blind in a random order (pairwise projects).")}
                <fieldset className="text-sm">
                  <legend className="font-medium text-slate-700">Prompts from</legend>
                  <div className="mt-1 flex gap-4">
                    {radio("gen-prompts", "project", genPrompts, setGenPrompts, "the project's own items")}
                    {radio("gen-prompts", "snapshot", genPrompts, setGenPrompts, "a snapshot's held-out prompts")}
                  </div>
                </fieldset>
                {genPrompts === "snapshot" && select("snapshotId", "Snapshot", snapshotId, setSnapshotId, options.snapshots, "No ready snapshot.", "Its test split's prompts (its train split's without one).")}
              </>
            )}
          </div>
        )}

        {kind === "EVAL" && (
          <div className="grid gap-4 sm:grid-cols-2">
            {select("modelId", "Policy", policyModelId, setPolicyModelId, options.policies, noPolicies, "The policy evaluated.")}
            {select("referenceModelId", "Reference policy", referenceModelId, setReferenceModelId, options.policies, noPolicies, "Usually the one it started from; the KL is measured against it.")}
            {select("rewardModelId", "Judged by", rewardModelId, setRewardModelId, options.rewardModels, "No reward model yet: train one first.", "The reward model that scores both policies' responses.")}
            {select("snapshotId", "Held-out prompts", snapshotId, setSnapshotId, heldOut, "No ready snapshot with a test split: export one with a test fraction.", "The prompts of its test split.")}
          </div>
        )}

        <fieldset className="space-y-3">
          <legend className="text-sm font-medium text-slate-700">Hyperparameters</legend>
          <div className="grid gap-4 sm:grid-cols-3">
            {fields.map((f) => {
              const id = `config.${f.key}`;
              return (
                <Field key={f.key} label={f.label} name={id} error={fe(id)} hint={f.hint} className={f.text ? "sm:col-span-3" : ""}>
                  <input
                    {...fieldProps(id, fe(id))}
                    className={`${inputClass} ${f.text ? "" : "tabular-nums"}`}
                    inputMode={f.text ? undefined : "decimal"}
                    value={values[f.key] ?? ""}
                    onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
                  />
                </Field>
              );
            })}
          </div>
        </fieldset>

        {!fromEndpoint && (
          <div className="grid gap-4 sm:grid-cols-3">
            <Field label="GPUs" name="gpuCount" error={fe("gpuCount")} hint="0 = the worker's CPU slot; more than 1 runs under torchrun (DDP).">
              <input {...fieldProps("gpuCount", fe("gpuCount"))} className={`${inputClass} tabular-nums`} type="number" min={0} max={64} value={gpuCount} onChange={(e) => setGpuCount(e.target.value)} />
            </Field>
          </div>
        )}

        <div className="flex items-center gap-3">
          <Button type="submit" disabled={launch.isPending}>{launch.isPending ? "Launching…" : "Launch run"}</Button>
        </div>
        <FormMessage error={error?.message} />
      </form>
    </Card>
  );
}
