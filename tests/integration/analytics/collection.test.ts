// Analytics of rating and demonstration projects on judgements made through the annotation API, against figures
// worked out by hand (and, for alpha, by the textbook computation of ./krippendorff.ts on the same values).
import { describe, expect, it } from "vitest";
import { collectionAnalytics } from "@/server/services/analytics/collection";
import { krippendorffAlpha } from "@/server/services/analytics/krippendorff";
import { makeProject, makeUser, uid, workQueue } from "../fixtures/annotation";

describe("collection analytics", () => {
  it("ratings: ordinal alpha per criterion, the distribution, thumbs, per annotator mean and spread, per model", async () => {
    const tag = uid();
    const [u1, u2] = [await makeUser(), await makeUser()];
    const { project } = await makeProject({
      taskType: "RATING",
      overlap: 2,
      criteria: [{ key: "q", label: "Quality", description: "", scale: { kind: "likert", points: 5 } }] as never,
      items: [0, 1, 2, 3].map((i) => ({ messages: [{ role: "user" as const, content: `P${i} ${tag}` }], candidates: [{ text: `R${i} ${tag}`, model: i < 2 ? "alpha-model" : "beta-model" }] })),
      members: [u1.id, u2.id],
    });
    // u1 rates 5,4,2,1 and thumbs up on the first two; u2 one point lower on each (a harsher rater), same thumbs
    const first = { 0: 5, 1: 4, 2: 2, 3: 1 } as Record<number, number>;
    await workQueue(project.slug, u1, (it) => {
      const i = Number(it.messages[0].content[1]);
      return { ranking: [[it.candidates[0].id]], thumbs: i < 2, ratings: { [it.candidates[0].id]: { q: first[i] } } };
    });
    await workQueue(project.slug, u2, (it) => {
      const i = Number(it.messages[0].content[1]);
      return { ranking: [[it.candidates[0].id]], thumbs: i < 2, ratings: { [it.candidates[0].id]: { q: Math.max(1, first[i] - 1) } } };
    });
    const f = await collectionAnalytics(project.id);
    if (f?.kind !== "ratings") throw new Error("expected rating figures");
    expect(f.count).toBe(8);
    const expectedAlpha = krippendorffAlpha([[5, 4], [4, 3], [2, 1], [1, 1]], "ordinal")!;
    expect(f.criteria[0].alpha).toBeCloseTo(expectedAlpha, 3);
    expect(f.criteria[0].distribution.map((d) => d.count)).toEqual([3, 1, 1, 2, 1]);
    expect(f.criteria[0].mean).toBeCloseTo((5 + 4 + 2 + 1 + 4 + 3 + 1 + 1) / 8, 3);
    // the thumbs agree on every item: alpha 1
    expect(f.thumbs).toEqual({ up: 4, down: 4, alpha: 1 });
    const a1 = f.annotators.find((a) => a.userId === u1.id)!;
    const a2 = f.annotators.find((a) => a.userId === u2.id)!;
    expect(a1).toMatchObject({ count: 4, thumbsUp: 0.5, means: { q: { mean: 3 } } });
    expect(a1.means.q!.sd).toBeCloseTo(Math.sqrt(((5 - 3) ** 2 + 1 + 1 + 4) / 4), 3);
    expect(a2.means.q!.mean).toBeCloseTo(9 / 4, 3);
    expect(f.models).toEqual([
      { model: "alpha-model", count: 4, thumbsUp: 1, means: { q: 4 } },
      { model: "beta-model", count: 4, thumbsUp: 0, means: { q: 1.25 } },
    ]);
  });

  it("demonstrations: count, improved, length buckets, median time, per annotator", async () => {
    const tag = uid();
    const u = await makeUser();
    const { project } = await makeProject({
      taskType: "DEMONSTRATION",
      items: [
        { messages: [{ role: "user" as const, content: `W1 ${tag}` }], candidates: [] },
        { messages: [{ role: "user" as const, content: `W2 ${tag}` }], candidates: [] },
        { messages: [{ role: "user" as const, content: `W3 ${tag}` }], candidates: [{ text: `Draft ${tag}`, model: "m" }] },
      ],
      members: [u.id],
    });
    const lengths = [50, 300, 1200];
    let i = 0;
    await workQueue(project.slug, u, (it) => ({ ranking: [], demonstration: "x".repeat(lengths[i++]), ...(it.candidates[0] ? { demonstrationFrom: it.candidates[0].id } : {}) }));
    const f = await collectionAnalytics(project.id);
    if (f?.kind !== "demonstrations") throw new Error("expected demonstration figures");
    expect(f).toMatchObject({ count: 3, improved: 1, medianChars: 300, meanChars: 516.7, medianSeconds: 1 });
    expect(f.lengths).toEqual([
      { bucket: "0–99", count: 1 },
      { bucket: "100–249", count: 0 },
      { bucket: "250–499", count: 1 },
      { bucket: "500–999", count: 0 },
      { bucket: "1000–1999", count: 1 },
      { bucket: "2000–3999", count: 0 },
      { bucket: "4000+", count: 0 },
    ]);
    expect(f.annotators).toEqual([{ userId: u.id, name: u.name, count: 3, medianChars: 300, medianSeconds: 1 }]);
  });
});
