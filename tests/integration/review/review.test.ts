// The quality workflow end to end on real PostgreSQL: two annotators work a pairwise queue through the annotation
// procedures; a project reviewer browses their judgements with filters and a keyset cursor, works the review queue,
// rejects one (it leaves the export and the analytics) and corrects one (the export has the correction, marked,
// with the original kept).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { browseFiltersSchema, type BrowseFiltersInput } from "@/server/schemas/review";
import { projectAnalytics } from "@/server/services/analytics";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import { judgementLines } from "@/server/services/review/download";
import { readRows } from "@/tests/fixtures/export/fixture";
import { callerFor, makeProject, makeUser, pairItems, workQueue } from "../fixtures/annotation";

type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, reviewer: User, ann1: User, ann2: User, bystander: User;
let projectId: string;
let otherProjectId: string;
const ITEMS = 6;
const snapshots: string[] = [];

const filters = (f: BrowseFiltersInput = {}) => browseFiltersSchema.parse(f);

beforeAll(async () => {
  [admin, reviewer, ann1, ann2, bystander] = await Promise.all([makeUser("ADMIN"), makeUser(), makeUser(), makeUser(), makeUser()]);
  const { project } = await makeProject({ items: pairItems(ITEMS), members: [reviewer.id, ann1.id, ann2.id, bystander.id], overlap: 2, reviewSampleRate: 0 });
  projectId = project.id;
  otherProjectId = (await makeProject({ items: pairItems(1), members: [reviewer.id] })).project.id;
  await callerFor(admin).project.setMembers({ projectId, userIds: [reviewer.id, ann1.id, ann2.id, bystander.id], reviewerIds: [reviewer.id] });
  // ann1 prefers the shorter answer ("The answer is …"), flags the first item it sees; ann2 prefers the longer one
  // except on items whose question mentions 0 or 1 (they agree there)
  let flagged = false;
  await workQueue(project.slug, ann1, (item) => {
    const best = item.candidates.find((c) => c.text.startsWith("The answer"))!;
    const other = item.candidates.find((c) => c !== best)!;
    const flags = flagged ? [] : ["unsafe"];
    flagged = true;
    return { ranking: [[best.id], [other.id]], strength: "MUCH_BETTER", flags, timeSpentMs: 4000 };
  });
  await workQueue(project.slug, ann2, (item) => {
    const agree = /-(0|1):/.test(item.messages[0].content);
    const best = item.candidates.find((c) => c.text.startsWith("The answer") === agree)!;
    const other = item.candidates.find((c) => c !== best)!;
    return { ranking: [[best.id], [other.id]], strength: "SLIGHTLY_BETTER", timeSpentMs: 9000 };
  });
});

afterAll(async () => {
  for (const id of snapshots) await rm(snapshotDir(id), { recursive: true, force: true });
});

async function exportRows(format: "trl" | "raw", includeRejected = false) {
  const snap = await createSnapshot({
    name: `review-${projectId}`,
    projectIds: [projectId],
    format,
    split: { testRatio: 0, seed: "" },
    filters: { excludeFlagged: false, excludeGold: false, excludeInactiveAnnotators: false, includeRejected },
  });
  snapshots.push(snap.id);
  return readRows(snap.id, "train.jsonl");
}

