import { describe, expect, it } from "vitest";
import { majorityAgreement } from "@/server/services/analytics/annotators";

// Outcomes: 0 = first candidate better, 1 = second better, 2 = tie. counts include the annotator's own vote.
describe("majorityAgreement", () => {
  it("compares each annotator with the majority of the others on the same unit", () => {
    const result = majorityAgreement([
      // unit 1 voted by ann 0, bob 0, cat 1: ann's others {bob 0, cat 1} are split → left out for ann and
      // bob; cat's others {0, 0} → majority 0, cat disagrees
      { userId: "ann", counts: [2, 1, 0], own: 0, units: 1 },
      { userId: "bob", counts: [2, 1, 0], own: 0, units: 1 },
      { userId: "cat", counts: [2, 1, 0], own: 1, units: 1 },
      // two units voted 0, 0, 0 by ann, bob, dan: everyone agrees
      { userId: "ann", counts: [3, 0, 0], own: 0, units: 2 },
      { userId: "bob", counts: [3, 0, 0], own: 0, units: 2 },
      { userId: "dan", counts: [3, 0, 0], own: 0, units: 2 },
      // a unit voted tie, tie, 1, by cat, dan, ann: ann's others say tie (disagree); cat's others are split
      { userId: "cat", counts: [0, 1, 2], own: 2, units: 1 },
      { userId: "dan", counts: [0, 1, 2], own: 2, units: 1 },
      { userId: "ann", counts: [0, 1, 2], own: 1, units: 1 },
    ]);
    expect(Object.fromEntries(result)).toEqual({
      ann: { units: 3, agreed: 2 },
      bob: { units: 2, agreed: 2 },
      cat: { units: 1, agreed: 0 },
      dan: { units: 2, agreed: 2 },
    });
  });

  it("leaves out units nobody else judged", () => {
    expect(majorityAgreement([{ userId: "ann", counts: [1, 0, 0], own: 0, units: 4 }]).size).toBe(0);
  });
});
