import { describe, expect, it } from "vitest";
import { alphaFromTallies, krippendorffAlpha, pairwiseAgreement, tallyUnits } from "@/server/services/analytics/krippendorff";

// Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), example C: 4 observers, 12 units,
// values 1–5, missing data. Rows are observers; published alphas: nominal .743, ordinal .815,
// interval .849, ratio .797.
const _ = null;
const observers = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];
const units = observers[0].map((__, u) => observers.map((row) => row[u]));

describe("krippendorffAlpha", () => {
  it("reproduces the published worked example at every level of measurement", () => {
    expect(krippendorffAlpha(units)?.toFixed(3)).toBe("0.743");
    expect(krippendorffAlpha(units, "nominal")).toBeCloseTo(0.7434210526, 9);
    expect(krippendorffAlpha(units, "ordinal")?.toFixed(3)).toBe("0.815");
    expect(krippendorffAlpha(units, "interval")?.toFixed(3)).toBe("0.849");
    expect(krippendorffAlpha(units, "ratio")?.toFixed(3)).toBe("0.797");
  });

  it("ignores units with a single value and accepts strings as nominal values", () => {
    const labelled = units.map((values) => values.map((v) => (v === null ? undefined : `v${v}`)));
    expect(krippendorffAlpha(labelled)).toBeCloseTo(0.7434210526, 9);
    // unit 12 has one value only; dropping it changes nothing
    expect(krippendorffAlpha(units.slice(0, 11))).toBeCloseTo(0.7434210526, 9);
  });

  it("is 1 for perfect agreement and below 0 for systematic disagreement", () => {
    expect(krippendorffAlpha([["a", "a"], ["b", "b"], ["a", "a"]])).toBe(1);
    // Two coders who always disagree on a binary value: D_o = 1, D_e = n/(2(n−1)) with n = 8 → 1 − 14/8.
    expect(krippendorffAlpha([["a", "b"], ["b", "a"], ["a", "b"], ["b", "a"]])).toBeCloseTo(1 - 14 / 8, 12);
  });

  it("is undefined (null) without variation or without pairable values", () => {
    expect(krippendorffAlpha([["a", "a"], ["a", "a", "a"]])).toBeNull();
    expect(krippendorffAlpha([["a"], ["b", null]])).toBeNull();
    expect(krippendorffAlpha([])).toBeNull();
  });

  it("counts a weighted tally like the same unit repeated", () => {
    const repeated = [["A", "A", "B"], ["A", "A", "B"], ["A", "A", "B"], ["tie", "tie"], ["B", "A"]];
    const weighted = [
      { counts: new Map([["A", 2], ["B", 1]]), weight: 3 },
      { counts: new Map([["tie", 2]]) },
      { counts: new Map([["A", 1], ["B", 1]]) },
    ];
    expect(alphaFromTallies(weighted)).toBeCloseTo(krippendorffAlpha(repeated)!, 12);
  });

  it("refuses non-numeric values at the interval level", () => {
    expect(() => krippendorffAlpha([["a", "b"], ["a", "a"]], "interval")).toThrow(/numeric/);
  });
});

describe("pairwiseAgreement", () => {
  it("pools agreeing annotator pairs over units with two or more values", () => {
    // unit 1: A A B → 1 of 3 pairs agree; unit 2: tie tie → 1 of 1; unit 3: a single value → not counted
    const result = pairwiseAgreement(tallyUnits([["A", "A", "B"], ["tie", "tie"], ["A", null]]));
    expect(result).toEqual({ agreement: 2 / 4, pairs: 4, units: 2 });
  });

  it("is null when no unit has two values", () => {
    expect(pairwiseAgreement(tallyUnits([["A"], []]))).toEqual({ agreement: null, pairs: 0, units: 0 });
  });
});
