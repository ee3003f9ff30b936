import { z } from "zod";

export const criterionSchema = z.object({
  key: z.string().trim().regex(/^[a-z][a-z0-9_]{0,39}$/, "lowercase letters, digits and _ (starts with a letter)"),
  label: z.string().trim().min(1).max(60),
  description: z.string().max(500).default(""),
});

export const projectSettingsSchema = z.object({
  name: z.string().trim().min(1, "required").max(120),
  slug: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2–63 lowercase letters, digits and dashes"),
  guidelines: z.string().max(100_000).default(""),
  taskType: z.enum(["PAIRWISE", "RANKING"]).default("PAIRWISE"),
  criteria: z
    .array(criterionSchema)
    .max(10)
    .default([])
    .refine((c) => new Set(c.map((x) => x.key)).size === c.length, "criterion keys must be unique"),
  allowTies: z.boolean().default(true),
  requireRationale: z.boolean().default(false),
  overlap: z.number().int().min(1, "at least 1").max(50).default(1),
  leaseSeconds: z.number().int().min(30, "at least 30 seconds").max(24 * 3600).default(600),
  goldRate: z.number().min(0).max(0.5, "at most 0.5").default(0),
  showModelNames: z.boolean().default(false),
  activeLearning: z.boolean().default(false),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const projectUpdateSchema = projectSettingsSchema.partial().extend({ id: z.string().min(1) });
