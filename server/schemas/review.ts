// The data browser's filters and the review actions. The filters are the browser page's URL query, name for name
// (a filtered view is a link to share); the page, the tRPC procedures and the CSV/JSONL download read them with the
// one schema below.
import { z } from "zod";
import { judgementSchema } from "@/server/schemas/annotation";
import { FLAGS, STRENGTHS } from "@/server/schemas/judgement";

const yesNo = z.enum(["yes", "no"], { message: "yes or no" }).optional();
const id = z.string().trim().min(1).max(64);
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a calendar date")
  .optional();
const seconds = z.coerce.number({ message: "a number of seconds" }).min(0, "at least 0").max(86_400).optional();

export const REVIEW_FILTERS = ["unreviewed", "accepted", "rejected", "corrected"] as const;
export const BROWSE_SORTS = ["newest", "oldest", "slowest", "fastest"] as const;
export type BrowseSort = (typeof BROWSE_SORTS)[number];

export const browseFiltersSchema = z
  .object({
    annotator: id.optional(),
    /** a model among the item's candidates */
    model: z.string().trim().min(1).max(200).optional(),
    item: id.optional(),
    strength: z.enum(STRENGTHS).optional(),
    /** the ranking puts two or more candidates in one group */
    tie: yesNo,
    bothBad: yesNo,
    /** yes: any flag; no: none; or one flag by name */
    flag: z.enum(["yes", "no", ...FLAGS]).optional(),
    /** gold items only: passed, failed; no: non-gold only */
    gold: z.enum(["passed", "failed", "any", "no"]).optional(),
    late: yesNo,
    surplus: yesNo,
    minSeconds: seconds,
    maxSeconds: seconds,
    /** UTC days, both included */
    from: day,
    to: day,
    /** another annotator of the same item chose a different best group (or the other thumbs) */
    disagree: yesNo,
    /** the latest AI judge of the item chose a different best group (or the other thumbs) */
    judgeDisagree: yesNo,
    review: z.enum(REVIEW_FILTERS).optional(),
    sort: z.enum(BROWSE_SORTS).default("newest"),
  })
  .refine((f) => f.minSeconds === undefined || f.maxSeconds === undefined || f.minSeconds <= f.maxSeconds, {
    message: "the minimum time must not exceed the maximum",
    path: ["maxSeconds"],
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "`from` must not be after `to`", path: ["to"] });

export type BrowseFilters = z.output<typeof browseFiltersSchema>;
export type BrowseFiltersInput = z.input<typeof browseFiltersSchema>;

/** The URL query's names, in the order the page writes them. */
export const BROWSE_FILTER_KEYS = [
  "annotator", "model", "item", "strength", "tie", "bothBad", "flag", "gold", "late", "surplus",
  "minSeconds", "maxSeconds", "from", "to", "disagree", "judgeDisagree", "review", "sort",
] as const satisfies readonly (keyof BrowseFilters)[];

/** A URL query (first value of each name; empty values are "no filter") as the schema's input. */
export function filtersFromQuery(query: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of BROWSE_FILTER_KEYS) {
    const v = query[key];
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined && first !== "") out[key] = first;
  }
  return out;
}

/** The filters as a URL query (defaults left out), the inverse of filtersFromQuery. */
export function filtersToQuery(filters: Partial<Record<(typeof BROWSE_FILTER_KEYS)[number], string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const key of BROWSE_FILTER_KEYS) {
    const v = filters[key];
    if (v === undefined || v === "" || (key === "sort" && v === "newest")) continue;
    q.set(key, String(v));
  }
  return q.toString();
}

/** An opaque keyset cursor: the sort value and id of the last row shown. */
const cursorSchema = z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, "a cursor from a previous page");

export const browseInputSchema = z.object({
  projectId: id,
  filters: browseFiltersSchema,
  cursor: cursorSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const judgementIdSchema = z.object({ projectId: id, annotationId: id });

export const REJECTION_REASONS = [
  "Did not follow the guidelines",
  "Preferred the worse response",
  "Careless or too fast",
  "Rationale missing or wrong",
  "Flag wrong or missing",
] as const;

export const reviewActionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("accept"), note: z.string().max(1000).default("") }),
  z.object({ action: z.literal("reject"), reason: z.string().trim().min(1, "say why it is rejected").max(1000) }),
  z.object({
    action: z.literal("correct"),
    /** the corrected judgement (checked with the project's rules, as a submit is) */
    judgement: judgementSchema.omit({ timeSpentMs: true }),
    note: z.string().max(1000).default(""),
  }),
]);

export const reviewInputSchema = z.object({ projectId: id, annotationId: id, review: reviewActionSchema });
export type ReviewAction = z.output<typeof reviewActionSchema>;

export const adjudicateInputSchema = z.object({
  projectId: id,
  itemId: id,
  /** the final answer: ordered groups of candidate ids, best first */
  ranking: judgementSchema.shape.ranking,
  strength: judgementSchema.shape.strength,
  note: z.string().max(1000).default(""),
});

export const setGoldInputSchema = z.object({
  projectId: id,
  itemId: id,
  /** false: the item is no longer gold */
  gold: z.boolean(),
  /** pairwise and ranking: the expected ranking (ordered groups of candidate ids, best first) */
  ranking: judgementSchema.shape.ranking.optional(),
  /** rating: the expected thumbs */
  thumbs: z.boolean().optional(),
});
