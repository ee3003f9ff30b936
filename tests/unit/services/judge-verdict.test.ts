// How a judge's answer text becomes a verdict and two orders one suggestion (server/services/judge/verdict.ts).
import { describe, expect, it } from "vitest";
import { combine, fillTemplate, judgeMessages, parseVerdict, templateError, type JudgedItem } from "@/server/services/judge/verdict";

const pair: JudgedItem = { taskType: "PAIRWISE", messages: [{ role: "user", content: "Sum 2+2" }], guidelines: "", candidates: [{ id: "x", text: "4" }, { id: "y", text: "5" }], criteria: [], thumbs: false };

describe("parsing a pairwise verdict", () => {
  it("reads the five verdicts in either spelling, in the order shown", () => {
    expect(parseVerdict(pair, ["x", "y"], "A is right. [[A>>B]]")).toEqual({ kind: "ranking", ranking: [["x"], ["y"]], strength: "MUCH_BETTER" });
    expect(parseVerdict(pair, ["y", "x"], "[[A>B]]")).toEqual({ kind: "ranking", ranking: [["y"], ["x"]], strength: "BETTER" });
    expect(parseVerdict(pair, ["x", "y"], "final: [[ B < A ]]")).toEqual({ kind: "ranking", ranking: [["x"], ["y"]], strength: "BETTER" });
    expect(parseVerdict(pair, ["x", "y"], "[[A=B]]")).toEqual({ kind: "ranking", ranking: [["x", "y"]], strength: "TIE" });
  });

  it("holds the judge to nothing when it gives no verdict or two that contradict", () => {
    expect(parseVerdict(pair, ["x", "y"], "A is better.")).toBeNull();
    expect(parseVerdict(pair, ["x", "y"], "First [[A>B]], on reflection [[B>A]]")).toBeNull();
    // the same verdict twice is one verdict
    expect(parseVerdict(pair, ["x", "y"], "[[A>B]] … so: [[B<A]]")).toMatchObject({ ranking: [["x"], ["y"]] });
  });
});

describe("combining the two orders", () => {
  const answer = (order: string[], raw: string) => ({ order, raw, verdict: parseVerdict(pair, order, raw) });
  it("keeps an agreed verdict with the weaker strength, ties a disagreement, uses a lone verdict as it is", () => {
    expect(combine(pair, [answer(["x", "y"], "[[A>>B]]"), answer(["y", "x"], "[[B>A]]")])).toMatchObject({ ranking: [["x"], ["y"]], strength: "BETTER", consistent: true });
    expect(combine(pair, [answer(["x", "y"], "[[A>B]]"), answer(["y", "x"], "[[A>B]]")])).toMatchObject({ ranking: [["x", "y"]], strength: "TIE", consistent: false });
    expect(combine(pair, [answer(["x", "y"], "[[A>B]]"), answer(["y", "x"], "[[A=B]]")])).toMatchObject({ strength: "TIE", consistent: false });
    expect(combine(pair, [answer(["x", "y"], "[[B>A]]"), answer(["y", "x"], "no idea")])).toMatchObject({ ranking: [["y"], ["x"]], consistent: null });
    expect(combine(pair, [answer(["x", "y"], "?"), answer(["y", "x"], "?")]).ranking).toBeNull();
  });

  it("ranks 3+ by letters, every letter once, and averages places when the orders disagree", () => {
    const three: JudgedItem = { ...pair, taskType: "RANKING", candidates: [{ id: "a", text: "1" }, { id: "b", text: "2" }, { id: "c", text: "3" }] };
    expect(parseVerdict(three, ["a", "b", "c"], "[[C > A = B]]")).toEqual({ kind: "ranking", ranking: [["c"], ["a", "b"]] });
    expect(parseVerdict(three, ["a", "b", "c"], "[[C>A]]")).toBeNull();
    expect(parseVerdict(three, ["a", "b", "c"], "[[C>A>A]]")).toBeNull();
    const v = (order: string[], raw: string) => ({ order, raw, verdict: parseVerdict(three, order, raw) });
    // a > b > c, then (reversed shown) b > a > c: a and b average 0.5, c 2
    expect(combine(three, [v(["a", "b", "c"], "[[A>B>C]]"), v(["c", "b", "a"], "[[B>C>A]]")])).toMatchObject({ ranking: [["a", "b"], ["c"]], consistent: false });
  });
});

describe("the prompt", () => {
  it("puts model text in once, never expanding placeholders inside it", () => {
    const tricky: JudgedItem = { ...pair, candidates: [{ id: "x", text: "see {{answer_b}}" }, { id: "y", text: "B" }] };
    const [system, user] = judgeMessages(tricky, ["x", "y"], {});
    expect(system.content).toContain('"[[A>>B]]" if assistant A is significantly better');
    expect(user.content).toContain("<|The Start of Assistant A's Answer|>\nsee {{answer_b}}\n");
    expect(fillTemplate("{{a}} {{b}} {{unknown}}", { a: "{{b}}", b: "2" })).toBe("{{b}} 2 {{unknown}}");
  });

  it("refuses a template that would hide the responses from the judge", () => {
    expect(templateError("PAIRWISE", "{{question}} {{answer_a}}")).toBe("the template must contain {{answer_b}}");
    expect(templateError("RANKING", "{{question}}\\n{{answers}}")).toBeNull();
    expect(templateError("DEMONSTRATION", "x")).toMatch(/nothing to judge/);
  });
});
