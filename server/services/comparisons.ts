// Derives pairwise comparison rows from one judgement. Used when an annotation is written or edited, and by
// anything that needs the same pairs (export aggregation, analytics).
import type { Strength } from "@/server/generated/prisma/client";

export interface DerivedPair {
  chosenId: string;
  rejectedId: string;
  margin: number;
}

/** Pairwise strength → margin, on the same scale as a rank distance of 1–3. */
export const STRENGTH_MARGIN: Record<Exclude<Strength, "TIE">, number> = {
  MUCH_BETTER: 3,
  BETTER: 2,
  SLIGHTLY_BETTER: 1,
};

/**
 * Every candidate in an earlier group beats every candidate in a later one. Ties (two ids in one group)
 * give no pair. Pairwise judgements take their margin from the strength; rankings from the group distance.
 */
export function derivePairs(ranking: string[][], strength?: Strength | null): DerivedPair[] {
  const pairs: DerivedPair[] = [];
  const pairwiseMargin = strength && strength !== "TIE" ? STRENGTH_MARGIN[strength] : null;
  for (let i = 0; i < ranking.length; i++) {
    for (let j = i + 1; j < ranking.length; j++) {
      for (const chosenId of ranking[i]) {
        for (const rejectedId of ranking[j]) {
          pairs.push({ chosenId, rejectedId, margin: pairwiseMargin ?? j - i });
        }
      }
    }
  }
  return pairs;
}

/**
 * Whether a judgement matches a gold answer: every pair the gold answer orders strictly must be ordered the
 * same way by the annotator (pairs the gold answer leaves tied do not count).
 */
export function matchesGold(ranking: string[][], gold: string[][]): boolean {
  const rank = new Map<string, number>();
  ranking.forEach((group, i) => group.forEach((id) => rank.set(id, i)));
  for (const pair of derivePairs(gold)) {
    const c = rank.get(pair.chosenId);
    const r = rank.get(pair.rejectedId);
    if (c === undefined || r === undefined || c >= r) return false;
  }
  return true;
}
