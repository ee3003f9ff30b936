// What the launch form (and the `run.launch` procedure) accepts: the run's inputs plus a trainer config whose
// common hyperparameters are range-checked here, so a bad learning rate is refused at once with the field named
// instead of failing minutes later on a worker. The Python package stays the authority on the full config (it
// rejects unknown keys and checks every field again); keys not listed here pass through to it untouched.
import { z } from "zod";
import { enqueueRunInput } from "@/server/schemas/runs";

export const backends = ["tiny", "hf"] as const;
export type Backend = (typeof backends)[number];

const num = (label: string) => z.number({ error: `${label} must be a number` }).refine(Number.isFinite, `${label} must be a finite number`);
const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max.toLocaleString("en-US")}`);
const between = (label: string, min: number, max: number) =>
  num(label).min(min, `${label} must be between ${min} and ${max}`).max(max, `${label} must be between ${min} and ${max}`);
const learningRate = num("learning rate").gt(0, "learning rate must be above 0").lt(1, "learning rate must be below 1 (e.g. 1e-5)");
const nonNegative = (label: string) => num(label).min(0, `${label} must be 0 or more`);
const backend = z.enum(backends, { error: "backend must be tiny or hf" });
const path = z.string().trim().min(1, "enter a directory");

const tinyShape = {
  n_layer: int("layers", 1, 48),
  n_head: int("heads", 1, 64),
  n_embd: int("width", 8, 8192),
};

export const rewardLaunchConfig = z
  .looseObject({
    backend: backend.optional(),
    model_path: path.optional(),
    lr: learningRate.optional(),
    epochs: int("epochs", 1, 1000).optional(),
    batch_size: int("batch size", 1, 65_536).optional(),
    max_length: int("max length", 8, 1_048_576).optional(),
    seed: int("seed", 0, 2 ** 31 - 1).optional(),
    logging_steps: int("logging steps", 1, 1_000_000).optional(),
    eval_steps: int("eval steps", 0, 1_000_000).optional(),
    save_steps: int("save steps", 0, 1_000_000).optional(),
    warmup_ratio: between("warmup ratio", 0, 1).optional(),
    weight_decay: nonNegative("weight decay").optional(),
    n_layer: tinyShape.n_layer.optional(),
    n_head: tinyShape.n_head.optional(),
    n_embd: tinyShape.n_embd.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.backend === "hf" && !c.model_path) {
      ctx.addIssue({ code: "custom", path: ["model_path"], message: "the hf backend needs a local model directory" });
    }
    const head = c.n_head ?? 4;
    if (c.n_embd !== undefined && c.n_embd % head !== 0) {
      ctx.addIssue({ code: "custom", path: ["n_embd"], message: `width must be a multiple of the heads (${head})` });
    }
  });

export const ppoLaunchConfig = z
  .looseObject({
    backend: backend.optional(),
    policy_path: path.optional(),
    lr: learningRate.optional(),
    total_episodes: int("total episodes", 1, 100_000_000).optional(),
    batch_size: int("batch size", 1, 65_536).optional(),
    num_mini_batches: int("mini-batches", 1, 65_536).optional(),
    ppo_epochs: int("PPO epochs", 1, 100).optional(),
    kl_coef: nonNegative("KL coefficient").optional(),
    cliprange: nonNegative("clip range").optional(),
    cliprange_value: nonNegative("value clip range").optional(),
    vf_coef: nonNegative("value loss weight").optional(),
    gamma: between("gamma", 0, 1).optional(),
    lam: between("lambda", 0, 1).optional(),
    temperature: num("temperature").min(0.01, "temperature must be at least 0.01").max(5, "temperature must be at most 5").optional(),
    max_new_tokens: int("max new tokens", 1, 1_048_576).optional(),
    missing_eos_penalty: nonNegative("missing-EOS penalty").optional(),
    seed: int("seed", 0, 2 ** 31 - 1).optional(),
    logging_steps: int("logging steps", 1, 1_000_000).optional(),
    save_steps: int("save steps", 0, 1_000_000).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.batch_size !== undefined && c.num_mini_batches !== undefined && c.batch_size % c.num_mini_batches !== 0) {
      ctx.addIssue({ code: "custom", path: ["num_mini_batches"], message: "the batch size must split evenly into mini-batches" });
    }
  });

export const generateLaunchConfig = z.looseObject({
  num_samples: int("samples per prompt", 2, 64).optional(),
  temperature: between("temperature", 0, 2).optional(),
  max_new_tokens: int("max new tokens", 1, 1_048_576).optional(),
  max_prompts: int("max prompts", 1, 100_000_000).optional(),
  seed: int("seed", 0, 2 ** 31 - 1).optional(),
});

export const scoreLaunchConfig = z.looseObject({
  batch_size: int("batch size", 1, 65_536).optional(),
  max_length: int("max length", 8, 1_048_576).optional(),
});

const launchConfigs = { REWARD: rewardLaunchConfig, PPO: ppoLaunchConfig, GENERATE: generateLaunchConfig, SCORE: scoreLaunchConfig } as const;

export const launchRunInput = enqueueRunInput.superRefine((input, ctx) => {
  const parsed = launchConfigs[input.kind].safeParse(input.config);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: "custom", path: ["config", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))], message: issue.message });
  }
});
export type LaunchRunInput = z.input<typeof launchRunInput>;
export type LaunchRunOutput = z.output<typeof launchRunInput>;

/**
 * The launch form's starting values: TRL's defaults where TRL has one (PPO), otherwise what finishes a useful run
 * on the backend — the tiny byte-level model trains from scratch in seconds to minutes on a CPU, while an hf model
 * is fine-tuned from a pretrained checkpoint with a small learning rate.
 */
export const launchDefaults: {
  REWARD: Record<Backend, Record<string, number | string>>;
  PPO: Record<Backend, Record<string, number | string>>;
  GENERATE: Record<string, number>;
} = {
  REWARD: {
    tiny: { lr: 1e-3, epochs: 1, batch_size: 16, max_length: 256, seed: 42, logging_steps: 10, n_layer: 2, n_head: 4, n_embd: 128 },
    hf: { lr: 1e-5, epochs: 1, batch_size: 8, max_length: 512, seed: 42, logging_steps: 10, model_path: "" },
  },
  PPO: {
    tiny: {
      lr: 1e-4, total_episodes: 2048, batch_size: 64, num_mini_batches: 1, ppo_epochs: 4, kl_coef: 0.05, cliprange: 0.2,
      cliprange_value: 0.2, vf_coef: 0.1, gamma: 1, lam: 0.95, temperature: 0.7, max_new_tokens: 53, missing_eos_penalty: 1, seed: 42,
    },
    hf: {
      lr: 3e-6, total_episodes: 10_000, batch_size: 16, num_mini_batches: 1, ppo_epochs: 4, kl_coef: 0.05, cliprange: 0.2,
      cliprange_value: 0.2, vf_coef: 0.1, gamma: 1, lam: 0.95, temperature: 0.7, max_new_tokens: 53, missing_eos_penalty: 1, seed: 42,
    },
  },
  GENERATE: { num_samples: 2, temperature: 0.7, max_new_tokens: 128, seed: 42 },
};