describe("who may browse and review", () => {
  it("the project's reviewers and admins may; its annotators and other projects' reviewers may not", async () => {
    const input = { projectId, filters: filters() };
    expect((await callerFor(reviewer).review.browse(input)).rows.length).toBeGreaterThan(0);
    expect((await callerFor(admin).review.browse(input)).rows.length).toBeGreaterThan(0);
    await expect(callerFor(bystander).review.browse(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(ann1).review.judgement({ projectId, annotationId: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // a reviewer of the other project reaching into this one by its id
    const outsider = await makeUser();
    await callerFor(admin).project.setMembers({ projectId: otherProjectId, userIds: [outsider.id, reviewer.id], reviewerIds: [outsider.id] });
    await expect(callerFor(outsider).review.browse(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await callerFor(outsider).review.projects()).map((p) => p.id)).toEqual([otherProjectId]);
    // a judgement of another project is not found through this one
    const foreign = await db.annotation.findFirst({ where: { projectId }, select: { id: true } });
    await expect(callerFor(outsider).review.judgement({ projectId: otherProjectId, annotationId: foreign!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a reviewer must be a member", async () => {
    await expect(callerFor(admin).project.setMembers({ projectId, userIds: [ann1.id], reviewerIds: [reviewer.id] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("member"),
    });
  });
});

describe("the data browser", () => {
  const api = () => callerFor(reviewer).review;

  it("walks every judgement once with a keyset cursor, newest first", async () => {
    const seen: string[] = [];
    const times: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await api().browse({ projectId, filters: filters(), cursor, limit: 5 });
      expect(page.rows.length).toBeLessThanOrEqual(5);
      seen.push(...page.rows.map((r) => r.id));
      times.push(...page.rows.map((r) => r.createdAt.getTime()));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(2 * ITEMS);
    expect(new Set(seen).size).toBe(2 * ITEMS);
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it("filters by annotator, flag, strength, time, disagreement and sorts by time", async () => {
    const count = async (f: BrowseFiltersInput) => (await api().browse({ projectId, filters: filters(f), limit: 200 })).rows;
    expect((await count({ annotator: ann1.id })).every((r) => r.userId === ann1.id)).toBe(true);
    expect(await count({ annotator: ann1.id })).toHaveLength(ITEMS);
    expect(await count({ flag: "unsafe" })).toHaveLength(1);
    expect(await count({ flag: "no" })).toHaveLength(2 * ITEMS - 1);
    expect(await count({ strength: "SLIGHTLY_BETTER" })).toHaveLength(ITEMS);
    expect(await count({ minSeconds: 5 })).toHaveLength(ITEMS);
    // items 0 and 1 agree; on the other four both votes disagree with each other
    expect(await count({ disagree: "yes" })).toHaveLength(2 * (ITEMS - 2));
    expect((await count({ disagree: "no" })).every((r) => !r.disagrees)).toBe(true);
    const fastest = await count({ sort: "fastest" });
    expect(fastest[0].timeSpentMs).toBe(4000);
    expect(fastest.at(-1)!.timeSpentMs).toBe(9000);
    expect(await count({ model: "model-a", annotator: ann2.id })).toHaveLength(ITEMS);
    expect(await count({ model: "no-such-model" })).toHaveLength(0);
  });

  it("answers a filter it cannot read with the field named", async () => {
    await expect(api().browse({ projectId, filters: { minSeconds: 10, maxSeconds: 2 } as never })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api().browse({ projectId, filters: filters(), cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("first page"),
    });
  });

  it("opens a judgement as its annotator saw it, with every vote on the item", async () => {
    const [row] = (await api().browse({ projectId, filters: filters({ annotator: ann2.id, disagree: "yes" }), limit: 1 })).rows;
    const detail = await api().judgement({ projectId, annotationId: row.id });
    const assignment = await db.assignment.findFirstOrThrow({ where: { annotation: { id: row.id } } });
    expect(detail.item.candidates.map((c) => c.id)).toEqual(assignment.shownOrder);
    expect(detail.votes.map((v) => v.user.id).sort()).toEqual([ann1.id, ann2.id].sort());
    expect(detail.history.map((h) => h.state)).toEqual(["SUBMITTED", "SUBMITTED"]);
  });

  it("downloads the filtered set as CSV and JSONL", async () => {
    let csv = "";
    for await (const chunk of judgementLines({ projectId, filters: filters({ annotator: ann1.id }), format: "csv" })) csv += chunk;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0].split(",").slice(0, 4)).toEqual(["annotation_id", "created_at", "annotator_id", "annotator"]);
    expect(lines).toHaveLength(ITEMS + 1);
    let jsonl = "";
    for await (const chunk of judgementLines({ projectId, filters: filters({ flag: "yes" }), format: "jsonl" })) jsonl += chunk;
    const records = jsonl.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ annotator_id: ann1.id, flags: ["unsafe"], strength: "MUCH_BETTER" });
  });
});

describe("reviewing", () => {
  const api = () => callerFor(reviewer).review;

  it("the queue serves flagged and disagreeing judgements, oldest first, never the reviewer's own", async () => {
    const first = await api().next({ projectId });
    // flagged (1) and disagreeing (8, one of them the flagged one's partner or not): 8 or 9 wait
    expect(first.waiting).toBeGreaterThanOrEqual(2 * (ITEMS - 2));
    const a = await db.annotation.findUniqueOrThrow({ where: { id: first.annotationId! } });
    expect(a.flags.length > 0 || (await api().browse({ projectId, filters: filters({ item: a.itemId, disagree: "yes" }), limit: 5 })).rows.length > 0).toBe(true);
    const passed = await api().next({ projectId, skip: [first.annotationId!] });
    expect(passed.annotationId).not.toBe(first.annotationId);
  });

  it("reject: the judgement leaves the export and the analytics, stays in the browser, and is audited", async () => {
    const before = await exportRows("trl");
    const analyticsBefore = await projectAnalytics({ projectId, bootstrapRounds: 0 });
    const [target] = (await api().browse({ projectId, filters: filters({ annotator: ann1.id, disagree: "yes" }), limit: 1 })).rows;
    await expect(api().act({ projectId, annotationId: target.id, review: { action: "reject", reason: " " } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api().act({ projectId, annotationId: target.id, review: { action: "reject", reason: "Preferred the worse response" } })).toEqual({ reviewState: "REJECTED" });

    const after = await exportRows("trl");
    expect(after).toHaveLength(before.length - 1);
    expect(await exportRows("trl", true)).toHaveLength(before.length);
    const raw = await exportRows("raw");
    expect(raw.map((r) => r.annotation_id)).not.toContain(target.id);

    const analyticsAfter = await projectAnalytics({ projectId, bootstrapRounds: 0 });
    const n = (a: typeof analyticsBefore) => a.annotators.find((x) => x.userId === ann1.id)!.annotations;
    expect(n(analyticsAfter)).toBe(n(analyticsBefore) - 1);

    expect((await api().browse({ projectId, filters: filters({ review: "rejected" }), limit: 10 })).rows.map((r) => r.id)).toEqual([target.id]);
    const entry = await db.auditLog.findFirstOrThrow({ where: { action: "review.reject", targetId: target.id } });
    expect(entry.actorId).toBe(reviewer.id);
    expect(entry.after).toMatchObject({ reviewState: "REJECTED", reason: "Preferred the worse response" });
  });

  it("correct: the export carries the correction marked as such; the original is kept; bad corrections are refused", async () => {
    const [target] = (await api().browse({ projectId, filters: filters({ annotator: ann2.id, disagree: "yes" }), limit: 1 })).rows;
    const original = await db.annotation.findUniqueOrThrow({ where: { id: target.id } });
    const ranking = original.ranking as string[][];
    const flipped = [ranking[1], ranking[0]];
    const judgement = { ranking: flipped, strength: "BETTER" as const, bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "" };
    await expect(api().act({ projectId, annotationId: target.id, review: { action: "correct", judgement: { ...judgement, ranking: [["nope"], ranking[0]] }, note: "" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("ranking.0.0"),
    });
    await api().act({ projectId, annotationId: target.id, review: { action: "correct", judgement, note: "the longer answer is wrong" } });

    const now = await db.annotation.findUniqueOrThrow({ where: { id: target.id }, include: { comparisons: true, reviews: true } });
    expect(now.reviewState).toBe("CORRECTED");
    expect(now.ranking).toEqual(flipped);
    expect(now.strength).toBe("BETTER");
    expect(now.timeSpentMs).toBe(original.timeSpentMs);
    expect(now.comparisons.map((c) => [c.chosenId, c.rejectedId])).toEqual([[flipped[0][0], flipped[1][0]]]);
    expect(now.reviews[0].original).toMatchObject({ ranking, strength: "SLIGHTLY_BETTER" });

    const raw = (await exportRows("raw")).find((r) => r.annotation_id === target.id)!;
    expect(raw).toMatchObject({ ranking: flipped, strength: "BETTER", review_state: "CORRECTED" });
    expect(raw.reviewer).toMatch(/\S/);
    expect(raw.reviewer).not.toBe(raw.annotator);
  });

  it("accept, and nobody reviews their own judgement", async () => {
    const [target] = (await api().browse({ projectId, filters: filters({ review: "unreviewed" }), limit: 1 })).rows;
    expect(await api().act({ projectId, annotationId: target.id, review: { action: "accept", note: "" } })).toEqual({ reviewState: "ACCEPTED" });
    const reviewed = await api().next({ projectId });
    expect(reviewed.annotationId).not.toBe(target.id);
    await callerFor(admin).project.setMembers({ projectId, userIds: [reviewer.id, ann1.id, ann2.id, bystander.id], reviewerIds: [reviewer.id, ann1.id] });
    const own = await db.annotation.findFirstOrThrow({ where: { projectId, userId: ann1.id } });
    await expect(callerFor(ann1).review.act({ projectId, annotationId: own.id, review: { action: "accept", note: "" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("adjudication", () => {
  it("a reviewer sets the final answer of a disagreement; the adjudicated export writes it, and the majority elsewhere", async () => {
    const api = callerFor(reviewer).review;
    const [row] = (await api.browse({ projectId, filters: filters({ disagree: "yes", review: "unreviewed" }), limit: 1 })).rows;
    const item = await db.item.findUniqueOrThrow({ where: { id: row.itemId }, include: { candidates: { include: { candidate: true } }, prompt: true } });
    const good = item.candidates.find((c) => c.candidate.text.startsWith("The answer"))!.candidateId;
    const bad = item.candidates.find((c) => c.candidateId !== good)!.candidateId;
    await expect(api.adjudicate({ projectId, itemId: item.id, ranking: [[good]], strength: "BETTER" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("ranking") });
    await expect(callerFor(bystander).review.adjudicate({ projectId, itemId: item.id, ranking: [[bad], [good]] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // against both voters' own majority (1:1 split): the reviewer says the longer answer is better after all
    await api.adjudicate({ projectId, itemId: item.id, ranking: [[bad], [good]], strength: "SLIGHTLY_BETTER", note: "the question asked for detail" });
    expect(await db.auditLog.count({ where: { action: "review.adjudicate", targetId: item.id } })).toBe(1);

    const snap = await createSnapshot({
      name: `adjudicated-${projectId}`,
      projectIds: [projectId],
      format: "trl",
      aggregation: { policy: "adjudicated", ties: "drop", minAgreement: 0 },
      split: { testRatio: 0, seed: "" },
    });
    snapshots.push(snap.id);
    const rows = await readRows(snap.id, "train.jsonl");
    const text = async (id: string) => (await db.candidate.findUniqueOrThrow({ where: { id } })).text;
    const forItem = rows.filter((r) => r.prompt_id === item.prompt.contentHash);
    expect(forItem).toEqual([expect.objectContaining({ chosen: await text(bad), rejected: await text(good), margin: 1 })]);
    // items 0 and 1 (both annotators agree): their majority, the shorter answer first
    const agreed = await db.item.findMany({ where: { projectId, prompt: { messages: { path: ["0", "content"], string_contains: "-0:" } } }, include: { prompt: true } });
    expect(rows.filter((r) => r.prompt_id === agreed[0].prompt.contentHash)).toEqual([expect.objectContaining({ chosen: expect.stringContaining("The answer") })]);
    // other split items have no majority and no adjudication: nothing
    expect(new Set(rows.map((r) => r.prompt_id)).size).toBeLessThan(ITEMS);
  });
});

describe("review statistics", () => {
  it("per annotator: reviewed, outcomes, acceptance rate and the common rejection reasons", async () => {
    const stats = await callerFor(admin).analytics.reviews({ projectId });
    const one = stats.find((s) => s.userId === ann1.id)!;
    // ann1: one rejected ("Preferred the worse response"), perhaps one accepted
    expect(one.rejected).toBe(1);
    expect(one.topReasons).toEqual([{ reason: "Preferred the worse response", n: 1 }]);
    expect(one.acceptanceRate).toBe(one.accepted / one.reviewed);
    const two = stats.find((s) => s.userId === ann2.id)!;
    expect(two.corrected).toBe(1);
    expect(stats.reduce((n, s) => n + s.reviewed, 0)).toBe(await db.annotation.count({ where: { projectId, reviewState: { not: null } } }));
    await expect(callerFor(reviewer).analytics.reviews({ projectId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
