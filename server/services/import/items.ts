// How one row's candidates become items for the project's task type. PAIRWISE items hold exactly 2 candidates and
// RANKING items 2–9. A row with more is an error unless `splitCandidates` is on: then PAIRWISE takes consecutive
// pairs (an odd last candidate is paired with the first, so every candidate is judged) and RANKING takes balanced
// groups of at most 9. A gold ranking is restricted to each group's candidates.
import type { TaskType } from "@/server/generated/prisma/enums";
import { MAX_CANDIDATES } from "@/server/schemas/import";
import type { LineError, RowIn } from "./formats";

export interface ItemPlan {
  /** indices into the row's candidates, in display order */
  members: number[];
  gold: number[][] | null;
}

/** Groups of candidate indices 0..k-1 for one prompt; none when k < 2 (one candidate cannot be compared). */
export function chunkCandidates(k: number, taskType: TaskType): number[][] {
  if (k < 2) return [];
  const idx = Array.from({ length: k }, (_, i) => i);
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
  const gold = row.gold;
  return {
    plans: groups.map((members) => {
      if (!gold) return { members, gold: null };
      const inGroup = new Set(members);
      return { members, gold: gold.map((g) => g.filter((i) => inGroup.has(i))).filter((g) => g.length > 0) };
    }),
  };
}
