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
  id: "p", slug: "p", name: "P", guidelines: "", taskType: "PAIRWISE", criteria: [], allowTies: true, requireRationale: false, showModelNames: false, thumbs: true, editsAsPreference: false, suggestionMode: "HIDDEN", ...over,
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
    const r = toJudgement(d, pairItem, project({ criteria: [{ key: "h", label: "H", description: "", scale: { kind: "likert", points: 7 } }] }), 10);
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

const rateItem: ItemView = { ...pairItem, candidates: [{ id: "r1", text: "The answer is 42.", model: "m" }] };
const writeItem: ItemView = { ...pairItem, candidates: [] };
const improveItem: ItemView = { ...pairItem, candidates: [{ id: "o1", text: "Teh answer", model: "m" }] };
const rules = (p: ProjectView) => ({ taskType: p.taskType, allowTies: p.allowTies, requireRationale: p.requireRationale, thumbs: p.thumbs, criteria: p.criteria });

describe("rating drafts", () => {
  const rating = (over: Partial<ProjectView> = {}) =>
    project({ taskType: "RATING", criteria: [{ key: "acc", label: "Accuracy", description: "", scale: { kind: "likert", points: 10 } }, { key: "safe", label: "Safe", description: "", scale: { kind: "binary", labels: ["No", "Yes"] } }], ...over });

  it("asks for the thumbs first, then every criterion on its own scale; the same thumbs again takes it back", () => {
    const d = emptyDraft(rateItem, 0);
    expect(toJudgement(d, rateItem, rating(), 1)).toMatchObject({ ok: false, field: "thumbs", message: expect.stringContaining("(A)") });
    const up = change(d, { kind: "thumbs", value: true });
    expect(change(up, { kind: "thumbs", value: true }).thumbs).toBeNull();
    expect(toJudgement(up, rateItem, rating(), 1)).toMatchObject({ ok: false, field: "ratings.r1.acc", message: expect.stringContaining("C takes you") });
    const rated = change(up, { kind: "rate", candidateId: "r1", criterion: "acc", value: 10 }, { kind: "rate", candidateId: "r1", criterion: "safe", value: 0 });
    const r = toJudgement(rated, rateItem, rating(), 5);
    expect(r).toMatchObject({ ok: true, judgement: { ranking: [["r1"]], thumbs: true, ratings: { r1: { acc: 10, safe: 0 } }, bothBad: false } });
    if (r.ok) expect(judgementErrors(rules(rating()), ["r1"], r.judgement)).toEqual([]);
  });

  it("values off a criterion's scale are refused by the shared rules (8 on a 5-point scale, 2 on a binary one)", () => {
    const p = rating({ criteria: [{ key: "acc", label: "A", description: "", scale: { kind: "likert", points: 5 } }, { key: "safe", label: "S", description: "", scale: { kind: "binary", labels: ["No", "Yes"] } }] });
    const errors = judgementErrors(rules(p), ["r1"], { ranking: [["r1"]], thumbs: false, bothBad: false, ratings: { r1: { acc: 8, safe: 2 } }, rationale: "", flags: [], flagNote: "", timeSpentMs: 1 });
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ["ratings.r1.acc", "a rating is a whole number from 1 to 5"],
      ["ratings.r1.safe", "a binary rating is 0 or 1"],
    ]);
  });

  it("without thumbs the project asks only for the criteria, and a thumbs sent anyway is refused", () => {
    const p = rating({ thumbs: false });
    const d = change(emptyDraft(rateItem, 0), { kind: "thumbs", value: false }, { kind: "rate", candidateId: "r1", criterion: "acc", value: 3 }, { kind: "rate", candidateId: "r1", criterion: "safe", value: 1 });
    const r = toJudgement(d, rateItem, p, 1);
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.judgement.thumbs).toBeUndefined();
    expect(judgementErrors(rules(p), ["r1"], { ranking: [["r1"]], thumbs: true, bothBad: false, ratings: { r1: { acc: 3, safe: 1 } }, rationale: "", flags: [], flagNote: "", timeSpentMs: 1 })).toMatchObject([{ field: "thumbs" }]);
  });
});

