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

/** Ratings of a response on a project criterion: 1 (poor) … 7 (excellent). */
export const RATING_MIN = 1;
export const RATING_MAX = 7;
export const MIN_CANDIDATES = 2;
export const MAX_CANDIDATES = 9;
export const MAX_RATIONALE = 5000;
export const MAX_FLAG_NOTE = 1000;
/** Window during which an annotator may edit their last submission. */
export const EDIT_WINDOW_SECONDS = 5 * 60;

export interface Judgement {
  /** ordered groups of candidate ids, best first; a group of more than one is a tie */
  ranking: string[][];
  /** pairwise items only */
  strength?: Strength;
  bothBad: boolean;
  /** { candidateId: { criterionKey: 1..7 } } */
  ratings: Record<string, Record<string, number>>;
  rationale: string;
  flags: Flag[];
  flagNote: string;
  /** measured client-side from the item first shown to submit */
  timeSpentMs: number;
}

/** What of a project decides whether a judgement is acceptable. */
export interface JudgementRules {
  taskType: "PAIRWISE" | "RANKING";
  allowTies: boolean;
  requireRationale: boolean;
  criteria: { key: string }[];
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
  if (missing.length) errors.push({ field: "ranking", message: `not a permutation of the item's candidates: missing ${missing.join(", ")}` });
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
  const criteria = new Set(rules.criteria.map((c) => c.key));
  for (const [cid, ratings] of Object.entries(j.ratings)) {
    if (!known.has(cid)) errors.push({ field: `ratings.${cid}`, message: `unknown candidate id "${cid}"` });
    for (const [key, value] of Object.entries(ratings)) {
      if (!criteria.has(key)) errors.push({ field: `ratings.${cid}.${key}`, message: `unknown criterion "${key}"` });
      else if (!Number.isInteger(value) || value < RATING_MIN || value > RATING_MAX) {
        errors.push({ field: `ratings.${cid}.${key}`, message: `a rating is a whole number from ${RATING_MIN} to ${RATING_MAX}` });
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
