// Differential test of the analytics summaries: on random projects (pairwise and ranking, ties, candidates left
// out of rankings, judgements marked both bad, gold items, surplus judgements, judgements without a shown order, annotations around the
// pace window's and the minutes' edges), projectAnalytics — which takes changed items into the summaries and
// reads them — must give exactly the figures of the full computation that rescans every row
// (full-computation.ts), after the first take-in and again after edits, deletions and new judgements.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { addItems, upsertProject, upsertUser, type SeedItem } from "@/prisma/seed/helpers";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { analyticsFromTallies, projectAnalytics, READ_TAKE_IN_ITEMS } from "@/server/services/analytics";
import { seededRandom } from "@/server/services/analytics/random";
import { refreshPendingProjects, refreshSummaries } from "@/server/services/analytics/summaries";
import { startTakeInLoop } from "@/server/services/analytics/take-in-loop";
import { fullTallies } from "@/tests/integration/analytics/full-computation";

const run = randomUUID().slice(0, 8);
const NOW = new Date("2026-03-01T12:30:27.500Z");
const HOUR = 3_600_000;
const ROUNDS = 40;

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
});

type Random = () => number;
const pick = <T,>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
function shuffle<T>(random: Random, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A random ranking of the candidates: ordered groups (ties), now and then one candidate left out. */
function randomRanking(random: Random, candidates: readonly string[], allowTies: boolean): string[][] {
  const kept = random() < 0.1 && candidates.length > 2 ? shuffle(random, candidates).slice(1) : shuffle(random, candidates);
  const groups: string[][] = [];
  for (const c of kept) {
    if (groups.length > 0 && allowTies && random() < 0.25) groups[groups.length - 1].push(c);
    else groups.push([c]);
  }
  return groups;
}

/** Creation times that hit the edges the summaries treat apart: the pace window's start, whole minutes, now. */
function randomCreatedAt(random: Random): Date {
  const paceStart = NOW.getTime() - 6 * HOUR;
  const minuteOfNow = Math.floor(NOW.getTime() / 60_000) * 60_000;
  const paceMinute = Math.floor(paceStart / 60_000) * 60_000;
  const windowStart = (Math.floor(NOW.getTime() / HOUR) - 47) * HOUR;
  const edges = [
    paceStart, paceStart - 1, paceStart + 1, paceMinute, paceMinute + 60_000, paceMinute + 59_999, windowStart, windowStart - 1,
    minuteOfNow, minuteOfNow - 1, NOW.getTime(), NOW.getTime() + 1, NOW.getTime() + 90_000,
  ];
  if (random() < 0.3) return new Date(pick(random, edges));
  if (random() < 0.2) return new Date(NOW.getTime() - 60 * HOUR * random()); // partly before the 48-hour window
  return new Date(NOW.getTime() - 8 * HOUR * random());
}

interface Built {
  projectId: string;
  itemIds: string[];
  users: string[];
  candidates: Map<string, string[]>;
}

async function buildProject(seed: number, taskType: "PAIRWISE" | "RANKING"): Promise<Built> {
  const random = seededRandom(seed);
  const users: string[] = [];
  for (let u = 0; u < 6; u++) {
    users.push((await upsertUser(db, { email: `sum-${run}-${seed}-${u}@analytics.test`, name: `Annotator ${seed} ${u}`, role: "ANNOTATOR" })).id);
  }
  const overlap = 2 + Math.floor(random() * 2);
  const project = await upsertProject(db, { name: `Summaries ${run} ${seed}`, slug: `summaries-${run}-${seed}`, taskType, overlap });
  const models = ["alpha", "beta", "gamma", null];
  const seedItems: SeedItem[] = Array.from({ length: 36 }, (_, n) => {
    const k = taskType === "PAIRWISE" ? 2 : 3 + Math.floor(random() * 2);
    const gold = random() < 0.1;
    return {
      messages: [{ role: "user" as const, content: `summaries ${run} ${seed} prompt ${n}` }],
      candidates: Array.from({ length: k }, (_, c) => ({ text: `${run} ${seed} ${n} candidate ${c}`, model: pick(random, models) })),
      isGold: gold,
      goldRanking: gold ? Array.from({ length: k }, (_, c) => [c]) : undefined,
    };
  });
  const itemIds = await addItems(db, project.id, seedItems);
  const candidates = new Map<string, string[]>();
  for (const id of itemIds) {
    const links = await db.itemCandidate.findMany({ where: { itemId: id }, orderBy: { position: "asc" } });
    candidates.set(id, links.map((l) => l.candidateId));
  }
  const built = { projectId: project.id, itemIds, users, candidates };
  for (const itemId of itemIds) {
    for (const userId of shuffle(random, users).slice(0, Math.floor(random() * 5))) await judge(built, random, itemId, userId);
  }
  // leases and skips that are not judgements: live, lapsed, expired and skipped ones, one annotator with nothing else
  for (let n = 0; n < 30; n++) {
    const itemId = pick(random, itemIds);
    const userId = n === 0 ? users[5] : pick(random, users);
    const state = pick(random, ["ACTIVE", "EXPIRED", "SKIPPED"] as const);
    await pool().query(
      `INSERT INTO "Assignment" (id, "itemId", "userId", "projectId", state, "expiresAt", "shownOrder")
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ("itemId", "userId") DO NOTHING`,
      [randomUUID(), itemId, userId, project.id, state, new Date(NOW.getTime() + (random() - 0.5) * HOUR), candidates.get(itemId)],
    );
  }
  await pool().query(`UPDATE "Item" SET status = 'ARCHIVED' WHERE id = $1`, [itemIds[3]]);
  await settleItems(project.id);
  return built;
}

/** One judgement as a submit stores it (an assignment with its shown order, mostly), written straight to the tables. */
/** A judgement as the app or a direct insert leaves it (flags may be NULL: the column allows it, and SQL inserts that
 * name no flags leave it so). */
async function judge(b: Built, random: Random, itemId: string, userId: string): Promise<void> {
  const ids = b.candidates.get(itemId)!;
  const { rows } = await pool().query<{ isGold: boolean }>(`SELECT "isGold" FROM "Item" WHERE id = $1`, [itemId]);
  const gold = rows[0].isGold;
  let assignmentId: string | null = null;
  if (random() < 0.9) {
    assignmentId = randomUUID();
    const inserted = await pool().query(
      `INSERT INTO "Assignment" (id, "itemId", "userId", "projectId", state, "expiresAt", "shownOrder")
       VALUES ($1, $2, $3, $4, 'SUBMITTED', $5, $6) ON CONFLICT ("itemId", "userId") DO NOTHING`,
      [assignmentId, itemId, userId, b.projectId, NOW, random() < 0.1 ? [] : shuffle(random, ids)],
    );
    if (inserted.rowCount === 0) return;
  }
  await pool().query(
    `INSERT INTO "Annotation" (id, "submissionId", "assignmentId", "itemId", "projectId", "userId", ranking, "timeSpentMs", flags,
                               surplus, "isGold", "goldCorrect", "createdAt", "updatedAt", "bothBad")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), $14)`,
    [
      randomUUID(), randomUUID(), assignmentId, itemId, b.projectId, userId, JSON.stringify(randomRanking(random, ids, true)),
      pick(random, [800, 1200, 1200, 3000, 4500, 9000 + Math.floor(random() * 1000)]), random() < 0.15 ? ["unsafe", "other"].slice(0, 1 + Math.floor(random() * 2)) : random() < 0.1 ? null : [],
      random() < 0.1, gold, gold ? random() < 0.7 : null, randomCreatedAt(random), random() < 0.2,
    ],
  );
}

/** Completed counts and statuses as the submits and the overlap rule keep them. */
async function settleItems(projectId: string): Promise<void> {
  await pool().query(
    `UPDATE "Item" i SET "completedCount" = c.n,
            status = CASE WHEN i.status = 'ARCHIVED' THEN i.status WHEN c.n >= c.overlap AND NOT i."isGold" THEN 'COMPLETE'::"ItemStatus" ELSE 'OPEN' END
       FROM (SELECT x.id, p.overlap, (SELECT count(*)::int FROM "Annotation" a WHERE a."itemId" = x.id AND NOT a.surplus AND NOT a."isGold") AS n
               FROM "Item" x JOIN "Project" p ON p.id = x."projectId" WHERE x."projectId" = $1) c
      WHERE c.id = i.id`,
    [projectId],
  );
}

/** Once everything is taken in (as the background loop does it), every figure is the full computation's. */
async function expectSameAsFullComputation(projectId: string): Promise<void> {
  await refreshSummaries({ projectId });
  const fromSummaries = await projectAnalytics({ projectId, now: NOW, bootstrapRounds: ROUNDS });
  const client = await pool().connect();
  try {
    const full = analyticsFromTallies({ tallies: await fullTallies(client, projectId, NOW), now: NOW, bootstrapRounds: ROUNDS });
    const { freshness, ...figures } = fromSummaries;
    expect(figures).toEqual(full);
    // nothing left to count: the figures are those of the moment they describe
    expect(freshness).toEqual({ updatedAt: NOW.toISOString(), pending: 0 });
  } finally {
    client.release();
  }
}

/** Edits (new ranking, more time, other flags), deletions of judgements and of items, and new judgements. */
async function change(b: Built, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const { rows } = await pool().query<{ id: string; itemId: string; assignmentId: string | null }>(
    `SELECT id, "itemId", "assignmentId" FROM "Annotation" WHERE "projectId" = $1 ORDER BY id`,
    [b.projectId],
  );
  for (const a of shuffle(random, rows).slice(0, 12)) {
    await pool().query(`UPDATE "Annotation" SET ranking = $2, "timeSpentMs" = "timeSpentMs" + $3, flags = $4 WHERE id = $1`, [
      a.id, JSON.stringify(randomRanking(random, b.candidates.get(a.itemId)!, true)), Math.floor(random() * 3000), random() < 0.5 ? ["pii"] : [],
    ]);
  }
  // the both-bad flag alone changes on some (an edit that only says "both bad" now, or no longer)
  for (const a of shuffle(random, rows).slice(0, 5)) await pool().query(`UPDATE "Annotation" SET "bothBad" = NOT "bothBad" WHERE id = $1`, [a.id]);
  for (const a of shuffle(random, rows).slice(0, 6)) {
    await pool().query(`DELETE FROM "Annotation" WHERE id = $1`, [a.id]);
    if (a.assignmentId) await pool().query(`DELETE FROM "Assignment" WHERE id = $1`, [a.assignmentId]);
  }
  await pool().query(`DELETE FROM "Item" WHERE id = ANY($1)`, [b.itemIds.slice(0, 2)]);
  for (let n = 0; n < 15; n++) await judge(b, random, pick(random, b.itemIds.slice(2)), pick(random, b.users));
  await settleItems(b.projectId);
}

describe("analytics summaries against the full computation", () => {
  for (const [seed, taskType] of [[11, "PAIRWISE"], [12, "PAIRWISE"], [21, "RANKING"], [22, "RANKING"]] as const) {
    it(`agree on random ${taskType.toLowerCase()} project ${seed}, then after edits, deletions and new judgements`, async () => {
      const b = await buildProject(seed, taskType);
      await expectSameAsFullComputation(b.projectId);
      await change(b, seed * 7);
      await expectSameAsFullComputation(b.projectId);
      // changes taken in across several refreshes add up to the same figures as one
      await change(b, seed * 13);
      await projectAnalytics({ projectId: b.projectId, now: NOW, bootstrapRounds: 0 });
      await change(b, seed * 17);
      await expectSameAsFullComputation(b.projectId);
    });
  }

  it("leave nothing behind when every judgement of a project is deleted, and go with a deleted project", async () => {
    const b = await buildProject(31, "RANKING");
    await projectAnalytics({ projectId: b.projectId, now: NOW, bootstrapRounds: 0 });
    await pool().query(`DELETE FROM "Annotation" WHERE "projectId" = $1`, [b.projectId]);
    await expectSameAsFullComputation(b.projectId);
    const left = async (projectId: string) =>
      (
        await pool().query<{ n: number }>(
          `SELECT (SELECT count(*) FROM "AnalyticsItemVotes" WHERE "projectId" = $1) + (SELECT count(*) FROM "AnalyticsJudgement" WHERE "projectId" = $1)
                + (SELECT count(*) FROM "AnalyticsUnitTally" WHERE "projectId" = $1) + (SELECT count(*) FROM "AnalyticsVoterTally" WHERE "projectId" = $1)
                + (SELECT count(*) FROM "AnalyticsOutcome" WHERE "projectId" = $1) + (SELECT count(*) FROM "AnalyticsAnnotator" WHERE "projectId" = $1)
                + (SELECT count(*) FROM "AnalyticsMinute" WHERE "projectId" = $1) + (SELECT count(*) FROM "AnalyticsPendingItem" WHERE "projectId" = $1) AS n`,
          [projectId],
        )
      ).rows[0].n;
    expect(Number(await left(b.projectId))).toBe(0);

    const c = await buildProject(32, "PAIRWISE");
    await projectAnalytics({ projectId: c.projectId, now: NOW, bootstrapRounds: 0 });
    await change(c, 5);
    await projectAnalytics({ projectId: c.projectId, now: NOW, bootstrapRounds: 0 });
    expect(Number(await left(c.projectId))).toBeGreaterThan(0);
    await db.project.delete({ where: { id: c.projectId } });
    expect(Number(await left(c.projectId))).toBe(0);
    expect((await pool().query(`SELECT 1 FROM "AnalyticsProject" WHERE "projectId" = $1`, [c.projectId])).rowCount).toBe(0);
  });
});

describe("the background take-in", () => {
  const pendingOf = async (projectId: string) =>
    Number((await pool().query<{ n: string }>(`SELECT count(*) AS n FROM "AnalyticsPendingItem" WHERE "projectId" = $1`, [projectId])).rows[0].n);

  it("brings every project with new judgements up to date, and leaves one whose refresh is under way elsewhere", async () => {
    const a = await buildProject(41, "PAIRWISE");
    const b = await buildProject(42, "RANKING");
    expect(await pendingOf(a.projectId)).toBeGreaterThan(0);
    expect(await pendingOf(b.projectId)).toBeGreaterThan(0);

    // a page read of project b holds its lock: the background round skips b instead of waiting behind it
    const reader = await pool().connect();
    try {
      await reader.query("BEGIN");
      await reader.query(`SELECT pg_advisory_xact_lock(hashtextextended('rlhf-analytics:' || $1, 0))`, [b.projectId]);
      const first = await refreshPendingProjects();
      expect(first.projects).toBeGreaterThanOrEqual(2);
      expect(await pendingOf(a.projectId)).toBe(0);
      expect(await pendingOf(b.projectId)).toBeGreaterThan(0);
    } finally {
      await reader.query("ROLLBACK");
      reader.release();
    }
    await refreshPendingProjects();
    expect(await pendingOf(b.projectId)).toBe(0);
    // what the page then reads is what the full computation says, with nothing left for the read to take in
    await expectSameAsFullComputation(a.projectId);
    await expectSameAsFullComputation(b.projectId);
    await change(a, 3);
    expect((await refreshPendingProjects()).items).toBeGreaterThan(0);
    await expectSameAsFullComputation(a.projectId);
  });

  /** Resolves once the project has nothing pending, or fails after `ms`. */
  async function untilTakenIn(projectId: string, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while ((await pendingOf(projectId)) > 0) {
      if (Date.now() > until) throw new Error(`${await pendingOf(projectId)} notes of ${projectId} still pending after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("the loop takes new judgements in within a few ticks, with no read, a bounded number of items per transaction", async () => {
    const a = await buildProject(43, "PAIRWISE");
    const before = await pendingOf(a.projectId);
    expect((await refreshSummaries({ projectId: a.projectId, limit: 7 })).items).toBeLessThanOrEqual(7);
    expect(await pendingOf(a.projectId)).toBe(before - 7);
    const loop = startTakeInLoop({ intervalMs: 40, chunk: 7 });
    try {
      await untilTakenIn(a.projectId);
      await change(a, 9);
      await untilTakenIn(a.projectId);
    } finally {
      await loop.stop();
    }
    await expectSameAsFullComputation(a.projectId);
  });

  it("two loops (two web processes) share the work without counting a judgement twice", async () => {
    const errors: string[] = [];
    const log = { error: (m: string) => errors.push(m) };
    const loops = [startTakeInLoop({ intervalMs: 15, chunk: 3, log }), startTakeInLoop({ intervalMs: 15, chunk: 3, log })];
    let b!: Built;
    try {
      b = await buildProject(44, "RANKING");
      await change(b, 10);
      await untilTakenIn(b.projectId);
      await change(b, 11);
      await untilTakenIn(b.projectId);
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
    expect(errors).toEqual([]);
    await expectSameAsFullComputation(b.projectId);
  });

  it("a read with a backlog counts a few dozen items itself and says how many judgements are still being counted", async () => {
    const project = await upsertProject(db, { name: `Backlog ${run}`, slug: `backlog-${run}`, taskType: "PAIRWISE", overlap: 1 });
    const user = await upsertUser(db, { email: `backlog-${run}@analytics.test`, name: `Backlog ${run}`, role: "ANNOTATOR" });
    const items = READ_TAKE_IN_ITEMS + 50;
    await addItems(db, project.id, Array.from({ length: items }, (_, n) => ({
      messages: [{ role: "user" as const, content: `backlog ${run} prompt ${n}` }],
      candidates: [{ text: `backlog ${run} ${n} a`, model: "alpha" }, { text: `backlog ${run} ${n} b`, model: "beta" }],
    })));
    // one judgement per item, alpha better, in one statement (one note per item)
    const judgeAll = () =>
      pool().query(
        `INSERT INTO "Annotation" (id, "submissionId", "itemId", "projectId", "userId", ranking, "timeSpentMs", flags, "createdAt", "updatedAt")
         SELECT gen_random_uuid(), gen_random_uuid(), i.id, i."projectId", $2,
                jsonb_build_array(jsonb_build_array(min(ic."candidateId") FILTER (WHERE ic.position = 0)),
                                  jsonb_build_array(min(ic."candidateId") FILTER (WHERE ic.position = 1))), 1000, '{}', $3, now()
         FROM "Item" i JOIN "ItemCandidate" ic ON ic."itemId" = i.id WHERE i."projectId" = $1 GROUP BY i.id`,
        [project.id, user.id, new Date(NOW.getTime() - HOUR)],
      );
    await judgeAll();

    const first = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 0 });
    expect(first.progress.annotations).toBe(READ_TAKE_IN_ITEMS);
    expect(first.freshness.pending).toBe(50);
    expect(first.leaderboard.rows.map((r) => [r.model, r.wins, r.losses])).toEqual([["alpha", READ_TAKE_IN_ITEMS, 0], ["beta", 0, READ_TAKE_IN_ITEMS]]);
    const updatedAt = Date.parse(first.freshness.updatedAt!);
    expect(Math.abs(Date.now() - updatedAt)).toBeLessThan(60_000);

    // while the background take-in holds the project a read neither waits nor counts: stale figures, the backlog named
    await refreshSummaries({ projectId: project.id });
    await judgeAll();
    const loop = await pool().connect();
    try {
      await loop.query("BEGIN");
      await loop.query(`SELECT pg_advisory_xact_lock(hashtextextended('rlhf-analytics:' || $1, 0))`, [project.id]);
      const t0 = performance.now();
      const stale = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 0 });
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(stale.progress.annotations).toBe(items);
      expect(stale.freshness.pending).toBe(items);
      expect(Date.parse(stale.freshness.updatedAt!)).toBeGreaterThanOrEqual(updatedAt);
    } finally {
      await loop.query("ROLLBACK");
      loop.release();
    }
    await refreshPendingProjects();
    const current = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 0 });
    expect(current.progress.annotations).toBe(2 * items);
    expect(current.freshness).toEqual({ updatedAt: NOW.toISOString(), pending: 0 });

    // with the process's loop running a read counts nothing itself: the loop does
    const loopOn = startTakeInLoop({ intervalMs: 60_000 });
    try {
      await judgeAll();
      const left = await projectAnalytics({ projectId: project.id, now: NOW, bootstrapRounds: 0 });
      expect(left.progress.annotations).toBe(2 * items);
      expect(left.freshness.pending).toBe(items);
    } finally {
      await loopOn.stop();
    }
  });
});
