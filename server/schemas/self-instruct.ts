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
  /**
   * Comparison and rating projects: responses the same endpoint writes to each kept instruction, so it lands as an
   * item ready to judge (default: 2 for pairwise, 4 for ranking, 1 for rating). Demonstration projects take none:
   * the annotators write the answers.
   */
  responses: z.number().int().min(1).max(9).optional(),
  responseTemperature: z.number().min(0).max(2).default(0.7),
  responseMaxTokens: z.number().int().min(16).max(32_768).default(512),
});
export type SelfInstructOptions = z.infer<typeof selfInstructOptionsSchema>;

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * A SELF_INSTRUCT run's config (snake_case, like every run's): the options above under their snake_case names
 * (max_rouge_l, english_only, …) and the seed tasks themselves, so the run is reproducible from its row alone.
 */
export const selfInstructRunConfig = z
  .object({
    seed_tasks: z.array(seedTaskSchema).min(1, "upload at least one seed task").max(10_000, "at most 10,000 seed tasks"),
    ...Object.fromEntries(Object.entries(selfInstructOptionsSchema.shape).map(([key, schema]) => [snakeCase(key), schema])),
  })
  .strict();

/** The seed tasks and options of a SELF_INSTRUCT run's config (checked at launch; checked again here). */
export function selfInstructRunOptions(config: unknown): { seeds: SeedTask[]; options: SelfInstructOptions } {
  const { seed_tasks, ...rest } = selfInstructRunConfig.parse(config) as { seed_tasks: SeedTask[] } & Record<string, unknown>;
  return { seeds: seed_tasks, options: selfInstructOptionsSchema.parse(Object.fromEntries(Object.entries(rest).map(([k, v]) => [camelCase(k), v]))) };
}

/** A seed file (JSONL, one task per line): its tasks, and every bad line with its line number and field. */
export function parseSeeds(text: string): { seeds: SeedTask[]; errors: string[] } {
  const seeds: SeedTask[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      errors.push(`line ${i + 1}: not valid JSON`);
      return;
    }
    const r = seedTaskSchema.safeParse(obj);
    if (r.success) seeds.push(r.data);
    else for (const issue of r.error.issues) errors.push(`line ${i + 1}: ${issue.path.join(".") || "(row)"}: ${issue.message}`);
  });
  if (errors.length === 0 && seeds.length === 0) errors.push("the seed file has no tasks");
  return { seeds, errors };
}

// unanswered: a comparison or rating project's instruction whose responses failed, or came back too few distinct
export const FILTER_REASONS = ["too_short", "too_long", "unsuitable_keyword", "program", "punctuation", "non_english", "similar", "empty", "unanswered"] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

export interface SelfInstructCounts {
  /** the paper's bootstrap requests (what max_requests bounds) */
  requests: number;
  /** a comparison or rating project's requests for responses to the kept instructions */
  responseRequests: number;
  failedRequests: number;
  generated: number;
  kept: number;
  filtered: Record<FilterReason, number>;
  /** the last request error, for the run's page */
  lastError: string | null;
}
