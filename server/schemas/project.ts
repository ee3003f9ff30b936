import { z } from "zod";
import { TASK_TYPES } from "@/server/schemas/judgement";

const scaleLabel = z.string().trim().min(1, "required").max(40);
export const scaleSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("likert"),
    points: z.union([z.literal(5), z.literal(7), z.literal(10)], { message: "5, 7 or 10 points" }),
    // one label per point, or two: the ends
    labels: z.array(scaleLabel).max(10).optional(),
  }).refine((s) => !s.labels || s.labels.length === 2 || s.labels.length === s.points, { message: "give two labels (the ends) or one per point", path: ["labels"] }),
  z.object({ kind: z.literal("binary"), labels: z.tuple([scaleLabel, scaleLabel]).default(["No", "Yes"]) }),
]);

export const criterionSchema = z.object({
  key: z.string().trim().regex(/^[a-z][a-z0-9_]{0,39}$/, "lowercase letters, digits and _ (starts with a letter)"),
  label: z.string().trim().min(1).max(60),
  description: z.string().max(500).default(""),
  scale: scaleSchema.default({ kind: "likert", points: 7 }),
});

/** Items per annotator (per UTC day, or in all); null: no cap. */
export const capSchema = z
  .number({ message: "a number of items" })
  .int("a whole number of items")
  .min(1, "a cap is at least 1 item (empty: no cap)")
  .max(1_000_000, "at most 1,000,000")
  .nullable();

// The fields once, without defaults: an update must leave every setting it does not send untouched, and zod
// would fill a `.default()` into a `.partial()` schema.
const fields = {
  name: z.string().trim().min(1, "required").max(120),
  slug: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2–63 lowercase letters, digits and dashes"),
  guidelines: z.string().max(100_000),
  taskType: z.enum(TASK_TYPES),
  criteria: z
    .array(criterionSchema)
    .max(10)
    .refine((c) => new Set(c.map((x) => x.key)).size === c.length, "criterion keys must be unique"),
  allowTies: z.boolean(),
  requireRationale: z.boolean(),
  overlap: z.number().int().min(1, "at least 1").max(50),
  leaseSeconds: z.number().int().min(30, "at least 30 seconds").max(24 * 3600),
  goldRate: z.number().min(0).max(0.5, "at most 0.5"),
  showModelNames: z.boolean(),
  activeLearning: z.boolean(),
  thumbs: z.boolean(),
  editsAsPreference: z.boolean(),
  reviewSampleRate: z.number().min(0).max(1, "at most 1 (every judgement)"),
  reviewFlagged: z.boolean(),
  reviewFailedGold: z.boolean(),
  reviewDisagreeing: z.boolean(),
  /** null: no automatic pause */
  minGoldAccuracy: z.number().min(0).max(1, "a share between 0 and 1").nullable(),
  minGoldAnswers: z.number().int().min(1, "at least 1").max(10_000),
  dailyCap: capSchema,
  totalCap: capSchema,
  /** annotators see their own gold accuracy in this project on their statistics page */
  showGoldAccuracy: z.boolean(),
  /** what annotators see of an AI judge's verdict: nothing, after they submit, or as a prefill to confirm */
  suggestionMode: z.enum(["HIDDEN", "AFTER_SUBMIT", "PREFILL"]),
  reviewJudgeDisagreeing: z.boolean(),
};

export const projectSettingsSchema = z.object({
  ...fields,
  guidelines: fields.guidelines.default(""),
  taskType: fields.taskType.default("PAIRWISE"),
  criteria: fields.criteria.default([]),
  allowTies: fields.allowTies.default(true),
  requireRationale: fields.requireRationale.default(false),
  overlap: fields.overlap.default(1),
  leaseSeconds: fields.leaseSeconds.default(600),
  goldRate: fields.goldRate.default(0),
  showModelNames: fields.showModelNames.default(false),
  activeLearning: fields.activeLearning.default(false),
  thumbs: fields.thumbs.default(true),
  editsAsPreference: fields.editsAsPreference.default(false),
  reviewSampleRate: fields.reviewSampleRate.default(0.1),
  reviewFlagged: fields.reviewFlagged.default(true),
  reviewFailedGold: fields.reviewFailedGold.default(true),
  reviewDisagreeing: fields.reviewDisagreeing.default(true),
  minGoldAccuracy: fields.minGoldAccuracy.default(null),
  minGoldAnswers: fields.minGoldAnswers.default(10),
  dailyCap: fields.dailyCap.default(null),
  totalCap: fields.totalCap.default(null),
  showGoldAccuracy: fields.showGoldAccuracy.default(false),
  suggestionMode: fields.suggestionMode.default("HIDDEN"),
  reviewJudgeDisagreeing: fields.reviewJudgeDisagreeing.default(false),
}).refine((p) => p.taskType !== "DEMONSTRATION" || p.goldRate === 0, {
  // a demonstration has no single right answer to check against
  message: "demonstration projects have no gold: gold checks ratings and comparisons",
  path: ["goldRate"],
}).refine((p) => p.taskType !== "RATING" || p.thumbs || p.criteria.length > 0, {
  message: "a rating project asks for thumbs, criteria or both",
  path: ["criteria"],
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const projectUpdateSchema = z.object(fields).partial().extend({ id: z.string().min(1) });

/** An admin pauses a project: nobody gets a new item until it resumes; annotators read `message` instead. */
export const projectPauseSchema = z.object({
  id: z.string().min(1),
  message: z.string().trim().max(1000, "at most 1,000 characters").default(""),
});

/** A member's own caps, in place of the project's; null: the project's. */
export const memberCapsSchema = z.object({
  projectId: z.string().min(1),
  userId: z.string().min(1),
  dailyCap: capSchema,
  totalCap: capSchema,
});
export type MemberCaps = z.infer<typeof memberCapsSchema>;
