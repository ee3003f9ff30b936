// Runs on the trainer queue: launch input, list filters. The trainer's own config (learning rate, epochs …) is
// validated field by field by the Python package, which rejects unknown keys with a message naming the field;
// here it only has to be a flat JSON object, so there is one source of truth for what a config may hold.
import { z } from "zod";

export const runKinds = ["REWARD", "PPO", "GENERATE", "SCORE"] as const;
export const runStatuses = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;

export const runKindSchema = z.enum(runKinds);
export const runStatusSchema = z.enum(runStatuses);

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** Keys the worker fills in from the run's inputs; a launch form must not set them. */
export const workerOwnedConfigKeys = [
  "output_dir",
  "resume",
  "train_file",
  "test_file",
  "prompts_file",
  "reward_model_path",
  "output_file",
  "input_file",
  "snapshot_id",
  "snapshot_sha256",
  // inputs chosen on the launch form, kept in the config because the run row has no column for them;
  // the worker removes them before handing the config to Python
  "policy_model_id",
  "endpoint_id",
] as const;

export const inputOnlyConfigKeys = ["policy_model_id", "endpoint_id"] as const;

export const runConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "config keys are snake_case"), jsonValue)
  .superRefine((config, ctx) => {
    for (const key of workerOwnedConfigKeys) {
      if (key in config) {
        ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is set by the worker from the run's inputs` });
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
};

export const enqueueRunInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("REWARD"),
    snapshotId: z.string().min(1, "choose a snapshot"),
    ...common,
  }),
  z.object({
    kind: z.literal("PPO"),
    // the reward model from the registry
    modelId: z.string().min(1, "choose a reward model"),
    // prompts come from a project (its items' prompts) or a snapshot
    projectId: z.string().min(1).optional(),
    snapshotId: z.string().min(1).optional(),
    // start from a registered policy instead of config.policy / the backend's fresh model
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
    ...common,
  }),
  z.object({
    kind: z.literal("SCORE"),
    // the project whose items (open and completed) are scored
    projectId: z.string().min(1, "choose a project"),
    // the reward model; default: the active one
    modelId: z.string().min(1).optional(),
    ...common,
  }),
]);
export type EnqueueRunInput = z.input<typeof enqueueRunInput>;

export const listRunsInput = z.object({
  status: runStatusSchema.optional(),
  kind: runKindSchema.optional(),
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
