import { describe, expect, it } from "vitest";
import { detectFormat, parseTranscript, type RowIn } from "@/server/services/import/formats";
import { chunkCandidates, planItems } from "@/server/services/import/items";

describe("detectFormat", () => {
  it.each([
    ['{"prompt": "q", "candidates": []}', "jsonl"],
    ['{"messages": [{"role": "user", "content": "x"}]}', "openai"],
    ['{"prompt": "q", "chosen": "a", "rejected": "b"}', "trl"],
    ['{"chosen": [{"role": "user", "content": "q"}], "rejected": []}', "trl"],
    ['{"chosen": "\\n\\nHuman: q\\n\\nAssistant: a", "rejected": "x"}', "hh"],
    ["prompt,response_1,response_2,model_1", "csv"],
    ['"prompt","response_1"', "csv"],
    ['{"text": "x"}', null],
    ["[1, 2]", null],
  ])("%s → %s", (line, format) => {
    expect(detectFormat(line)).toBe(format);
  });
});

describe("parseTranscript", () => {
  it("splits HH turns and trims them", () => {
    expect(parseTranscript("\n\nHuman: hi there\n\nAssistant: hello\n\nHuman: bye\n\nAssistant:  ok ")).toEqual([
      { role: "user", content: "hi there" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "bye" },
      { role: "assistant", content: "ok" },
    ]);
  });

  it("keeps single newlines inside a turn and refuses text that is not a transcript", () => {
    expect(parseTranscript("Human: a\nb\n\nAssistant: c")?.[0].content).toBe("a\nb");
    expect(parseTranscript("hello\n\nAssistant: c")).toBeNull();
  });
});

describe("items per task type", () => {
  it("pairs candidates for PAIRWISE, the odd one out with the first", () => {
    expect(chunkCandidates(2, "PAIRWISE")).toEqual([[0, 1]]);
    expect(chunkCandidates(5, "PAIRWISE")).toEqual([[0, 1], [2, 3], [4, 0]]);
    expect(chunkCandidates(1, "PAIRWISE")).toEqual([]);
  });

  it("keeps up to 9 together for RANKING and balances larger sets", () => {
    expect(chunkCandidates(9, "RANKING")).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8]]);
    const groups = chunkCandidates(19, "RANKING");
    expect(groups.map((g) => g.length)).toEqual([7, 6, 6]);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => i));
  });

  it("restricts a gold ranking to each split group", () => {
    const row: RowIn = {
      kind: "row",
      prompt: [{ role: "user", content: "q" }],
      promptMetadata: null,
      source: null,
      candidates: ["a", "b", "c"].map((text) => ({ text, model: null, metadata: null })),
      priority: 0,
      gold: [[2], [0], [1]],
    };
    expect(planItems(row, 1, "PAIRWISE", true)).toEqual({
      plans: [
        { members: [0, 1], gold: [[0], [1]] },
        { members: [2, 0], gold: [[2], [0]] },
      ],
    });
    expect(planItems(row, 7, "PAIRWISE", false)).toEqual({ errors: [expect.objectContaining({ line: 7, field: "candidates" })] });
  });
});
