// projectAnalytics on small projects built in Postgres, every figure checked against values worked out by
// hand (see the comments next to each expectation).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addItems, upsertProject, upsertUser } from "@/prisma/seed/helpers";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import type { AnnotatorFigures, ProjectAnalytics } from "@/server/schemas/analytics";
import { analyticsCsv, projectAnalytics } from "@/server/services/analytics";
import { bradleyTerry, winRateMatrix } from "@/server/services/analytics/bradley-terry";
import { krippendorffAlpha } from "@/server/services/analytics/krippendorff";

const run = randomUUID().slice(0, 8);
const NOW = new Date("2026-03-01T12:30:00.000Z");
const at = (hhmm: string) => new Date(`2026-03-01T${hhmm}:00.000Z`);

async function person(name: string): Promise<string> {
  return (await upsertUser(db, { email: `${name}-${run}@analytics.test`, name, role: "ANNOTATOR" })).id;
}

async function itemCandidates(itemId: string): Promise<string[]> {
  const links = await db.itemCandidate.findMany({ where: { itemId }, orderBy: { position: "asc" } });
  return links.map((l) => l.candidateId);
}

/** Writes what a submit writes: the submitted assignment, the annotation and its derived comparisons. */
async function judge(opts: {
  projectId: string;
  itemId: string;
  userId: string;
  ranking: string[][];
  shownOrder: string[];
  createdAt: Date;
  timeSpentMs: number;
  flags?: string[];
  isGold?: boolean;
  goldCorrect?: boolean;
  surplus?: boolean;
  bothBad?: boolean;
}): Promise<void> {
  const item = await db.item.findUniqueOrThrow({ where: { id: opts.itemId } });
  const assignment = await db.assignment.create({
    data: {
      itemId: opts.itemId,
      userId: opts.userId,
      projectId: opts.projectId,
      state: "SUBMITTED",
      leasedAt: opts.createdAt,
      expiresAt: new Date(opts.createdAt.getTime() + 600_000),
      shownOrder: opts.shownOrder,
    },
  });
  const annotation = await db.annotation.create({
    data: {
      submissionId: randomUUID(),
      assignmentId: assignment.id,
      itemId: opts.itemId,
      projectId: opts.projectId,
      userId: opts.userId,
      ranking: opts.ranking,
      strength: opts.ranking.length === 1 ? "TIE" : "BETTER",
      flags: opts.flags ?? [],
      timeSpentMs: opts.timeSpentMs,
      isGold: opts.isGold ?? false,
      goldCorrect: opts.goldCorrect,
      surplus: opts.surplus ?? false,
      bothBad: opts.bothBad ?? false,
      createdAt: opts.createdAt,
    },
  });
  const rows = [];
  for (let i = 0; i < opts.ranking.length; i++) {
    for (let j = i + 1; j < opts.ranking.length; j++) {
      for (const chosenId of opts.ranking[i]) {
        for (const rejectedId of opts.ranking[j]) {
          rows.push({
            annotationId: annotation.id,
            projectId: opts.projectId,
            itemId: opts.itemId,
            promptId: item.promptId,
            userId: opts.userId,
            chosenId,
            rejectedId,
            margin: j - i,
            createdAt: opts.createdAt,
          });
        }
      }
    }
  }
  if (rows.length) await db.comparison.createMany({ data: rows });
}

const pair = (n: number, first: string, second: string) => ({
  messages: [{ role: "user" as const, content: `pairwise ${run} prompt ${n}` }],
  candidates: [
    { text: `${run} ${n} first`, model: first },
    { text: `${run} ${n} second`, model: second },
  ],
});

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
});

