import { describe, expect, it } from "vitest";
import { binomial, logFactorial, multinomialResample, seededRandom } from "@/server/services/analytics/random";

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let k = 0; k < n; k++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe("binomial", () => {
  it.each([
    [20, 0.1],
    [1_000_000, 0.3],
    [5_000, 0.9],
    [60, 0.5],
  ])("Binomial(%i, %f) has the right mean and variance", (n, p) => {
    const random = seededRandom(42);
    const { mean, variance } = moments(() => binomial(n, p, random), 20_000);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((4 * sd) / Math.sqrt(20_000));
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.95);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.05);
  });

  it("stays within 0..n", () => {
    const random = seededRandom(1);
    for (let k = 0; k < 1000; k++) {
      const x = binomial(30, 0.45, random);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(30);
    }
    expect(binomial(10, 0, random)).toBe(0);
    expect(binomial(10, 1, random)).toBe(10);
  });
});

describe("logFactorial", () => {
  it("matches exact sums on both sides of the table", () => {
    let exact = 0;
    for (let k = 2; k <= 300; k++) exact += Math.log(k);
    expect(logFactorial(300)).toBeCloseTo(exact, 9);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
  });
});

describe("multinomialResample", () => {
  it("keeps the total and the expected share of each cell", () => {
    const random = seededRandom(9);
    const counts = [500, 0, 300, 200];
    const totals = [0, 0, 0, 0];
    for (let round = 0; round < 2000; round++) {
      const drawn = multinomialResample(counts, random);
      expect(drawn.reduce((s, x) => s + x, 0)).toBe(1000);
      drawn.forEach((x, k) => (totals[k] += x / 2000));
    }
    expect(totals[1]).toBe(0);
    counts.forEach((c, k) => expect(Math.abs(totals[k] - c)).toBeLessThan(2));
  });
});
