// Draft → judgement: what the page sends is what the annotator chose, checked with the server's own rules.
import { describe, expect, it } from "vitest";
import { applyChange, emptyDraft, fromJudgement, SCALE, toJudgement, type Draft } from "@/components/annotate/draft";
import type { ItemView, ProjectView } from "@/components/annotate/types";
import { judgementErrors } from "@/server/schemas/judgement";

const pairItem: ItemView = {
  assignmentId: "a1", itemId: "i1", expiresAt: new Date(0), messages: [{ role: "user", content: "q" }],
  candidates: [{ id: "x", text: "X", model: null }, { id: "y", text: "Y", model: null }],
};
const rankItem: ItemView = { ...pairItem, candidates: ["p", "q", "r", "s"].map((id) => ({ id, text: id, model: null })) };
const project = (over: Partial<ProjectView> = {}): ProjectView => ({
  id: "p", slug: "p", name: "P", guidelines: "", taskType: "PAIRWISE", criteria: [], allowTies: true, requireRationale: false, showModelNames: false, ...over,
});
const change = (d: Draft, ...cs: Parameters<typeof applyChange>[1][]) => cs.reduce(applyChange, d);

describe("pairwise drafts", () => {
  it("each of the 7 scale positions becomes the matching ranking and strength", () => {
    const expected = [
      [[["x"], ["y"]], "MUCH_BETTER"], [[["x"], ["y"]], "BETTER"], [[["x"], ["y"]], "SLIGHTLY_BETTER"], [[["x", "y"]], "TIE"],
      [[["y"], ["x"]], "SLIGHTLY_BETTER"], [[["y"], ["x"]], "BETTER"], [[["y"], ["x"]], "MUCH_BETTER"],
    ];
    SCALE.forEach((s, i) => {
      const r = toJudgement(change(emptyDraft(pairItem, 0), { kind: "choose", choice: s.choice }), pairItem, project(), 1500);
      expect(r).toMatchObject({ ok: true, judgement: { ranking: expected[i][0], strength: expected[i][1], timeSpentMs: 1500 } });
    });
  });

  it("refuses with the page's words: no choice yet, a tie where ties are off, a missing rationale, Other without a note", () => {
    expect(toJudgement(emptyDraft(pairItem, 0), pairItem, project(), 1)).toMatchObject({ ok: false, field: "strength" });
    const tie = change(emptyDraft(pairItem, 0), { kind: "choose", choice: { winner: "tie" } });
    expect(toJudgement(tie, pairItem, project({ allowTies: false }), 1)).toMatchObject({ ok: false, message: expect.stringContaining("does not allow ties") });
    const picked = change(emptyDraft(pairItem, 0), { kind: "choose", choice: { winner: 1, strength: "BETTER" } });
    expect(toJudgement(picked, pairItem, project({ requireRationale: true }), 1)).toMatchObject({ ok: false, field: "rationale" });
    expect(toJudgement(change(picked, { kind: "toggleFlag", flag: "other" }), pairItem, project(), 1)).toMatchObject({ ok: false, field: "flagNote" });
    const ok = toJudgement(change(picked, { kind: "toggleFlag", flag: "other" }, { kind: "flagNote", text: "odd" }, { kind: "toggleBothBad" }), pairItem, project(), 1);
    expect(ok).toMatchObject({ ok: true, judgement: { flags: ["other"], flagNote: "odd", bothBad: true } });
  });

  it("what it accepts, the server's rules accept too", () => {
    const d = change(emptyDraft(pairItem, 0), { kind: "choose", choice: { winner: 0, strength: "SLIGHTLY_BETTER" } }, { kind: "rate", candidateId: "x", criterion: "h", value: 6 });
    const r = toJudgement(d, pairItem, project({ criteria: [{ key: "h", label: "H", description: "" }] }), 10);
    if (!r.ok) throw new Error(r.message);
    expect(judgementErrors({ taskType: "PAIRWISE", allowTies: true, requireRationale: false, criteria: [{ key: "h" }] }, ["x", "y"], r.judgement)).toEqual([]);
  });
});

describe("ranking drafts", () => {
  it("an untouched ranking asks to be confirmed; once moved or confirmed it is the ranking", () => {
    const d = emptyDraft(rankItem, 0);
    expect(toJudgement(d, rankItem, project({ taskType: "RANKING" }), 1)).toMatchObject({ ok: false, needsConfirmation: true });
    expect(toJudgement(change(d, { kind: "confirmOrder" }), rankItem, project({ taskType: "RANKING" }), 1)).toMatchObject({ ok: true, judgement: { ranking: [["p"], ["q"], ["r"], ["s"]] } });
  });

  it("moves and ties become ordered groups; the top can never be tied", () => {
    const d = change(emptyDraft(rankItem, 0), { kind: "moveTo", candidateId: "s", index: 0 }, { kind: "toggleTie", candidateId: "p" }, { kind: "toggleTie", candidateId: "s" });
    expect(d.order).toEqual(["s", "p", "q", "r"]);
    expect(toJudgement(d, rankItem, project({ taskType: "RANKING" }), 1)).toMatchObject({ ok: true, judgement: { ranking: [["s", "p"], ["q"], ["r"]] } });
    const moved = change(d, { kind: "moveTo", candidateId: "p", index: 0 });
    expect(moved.tiedWithAbove).not.toContain("p");
  });

  it("a stored judgement becomes the same draft again (edit last)", () => {
    const j = { ranking: [["r"], ["p", "q"], ["s"]], bothBad: false, ratings: {}, rationale: "why", flags: [], flagNote: "" };
    const d = fromJudgement(rankItem, j, 0);
    expect(toJudgement(d, rankItem, project({ taskType: "RANKING" }), 5)).toMatchObject({ ok: true, judgement: { ...j, timeSpentMs: 5 } });
    const p = fromJudgement(pairItem, { ranking: [["y"], ["x"]], strength: "MUCH_BETTER", bothBad: true, ratings: {}, rationale: "", flags: ["pii"], flagNote: "" }, 0);
    expect(p).toMatchObject({ choice: { winner: 1, strength: "MUCH_BETTER" }, bothBad: true, flags: ["pii"] });
  });
});