describe("projectAnalytics on a pairwise project", () => {
  let a: ProjectAnalytics;
  let projectId: string;
  const users: Record<string, string> = {};
  const byName = (name: string): AnnotatorFigures => a.annotators.find((x) => x.name === name)!;

  beforeAll(async () => {
    for (const name of ["ann", "bob", "cat", "dan"]) users[name] = await person(name);
    const project = await upsertProject(db, { name: `Pairwise ${run}`, slug: `analytics-pair-${run}`, taskType: "PAIRWISE", overlap: 3 });
    projectId = project.id;
    const [i1, i2, i3, i4, i5, i6] = await addItems(db, projectId, [
      pair(1, "strong", "weak"),
      pair(2, "strong", "mid"),
      pair(3, "mid", "weak"),
      { ...pair(4, "strong", "weak"), isGold: true, goldRanking: [[0], [1]] },
      pair(5, "strong", "weak"),
      pair(6, "mid", "strong"),
    ]);
    const [x1, y1] = await itemCandidates(i1);
    const [x2, z2] = await itemCandidates(i2);
    const [z3, y3] = await itemCandidates(i3);
    const [g1, g2] = await itemCandidates(i4);
    const [c6a, c6b] = await itemCandidates(i6);
    await db.item.update({ where: { id: i1 }, data: { status: "COMPLETE", completedCount: 3 } });
    await db.item.update({ where: { id: i2 }, data: { completedCount: 2 } });
    await db.item.update({ where: { id: i3 }, data: { completedCount: 1 } });
    await db.item.update({ where: { id: i4 }, data: { completedCount: 2 } });
    await db.item.update({ where: { id: i5 }, data: { status: "ARCHIVED" } });

    const { ann, bob, cat, dan } = users;
    // item 1 (strong vs weak): ann, bob, dan say first better; cat says second (and both bad); dan's is the surplus 4th
    await judge({ projectId, itemId: i1, userId: ann, ranking: [[x1], [y1]], shownOrder: [x1, y1], createdAt: at("11:10"), timeSpentMs: 1000 });
    await judge({ projectId, itemId: i1, userId: bob, ranking: [[x1], [y1]], shownOrder: [y1, x1], createdAt: at("11:40"), timeSpentMs: 4000 });
    await judge({ projectId, itemId: i1, userId: cat, ranking: [[y1], [x1]], shownOrder: [y1, x1], createdAt: at("12:20"), timeSpentMs: 7000, bothBad: true });
    await judge({ projectId, itemId: i1, userId: dan, ranking: [[x1], [y1]], shownOrder: [x1, y1], createdAt: at("12:25"), timeSpentMs: 1500, surplus: true });
    // item 2 (strong vs mid): ann tie, bob first better
    await judge({ projectId, itemId: i2, userId: ann, ranking: [[x2, z2]], shownOrder: [z2, x2], createdAt: at("11:20"), timeSpentMs: 3000 });
    await judge({ projectId, itemId: i2, userId: bob, ranking: [[x2], [z2]], shownOrder: [x2, z2], createdAt: at("12:10"), timeSpentMs: 6000 });
    // item 3 (mid vs weak): ann first better, shown second; two flags; both bad
    await judge({ projectId, itemId: i3, userId: ann, ranking: [[z3], [y3]], shownOrder: [y3, z3], createdAt: at("10:05"), timeSpentMs: 2000, flags: ["unsafe", "pii"], bothBad: true });
    // gold item 4: ann right, bob wrong (bob's judgement is older than the 48 h chart)
    await judge({ projectId, itemId: i4, userId: ann, ranking: [[g1], [g2]], shownOrder: [g1, g2], createdAt: at("09:00"), timeSpentMs: 10000, isGold: true, goldCorrect: true });
    await judge({
      projectId, itemId: i4, userId: bob, ranking: [[g2], [g1]], shownOrder: [g2, g1], createdAt: new Date("2026-02-26T00:00:00.000Z"),
      timeSpentMs: 5000, isGold: true, goldCorrect: false, flags: ["other"],
    });
    // cat skipped item 2; dan holds a live lease on item 3 and an expired one on item 6
    await db.assignment.create({ data: { itemId: i2, userId: cat, projectId, state: "SKIPPED", skipReason: "unsure", expiresAt: at("12:00"), shownOrder: [x2, z2] } });
    await db.assignment.create({ data: { itemId: i3, userId: dan, projectId, state: "ACTIVE", expiresAt: at("12:35"), shownOrder: [z3, y3] } });
    await db.assignment.create({ data: { itemId: i6, userId: dan, projectId, state: "ACTIVE", expiresAt: at("12:29"), shownOrder: [c6a, c6b] } });

    a = await projectAnalytics({ projectId, now: NOW, bootstrapRounds: 50 });
  });

  it("reports items by state, live leases, the hourly series and the ETA", () => {
    expect(a.project).toMatchObject({ id: projectId, taskType: "PAIRWISE", overlap: 3 });
    expect(a.progress.items).toEqual({ open: 4, complete: 1, archived: 1, total: 6, gold: 1 });
    expect(a.progress.activeLeases).toBe(1);
    expect(a.progress.annotations).toBe(9);
    expect(a.progress.perHour).toHaveLength(48);
    expect(a.progress.perHour[0].hour).toBe("2026-02-27T13:00:00.000Z");
    expect(a.progress.perHour.slice(-4)).toEqual([
      { hour: "2026-03-01T09:00:00.000Z", annotations: 1 },
      { hour: "2026-03-01T10:00:00.000Z", annotations: 1 },
      { hour: "2026-03-01T11:00:00.000Z", annotations: 3 },
      { hour: "2026-03-01T12:00:00.000Z", annotations: 3 },
    ]);
    expect(a.progress.perHour.reduce((s, h) => s + h.annotations, 0)).toBe(8);
    // remaining: item 2 needs 1, item 3 needs 2, item 6 needs 3 (gold and archived items don't count)
    // pace: 6 counted judgements since 06:30 (not the gold ones, not dan's surplus) = 1 per hour
    expect(a.progress).toMatchObject({ remaining: 6, ratePerHour: 1, paceWindowHours: 6, etaHours: 6, etaAt: "2026-03-01T18:30:00.000Z" });
  });

  it("reports per-annotator counts, time, skips, gold, majority agreement, position bias and flags", () => {
    expect(a.annotators.map((x) => x.name)).toEqual(["ann", "bob", "cat", "dan"]);
    expect(byName("ann")).toEqual({
      userId: users.ann,
      name: "ann",
      email: `ann-${run}@analytics.test`,
      annotations: 4,
      medianTimeMs: 2500, // 1000, 2000, 3000, 10000
      skips: 0,
      skipRate: 0,
      goldAnswered: 1,
      goldAccuracy: 1,
      // item 1: others say first, first, second → agrees; item 2: bob says first, ann tie → no;
      // gold item: bob says second → no
      majorityUnits: 3,
      majorityAgreement: 1 / 3,
      // decisive judgements: item 1 (chosen shown first), item 3 (shown second), gold (shown first)
      positionJudgements: 3,
      firstPositionShare: 2 / 3,
      firstPositionExpected: 0.5,
      flagsRaised: 2,
    });
    expect(byName("bob")).toMatchObject({
      annotations: 3, medianTimeMs: 5000, goldAnswered: 1, goldAccuracy: 0, majorityUnits: 3, majorityAgreement: 1 / 3,
      positionJudgements: 3, firstPositionShare: 2 / 3, flagsRaised: 1,
    });
    // cat: on item 1 the others say first, first, first; one skip beside one judgement
    expect(byName("cat")).toMatchObject({
      annotations: 1, skips: 1, skipRate: 0.5, goldAnswered: 0, goldAccuracy: null, majorityUnits: 1, majorityAgreement: 0,
      firstPositionShare: 1,
    });
    expect(byName("dan")).toMatchObject({ annotations: 1, medianTimeMs: 1500, skips: 0, skipRate: 0, majorityAgreement: 1, firstPositionShare: 1 });
  });

  it("computes alpha and raw agreement over items judged at least twice", () => {
    // first/second/tie per item: item 1 F F S F, item 2 T F, gold F S (item 3 has one judgement)
    // coincidences: FF 2, FS 2, FT 1 (and mirrors); n_F 5, n_S 2, n_T 1, n 8 → alpha = 1 − 7·6/34
    expect(a.agreement.alpha).toBeCloseTo(1 - 42 / 34, 12);
    expect(a.agreement.alpha).toBeCloseTo(krippendorffAlpha([["F", "F", "S", "F"], ["T", "F"], ["F", "S"], ["F"]])!, 12);
    // 3 agreeing pairs of 6 on item 1, 0 of 1 on item 2 and on the gold item
    expect(a.agreement).toMatchObject({ unit: "item", rawAgreement: 3 / 8, items: 3, units: 3, pairs: 8 });
  });

  it("ranks models from the comparisons with ties as half", () => {
    const tallies = [
      { a: "strong", b: "weak", aWins: 4, bWins: 2, ties: 0 },
      { a: "strong", b: "mid", aWins: 1, bWins: 0, ties: 1 },
      { a: "mid", b: "weak", aWins: 1, bWins: 0, ties: 0 },
    ];
    // both bad: cat's judgement of item 1 (strong, weak) and ann's of item 3 (mid, weak)
    const bothBad: Record<string, number> = { strong: 1, mid: 1, weak: 2 };
    const expected = bradleyTerry(tallies, { bootstrapRounds: 50 }).map((r) => ({ ...r, bothBad: bothBad[r.model] }));
    expect(a.leaderboard.rows).toEqual(expected);
    expect(a.leaderboard.rows.map((r) => [r.model, r.bothBad])).toEqual([["strong", 1], ["mid", 1], ["weak", 2]]);
    expect(a.leaderboard.comparisons).toBe(9);
    expect(a.leaderboard.rows.map((r) => [r.model, r.wins, r.losses, r.ties, r.comparisons])).toEqual([
      ["strong", 5, 2, 1, 8],
      ["mid", 1, 1, 1, 3],
      ["weak", 2, 5, 0, 7],
    ]);
    expect(a.winRates).toEqual(winRateMatrix(tallies, ["strong", "mid", "weak"]));
    expect(a.winRates.cells[0][2].winRate).toBeCloseTo(4 / 6, 12);
    expect(a.winRates.cells[0][1].winRate).toBe(0.75);
    expect(a.winRates.cells[1][2].winRate).toBe(1);
  });

  it("exports each table as CSV", async () => {
    const annotators = await analyticsCsv({ projectId, table: "annotators" });
    expect(annotators.fileName).toBe(`analytics-pair-${run}-annotators.csv`);
    const lines = annotators.content.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "user_id,name,email,annotations,median_time_ms,skips,skip_rate,gold_answered,gold_accuracy,majority_units,majority_agreement," +
        "position_judgements,first_position_share,first_position_expected,flags_raised",
    );
    expect(lines).toHaveLength(5);
    expect(lines).toContain(`${users.cat},cat,cat-${run}@analytics.test,1,7000,1,0.5,0,,1,0,1,1,0.5,0`);

    const winrates = (await analyticsCsv({ projectId, table: "winrates" })).content.trimEnd().split("\r\n");
    expect(winrates).toEqual([
      "model,opponent,games,wins,ties,losses,win_rate",
      "strong,mid,2,1,1,0,0.75",
      `strong,weak,6,4,0,2,${4 / 6}`,
      "mid,strong,2,0,1,1,0.25",
      "mid,weak,1,1,0,0,1",
      `weak,strong,6,2,0,4,${2 / 6}`,
      "weak,mid,1,0,0,1,0",
    ]);
    const agreement = (await analyticsCsv({ projectId, table: "agreement" })).content.trimEnd().split("\r\n");
    expect(agreement[1]).toBe(`item,${1 - 42 / 34},0.375,3,3,8`);
    const leaderboard = (await analyticsCsv({ projectId, table: "leaderboard" })).content.trimEnd().split("\r\n");
    expect(leaderboard.map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["rank,model", "1,strong", "2,mid", "3,weak"]);
    expect(leaderboard.map((l) => l.split(",").at(-1))).toEqual(["both_bad", "1", "1", "2"]);
    const progress = (await analyticsCsv({ projectId, table: "progress" })).content;
    expect(progress).toContain("\r\nitems_open,4\r\n");
    expect(progress).toContain("\r\nremaining_judgements,6\r\n");
    expect((await analyticsCsv({ projectId, table: "hourly" })).content.trimEnd().split("\r\n")).toHaveLength(49);
  });
});

