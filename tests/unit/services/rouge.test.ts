// ROUGE-L as rouge_score computes it. Expected values worked out by hand from the LCS (and, for the first, the
// example in rouge_score's README: "The quick brown fox jumps over the lazy dog" vs "The quick brown dog jumps on
// the log." → rougeL precision 0.625, recall 0.5556, fmeasure 0.5882).
import { describe, expect, it } from "vitest";
import { RougeIndex, rougeL, rougeTokens } from "@/server/services/rouge";

describe("ROUGE-L", () => {
  it("matches rouge_score's README example", () => {
    expect(rougeL("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.")).toBeCloseTo(10 / 17, 4);
  });

  it("tokenizes like rouge_score: lower case, anything but a–z0–9 separates", () => {
    expect(rougeTokens("Write a HAIKU—about rain, in 3 lines!")).toEqual(["write", "a", "haiku", "about", "rain", "in", "3", "lines"]);
    expect(rougeTokens("¿Qué?")).toEqual(["qu"]);
  });

  it("is 1 for the same words, 0 for none shared, and symmetric", () => {
    expect(rougeL("Give three tips for staying healthy.", "give three tips for staying healthy")).toBe(1);
    expect(rougeL("Translate to French", "Summarize the article")).toBe(0);
    const [a, b] = ["List five fruits that are red", "Name five red fruits"];
    // LCS = "five fruits" (2 tokens of 6 and 4): P = 2/4, R = 2/6 → F = 0.4
    expect(rougeL(a, b)).toBeCloseTo(0.4, 6);
    expect(rougeL(b, a)).toBeCloseTo(0.4, 6);
  });

  it("the index finds the closest kept text", () => {
    const index = new RougeIndex();
    index.add("Give three tips for staying healthy.");
    index.add("Write a poem about the sea.");
    expect(index.closest("Give me three tips for staying healthy")).toMatchObject({ text: "Give three tips for staying healthy.", score: expect.closeTo(12 / 13, 4) });
    expect(index.closest("Compute 2 plus 2")).toBeNull();
  });

  it("atLeast finds exactly what an exhaustive scan finds above the threshold, on random texts", () => {
    const words = "the a of to and in sky blue red cat dog runs jumps over quickly slowly river mountain green old".split(" ");
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const text = () => Array.from({ length: 3 + Math.floor(random() * 10) }, () => words[Math.floor(random() * words.length)]).join(" ");
    const index = new RougeIndex();
    const kept: string[] = [];
    for (let i = 0; i < 300; i++) {
      const t = text();
      kept.push(t);
      index.add(t);
    }
    for (let q = 0; q < 300; q++) {
      const query = text();
      for (const threshold of [0.5, 0.7, 0.9]) {
        const exhaustive = Math.max(0, ...kept.map((k) => rougeL(k, query)));
        const found = index.atLeast(query, threshold);
        if (exhaustive >= threshold) expect(found?.score, `${query} @ ${threshold}`).toBeCloseTo(exhaustive, 10);
        else expect(found).toBeNull();
      }
    }
  });
});
