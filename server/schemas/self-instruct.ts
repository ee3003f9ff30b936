// Self-Instruct bootstrapping (Wang et al., 2022): the seed tasks' layout and the options of a run.
import { z } from "zod";
import { alpacaRowSchema } from "@/server/schemas/import";

/** One seed task, as the paper's seed_tasks.jsonl spells it after flattening: {instruction, input?, output?}. */
export const seedTaskSchema = alpacaRowSchema;
export type SeedTask = z.infer<typeof seedTaskSchema>;

export const selfInstructOptionsSchema = z.object({
  /** how many new instructions to keep */
  target: z.number().int().min(1).max(100_000),
  /** in-context examples per request: the paper's 8 (6 seeds + 2 generated once there are any) */
  examples: z.number().int().min(2).max(20).default(8),
  /** generated examples among them, once enough are kept */
  generatedExamples: z.number().int().min(0).max(10).default(2),
  /** drop instructions that start with a non-ASCII character (the paper's "non-English" heuristic) */
  englishOnly: z.boolean().default(true),
  /** keep an instruction only if its ROUGE-L with every kept one (and every seed) is below this */
  maxRougeL: z.number().min(0).max(1).default(0.7),
  temperature: z.number().min(0).max(2).default(1),
  maxTokens: z.number().int().min(16).max(8192).default(1024),
  /** give up after this many requests in all (a model that only repeats itself would run forever) */
  maxRequests: z.number().int().min(1).max(1_000_000).optional(),
  /** seeds the choice of in-context examples */
  seed: z.number().int().default(0),
});
export type SelfInstructOptions = z.infer<typeof selfInstructOptionsSchema>;

export const FILTER_REASONS = ["too_short", "too_long", "unsuitable_keyword", "program", "punctuation", "non_english", "similar", "empty"] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

export interface SelfInstructCounts {
  requests: number;
  failedRequests: number;
  generated: number;
  kept: number;
  filtered: Record<FilterReason, number>;
  /** the last request error, for the run's page */
  lastError: string | null;
}
