// The rules of a judgement, in one place for both sides: the server checks every submit and edit with
// `judgementErrors`, and the annotation page runs the same function on its draft before sending, so an annotator
// hears about a problem at once and in the same words. Plain TypeScript without zod: the page imports it, and its
// first load must stay small (the tRPC input schemas in ./annotation.ts build on the constants here).
import type { FieldError } from "@/server/errors";

export const STRENGTHS = ["MUCH_BETTER", "BETTER", "SLIGHTLY_BETTER", "TIE"] as const;
export type Strength = (typeof STRENGTHS)[number];

export const FLAGS = ["unsafe", "factually_wrong", "off_topic", "pii", "other"] as const;
export type Flag = (typeof FLAGS)[number];

export const FLAG_LABELS: Record<Flag, string> = {
  unsafe: "Unsafe",
  factually_wrong: "Factually wrong",
  off_topic: "Off-topic",
  pii: "Contains PII",
  other: "Other",
};

export const TASK_TYPES = ["PAIRWISE", "RANKING", "RATING", "DEMONSTRATION"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/**
 * How a criterion is rated: a Likert scale of 5, 7 or 10 points (1 … points), optionally with anchor labels (one per
 * point, or two for the ends), or binary (0 / 1, with its two labels). A criterion without a scale is 7-point Likert.
 */
export type Scale = { kind: "likert"; points: 5 | 7 | 10; labels?: string[] } | { kind: "binary"; labels: [string, string] };
export const DEFAULT_SCALE: Scale = { kind: "likert", points: 7 };

/** The values of a scale, in order, with what to call each. */
export function scaleValues(scale: Scale = DEFAULT_SCALE): { value: number; label: string | null }[] {
  if (scale.kind === "binary") return [{ value: 0, label: scale.labels[0] }, { value: 1, label: scale.labels[1] }];
  const labels = scale.labels ?? [];
  return Array.from({ length: scale.points }, (_, i) => ({
    value: i + 1,
    label: labels.length === scale.points ? labels[i] : labels.length === 2 && (i === 0 || i === scale.points - 1) ? labels[i === 0 ? 0 : 1] : null,
  }));
}

export const MIN_CANDIDATES = 2;
export const MAX_CANDIDATES = 9;
export const MAX_RATIONALE = 5000;
export const MAX_FLAG_NOTE = 1000;
export const MAX_DEMONSTRATION = 100_000;
/** Window during which an annotator may edit their last submission. */
export const EDIT_WINDOW_SECONDS = 5 * 60;

export interface Judgement {
  /** ordered groups of candidate ids, best first; a group of more than one is a tie; RATING: [[the candidate]];
   * DEMONSTRATION: [] */
  ranking: string[][];
  /** pairwise items only */
  strength?: Strength;
  bothBad: boolean;
  /** { candidateId: { criterionKey: value on the criterion's scale } } */
  ratings: Record<string, Record<string, number>>;
  /** RATING: thumbs up (true) or down (false) */
  thumbs?: boolean;
  /** DEMONSTRATION: the response written, or the improved version of `demonstrationFrom` */
  demonstration?: string;
  /** DEMONSTRATION: the candidate the annotator started from (an item with one); absent when written from scratch */
  demonstrationFrom?: string;
  rationale: string;
  flags: Flag[];
  flagNote: string;
  /** measured client-side from the item first shown to submit */
  timeSpentMs: number;
}

/** What of a project decides whether a judgement is acceptable. */
export interface JudgementRules {
  taskType: TaskType;
  allowTies: boolean;
  requireRationale: boolean;
  /** RATING: the thumbs are asked for */
  thumbs?: boolean;
  criteria: { key: string; scale?: Scale }[];
}

/** Every problem of a judgement for an item with these candidates, at once; empty when it is acceptable. */
export function judgementErrors(rules: JudgementRules, candidateIds: string[], j: Judgement): FieldError[] {
  const errors: FieldError[] = [];
  const known = new Set(candidateIds);
  const seen = new Set<string>();
  j.ranking.forEach((group, gi) =>
    group.forEach((id, ci) => {
      if (!known.has(id)) errors.push({ field: `ranking.${gi}.${ci}`, message: `unknown candidate id "${id}"` });
      else if (seen.has(id)) errors.push({ field: `ranking.${gi}.${ci}`, message: `candidate "${id}" appears twice` });
      seen.add(id);
    }),
  );
  const missing = candidateIds.filter((id) => !seen.has(id));
  if (rules.taskType === "DEMONSTRATION") {
    if (j.ranking.length) errors.push({ field: "ranking", message: "a demonstration ranks nothing" });
  } else if (missing.length) {
    errors.push({ field: "ranking", message: `not a permutation of the item's candidates: missing ${missing.join(", ")}` });
  }
  const tied = j.ranking.some((g) => g.length > 1);
  if (tied && !rules.allowTies) errors.push({ field: "ranking", message: "this project does not allow ties" });
  if (rules.taskType === "PAIRWISE") {
    if (!j.strength) errors.push({ field: "strength", message: "required for pairwise items" });
    else if ((j.strength === "TIE") !== tied) {
      errors.push({ field: "strength", message: j.strength === "TIE" ? "a tie must rank both candidates together" : "ranking is a tie but strength is not TIE" });
    }
    if (j.strength === "TIE" && !rules.allowTies) errors.push({ field: "strength", message: "this project does not allow ties" });
  } else if (j.strength) {
    errors.push({ field: "strength", message: "only pairwise items take a strength" });
  }
  if (rules.taskType === "RATING") {
    if (rules.thumbs && j.thumbs === undefined) errors.push({ field: "thumbs", message: "thumbs up or down is required" });
    if (!rules.thumbs && j.thumbs !== undefined) errors.push({ field: "thumbs", message: "this project does not ask for thumbs" });
    const rated = j.ratings[candidateIds[0]] ?? {};
    for (const c of rules.criteria) if (rated[c.key] === undefined) errors.push({ field: `ratings.${candidateIds[0]}.${c.key}`, message: "rate every criterion" });
  } else if (j.thumbs !== undefined) {
    errors.push({ field: "thumbs", message: "only rating items take thumbs" });
  }
  if (rules.taskType === "DEMONSTRATION") {
    if (!j.demonstration?.trim()) errors.push({ field: "demonstration", message: "write the response" });
    else if (j.demonstration.length > MAX_DEMONSTRATION) errors.push({ field: "demonstration", message: `at most ${MAX_DEMONSTRATION} characters` });
    const from = candidateIds[0];
    if (from ? j.demonstrationFrom !== from : j.demonstrationFrom !== undefined) {
      errors.push({ field: "demonstrationFrom", message: from ? "an improved response names the candidate it started from" : "this item has no response to start from" });
    }
  } else if (j.demonstration !== undefined || j.demonstrationFrom !== undefined) {
    errors.push({ field: "demonstration", message: "only demonstration items take a written response" });
  }
  const criteria = new Map(rules.criteria.map((c) => [c.key, c.scale ?? DEFAULT_SCALE]));
  for (const [cid, ratings] of Object.entries(j.ratings)) {
    if (!known.has(cid)) errors.push({ field: `ratings.${cid}`, message: `unknown candidate id "${cid}"` });
    for (const [key, value] of Object.entries(ratings)) {
      const scale = criteria.get(key);
      if (!scale) errors.push({ field: `ratings.${cid}.${key}`, message: `unknown criterion "${key}"` });
      else if (!scaleValues(scale).some((v) => v.value === value)) {
        errors.push({ field: `ratings.${cid}.${key}`, message: scale.kind === "binary" ? "a binary rating is 0 or 1" : `a rating is a whole number from 1 to ${scale.points}` });
      }
    }
  }
  if (j.rationale.length > MAX_RATIONALE) errors.push({ field: "rationale", message: `at most ${MAX_RATIONALE} characters` });
  if (rules.requireRationale && !j.rationale.trim()) errors.push({ field: "rationale", message: "this project requires a rationale" });
  if (j.flagNote.length > MAX_FLAG_NOTE) errors.push({ field: "flagNote", message: `at most ${MAX_FLAG_NOTE} characters` });
  if (j.flags.includes("other") && !j.flagNote.trim()) errors.push({ field: "flagNote", message: "say what the problem is when flagging \"other\"" });
  return errors;
}

/** One line for a person: "strength: required for pairwise items; rationale: …". */
export function describeErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join("; ");
}
