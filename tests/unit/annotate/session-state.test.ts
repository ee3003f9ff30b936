// The annotation page's reducer: what is on screen is always an item with its own draft. The first test is the
// ranking crash that shipped once (a 4-way draft's candidate ids rendered against the next item).
import { describe, expect, it } from "vitest";
import { emptyDraft } from "@/components/annotate/draft";
import { initialState, onScreen, reduce, type SessionEvent, type SessionState } from "@/components/annotate/session-state";
import type { ItemView } from "@/components/annotate/types";

function item(n: number, k = 4): ItemView {
  return {
    assignmentId: `as-${n}`,
    itemId: `it-${n}`,
    expiresAt: new Date(0),
    messages: [{ role: "user", content: `prompt ${n}` }],
    candidates: Array.from({ length: k }, (_, j) => ({ id: `c-${n}-${j}`, text: `answer ${j}`, model: null })),
  };
}

const run = (s: SessionState, ...events: SessionEvent[]) => events.reduce(reduce, s);

describe("annotation page state", () => {
  it("after a submit the next item is shown with a fresh draft of its own, never the previous item's", () => {
    let s = run(initialState(item(1), false, 0), { type: "itemArrived", item: item(2), refusal: null, now: 1 });
    s = run(s, { type: "change", change: { kind: "moveTo", candidateId: "c-1-3", index: 0 }, now: 2 });
    expect(onScreen(s, 3)!.draft.order).toEqual(["c-1-3", "c-1-0", "c-1-1", "c-1-2"]);
    s = run(s, { type: "left", assignmentId: "as-1", now: 4 });
    const view = onScreen(s, 5)!;
    expect(view.item.assignmentId).toBe("as-2");
    expect(view.draft.assignmentId).toBe("as-2");
    expect(view.draft.order).toEqual(item(2).candidates.map((c) => c.id));
    // every id the view will render exists on the item
    const ids = new Set(view.item.candidates.map((c) => c.id));
    expect(view.draft.order.every((id) => ids.has(id))).toBe(true);
    expect(view.selected).toBe("c-2-0");
  });

  it("a draft kept for another assignment, or for other candidates, is never used", () => {
    const s = initialState(item(1), false, 0);
    const stale = { ...emptyDraft(item(9), 0), assignmentId: "as-1" };
    const restored = run(s, { type: "draftsRestored", drafts: [stale] });
    expect(onScreen(restored, 1)!.draft.candidateIds).toEqual(item(1).candidates.map((c) => c.id));
    const good = { ...emptyDraft(item(1), 0), rationale: "half written", choice: null };
    expect(onScreen(run(s, { type: "draftsRestored", drafts: [good] }), 1)!.draft.rationale).toBe("half written");
  });

  it("time spent starts when an item is shown, not when it was prefetched", () => {
    let s = run(initialState(item(1), false, 1000), { type: "itemArrived", item: item(2), refusal: null, now: 1500 });
    s = run(s, { type: "left", assignmentId: "as-1", now: 9000 });
    expect(onScreen(s, 9500)!.draft.startedAt).toBe(9000);
  });

  it("editing the last submission is a mode with its own item and draft; the queue stays as it was", () => {
    let s = run(initialState(item(2), false, 0), { type: "change", change: { kind: "rationale", text: "for item 2" }, now: 1 });
    const last = item(1, 2);
    s = run(s, { type: "editStarted", annotationId: "ann-1", item: last, draft: { ...emptyDraft(last, 2), rationale: "stored" } });
    expect(onScreen(s, 3)).toMatchObject({ editing: true, item: { assignmentId: "as-1" }, draft: { rationale: "stored" } });
    s = run(s, { type: "change", change: { kind: "rationale", text: "edited" }, now: 4 });
    s = run(s, { type: "editEnded", notice: "saved" });
    expect(onScreen(s, 5)).toMatchObject({ editing: false, item: { assignmentId: "as-2" }, draft: { rationale: "for item 2" } });
  });

  it("an empty queue is dry only when the server said so; a prefetch arriving later fills it", () => {
    let s = run(initialState(item(1), false, 0), { type: "queueDry", refusal: null });
    expect(s.queueStatus).toBe("ready");
    s = run(s, { type: "left", assignmentId: "as-1", now: 1 });
    expect(s.queueStatus).toBe("dry");
    s = run(s, { type: "itemArrived", item: item(2), refusal: null, now: 2 });
    expect(onScreen(s, 3)!.item.assignmentId).toBe("as-2");
  });

  it("a refusal from the server stays until its next answer: the held item first, then the refusal; a later item clears it", () => {
    const cap = { reason: "daily_cap" as const, message: "You have reached your daily limit of 3 items in this project.", resetsAt: new Date(0) };
    let s = run(initialState(item(1), false, 0), { type: "queueDry", refusal: cap });
    expect(onScreen(s, 1)!.item.assignmentId).toBe("as-1");
    s = run(s, { type: "left", assignmentId: "as-1", now: 1 });
    expect(s).toMatchObject({ queueStatus: "dry", refusal: cap });
    s = run(s, { type: "itemArrived", item: item(2), refusal: null, now: 2 });
    expect(s.refusal).toBeNull();
    expect(initialState(null, true, 0, cap)).toMatchObject({ queueStatus: "dry", refusal: cap });
  });

  it("asking to confirm an untouched ranking applies to that item only, and any change clears it", () => {
    let s = run(initialState(item(1), false, 0), { type: "askConfirm", message: "confirm?" });
    expect(s.confirming).toBe("as-1");
    s = run(s, { type: "change", change: { kind: "toggleBothBad" }, now: 1 });
    expect(s.confirming).toBeNull();
  });
});
