// Snapshot definitions: what an export selects, how overlapping judgements are aggregated, how rows are split and
// written. Shared by the export service, the CLI, the HTTP API and the admin router.
import { z } from "zod";

export const exportFormats = [
  "trl",
  "trl-conversational",
  "hh",
  "ultrafeedback-binarized",
  "ultrafeedback-raw",
  "sft",
  "sft-conversational",
  "sft-messages",
  "kto",
  "raw",
] as const;
export const exportFileTypes = ["jsonl", "parquet"] as const;
export const aggregationPolicies = ["all", "majority", "bradley_terry", "adjudicated"] as const;
export const bothBadModes = ["drop", "keep"] as const;
/** whose judgements a snapshot holds: people's, an AI judge's (RLAIF), or both with a `source` column per row */
export const labelSources = ["human", "ai", "both"] as const;
/** the formats that take an AI judge's labels: its verdicts are preferences, with no rationale, rating or written response */
export const aiLabelFormats = ["trl", "trl-conversational", "hh", "raw"] as const;

export type ExportFormat = (typeof exportFormats)[number];
export type ExportFileType = (typeof exportFileTypes)[number];
export type AggregationPolicy = (typeof aggregationPolicies)[number];
export type BothBadMode = (typeof bothBadModes)[number];
export type LabelSource = (typeof labelSources)[number];

const isoDate = z.coerce.date();

export const exportFiltersSchema = z
  .object({
    /** annotations created at or after this instant */
    from: isoDate.optional(),
    /** annotations created strictly before this instant */
    to: isoDate.optional(),
    /** drop every item on which any annotator raised a flag (unsafe, PII, …) */
    excludeFlagged: z.boolean().default(false),
    /** drop gold (quality-control) items */
    excludeGold: z.boolean().default(false),
    /** drop annotators whose share of correct gold answers is below this (annotators with no gold answers are kept) */
    minGoldAccuracy: z.number().min(0).max(1).optional(),
    /** drop annotators whose account is deactivated */
    excludeInactiveAnnotators: z.boolean().default(false),
    /** keep only items with at least this many judgements (counted after the other filters) */
    minJudgements: z.number().int().min(1).optional(),
    /** keep judgements a reviewer rejected (left out by default) */
    includeRejected: z.boolean().default(false),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: "`from` must be before `to`", path: ["to"] });

export const aggregationSchema = z.object({
  policy: z.enum(aggregationPolicies).default("all"),
  /**
   * What to do with a pair whose votes are split evenly (majority) or whose scores are equal (bradley_terry):
   * `drop` leaves it out; `keep` writes it once with margin 0 (candidates in a stable order).
   */
  ties: z.enum(["drop", "keep"]).default("drop"),
  /** share of the votes on a pair that must agree with the exported direction (0 keeps everything) */
  minAgreement: z.number().min(0).max(1).default(0),
});

export const splitSchema = z.object({
  /** share of prompts that go to the test split; a prompt's rows never straddle the splits */
  testRatio: z.number().min(0).max(1).default(0.1),
  /** changes which prompts land in test without changing the ratio */
  seed: z.string().max(100).default(""),
});

