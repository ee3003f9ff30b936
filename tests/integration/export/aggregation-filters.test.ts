// Aggregation policies, filters and the train/test split, on the fixture projects (tests/fixtures/export).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { createSnapshot, isTestPrompt, snapshotDir, type SnapshotView } from "@/server/services/export";
import { buildFixture, readRows, texts, type Fixture } from "@/tests/fixtures/export/fixture";

let fx: Fixture;
let t: ReturnType<typeof texts>;
const created: string[] = [];
const noFilters = { excludeFlagged: false, excludeGold: false, excludeInactiveAnnotators: false };

beforeAll(async () => {
  fx = await buildFixture();
  t = texts(fx);
});

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

async function rows(def: Partial<CreateSnapshotInput>): Promise<{ snap: SnapshotView; rows: Record<string, unknown>[] }> {
  const snap = await createSnapshot({
    name: `agg-${fx.suffix}`,
    projectIds: [fx.projects.a.id, fx.projects.b.id],
    split: { testRatio: 0, seed: "" },
    ...def,
  });
  created.push(snap.id);
  return { snap, rows: [...(await readRows(snap.id, "train.jsonl")), ...(await readRows(snap.id, "test.jsonl"))] };
}

/** (chosen, rejected, margin) per prompt, texts without the fixture suffix. */
function pairs(list: Record<string, unknown>[], prompt: keyof typeof t.hashes) {
  const strip = (x: unknown) => String(x).replace(` [${fx.suffix}]`, "");
  return list.filter((r) => r.prompt_id === t.hashes[prompt]).map((r) => [strip(r.chosen), strip(r.rejected), r.margin]);
}

describe("aggregation", () => {
  it("majority: one row per pair in the majority direction; split votes dropped", async () => {
    const { rows: out } = await rows({ aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } });
    // 4 beat 5 twice (margins 2 and 3), lost once
    expect(pairs(out, "p1")).toEqual([["4", "5", 2.5]]);
    expect(out.find((r) => r.prompt_id === t.hashes.p1)).toMatchObject({ score_chosen: 6.75, score_rejected: 2 });
    // one win and one tie vote: the win decides
    expect(pairs(out, "p2")).toEqual([["Blue.", "Red again.", 2]]);
    // one vote each way: no majority
    expect(pairs(out, "p3")).toEqual([]);
    expect(pairs(out, "p5")).toEqual([
      ["Rain taps the window", "Grey sky, wet street", 1],
      ["Rain taps the window", "It is raining", 1.5],
      ["Grey sky, wet street", "It is raining", 1],
    ]);
  });

  it("majority with ties kept writes split pairs once with margin 0", async () => {
    const { rows: out } = await rows({ aggregation: { policy: "majority", ties: "keep", minAgreement: 0 } });
    const p3 = pairs(out, "p3");
    expect(p3).toHaveLength(1);
    expect(p3[0][2]).toBe(0);
    expect(new Set([p3[0][0], p3[0][1]])).toEqual(new Set(["Paris", "Lyon"]));
  });

  it("minimum agreement drops pairs the annotators disagree on", async () => {
    const { rows: out } = await rows({ aggregation: { policy: "majority", ties: "drop", minAgreement: 0.6 } });
    expect(pairs(out, "p1")).toEqual([["4", "5", 2.5]]); // 2 of 3 agree
    expect(pairs(out, "p2")).toEqual([]); // 1 of 2 (the other vote was a tie)
    expect(pairs(out, "p5")).toEqual([
      ["Rain taps the window", "Grey sky, wet street", 1],
      ["Rain taps the window", "It is raining", 1.5],
    ]);
    // with `all`, each comparison row is kept only when its direction has enough agreement
    const { rows: all } = await rows({ aggregation: { policy: "all", ties: "drop", minAgreement: 0.6 } });
    expect(pairs(all, "p1")).toEqual([["4", "5", 2], ["4", "5", 3]]);
  });

  it("bradley_terry: every pair of a prompt in score order, margins are score differences", async () => {
    const { rows: out } = await rows({ aggregation: { policy: "bradley_terry", ties: "drop", minAgreement: 0 } });
    const p5 = pairs(out, "p5");
    expect(p5.map(([c, r]) => [c, r])).toEqual([
      ["Rain taps the window", "Grey sky, wet street"],
      ["Rain taps the window", "It is raining"],
      ["Grey sky, wet street", "It is raining"],
    ]);
    const [ac, ab, cb] = p5.map((p) => p[2] as number);
    expect(ac).toBeGreaterThan(0);
    expect(cb).toBeGreaterThan(0);
    expect(ab).toBeCloseTo(ac + cb, 5);
    expect(pairs(out, "p1").map(([c, r]) => [c, r])).toEqual([["4", "5"]]);
    // equal scores (one vote each way) are a tie: dropped
    expect(pairs(out, "p3")).toEqual([]);
  });

  it("all with ties kept adds a margin-0 row per tied pair of each annotation", async () => {
    const { rows: out } = await rows({ aggregation: { policy: "all", ties: "keep", minAgreement: 0 } });
    expect(pairs(out, "p2")).toEqual([
      ["Blue.", "Red again.", 0],
      ["Blue.", "Red again.", 2],
    ]);
  });
});

