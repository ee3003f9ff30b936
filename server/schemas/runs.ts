// Runs on the trainer queue: launch input, list filters. The trainer config itself is checked against the trainer's
// own schema in ./run-launch.ts (and again, field by field, by the Python package); here it only has to be a flat
// JSON object without the keys that only the launch inputs set.
import { z } from "zod";
import type { ExportFormat } from "@/server/schemas/export";

/**
 * Each run kind and the Python module the worker starts for it (server/services/runs/kinds.ts has the rest); null
 * for a kind the worker runs itself in TypeScript (calls to an OpenAI-compatible endpoint, no GPU).
 */
export const runKindModule = {
  REWARD: "rlhf.reward",
  PPO: "rlhf.ppo",
  GRPO: "rlhf.grpo",
  RLOO: "rlhf.rloo",
  DPO: "rlhf.dpo",
  SFT: "rlhf.sft",
  KTO: "rlhf.kto",
  GENERATE: "rlhf.generate",
  SCORE: "rlhf.score",
  EVAL: "rlhf.evaluate",
  SELF_INSTRUCT: null,
  JUDGE: null,
} as const;
export const runKinds = ["REWARD", "PPO", "GRPO", "RLOO", "DPO", "SFT", "KTO", "GENERATE", "SCORE", "EVAL", "SELF_INSTRUCT", "JUDGE"] as const satisfies readonly (keyof typeof runKindModule)[];
export type RunKind = (typeof runKinds)[number];
/** The kinds that start a Python module (their config schema is the module's dataclass). */
export type TrainerRunKind = { [K in RunKind]: (typeof runKindModule)[K] extends string ? K : never }[RunKind];
export const isTrainerRunKind = (kind: RunKind): kind is TrainerRunKind => runKindModule[kind] !== null;
/** The snapshot formats each training kind's trainer reads (their rows' layouts: trainer/rlhf/data.py). */
const preferenceFormats = ["trl", "trl-conversational"] as const;
export const trainingFormats = {
  REWARD: preferenceFormats,
  DPO: preferenceFormats,
  SFT: ["sft", "sft-conversational", "sft-messages", ...preferenceFormats],
  KTO: ["kto", ...preferenceFormats],
} as const satisfies Partial<Record<RunKind, readonly ExportFormat[]>>;

export const runStatuses = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;

export const runKindSchema = z.enum(runKinds);
export const runStatusSchema = z.enum(runStatuses);

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/**
 * Inputs chosen on the launch form that the run row has no column for, kept in its config by the launch (a
 * registered starting policy, an endpoint); a launch config must not set them, and the worker removes them before
 * handing the config to Python.
 */
export const inputOnlyConfigKeys = ["policy_model_id", "endpoint_id", "reference_model_id", "reward_model_id", "compare_model_id"] as const;

/** The input-only keys that name a registered model (or, in a chain, the model a needed run will register). */
export const modelConfigKeys = ["policy_model_id", "reference_model_id", "reward_model_id", "compare_model_id"] as const;

/**
 * Where a model is chosen, a run may instead name the model another run will register: `run:<runId>`. The run then
 * needs that run (it waits in QUEUED until it has SUCCEEDED) and the reference is replaced by the registered model's
 * id as that run finishes (server/services/runs/queue.ts). This is how a loop iteration's chain is queued at once.
 */
export const pendingModelPrefix = "run:";

export const runConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "config keys are snake_case"), jsonValue)
  .superRefine((config, ctx) => {
    for (const key of inputOnlyConfigKeys) {
      if (key in config) {
        ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is set from the run's inputs` });
      }
    }
  });

const common = {
  name: z.string().trim().min(1, "name is required").max(200),
  config: runConfigSchema.default({}),
  // 0 = the worker's CPU slot. More than one GPU launches the run under torchrun (DDP).
  gpuCount: z.number().int().min(0).max(64).default(0),
  // how many times a run is started when workers die under it, before it is marked failed
  maxAttempts: z.number().int().min(1).max(20).default(3),
  // runs that must have SUCCEEDED before this one starts; a needed run that fails or is cancelled fails this one
  needs: z.array(z.string().min(1)).max(20).default([]),
};

// Online RL (PPO, GRPO, RLOO): a policy trained against a registered reward model on a project's or a snapshot's prompts.
const onlineRl = {
  // the reward model from the registry
  modelId: z.string().min(1, "choose a reward model"),
  // prompts come from a project (its items' prompts) or a snapshot
  projectId: z.string().min(1).optional(),
  snapshotId: z.string().min(1).optional(),
  // start from a registered policy instead of config.policy_path (also the frozen reference)
  policyModelId: z.string().min(1).optional(),
  ...common,
};

// Self-Instruct and the AI judge call a generator: an endpoint, or a registered policy served like one.
const generator = {
  endpointId: z.string().min(1).optional(),
  policyModelId: z.string().min(1).optional(),
};

export const GENERATOR_CHOICE_MESSAGE = "choose either an endpoint or a registered policy";

function exactlyOneGenerator(input: { endpointId?: string; policyModelId?: string }, ctx: z.RefinementCtx): void {
  if (Boolean(input.endpointId) === Boolean(input.policyModelId)) {
    const message = input.endpointId ? `${GENERATOR_CHOICE_MESSAGE}, not both` : GENERATOR_CHOICE_MESSAGE;
    ctx.addIssue({ code: "custom", path: ["endpointId"], message });
  }
}

