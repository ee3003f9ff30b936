// Per-annotator quality figures that need more than a ratio of two SQL counts.

/**
 * One annotator's vote on units that share the same tally: `counts[v]` is how many annotators (this one
 * included) gave value v to the unit, `own` is the value this annotator gave, `units` how many such units.
 */
export interface MajorityVoteRow {
  userId: string;
  counts: readonly number[];
  own: number;
  units: number;
}

export interface MajorityAgreement {
  /** units where the other annotators had a unique majority value */
  units: number;
  /** of those, units where this annotator gave the majority value */
  agreed: number;
}

/**
 * Agreement with the majority of the *other* annotators of the same unit. Units judged by nobody else, or
 * where the others are split evenly between values (no unique majority), say nothing and are left out.
 */
export function majorityAgreement(rows: Iterable<MajorityVoteRow>): Map<string, MajorityAgreement> {
  const out = new Map<string, MajorityAgreement>();
  for (const row of rows) {
    let best = -1;
    let bestCount = 0;
    let tied = false;
    row.counts.forEach((count, value) => {
      const others = count - (value === row.own ? 1 : 0);
      if (others > bestCount) {
        best = value;
        bestCount = others;
        tied = false;
      } else if (others === bestCount && others > 0) {
        tied = true;
      }
    });
    if (bestCount === 0 || tied) continue;
    const entry = out.get(row.userId) ?? { units: 0, agreed: 0 };
    entry.units += row.units;
    if (best === row.own) entry.agreed += row.units;
    out.set(row.userId, entry);
  }
  return out;
}

/** numerator / denominator, or null when there is nothing to divide by (shown as "–", not as 0%). */
export function share(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
