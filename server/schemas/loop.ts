// The loop's forms: a blind arena between two policies, and one iteration queued as a chain of runs
// (server/services/loop.ts).
import { z } from "zod";
import { runConfigSchema } from "@/server/schemas/runs";

export const arenaInput = z.object({
  // the new policy and the one it is measured against (registered models)
  policyModelId: z.string().min(1, "choose the new policy"),
  opponentModelId: z.string().min(1, "choose the policy to compare with"),
  // whose held-out prompts (test split, else train split) both answer
  snapshotId: z.string().min(1, "choose a snapshot"),
  // the annotators of this project may judge the arena (default: the members of the snapshot's first project)
  membersFromProjectId: z.string().min(1).optional(),
  name: z.string().trim().min(1).max(120).optional(),
  // responses per prompt from each policy: one item per pair
  numSamples: z.number().int().min(1).max(8).default(1),
  // more rlhf.generate settings (max_new_tokens, temperature …); from an evaluation, the ones it sampled with
  config: runConfigSchema.default({}),
  gpuCount: z.number().int().min(0).max(64).default(0),
});
export type ArenaInput = z.input<typeof arenaInput>;

export const iterationMethods = ["REWARD", "DPO"] as const;

export const iterationInput = z.object({
  // the project the loop runs on: the arena's annotators are its members
  projectId: z.string().min(1, "choose a project"),
  name: z.string().trim().min(1, "name is required").max(100),
  // the preference data of this iteration (a ready snapshot; its test split is the held-out set). Without one, the
  // iteration first builds a new version of the project's own snapshot ("loop <slug>") of its judgements as they are now
  snapshotId: z.string().min(1, "choose a snapshot").optional(),
  // the share of prompts the built snapshot holds out for the evaluation and the arena
  testRatio: z.number().min(0.05, "hold out at least 5%").max(0.5, "hold out at most half").default(0.2),
  // REWARD: a reward model, then PPO of the policy against it; DPO: the policy trained on the pairs directly
  method: z.enum(iterationMethods),
  // the policy this iteration improves: PPO/DPO start from it, the evaluation and the arena compare with it
  policyModelId: z.string().min(1, "choose the starting policy"),
  // DPO: the reward model that judges the evaluation (default: the active one); REWARD: the new one judges
  rewardModelId: z.string().min(1).optional(),
  // trainer settings per step (each checked against its trainer's schema); empty = the trainer's defaults
  config: z
    .object({
      reward: runConfigSchema.default({}),
      ppo: runConfigSchema.default({}),
      dpo: runConfigSchema.default({}),
      eval: runConfigSchema.default({}),
      generate: runConfigSchema.default({}),
    })
    .default({ reward: {}, ppo: {}, dpo: {}, eval: {}, generate: {} }),
  gpuCount: z.number().int().min(0).max(64).default(0),
  // also queue an arena of the new policy against the starting one
  arena: z.boolean().default(true),
});
export type IterationInput = z.input<typeof iterationInput>;
