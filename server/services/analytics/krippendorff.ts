// Inter-annotator agreement: Krippendorff's alpha and raw pairwise agreement.
//
// Both work from per-unit tallies (how many annotators gave each value to one unit), which is what the SQL
// side aggregates to; `krippendorffAlpha` takes the textbook form (a list of values per unit, missing
// allowed) and tallies it. Method and notation follow Krippendorff, "Computing Krippendorff's
// Alpha-Reliability" (2011): a coincidence matrix over pairable values, alpha = 1 - D_o / D_e.

export type AlphaLevel = "nominal" | "ordinal" | "interval" | "ratio";
export type AlphaValue = string | number;

/** How many annotators gave each value to one unit; `weight` counts identical units (default 1). */
export interface UnitTally<V extends AlphaValue = AlphaValue> {
  counts: ReadonlyMap<V, number>;
  weight?: number;
}

export function tallyUnits<V extends AlphaValue>(units: ReadonlyArray<ReadonlyArray<V | null | undefined>>): UnitTally<V>[] {
  return units.map((values) => {
    const counts = new Map<V, number>();
    for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    return { counts };
  });
}

/**
 * Krippendorff's alpha for values per unit (rows = units, one entry per annotator; null/undefined = missing).
 * Returns null when it is undefined: fewer than two pairable values, or no variation at all (every value
 * the same, so agreement cannot be told from chance).
 */
export function krippendorffAlpha<V extends AlphaValue>(
  units: ReadonlyArray<ReadonlyArray<V | null | undefined>>,
  level: AlphaLevel = "nominal",
): number | null {
  return alphaFromTallies(tallyUnits(units), level);
}

export function alphaFromTallies<V extends AlphaValue>(units: Iterable<UnitTally<V>>, level: AlphaLevel = "nominal"): number | null {
  const { values, matrix, marginals, n } = coincidences(units);
  if (n < 2) return null;
  if (level !== "nominal" && values.some((v) => typeof v !== "number")) {
    throw new Error(`Krippendorff's alpha at the ${level} level needs numeric values.`);
  }
  const delta = distance(level, level === "nominal" ? [] : (values as number[]), marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < values.length; c++) {
    for (let k = 0; k < values.length; k++) {
      const d = delta(c, k);
      observed += matrix[c][k] * d;
      expected += marginals[c] * marginals[k] * d;
    }
  }
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/** The coincidence matrix o_ck over values sorted ascending, its marginals n_c and the pairable total n. */
export function coincidences<V extends AlphaValue>(units: Iterable<UnitTally<V>>) {
  const index = new Map<V, number>();
  const entries: Array<{ pairs: Array<[number, number]>; m: number; weight: number }> = [];
  for (const unit of units) {
    let m = 0;
    for (const c of unit.counts.values()) m += c;
    // A value nobody else coded in the same unit cannot be paired: it says nothing about agreement.
    if (m < 2) continue;
    const pairs: Array<[number, number]> = [];
    for (const [value, count] of unit.counts) {
      if (count <= 0) continue;
      if (!index.has(value)) index.set(value, index.size);
      pairs.push([index.get(value)!, count]);
    }
    entries.push({ pairs, m, weight: unit.weight ?? 1 });
  }
  const values = [...index.keys()].sort(compareValues);
  const order = values.map((v) => index.get(v)!);
  const rank = new Array<number>(values.length);
  order.forEach((original, sorted) => (rank[original] = sorted));

  const matrix = values.map(() => new Array<number>(values.length).fill(0));
  for (const { pairs, m, weight } of entries) {
    for (const [ci, nc] of pairs) {
      for (const [ki, nk] of pairs) {
        const together = ci === ki ? nc * (nc - 1) : nc * nk;
        matrix[rank[ci]][rank[ki]] += (weight * together) / (m - 1);
      }
    }
  }
  const marginals = matrix.map((row) => row.reduce((s, x) => s + x, 0));
  const n = marginals.reduce((s, x) => s + x, 0);
  return { values, matrix, marginals, n };
}

function compareValues(a: AlphaValue, b: AlphaValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Squared difference function δ²(c, k) over sorted value indexes, per level of measurement. */
function distance(level: AlphaLevel, values: readonly number[], marginals: readonly number[]): (c: number, k: number) => number {
  switch (level) {
    case "nominal":
      return (c, k) => (c === k ? 0 : 1);
    case "interval":
      return (c, k) => (values[c] - values[k]) ** 2;
    case "ratio":
      return (c, k) => {
        const sum = values[c] + values[k];
        return sum === 0 ? 0 : ((values[c] - values[k]) / sum) ** 2;
      };
    case "ordinal": {
      // Ordinal distance counts how many pairable values lie between c and k (half of each end).
      const cumulative = [0];
      for (const m of marginals) cumulative.push(cumulative[cumulative.length - 1] + m);
      return (c, k) => {
        const lo = Math.min(c, k);
        const hi = Math.max(c, k);
        return (cumulative[hi + 1] - cumulative[lo] - (marginals[lo] + marginals[hi]) / 2) ** 2;
      };
    }
  }
}

export interface PairwiseAgreement {
  /** share of annotator pairs on the same unit who gave the same value; null when no unit has two values */
  agreement: number | null;
  /** annotator pairs compared */
  pairs: number;
  /** units with at least two values */
  units: number;
}

/** Raw (chance-uncorrected) agreement, pooled over every pair of annotators who judged the same unit. */
export function pairwiseAgreement<V extends AlphaValue>(units: Iterable<UnitTally<V>>): PairwiseAgreement {
  let agreeing = 0;
  let pairs = 0;
  let counted = 0;
  for (const unit of units) {
    const weight = unit.weight ?? 1;
    let m = 0;
    let same = 0;
    for (const c of unit.counts.values()) {
      m += c;
      same += (c * (c - 1)) / 2;
    }
    if (m < 2) continue;
    counted += weight;
    pairs += (weight * m * (m - 1)) / 2;
    agreeing += weight * same;
  }
  return { agreement: pairs === 0 ? null : agreeing / pairs, pairs, units: counted };
}
