import { describe, expect, it } from "vitest";
import { bradleyTerry, quantile, winRateMatrix, type PairTally } from "@/server/services/analytics/bradley-terry";
import { seededRandom } from "@/server/services/analytics/random";

/** Votes drawn from the Elo/BT model: P(a beats b) = 1 / (1 + 10^((Rb − Ra)/400)). */
function simulate(truth: Record<string, number>, gamesPerPair: number, seed: number): PairTally[] {
  const random = seededRandom(seed);
  const names = Object.keys(truth);
  const tallies: PairTally[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const p = 1 / (1 + 10 ** ((truth[names[j]] - truth[names[i]]) / 400));
      let wins = 0;
      for (let g = 0; g < gamesPerPair; g++) if (random() < p) wins++;
      tallies.push({ a: names[i], b: names[j], aWins: wins, bWins: gamesPerPair - wins, ties: 0 });
    }
  }
  return tallies;
}

describe("bradleyTerry", () => {
  // mean 1000, so the mean-anchored ratings estimate these numbers directly
  const truth = { alpha: 1150, beta: 1050, gamma: 1000, delta: 950, epsilon: 850 };

  it("recovers known strengths from simulated votes within tolerance, with intervals covering them", () => {
    const rows = bradleyTerry(simulate(truth, 2000, 7), { bootstrapRounds: 100 });
    expect(rows.map((r) => r.model)).toEqual(["alpha", "beta", "gamma", "delta", "epsilon"]);
    for (const r of rows) {
      const expected = truth[r.model as keyof typeof truth];
      expect(Math.abs(r.rating - expected)).toBeLessThan(15);
      expect(r.ciLow!).toBeLessThan(r.rating);
      expect(r.ciHigh!).toBeGreaterThan(r.rating);
      expect(r.ciHigh! - r.ciLow!).toBeLessThan(40);
      expect(r.comparisons).toBe(8000);
    }
    expect(rows.reduce((s, r) => s + r.rating, 0) / rows.length).toBeCloseTo(1000, 9);
  });

  it("puts 400 points between a model that wins 10 of 11 and its opponent", () => {
    const rows = bradleyTerry([{ a: "x", b: "y", aWins: 10_000, bWins: 1_000, ties: 0 }], { bootstrapRounds: 0 });
    // the virtual game against an average player shrinks the gap by a hair
    expect(rows[0].rating - rows[1].rating).toBeCloseTo(400, 0);
    expect(rows[0].ciLow).toBeNull();
  });

  it("counts a tie as half a win for each side", () => {
    const withTies = bradleyTerry([{ a: "x", b: "y", aWins: 30, bWins: 10, ties: 20 }], { bootstrapRounds: 0 });
    const asHalves = bradleyTerry([{ a: "x", b: "y", aWins: 40, bWins: 20, ties: 0 }], { bootstrapRounds: 0 });
    expect(withTies[0].rating).toBeCloseTo(asHalves[0].rating, 9);
    const r = withTies.find((m) => m.model === "y")!;
    expect([r.wins, r.losses, r.ties, r.comparisons]).toEqual([10, 30, 20, 60]);
  });

  it("keeps a model that won every comparison finite, on top, with finite intervals", () => {
    const tallies = [...simulate(truth, 200, 3), { a: "winner", b: "alpha", aWins: 25, bWins: 0, ties: 0 }];
    const rows = bradleyTerry(tallies, { bootstrapRounds: 50 });
    expect(rows[0].model).toBe("winner");
    for (const r of rows) for (const x of [r.rating, r.ciLow, r.ciHigh]) expect(Number.isFinite(x)).toBe(true);
    expect(rows[0].rating).toBeGreaterThan(rows[1].rating + 200);
  });

  it("gives the same intervals for the same seed and anchors on a chosen model", () => {
    const tallies = simulate(truth, 100, 11);
    expect(bradleyTerry(tallies, { seed: 5, bootstrapRounds: 30 })).toEqual(bradleyTerry(tallies, { seed: 5, bootstrapRounds: 30 }));
    const anchored = bradleyTerry(tallies, { anchorModel: "gamma", bootstrapRounds: 0 });
    expect(anchored.find((r) => r.model === "gamma")!.rating).toBe(1000);
    expect(() => bradleyTerry(tallies, { anchorModel: "nobody" })).toThrow(/nobody/);
  });

  it("merges tallies given in either direction and skips self-comparisons", () => {
    const rows = bradleyTerry(
      [
        { a: "x", b: "y", aWins: 3, bWins: 1, ties: 0 },
        { a: "y", b: "x", aWins: 1, bWins: 3, ties: 2 },
        { a: "x", b: "x", aWins: 9, bWins: 9, ties: 0 },
      ],
      { bootstrapRounds: 0 },
    );
    expect(rows.map((r) => [r.model, r.wins, r.losses, r.ties])).toEqual([
      ["x", 6, 2, 2],
      ["y", 2, 6, 2],
    ]);
  });

  it("returns nothing without comparisons", () => {
    expect(bradleyTerry([])).toEqual([]);
  });
});

describe("winRateMatrix", () => {
  it("tabulates each model's results against each other, ties half", () => {
    const m = winRateMatrix(
      [
        { a: "x", b: "y", aWins: 6, bWins: 2, ties: 2 },
        { a: "z", b: "x", aWins: 1, bWins: 3, ties: 0 },
      ],
      ["x", "y", "z"],
    );
    expect(m.models).toEqual(["x", "y", "z"]);
    expect(m.cells[0][1]).toEqual({ games: 10, wins: 6, ties: 2, losses: 2, winRate: 0.7 });
    expect(m.cells[1][0]).toEqual({ games: 10, wins: 2, ties: 2, losses: 6, winRate: 0.3 });
    expect(m.cells[0][2].winRate).toBe(0.75);
    expect(m.cells[2][0].winRate).toBe(0.25);
    expect(m.cells[1][2]).toEqual({ games: 0, wins: 0, ties: 0, losses: 0, winRate: null });
    expect(m.cells[0][0].winRate).toBeNull();
  });
});

describe("quantile", () => {
  it("interpolates linearly between order statistics", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.025)).toBeCloseTo(11, 12);
  });
});

describe("bradleyTerry determinism", () => {
  it("gives the same intervals whatever order the tallies come in", () => {
    const tallies: PairTally[] = [
      { a: "x", b: "y", aWins: 30, bWins: 12, ties: 3 },
      { a: "z", b: "x", aWins: 5, bWins: 9, ties: 0 },
      { a: "y", b: "z", aWins: 8, bWins: 8, ties: 2 },
    ];
    const flipped = [...tallies].reverse().map((t) => ({ a: t.b, b: t.a, aWins: t.bWins, bWins: t.aWins, ties: t.ties }));
    expect(bradleyTerry(flipped, { bootstrapRounds: 40 })).toEqual(bradleyTerry(tallies, { bootstrapRounds: 40 }));
  });
});
