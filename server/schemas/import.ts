// Zod schemas for everything an import accepts: the options (HTTP query, CLI flags, upload form) and one row of each
// file format. Each row schema is applied to one line, so its issues become `{ line, field, message }` errors.
import { z } from "zod";

export const importFormats = ["jsonl", "trl", "hh", "openai", "csv", "alpaca", "sni"] as const;
export const importFormatSchema = z.enum(importFormats);
export type ImportFormat = z.infer<typeof importFormatSchema>;

/** `auto` detects the format from the first non-empty line (or CSV header). */
export const importFormatOptionSchema = z.enum(["auto", ...importFormats]).default("auto");

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
  .optional()
  .transform((v) => v === true || v === "true" || v === "1");

/** Options that travel as strings (query string, form fields); the service takes the parsed result. */
export const importOptionsSchema = z.object({
  format: importFormatOptionSchema,
  skipInvalid: flag,
  trlAsGold: flag,
  splitCandidates: flag,
  /** leave out rows whose prompt is within ROUGE-L NEAR_DUPLICATE_ROUGE_L of a different prompt of the project */
  skipNearDuplicates: flag,
});

/** The Self-Instruct paper's similarity bound, used for near-duplicate prompts at import too. */
export const NEAR_DUPLICATE_ROUGE_L = 0.7;
export type ImportOptionsInput = z.input<typeof importOptionsSchema>;

export const MAX_CANDIDATES = 9;
const maxInt = 2_147_483_647;

const nonBlank = z.string().refine((s) => s.trim().length > 0, { message: "must not be empty" });

export const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: nonBlank,
});

const metadataSchema = z.record(z.string(), z.unknown());

/** A prompt as messages, ending with what the user asked; a bare string is one user message. */
export const promptSchema = z
  .union([nonBlank.transform((content) => [{ role: "user" as const, content }]), z.array(messageSchema).min(1)])
  .refine((messages) => messages[messages.length - 1].role === "user", {
    message: "the last message of a prompt must have role \"user\"",
  });

const indexSchema = z.number().int().min(0);

/**
 * The project's own JSONL: one item (or, with splitCandidates, several) per line. How many candidates a row needs
 * depends on the project's task type (import/items.ts): 2 or more to compare, 1 or more to rate (an item each), none
 * or some for demonstrations (none: write from scratch; each candidate: an item to improve).
 */
export const jsonlRowSchema = z.object({
  prompt: promptSchema,
  candidates: z
    .array(
      z.object({
        text: nonBlank,
        model: z.string().min(1).max(200).optional(),
        metadata: metadataSchema.optional(),
      }),
    )
    .default([]),
  priority: z.number().int().min(-maxInt).max(maxInt).optional(),
  gold: z
    .union([
      z.object({ ranking: z.array(z.array(indexSchema).min(1)).min(1) }),
      z.object({ chosen: indexSchema }),
      // a rating item's known answer: thumbs up (true) or down (false)
      z.object({ thumbs: z.boolean() }),
    ])
    .optional(),
  metadata: metadataSchema.optional(),
  source: z.string().max(500).optional(),
});
export type JsonlRow = z.infer<typeof jsonlRowSchema>;

/** TRL preference rows: standard (strings) or conversational (message lists); `prompt` may be implicit. */
const trlCompletionSchema = z.union([nonBlank, z.array(messageSchema).min(1)]);
export const trlRowSchema = z.object({
  prompt: z.union([nonBlank, z.array(messageSchema).min(1)]).optional(),
  chosen: trlCompletionSchema,
  rejected: trlCompletionSchema,
});
export type TrlRow = z.infer<typeof trlRowSchema>;

/** Anthropic HH-RLHF: two full transcripts `\n\nHuman: …\n\nAssistant: …` that differ in the last assistant turn. */
export const hhRowSchema = z.object({ chosen: nonBlank, rejected: nonBlank });

/** OpenAI chat format: the last message is the assistant's response, i.e. the candidate. */
export const openaiRowSchema = z.object({
  messages: z
    .array(messageSchema)
    .min(2, "needs a prompt and the assistant's response")
    .refine((m) => m[m.length - 1].role === "assistant", {
      message: "the last message must be the assistant's response (role \"assistant\")",
    }),
  model: z.string().min(1).max(200).optional(),
  metadata: metadataSchema.optional(),
});

/**
 * Self-Instruct / Alpaca instruction data: the instruction (with its input, when there is one) is the prompt; the
 * output, when present, is a candidate — to rate, or to improve as a demonstration.
 */
export const alpacaRowSchema = z.object({
  instruction: nonBlank,
  input: z.string().optional(),
  output: z.string().optional(),
});

/**
 * A Super-NaturalInstructions task file (github.com/allenai/natural-instructions, tasks/taskNNN_*.json): one JSON
 * document with the task's Definition and its Instances (input + reference outputs).
 */
export const sniTaskSchema = z.object({
  Definition: z.array(nonBlank).min(1, "needs the task definition"),
  Source: z.array(z.string()).optional(),
  Instances: z
    .array(z.object({ id: z.string().optional(), input: z.string(), output: z.array(z.string()).default([]) }))
    .min(1, "the task has no instances"),
});

/** CSV columns: prompt, response_1..response_9, model_1..model_9, optional priority and source. */
export const csvColumnPattern = /^(prompt|priority|source|response_[1-9]|model_[1-9])$/;
export const csvRowSchema = z.object({
  prompt: nonBlank,
  priority: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || Math.abs(n) > maxInt) {
        ctx.addIssue({ code: "custom", message: "must be a whole number" });
        return z.NEVER;
      }
      return n;
    }),
  source: z.string().max(500).optional(),
});

export interface ImportCounts {
  prompts: number;
  candidates: number;
  items: number;
  reusedPrompts: number;
  reusedCandidates: number;
  /** items already in the project (or repeated in the file): not created again */
  duplicateItems: number;
  /** lines left out with skipInvalid */
  rejected: number;
  /** lines left out as near-duplicates of another prompt (skipNearDuplicates) */
  nearDuplicates?: number;
}

export interface ImportSummary {
  jobId: string;
  projectId: string;
  status: "SUCCEEDED" | "FAILED";
  format: ImportFormat;
  fileName: string;
  bytesRead: number;
  linesRead: number;
  counts: ImportCounts;
  errors: { line: number; field: string; message: string }[];
  errorCount: number;
  /** path of the rejected lines (skipInvalid only, when some were rejected) */
  rejectedLinesPath: string | null;
  durationMs: number;
}