describe("demonstration drafts", () => {
  const demo = project({ taskType: "DEMONSTRATION" });

  it("writing from scratch: nothing written is refused in the page's words; what is written is the demonstration", () => {
    const d = emptyDraft(writeItem, 0);
    expect(toJudgement(d, writeItem, demo, 1)).toMatchObject({ ok: false, field: "demonstration", message: expect.stringContaining("W takes you") });
    expect(toJudgement(change(d, { kind: "demonstration", text: "   \n" }), writeItem, demo, 1)).toMatchObject({ ok: false, field: "demonstration" });
    const r = toJudgement(change(d, { kind: "demonstration", text: "Line one\nline two" }), writeItem, demo, 1);
    expect(r).toMatchObject({ ok: true, judgement: { ranking: [], demonstration: "Line one\nline two" } });
    if (r.ok) {
      expect(r.judgement.demonstrationFrom).toBeUndefined();
      expect(judgementErrors(rules(demo), [], r.judgement)).toEqual([]);
    }
  });

  it("improving a response starts from its text and names it; a stored improvement comes back as the same draft", () => {
    const d = emptyDraft(improveItem, 0);
    expect(toJudgement(d, improveItem, demo, 1)).toMatchObject({ ok: true, judgement: { demonstration: "Teh answer", demonstrationFrom: "o1" } });
    const r = toJudgement(change(d, { kind: "demonstration", text: "The answer" }), improveItem, demo, 1);
    expect(r).toMatchObject({ ok: true, judgement: { demonstration: "The answer", demonstrationFrom: "o1", ranking: [] } });
    if (!r.ok) return;
    expect(judgementErrors(rules(demo), ["o1"], r.judgement)).toEqual([]);
    expect(judgementErrors(rules(demo), ["o1"], { ...r.judgement, demonstrationFrom: undefined })).toMatchObject([{ field: "demonstrationFrom" }]);
    const back = fromJudgement(improveItem, r.judgement, 0);
    expect(back).toMatchObject({ demonstration: "The answer", order: ["o1"] });
    expect(toJudgement(back, improveItem, demo, 1)).toMatchObject({ ok: true, judgement: { demonstration: "The answer" } });
  });
});

describe("drafts prefilled from the AI judge", () => {
  const suggestion = { judge: "judge-7b", ranking: [["y"], ["x"]], strength: "BETTER" as const, thumbs: null, ratings: {} };
  it("start from the judge's verdict in the order shown, and need a confirmation before they are sent", () => {
    const item = { ...pairItem, suggestion };
    const d = emptyDraft(item, 0);
    expect(d).toMatchObject({ choice: { winner: 1, strength: "BETTER" }, prefilled: true });
    expect(toJudgement(d, item, project({ suggestionMode: "PREFILL" }), 1)).toMatchObject({ ok: false, field: "suggestion", needsConfirmation: true });
    // confirming it sends the judge's verdict as the annotator's own
    expect(toJudgement(applyChange(d, { kind: "confirmOrder" }), item, project(), 1)).toMatchObject({ ok: true, judgement: { ranking: [["y"], ["x"]], strength: "BETTER" } });
    // any change makes it theirs
    const changed = change(d, { kind: "choose", choice: { winner: 0, strength: "SLIGHTLY_BETTER" } });
    expect(changed.prefilled).toBe(false);
    expect(toJudgement(changed, item, project(), 1)).toMatchObject({ ok: true, judgement: { ranking: [["x"], ["y"]], strength: "SLIGHTLY_BETTER" } });
  });

  it("prefill a ranking with its ties, and ignore a suggestion for other candidates", () => {
    const ranked = { ...rankItem, suggestion: { ...suggestion, strength: null, ranking: [["r"], ["p", "s"], ["q"]] } };
    expect(emptyDraft(ranked, 0)).toMatchObject({ order: ["r", "p", "s", "q"], tiedWithAbove: ["s"], prefilled: true });
    const stale = { ...rankItem, suggestion: { ...suggestion, ranking: [["p"], ["z"]] } };
    expect(emptyDraft(stale, 0).order).toEqual(["p", "q", "r", "s"]);
    expect(emptyDraft(stale, 0).prefilled).toBeFalsy();
  });
});
