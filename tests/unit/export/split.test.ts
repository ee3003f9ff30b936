// The train/test split: a pure function of the prompt hash, the seed and the ratio.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isTestPrompt } from "@/server/services/export";

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
