import { z } from "zod";

export const criterionSchema = z.object({
  key: z.string().trim().regex(/^[a-z][a-z0-9_]{0,39}$/, "lowercase letters, digits and _ (starts with a letter)"),
  label: z.string().trim().min(1).max(60),
  description: z.string().max(500).default(""),
});

// The fields once, without defaults: an update must leave every setting it does not send untouched, and zod
// would fill a `.default()` into a `.partial()` schema.
const fields = {
  name: z.string().trim().min(1, "required").max(120),
  slug: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2–63 lowercase letters, digits and dashes"),
  guidelines: z.string().max(100_000),
  taskType: z.enum(["PAIRWISE", "RANKING"]),
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
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const projectUpdateSchema = z.object(fields).partial().extend({ id: z.string().min(1) });