describe("filters", () => {
  const annotators = (out: Record<string, unknown>[]) => new Set(out.map((r) => r.annotation_id));

  it("exclude gold and flagged items", async () => {
    const { rows: out } = await rows({ format: "raw", filters: { ...noFilters, excludeGold: true, excludeFlagged: true } });
    const ids = annotators(out);
    expect(ids).toEqual(new Set([fx.ann.alice1, fx.ann.bob1, fx.ann.carol1, fx.ann.alice2, fx.ann.dave2, fx.ann.alice5, fx.ann.bob5]));
  });

  it("exclude deactivated annotators", async () => {
    const { rows: out } = await rows({ format: "raw", filters: { ...noFilters, excludeInactiveAnnotators: true } });
    expect(annotators(out).has(fx.ann.dave2)).toBe(false);
    expect(annotators(out).size).toBe(9);
  });

  it("exclude annotators below a gold accuracy", async () => {
    // bob answered his one gold item wrong (0%), alice right (100%); carol has no gold answers and is kept
    const { rows: out } = await rows({ format: "raw", filters: { ...noFilters, minGoldAccuracy: 0.5 } });
    expect(annotators(out)).toEqual(
      new Set([fx.ann.alice1, fx.ann.carol1, fx.ann.alice2, fx.ann.dave2, fx.ann.alice3, fx.ann.carol4, fx.ann.alice5]),
    );
  });

  it("only items with at least N judgements", async () => {
    const { rows: out, snap } = await rows({ format: "raw", filters: { ...noFilters, minJudgements: 3 } });
    expect(annotators(out)).toEqual(new Set([fx.ann.alice1, fx.ann.bob1, fx.ann.carol1]));
    expect(snap.stats).toMatchObject({ items: 1, prompts: 1, annotations: 3 });
  });

  it("date range: annotations in [from, to)", async () => {
    const { rows: out } = await rows({
      format: "raw",
      filters: { ...noFilters, from: new Date("2026-03-01T10:03:00Z"), to: new Date("2026-03-01T10:08:00Z") },
    });
    expect(annotators(out)).toEqual(new Set([fx.ann.carol1, fx.ann.alice2, fx.ann.dave2, fx.ann.alice3, fx.ann.bob3]));
  });

  it("projects: only the chosen ones", async () => {
    const { rows: out } = await rows({ format: "raw", projectIds: [fx.projects.b.id] });
    expect(annotators(out)).toEqual(new Set([fx.ann.alice5, fx.ann.bob5]));
  });

  it("rejects a bad definition with field errors and an unknown project with NOT_FOUND", async () => {
    await expect(
      createSnapshot({ name: "bad", projectIds: [fx.projects.a.id], split: { testRatio: 2, seed: "" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", fieldErrors: [expect.objectContaining({ field: "split.testRatio" })] });
    await expect(createSnapshot({ name: "bad", projectIds: [fx.projects.a.id], fileType: "parquet", gzip: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(createSnapshot({ name: "bad", projectIds: ["nope"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("split", () => {
  it("puts each prompt wholly in one split, decided by its hash, the same way every time", async () => {
    const split = { testRatio: 0.5, seed: "s1" };
    const a = await createSnapshot({ name: `split-${fx.suffix}`, projectIds: [fx.projects.a.id, fx.projects.b.id], split });
    const b = await createSnapshot({ name: `split-${fx.suffix}`, projectIds: [fx.projects.a.id, fx.projects.b.id], split });
    created.push(a.id, b.id);
    const train = new Set((await readRows(a.id, "train.jsonl")).map((r) => r.prompt_id));
    const test = new Set((await readRows(a.id, "test.jsonl")).map((r) => r.prompt_id));
    expect([...train].filter((p) => test.has(p))).toEqual([]);
    for (const p of train) expect(isTestPrompt(String(p), split)).toBe(false);
    for (const p of test) expect(isTestPrompt(String(p), split)).toBe(true);
    expect(b.files.map((f) => f.sha256)).toEqual(a.files.map((f) => f.sha256));
    expect(a.rowCounts.train! + a.rowCounts.test!).toBe(12);
  });
});