describe("projectAnalytics on a ranking project", () => {
  it("uses candidate pairs as agreement units and reads ties from ranking groups", async () => {
    const ann = await person("rank-ann");
    const bob = await person("rank-bob");
    const project = await upsertProject(db, { name: `Ranking ${run}`, slug: `analytics-rank-${run}`, taskType: "RANKING", overlap: 2 });
    const [itemId] = await addItems(db, project.id, [
      {
        messages: [{ role: "user", content: `ranking ${run}` }],
        candidates: [
          { text: `${run} r a`, model: "m1" },
          { text: `${run} r b`, model: "m2" },
          { text: `${run} r c`, model: "m3" },
        ],
      },
    ]);
    const [ca, cb, cc] = await itemCandidates(itemId);
    await judge({ projectId: project.id, itemId, userId: ann, ranking: [[ca], [cb, cc]], shownOrder: [cc, ca, cb], createdAt: at("12:00"), timeSpentMs: 100 });
    await judge({ projectId: project.id, itemId, userId: bob, ranking: [[cb], [ca], [cc]], shownOrder: [cb, cc, ca], createdAt: at("12:01"), timeSpentMs: 300 });

    const a = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 20 });
    // pairs (a,b): F vs S; (a,c): F, F; (b,c): T vs F → coincidences FF 2, FS 1, FT 1; n_F 4, n_S 1, n_T 1
    expect(a.agreement).toMatchObject({ unit: "candidate pair", rawAgreement: 1 / 3, items: 1, units: 3, pairs: 3 });
    expect(a.agreement.alpha).toBeCloseTo(-1 / 9, 12);
    for (const name of ["rank-ann", "rank-bob"]) {
      // each agrees with the other on (a,c) only
      expect(a.annotators.find((x) => x.name === name)).toMatchObject({ majorityUnits: 3, majorityAgreement: 1 / 3, firstPositionExpected: 1 / 3 });
    }
    // ann's best (a) was shown second; bob's best (b) was shown first
    expect(a.annotators.find((x) => x.name === "rank-ann")!.firstPositionShare).toBe(0);
    expect(a.annotators.find((x) => x.name === "rank-bob")!.firstPositionShare).toBe(1);
    expect(a.leaderboard.comparisons).toBe(6);
    expect(a.leaderboard.rows.map((r) => [r.model, r.wins, r.losses, r.ties])).toEqual([
      ["m1", 3, 1, 0],
      ["m2", 2, 1, 1],
      ["m3", 0, 3, 1],
    ]);
  });

  it("leaves judgements without a recorded shown order out of the position bias only", async () => {
    const eve = await person("order-eve");
    const project = await upsertProject(db, { name: `No order ${run}`, slug: `analytics-order-${run}`, taskType: "PAIRWISE", overlap: 1 });
    const [first, second] = await addItems(db, project.id, [pair(101, "p", "q"), pair(102, "p", "q")]);
    const [a1, b1] = await itemCandidates(first);
    const [a2, b2] = await itemCandidates(second);
    // an empty shown order (not recorded) and an annotation with no assignment at all
    await judge({ projectId: project.id, itemId: first, userId: eve, ranking: [[a1], [b1]], shownOrder: [], createdAt: at("12:00"), timeSpentMs: 400 });
    await db.annotation.create({
      data: { submissionId: randomUUID(), itemId: second, projectId: project.id, userId: eve, ranking: [[b2], [a2]], timeSpentMs: 600, flags: [] },
    });
    const a = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 0 });
    expect(a.annotators).toEqual([
      expect.objectContaining({ name: "order-eve", annotations: 2, medianTimeMs: 500, positionJudgements: 0, firstPositionShare: null, firstPositionExpected: null }),
    ]);
    expect(a.leaderboard.rows.map((r) => [r.model, r.wins, r.losses, r.ciLow])).toEqual([
      ["p", 1, 1, null],
      ["q", 1, 1, null],
    ]);
  });

  it("fails with NOT_FOUND for an unknown project", async () => {
    await expect(projectAnalytics({ projectId: "no-such-project" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