export const enqueueRunInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("REWARD"),
    snapshotId: z.string().min(1, "choose a snapshot"),
    ...common,
  }),
  z.object({ kind: z.literal("PPO"), ...onlineRl }),
  // GRPO and RLOO take what PPO takes: k completions per prompt, compared with each other instead of a value model
  z.object({ kind: z.literal("GRPO"), ...onlineRl }),
  z.object({ kind: z.literal("RLOO"), ...onlineRl }),
  z.object({
    kind: z.literal("DPO"),
    // the preference pairs to train on
    snapshotId: z.string().min(1, "choose a snapshot"),
    // start from a registered policy instead of config.policy_path (also the frozen reference)
    policyModelId: z.string().min(1).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("SFT"),
    // demonstrations (an sft, sft-conversational or sft-messages snapshot) or a preference snapshot's chosen responses
    snapshotId: z.string().min(1, "choose a snapshot"),
    // continue from a registered policy instead of config.model_path (hf) / a new tiny model
    policyModelId: z.string().min(1).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("KTO"),
    // unpaired desirable/undesirable rows (a kto snapshot) or a preference snapshot's pairs, split
    snapshotId: z.string().min(1, "choose a snapshot"),
    // start from a registered policy instead of config.policy_path (also the frozen reference)
    policyModelId: z.string().min(1).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("GENERATE"),
    // the project whose prompts are answered and where the new items land
    projectId: z.string().min(1, "choose a project"),
    // a registered policy (sampled by the Python trainer) …
    modelId: z.string().min(1).optional(),
    // … or an OpenAI-compatible endpoint (called by the worker itself; no GPU needed)
    endpointId: z.string().min(1).optional(),
    // a second registered policy answering the same prompts: each item pairs one response of each (a blind arena;
    // a pairwise project only)
    compareModelId: z.string().min(1).optional(),
    // answer a snapshot's held-out prompts (its test split, else its train split) instead of the project's own
    snapshotId: z.string().min(1).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("SELF_INSTRUCT"),
    // the project the kept instructions become items of (answered by the endpoint first unless it is a
    // demonstration project)
    projectId: z.string().min(1, "choose a project"),
    // the generator that writes the new instructions: an OpenAI-compatible endpoint or a registered policy (which
    // the worker serves for the run's length, trainer/rlhf/serve.py); exactly one
    ...generator,
    ...common,
  }).superRefine(exactlyOneGenerator),
  z.object({
    kind: z.literal("JUDGE"),
    // the project whose items the AI judge judges (its suggestions are kept apart from the annotations)
    projectId: z.string().min(1, "choose a project"),
    // the judge: an OpenAI-compatible endpoint or a registered policy the worker serves (the reward model judges
    // through a SCORE run); exactly one
    ...generator,
    ...common,
  }).superRefine(exactlyOneGenerator),
  z.object({
    kind: z.literal("SCORE"),
    // the project whose items (open and completed) are scored
    projectId: z.string().min(1, "choose a project"),
    // the reward model; default: the active one
    modelId: z.string().min(1).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal("EVAL"),
    // the policy evaluated
    modelId: z.string().min(1, "choose the policy to evaluate"),
    // the policy it is compared with (usually the one it started from)
    referenceModelId: z.string().min(1, "choose a reference policy"),
    // the reward model that judges both; default: the active one
    rewardModelId: z.string().min(1).optional(),
    // the held-out prompts: the snapshot's test split
    snapshotId: z.string().min(1, "choose a snapshot"),
    ...common,
  }),
]);
export type EnqueueRunInput = z.input<typeof enqueueRunInput>;

export const listRunsInput = z.object({
  status: runStatusSchema.optional(),
  kind: runKindSchema.optional(),
  // the runs that read from or write into one project
  projectId: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export const runIdInput = z.object({ id: z.string().min(1) });

export const runMetricsInput = z.object({
  runId: z.string().min(1),
  names: z.array(z.string()).optional(),
  // only metrics after this step: lets a live chart poll for what is new
  afterStep: z.number().int().optional(),
});

export const runLogsInput = z.object({
  runId: z.string().min(1),
  afterId: z.string().regex(/^\d+$/).optional(),
  limit: z.number().int().min(1).max(2000).default(500),
});

// The config of a generation run from an endpoint (run by the worker itself). Same names as rlhf.generate's, so
// one launch form serves both sources.
export const endpointGenerationConfig = z.object({
  // responses per prompt; duplicates collapse, so a prompt needs 2 distinct ones to make an item
  num_samples: z.number().int().min(2).max(64).default(2),
  temperature: z.number().min(0).max(2).default(0.7),
  max_new_tokens: z.number().int().min(1).max(32_768).default(512),
  max_prompts: z.number().int().min(1).optional(),
});

export const endpointInput = z.object({
  name: z.string().trim().min(1).max(100),
  baseUrl: z.string().url("base URL must be an http(s) URL").refine((u) => /^https?:\/\//.test(u), "http(s) only"),
  model: z.string().trim().min(1).max(200),
  // empty = keep the stored key (on update) / no key (local servers)
  apiKey: z.string().optional(),
  concurrency: z.number().int().min(1).max(64).default(4),
});
export type EndpointInput = z.input<typeof endpointInput>;
