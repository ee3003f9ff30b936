// The key map: every choice on one key, no key meaning two things at once, and the help generated from it.
import { describe, expect, it } from "vitest";
import { BINDINGS, helpFor, keyOf, lookup, type KeyContext } from "@/components/annotate/keymap";

const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({ taskType: "PAIRWISE", hasCriteria: true, thumbs: true, typing: false, flagsOpen: false, skipOpen: false, hasItem: true, ...over });
const press = (key: string, code = "", mods: Partial<KeyboardEvent> = {}) => keyOf({ key, code, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...mods });

describe("key map", () => {
  it("digits come from the physical key, so Shift or the number pad do not change them", () => {
    expect(press("!", "Digit1", { shiftKey: true })).toBe("1");
    expect(press("3", "Numpad3")).toBe("3");
    expect(press("Enter", "Enter", { ctrlKey: true })).toBe("Mod+Enter");
    expect(press("ArrowUp", "ArrowUp", { altKey: true })).toBe("Alt+ArrowUp");
    expect(press("X", "KeyX", { shiftKey: true })).toBe("x");
    expect(press("c", "KeyC", { ctrlKey: true })).toBeNull();
  });

  it("every pairwise strength, tie and both-bad has its own key", () => {
    const actions = ["1", "2", "3", "4", "5", "6", "7"].map((k) => lookup(k, ctx())!.action(k));
    expect(actions).toEqual([0, 1, 2, 3, 4, 5, 6].map((position) => ({ kind: "choose", position })));
    expect(lookup("x", ctx())!.action("x")).toEqual({ kind: "toggleBothBad" });
  });

  it("digits keep choosing while the flag panel is open; flags take letters that mean nothing else", () => {
    expect(lookup("2", ctx({ flagsOpen: true }))!.action("2")).toEqual({ kind: "choose", position: 1 });
    expect(lookup("u", ctx({ flagsOpen: true }))!.action("u")).toEqual({ kind: "toggleFlag", flag: "unsafe" });
    expect(lookup("u", ctx())).toBeNull();
  });

  it("in the skip dialog digits pick the reason and nothing else acts; in a text field only Ctrl+Enter and Esc do", () => {
    expect(lookup("2", ctx({ skipOpen: true }))!.action("2")).toEqual({ kind: "skipReason", index: 1 });
    expect(lookup("x", ctx({ skipOpen: true }))).toBeNull();
    for (const k of ["1", "e", "x", "Enter", "t", "?"]) expect(lookup(k, ctx({ typing: true }))).toBeNull();
    expect(lookup("Mod+Enter", ctx({ typing: true }))!.action("Mod+Enter")).toEqual({ kind: "submit" });
    expect(lookup("Escape", ctx({ typing: true }))!.action("Escape")).toEqual({ kind: "escape" });
  });

  it("ranking keys: select, move, put at a rank, tie", () => {
    const r = ctx({ taskType: "RANKING" });
    expect(lookup("ArrowDown", r)!.action("ArrowDown")).toEqual({ kind: "rankSelect", delta: 1 });
    expect(lookup("Alt+ArrowUp", r)!.action("Alt+ArrowUp")).toEqual({ kind: "rankMove", delta: -1 });
    expect(lookup("9", r)!.action("9")).toEqual({ kind: "rankPlace", position: 8 });
    expect(lookup("t", r)!.action("t")).toEqual({ kind: "rankTie" });
    expect(lookup("ArrowDown", ctx())).toBeNull();
  });

  it("no key has two bindings that apply in the same situation", () => {
    const situations: KeyContext[] = [];
    for (const taskType of ["PAIRWISE", "RANKING", "RATING", "DEMONSTRATION"] as const)
      for (const typing of [false, true]) for (const flagsOpen of [false, true]) for (const skipOpen of [false, true]) for (const thumbs of [false, true]) situations.push(ctx({ taskType, typing, flagsOpen, skipOpen, thumbs }));
    const keys = new Set(BINDINGS.flatMap((b) => b.keys));
    for (const c of situations) {
      for (const k of keys) {
        const applicable = BINDINGS.filter((b) => b.keys.includes(k) && (!b.tasks || b.tasks.includes(c.taskType)) && (b.when ? b.when(c) : c.hasItem && !c.typing && !c.skipOpen));
        expect(applicable.length, `${k} in ${JSON.stringify(c)}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("the help lists every binding of a task type, and only those", () => {
    const keysOf = (c: Partial<KeyContext>) => helpFor({ taskType: "PAIRWISE", hasCriteria: true, thumbs: true, ...c }).flatMap((g) => g.rows.map((r) => r.keys));
    const pair = keysOf({});
    expect(pair).toContain("1 … 7");
    expect(pair).not.toContain("Alt+↑ Alt+↓ (or Shift)");
    expect(pair.length).toBe(BINDINGS.filter((b) => !b.tasks || b.tasks.includes("PAIRWISE")).length);
    expect(keysOf({ taskType: "RANKING", hasCriteria: false })).not.toContain("C");
    expect(keysOf({ taskType: "RATING" })).toEqual(expect.arrayContaining(["A", "X", "C"]));
    expect(keysOf({ taskType: "RATING", thumbs: false })).not.toContain("A");
    expect(keysOf({ taskType: "DEMONSTRATION" })).toEqual(expect.arrayContaining(["W", "D"]));
    expect(keysOf({ taskType: "DEMONSTRATION" })).not.toContain("1 … 7");
  });

  it("rating: A and X are thumbs up and down (Prodigy's accept / reject), C rates the criteria; no both-bad", () => {
    const r = ctx({ taskType: "RATING" });
    expect(lookup("a", r)!.action("a")).toEqual({ kind: "thumbs", value: true });
    expect(lookup("x", r)!.action("x")).toEqual({ kind: "thumbs", value: false });
    expect(lookup("c", r)!.action("c")).toEqual({ kind: "rate" });
    expect(lookup("x", ctx({ taskType: "RATING", thumbs: false }))).toBeNull();
    expect(lookup("1", r)).toBeNull();
  });

  it("demonstration: W goes to the editor (while the flags are closed: there W flags a factual error), D shows the changes", () => {
    const d = ctx({ taskType: "DEMONSTRATION" });
    expect(lookup("w", d)!.action("w")).toEqual({ kind: "write" });
    expect(lookup("w", ctx({ taskType: "DEMONSTRATION", flagsOpen: true }))!.action("w")).toEqual({ kind: "toggleFlag", flag: "factually_wrong" });
    expect(lookup("d", d)!.action("d")).toEqual({ kind: "toggleDiff" });
    expect(lookup("w", ctx({ taskType: "DEMONSTRATION", typing: true }))).toBeNull();
    expect(lookup("Mod+Enter", ctx({ taskType: "DEMONSTRATION", typing: true }))!.action("Mod+Enter")).toEqual({ kind: "submit" });
    expect(lookup("x", d)).toBeNull();
  });
});
