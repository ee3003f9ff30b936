// Aggregation of overlapping judgements and the text renderings of prompts, on hand-built prompt groups.
import { describe, expect, it } from "vitest";
import { bradleyTerry, collectVotes, preferencePairs } from "@/server/services/export/aggregate";
import { hhTranscript, promptText } from "@/server/services/export/formats";
import type { ExportAnnotation, PromptGroup } from "@/server/services/export/stream";
import { derivePairs } from "@/server/services/comparisons";

function annotation(id: string, ranking: string[][]): ExportAnnotation {
  return {
    id, itemId: "i", projectId: "p", userId: `u-${id}`, ranking, strength: null, bothBad: false, ratings: {}, rationale: "",
    flags: [], flagNote: "", timeSpentMs: 1, late: false, surplus: false, isGold: false, goldCorrect: null,
    createdAt: "2026-01-01T00:00:00.000Z", shownOrder: [], comparisons: derivePairs(ranking), thumbs: null, demonstration: null, demonstrationFrom: null, edited: null,
    reviewState: null, reviewerId: null, source: "human",
  };
}

function group(ids: string[], rankings: string[][][]): PromptGroup {
  return {
    id: "p", contentHash: "h", messages: [{ role: "user", content: "q" }],
    items: [{ id: "i", projectId: "p", isGold: false, adjudication: null, candidates: ids.map((id) => ({ id, text: id, model: null })), annotations: rankings.map((r, n) => annotation(`a${n}`, r)) }],
  };
}

const all = { policy: "all", ties: "drop", minAgreement: 0 } as const;
const bt = { policy: "bradley_terry", ties: "drop", minAgreement: 0 } as const;

describe("aggregation", () => {
  it("a K=9 ranking gives all 36 pairs under `all`, margins = rank distance", () => {
    const ids = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const pairs = preferencePairs(group(ids, [ids.map((x) => [x])]), all);
    expect(pairs).toHaveLength(36);
    expect(pairs.find((p) => p.chosenId === "a" && p.rejectedId === "i")?.margin).toBe(8);
    expect(pairs.every((p) => ids.indexOf(p.chosenId) < ids.indexOf(p.rejectedId))).toBe(true);
  });

  it("Bradley-Terry recovers a consistent order from noisy, partly overlapping rankings", () => {
    const g = group(["a", "b", "c", "d"], [
      [["a"], ["b"], ["c"], ["d"]],
      [["a"], ["c"], ["b"], ["d"]],
      [["b"], ["a"], ["c"], ["d"]],
      [["a"], ["b"], ["d"], ["c"]],
    ]);
    const scores = bradleyTerry(["a", "b", "c", "d"], collectVotes(g.items[0].annotations).values());
    const order = [...scores.entries()].sort((x, y) => y[1] - x[1]).map(([id]) => id);
    expect(order).toEqual(["a", "b", "c", "d"]);
    const pairs = preferencePairs(g, bt);
    expect(pairs.map((p) => `${p.chosenId}>${p.rejectedId}`)).toEqual(["a>b", "a>c", "a>d", "b>c", "b>d", "c>d"]);
  });

  it("Bradley-Terry gives symmetric evidence equal scores, and an unbeaten candidate a finite one", () => {
    const even = bradleyTerry(["x", "y"], collectVotes([annotation("1", [["x"], ["y"]]), annotation("2", [["y"], ["x"]])]).values());
    expect(even.get("x")).toBeCloseTo(even.get("y")!, 9);
    const oneSided = bradleyTerry(["x", "y"], collectVotes([annotation("1", [["x"], ["y"]])]).values());
    expect(Number.isFinite(oneSided.get("x")!)).toBe(true);
    expect(oneSided.get("x")!).toBeGreaterThan(oneSided.get("y")!);
  });
});

describe("prompt text", () => {
  it("a single user message is its content; a conversation is role-labelled", () => {
    expect(promptText([{ role: "user", content: "hi" }])).toBe("hi");
    expect(promptText([{ role: "system", content: "s" }, { role: "user", content: "u" }])).toBe("System: s\n\nUser: u");
  });

  it("HH transcripts alternate Human/Assistant and end with the response", () => {
    expect(hhTranscript([{ role: "user", content: "u1" }, { role: "assistant", content: "a1" }, { role: "user", content: "u2" }], "r")).toBe(
      "\n\nHuman: u1\n\nAssistant: a1\n\nHuman: u2\n\nAssistant: r",
    );
    expect(hhTranscript([{ role: "system", content: "s" }, { role: "user", content: "u" }], "r")).toBe("\n\nHuman: s\n\nu\n\nAssistant: r");
  });
});
