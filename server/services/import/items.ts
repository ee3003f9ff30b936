// How one row's candidates become items for the project's task type. PAIRWISE items hold exactly 2 candidates and
// RANKING items 2–9. A row with more is an error unless `splitCandidates` is on: then PAIRWISE takes consecutive
// pairs (an odd last candidate is paired with the first, so every candidate is judged) and RANKING takes balanced
// groups of at most 9. A gold ranking is restricted to each group's candidates. RATING items hold one candidate
// each (a row of k candidates is k items); DEMONSTRATION items hold none (a prompt to write a response to) or one
// (a response to improve), so a row without candidates is one item and a row of k candidates k items.
import type { TaskType } from "@/server/generated/prisma/enums";
import { MAX_CANDIDATES } from "@/server/schemas/import";
import type { Gold, LineError, RowIn } from "./formats";

export interface ItemPlan {
  /** indices into the row's candidates, in display order */
  members: number[];
  gold: Gold | null;
}

/** Whether the task type judges one response per item (rating it, or improving it). */
export const singleResponse = (t: TaskType) => t === "RATING" || t === "DEMONSTRATION";

/**
 * Groups of candidate indices 0..k-1 for one prompt: one candidate each for the single-response task types; for
 * comparisons none when k < 2 (one candidate cannot be compared).
 */
export function chunkCandidates(k: number, taskType: TaskType): number[][] {
  const idx = Array.from({ length: k }, (_, i) => i);
  if (singleResponse(taskType)) return idx.map((i) => [i]);
  if (k < 2) return [];
  if (taskType === "PAIRWISE") {
    const pairs: number[][] = [];
    for (let i = 0; i + 1 < k; i += 2) pairs.push([i, i + 1]);
    if (k % 2 === 1) pairs.push([k - 1, 0]);
    return pairs;
  }
  if (k <= MAX_CANDIDATES) return [idx];
  const groups = Math.ceil(k / MAX_CANDIDATES);
  const out: number[][] = Array.from({ length: groups }, () => []);
  // round-robin keeps group sizes within one of each other (all ≥ 5 when k > 9)
  idx.forEach((i) => out[i % groups].push(i));
  return out;
}

export function planItems(
  row: RowIn,
  line: number,
  taskType: TaskType,
  splitCandidates: boolean,
): { plans: ItemPlan[] } | { errors: LineError[] } {
  const k = row.candidates.length;
  const seen = new Map<string, number>();
  for (let i = 0; i < k; i++) {
    const prev = seen.get(row.candidates[i].text);
    if (prev !== undefined) {
      return {
        errors: [{ line, field: `candidates.${i}.text`, message: `is the same text as candidate ${prev}; an item needs different candidates` }],
      };
    }
    seen.set(row.candidates[i].text, i);
  }
  if (singleResponse(taskType)) {
    if (Array.isArray(row.gold)) return { errors: [{ line, field: "gold", message: `a ${taskType} item has no ranking to check: gold for a rating is {"thumbs": true|false}` }] };
    if (taskType === "DEMONSTRATION" && row.gold) return { errors: [{ line, field: "gold", message: "demonstrations have no gold: a written response has no single right answer" }] };
    if (taskType === "RATING" && k === 0) return { errors: [{ line, field: "candidates", message: "a RATING item needs the response to rate: at least 1 candidate" }] };
    if (k === 0) return { plans: [{ members: [], gold: null }] };
    return { plans: chunkCandidates(k, taskType).map((members) => ({ members, gold: row.gold })) };
  }
  if (row.gold && !Array.isArray(row.gold)) return { errors: [{ line, field: "gold.thumbs", message: `thumbs are the gold of a RATING item; a ${taskType} item takes gold.ranking or gold.chosen` }] };
  if (k < 2) {
    const need = `a ${taskType} item needs at least 2 candidates to compare`;
    return { errors: [{ line, field: "candidates", message: k === 0 ? `missing: ${need}` : `${need} (the row has 1)` }] };
  }
  const limit = taskType === "PAIRWISE" ? 2 : MAX_CANDIDATES;
  if (k > limit && !splitCandidates) {
    return {
      errors: [
        {
          line,
          field: "candidates",
          message:
            taskType === "PAIRWISE"
              ? `this PAIRWISE project takes exactly 2 candidates per item, the row has ${k} (import with "split candidates" to make pairs)`
              : `a RANKING item takes at most ${MAX_CANDIDATES} candidates, the row has ${k} (import with "split candidates" to make groups)`,
        },
      ],
    };
  }
  const groups = k > limit ? chunkCandidates(k, taskType) : [Array.from({ length: k }, (_, i) => i)];
  const gold = row.gold as number[][] | null;
  return {
    plans: groups.map((members) => {
      if (!gold) return { members, gold: null };
      const inGroup = new Set(members);
      return { members, gold: gold.map((g) => g.filter((i) => inGroup.has(i))).filter((g) => g.length > 0) };
    }),
  };
}
