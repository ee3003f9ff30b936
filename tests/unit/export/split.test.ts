// The train/test split: a pure function of the prompt hash, the seed and the ratio.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isTestPrompt, splitWarnings } from "@/server/services/export";

const hashes = Array.from({ length: 20_000 }, (_, i) => createHash("sha256").update(String(i)).digest("hex"));

describe("isTestPrompt", () => {
  it("sends about the requested share of prompts to test", () => {
    for (const testRatio of [0.05, 0.1, 0.3]) {
      const share = hashes.filter((h) => isTestPrompt(h, { testRatio, seed: "" })).length / hashes.length;
      expect(Math.abs(share - testRatio)).toBeLessThan(0.01);
    }
  });

  it("is all-or-nothing at 0 and 1, and a bigger ratio only adds prompts", () => {
    expect(hashes.some((h) => isTestPrompt(h, { testRatio: 0, seed: "" }))).toBe(false);
    expect(hashes.every((h) => isTestPrompt(h, { testRatio: 1, seed: "" }))).toBe(true);
    const small = hashes.filter((h) => isTestPrompt(h, { testRatio: 0.1, seed: "" }));
    expect(small.every((h) => isTestPrompt(h, { testRatio: 0.2, seed: "" }))).toBe(true);
  });

  it("a different seed picks different prompts", () => {
    const a = hashes.filter((h) => isTestPrompt(h, { testRatio: 0.1, seed: "a" }));
    const b = new Set(hashes.filter((h) => isTestPrompt(h, { testRatio: 0.1, seed: "b" })));
    expect(a.filter((h) => b.has(h)).length).toBeLessThan(a.length * 0.2);
  });
});

describe("split warnings", () => {
  it("say when a split is empty, so that nobody trains on a snapshot that cannot be evaluated without being told", () => {
    // the demo-sized case: 10% of 5 prompts drew none
    expect(splitWarnings({ train: 12, test: 0 }, 0.1, 5)).toEqual([
      "The test split is empty: 10% of 5 prompt(s) drew none. Runs on this snapshot train without evaluation (no eval_ metrics); raise the test share or collect more prompts to evaluate.",
    ]);
    expect(splitWarnings({ train: 0, test: 0 }, 0.1, 0)).toEqual(["The train split is empty: no run can train on this snapshot."]);
    // no test split asked for, or both splits hold rows: nothing to say
    expect(splitWarnings({ train: 12, test: 0 }, 0, 5)).toEqual([]);
    expect(splitWarnings({ train: 12, test: 3 }, 0.1, 50)).toEqual([]);
  });
});