export const snapshotDefinitionSchema = z
  .object({
    projectIds: z.array(z.string().min(1)).min(1, "choose at least one project"),
    filters: exportFiltersSchema.default({ excludeFlagged: false, excludeGold: false, excludeInactiveAnnotators: false, includeRejected: false }),
    aggregation: aggregationSchema.default({ policy: "all", ties: "drop", minAgreement: 0 }),
    split: splitSchema.default({ testRatio: 0.1, seed: "" }),
    // "ultrafeedback" named the layout before it was split into the two public ones; it was closest to the raw one
    format: z.preprocess((f) => (f === "ultrafeedback" ? "ultrafeedback-raw" : f), z.enum(exportFormats)).default("trl"),
    /**
     * Judgements whose annotator marked every response bad: `drop` leaves their pairs out of the preference formats
     * (TRL, HH, UltraFeedback); `keep` keeps them and adds a `both_bad` column saying which rows they are behind.
     * Whatever the mode, KTO writes their responses as undesirable and SFT never takes one of them as good.
     */
    bothBad: z.enum(bothBadModes).default("drop"),
    /**
     * `ai`: the verdicts of one AI judge (the suggestions of `judgeRunId`, a JUDGE or SCORE run) instead of the
     * people's judgements; `both`: the two mixed, every row one judgement's (aggregation `all`) with a `source`
     * column, human or ai.
     */
    labels: z.enum(labelSources).default("human"),
    judgeRunId: z.string().min(1).optional(),
    /** kto: a rating counts as desirable when its mean over the criteria is at least this (thumbs decide first) */
    ktoThreshold: z.number().min(0).max(10).default(5),
    fileType: z.enum(exportFileTypes).default("jsonl"),
    gzip: z.boolean().default(false),
  })
  .refine((d) => !(d.gzip && d.fileType === "parquet"), {
    message: "gzip applies to JSONL only (Parquet files are compressed inside)",
    path: ["gzip"],
  })
  .refine((d) => d.labels === "human" || d.judgeRunId, { message: "choose the AI judge run whose labels to export", path: ["judgeRunId"] })
  .refine((d) => d.labels === "human" || (aiLabelFormats as readonly string[]).includes(d.format), {
    message: "an AI judge's labels export as preference pairs (TRL, TRL conversational, HH) or raw",
    path: ["format"],
  })
  .refine((d) => d.labels !== "both" || d.aggregation.policy === "all", {
    message: "mixing AI and human labels keeps every judgement as its own row, each with its source: use aggregation all",
    path: ["aggregation", "policy"],
  });

export type SnapshotDefinition = z.infer<typeof snapshotDefinitionSchema>;
export type SnapshotDefinitionInput = z.input<typeof snapshotDefinitionSchema>;
export type ExportFilters = z.infer<typeof exportFiltersSchema>;
export type Aggregation = z.infer<typeof aggregationSchema>;

export const snapshotNameSchema = z
  .string()
  .trim()
  .min(1, "name is required")
  .max(100)
  .regex(/^[\w .:-]+$/, "use letters, digits, spaces and . _ : -");

export const createSnapshotInputSchema = z.object({ name: snapshotNameSchema }).and(snapshotDefinitionSchema);
export type CreateSnapshotInput = z.input<typeof createSnapshotInputSchema>;

export const snapshotIdSchema = z.object({ id: z.string().min(1) });

/** One file of a snapshot, as recorded on the Snapshot row. */
export const snapshotFileSchema = z.object({
  name: z.string(),
  split: z.enum(["train", "test"]).nullable(),
  bytes: z.number().int(),
  sha256: z.string(),
  rows: z.number().int().nullable(),
});
export type SnapshotFile = z.infer<typeof snapshotFileSchema>;

export interface SnapshotStats {
  /** rows written per split */
  rows: { train: number; test: number };
  annotations: number;
  /** pairwise comparisons among the selected annotations (before aggregation) */
  comparisons: number;
  /** annotations with a tie (no comparison produced) */
  tieAnnotations: number;
  /** annotations that marked every response bad, and the comparisons among them (absent on older snapshots) */
  bothBadAnnotations?: number;
  bothBadComparisons?: number;
  prompts: number;
  items: number;
  annotators: number;
  /** candidate count per model name ("unknown" when the candidate has none) */
  models: Record<string, number>;
  /**
   * mean share of votes agreeing with the majority on pairs judged more than once (null when no pair was);
   * ties count as their own answer
   */
  agreement: number | null;
  /** pairs judged more than once */
  multiVotePairs: number;
  /** what a person should know before training on the snapshot (an empty split, say); absent on older snapshots */
  warnings?: string[];
}
