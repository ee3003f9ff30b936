// The work queue and the judgements: claim an item (lease), submit, skip, edit the last submission.
// Rules that must hold under concurrency:
//  - an item is never leased to the same annotator twice (unique itemId+userId on Assignment);
//  - a non-gold item never has more than `overlap` submitted + live (unexpired) leases at claim time;
//  - a submit is stored exactly once per client submission id, even after the lease expired.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { db, type Tx } from "@/server/db";
import { AppError, type FieldError } from "@/server/errors";
import { Prisma, type Project, type Strength } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import { EDIT_WINDOW_SECONDS, type Judgement, type SubmitInput } from "@/server/schemas/annotation";
import { derivePairs, matchesGold } from "@/server/services/comparisons";
import { criteriaOf, type Criterion } from "@/server/services/projects";

export interface ItemView {
  assignmentId: string;
  itemId: string;
  expiresAt: Date;
  messages: { role: string; content: string }[];
  /** in the order shown to this annotator */
  candidates: { id: string; text: string; model: string | null }[];
}

export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  guidelines: string;
  taskType: Project["taskType"];
  criteria: Criterion[];
  allowTies: boolean;
  requireRationale: boolean;
  showModelNames: boolean;
}

/** Annotators see projects they are members of; admins see every project. One query: this is on the hot path. */
export async function projectForAnnotator(opts: { slug: string; userId: string; isAdmin: boolean }): Promise<Project> {
  const found = await db.project.findUnique({
    where: { slug: opts.slug },
    include: { members: { where: { userId: opts.userId }, select: { userId: true } } },
  });
  if (!found) throw new AppError("NOT_FOUND", `No project "${opts.slug}".`);
  const { members, ...project } = found;
  if (!opts.isAdmin && members.length === 0) throw new AppError("FORBIDDEN", `You are not a member of project "${project.name}".`);
  if (project.archived) throw new AppError("PRECONDITION_FAILED", `Project "${project.name}" is archived.`);
  return project;
}

export function projectView(project: Project): ProjectView {
  return {
    id: project.id,
    slug: project.slug,
    name: project.name,
    guidelines: project.guidelines,
    taskType: project.taskType,
    criteria: criteriaOf(project),
    allowTies: project.allowTies,
    requireRationale: project.requireRationale,
    showModelNames: project.showModelNames,
  };
}

async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// What holds one of an item's `overlap` places: a submitted judgement or an unexpired lease. Expired leases free
// the item without any cron. The claim, the renewal and the progress count all use this one definition.
const HOLDS_PLACE = `(a.state = 'SUBMITTED' OR (a.state = 'ACTIVE' AND a."expiresAt" > now()))`;

/** Places of item $1 held by annotators other than $2. */
const LIVE_COUNT = `(SELECT count(*) FROM "Assignment" a WHERE a."itemId" = $1 AND a."userId" <> $2 AND ${HOLDS_PLACE})`;

/**
 * Claims one item for the caller. Two statements in one transaction: the first picks and locks the best free
 * item (FOR UPDATE SKIP LOCKED, so concurrent claimers spread over different items); the second, run after the
 * lock is held and therefore seeing every committed lease, re-checks capacity and inserts the lease. A single
 * statement cannot do both safely: its snapshot predates leases committed while it waited.
 */
async function claimNew(opts: { project: Project; userId: string; gold: boolean }): Promise<string | null> {
  const { project, userId, gold } = opts;
  const order = project.activeLearning
    ? `i.priority DESC, i."rmScoreGap" ASC NULLS LAST, i."createdAt", i.id`
    : `i.priority DESC, i."createdAt", i.id`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await withClient(async (client) => {
      const picked = await client.query<{ id: string }>(
        `SELECT i.id FROM "Item" i
          WHERE i."projectId" = $1 AND i.status = 'OPEN' AND i."isGold" = $3
            AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."itemId" = i.id AND a."userId" = $2)
            AND ($3 OR (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = i.id AND ${HOLDS_PLACE}) < $4)
          ORDER BY ${order}
          LIMIT 1
          FOR UPDATE OF i SKIP LOCKED`,
        [project.id, userId, gold, project.overlap],
      );
      const itemId = picked.rows[0]?.id;
      if (!itemId) return { done: true as const, id: null };
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO "Assignment" (id, "itemId", "userId", "projectId", state, "leasedAt", "expiresAt", "shownOrder")
         SELECT $5, $1, $2, $3, 'ACTIVE', now(), now() + make_interval(secs => $4::int),
                (SELECT array_agg(ic."candidateId" ORDER BY random()) FROM "ItemCandidate" ic WHERE ic."itemId" = $1)
          WHERE $6 OR ${LIVE_COUNT} < $7
         ON CONFLICT ("itemId", "userId") DO NOTHING
         RETURNING id`,
        [itemId, userId, project.id, project.leaseSeconds, randomUUID(), gold, project.overlap],
      );
      return { done: inserted.rows.length > 0, id: inserted.rows[0]?.id ?? null };
    });
    if (result.done) return result.id;
  }
  return null;
}

/** Extends the caller's own expired lease when the item still has room, so a reload after a break keeps it. */
async function renewExpired(opts: { project: Project; assignmentId: string; itemId: string; userId: string }): Promise<boolean> {
  return withClient(async (client) => {
    await client.query(`SELECT id FROM "Item" WHERE id = $1 FOR UPDATE`, [opts.itemId]);
    const renewed = await client.query(
      `UPDATE "Assignment" SET "expiresAt" = now() + make_interval(secs => $3::int), "leasedAt" = now()
        WHERE id = $4 AND state = 'ACTIVE' AND ${LIVE_COUNT} < $5`,
      [opts.itemId, opts.userId, opts.project.leaseSeconds, opts.assignmentId, opts.project.overlap],
    );
    if (renewed.rowCount === 0) {
      await client.query(`UPDATE "Assignment" SET state = 'EXPIRED' WHERE id = $1 AND state = 'ACTIVE'`, [opts.assignmentId]);
      return false;
    }
    return true;
  });
}

/** Whether the next claim should be a gold item, interleaving gold at the project's rate. */
async function goldDue(project: Project, userId: string): Promise<boolean> {
  if (project.goldRate <= 0) return false;
  const rows = await db.$queryRaw<{ gold: bigint; total: bigint }[]>`
    SELECT count(*) FILTER (WHERE i."isGold") AS gold, count(*) AS total
      FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId"
     WHERE a."userId" = ${userId} AND a."projectId" = ${project.id}`;
  const gold = Number(rows[0]?.gold ?? 0);
  const total = Number(rows[0]?.total ?? 0);
  return gold < project.goldRate * (total + 1);
}

/** The item as this annotator sees it, in one query (prompt, candidates in their shown order). */
async function itemView(assignmentId: string, showModelNames: boolean): Promise<ItemView> {
  const { rows } = await pool().query<{
    id: string;
    itemId: string;
    expiresAt: Date;
    shownOrder: string[];
    messages: ItemView["messages"];
    candidates: { id: string; text: string; model: string | null; position: number }[];
  }>(
    `SELECT a.id, a."itemId", a."expiresAt", a."shownOrder", p.messages,
            (SELECT json_agg(json_build_object('id', c.id, 'text', c.text, 'model', c.model, 'position', ic.position))
               FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId" WHERE ic."itemId" = a."itemId") AS candidates
       FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId" JOIN "Prompt" p ON p.id = i."promptId"
      WHERE a.id = $1`,
    [assignmentId],
  );
  const a = rows[0];
  if (!a) throw new AppError("NOT_FOUND", "No such assignment.");
  const byId = new Map(a.candidates.map((c) => [c.id, c]));
  const order = a.shownOrder.length ? a.shownOrder : [...a.candidates].sort((x, y) => x.position - y.position).map((c) => c.id);
  return {
    assignmentId: a.id,
    itemId: a.itemId,
    expiresAt: a.expiresAt,
    messages: a.messages,
    candidates: order.map((id) => {
      const c = byId.get(id)!;
      return { id: c.id, text: c.text, model: showModelNames ? c.model : null };
    }),
  };
}

/**
 * The caller's next item: their own live lease first (a reload does not burn a new item), else a new claim.
 * `exclude` lists leases the client already holds, so it can prefetch one item ahead.
 */
export async function next(opts: { slug: string; userId: string; isAdmin: boolean; exclude?: string[] }): Promise<{
  project: ProjectView;
  item: ItemView | null;
}> {
  const project = await projectForAnnotator(opts);
  const exclude = opts.exclude ?? [];
  const own = await db.assignment.findMany({
    where: { userId: opts.userId, projectId: project.id, state: "ACTIVE", id: { notIn: exclude } },
    orderBy: { leasedAt: "asc" },
  });
  for (const a of own) {
    if (a.expiresAt > new Date()) return { project: projectView(project), item: await itemView(a.id, project.showModelNames) };
    if (await renewExpired({ project, assignmentId: a.id, itemId: a.itemId, userId: opts.userId })) {
      return { project: projectView(project), item: await itemView(a.id, project.showModelNames) };
    }
  }
  const preferGold = await goldDue(project, opts.userId);
  let id = await claimNew({ project, userId: opts.userId, gold: preferGold });
  // Gold items are only interleaved between real work: no gold when the real queue is dry.
  if (!id && preferGold) id = await claimNew({ project, userId: opts.userId, gold: false });
  return { project: projectView(project), item: id ? await itemView(id, project.showModelNames) : null };
}

/** Checks a judgement against the item and project; returns every problem at once. */
export function validateJudgement(opts: {
  project: Pick<Project, "taskType" | "allowTies" | "requireRationale"> & { criteria: Criterion[] };
  candidateIds: string[];
  judgement: Judgement;
}): FieldError[] {
  const { project, candidateIds, judgement: j } = opts;
  const errors: FieldError[] = [];
  const known = new Set(candidateIds);
  const seen = new Set<string>();
  j.ranking.forEach((group, gi) =>
    group.forEach((id, ci) => {
      if (!known.has(id)) errors.push({ field: `ranking.${gi}.${ci}`, message: `unknown candidate id "${id}"` });
      else if (seen.has(id)) errors.push({ field: `ranking.${gi}.${ci}`, message: `candidate "${id}" appears twice` });
      seen.add(id);
    }),
  );
  const missing = candidateIds.filter((id) => !seen.has(id));
  if (missing.length) errors.push({ field: "ranking", message: `not a permutation of the item's candidates: missing ${missing.join(", ")}` });
  const tied = j.ranking.some((g) => g.length > 1);
  if (tied && !project.allowTies) errors.push({ field: "ranking", message: "this project does not allow ties" });
  if (project.taskType === "PAIRWISE") {
    if (!j.strength) errors.push({ field: "strength", message: "required for pairwise items" });
    else if ((j.strength === "TIE") !== tied) {
      errors.push({ field: "strength", message: j.strength === "TIE" ? "a tie must rank both candidates together" : "ranking is a tie but strength is not TIE" });
    }
    if (j.strength === "TIE" && !project.allowTies) errors.push({ field: "strength", message: "this project does not allow ties" });
  } else if (j.strength) {
    errors.push({ field: "strength", message: "only pairwise items take a strength" });
  }
  const criteria = new Set(project.criteria.map((c) => c.key));
  for (const [cid, ratings] of Object.entries(j.ratings)) {
    if (!known.has(cid)) errors.push({ field: `ratings.${cid}`, message: `unknown candidate id "${cid}"` });
    for (const key of Object.keys(ratings)) {
      if (!criteria.has(key)) errors.push({ field: `ratings.${cid}.${key}`, message: `unknown criterion "${key}"` });
    }
  }
  if (project.requireRationale && !j.rationale.trim()) errors.push({ field: "rationale", message: "this project requires a rationale" });
  if (j.flags.includes("other") && !j.flagNote.trim()) errors.push({ field: "flagNote", message: "say what the problem is when flagging \"other\"" });
  return errors;
}

async function writeComparisons(tx: Tx, a: { id: string; projectId: string; itemId: string; userId: string }, promptId: string, ranking: string[][], strength: Strength | null) {
  const pairs = derivePairs(ranking, strength);
  if (!pairs.length) return;
  await tx.comparison.createMany({
    data: pairs.map((p) => ({ ...p, annotationId: a.id, projectId: a.projectId, itemId: a.itemId, promptId, userId: a.userId })),
  });
}

export interface SubmitResult {
  annotationId: string;
  duplicate: boolean;
  late: boolean;
  surplus: boolean;
}

/** Stores one judgement. Idempotent on `submissionId`; late and surplus submits are stored and marked. */
export async function submit(opts: { userId: string; input: SubmitInput }): Promise<SubmitResult> {
  const { input, userId } = opts;
  const existing = await db.annotation.findUnique({ where: { submissionId: input.submissionId } });
  if (existing) return duplicateOf(existing, userId);

  const assignment = await db.assignment.findUnique({
    where: { id: input.assignmentId },
    include: { item: { include: { project: true, candidates: true } } },
  });
  if (!assignment || assignment.userId !== userId) {
    throw new AppError("NOT_FOUND", "This item is not assigned to you.", [{ field: "assignmentId", message: "unknown assignment" }]);
  }
  if (assignment.state === "SUBMITTED") {
    throw new AppError("CONFLICT", "This item was already submitted; edit your last submission instead.");
  }
  if (assignment.state === "SKIPPED") throw new AppError("CONFLICT", "You skipped this item.");
  const { item } = assignment;
  const project = item.project;
  const errors = validateJudgement({
    project: { ...project, criteria: criteriaOf(project) },
    candidateIds: item.candidates.map((c) => c.candidateId),
    judgement: input,
  });
  if (errors.length) {
    throw new AppError("BAD_REQUEST", `Invalid judgement: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);
  }

  try {
    return await db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ completedCount: number }[]>`
        SELECT "completedCount" FROM "Item" WHERE id = ${item.id} FOR UPDATE`;
      const completed = Number(locked[0]?.completedCount ?? 0);
      const surplus = !item.isGold && completed >= project.overlap;
      const late = assignment.state === "EXPIRED" || assignment.expiresAt < new Date();
      const goldRanking = item.isGold ? (item.goldRanking as string[][] | null) : null;
      const annotation = await tx.annotation.create({
        data: {
          submissionId: input.submissionId,
          assignmentId: assignment.id,
          itemId: item.id,
          projectId: project.id,
          userId,
          ranking: input.ranking,
          strength: input.strength ?? null,
          bothBad: input.bothBad,
          ratings: input.ratings,
          rationale: input.rationale,
          flags: input.flags,
          flagNote: input.flagNote,
          timeSpentMs: input.timeSpentMs,
          late,
          surplus,
          isGold: item.isGold,
          goldCorrect: goldRanking ? matchesGold(input.ranking, goldRanking) : null,
        },
      });
      await tx.assignment.update({ where: { id: assignment.id }, data: { state: "SUBMITTED" } });
      if (!surplus && !item.isGold) {
        await tx.item.update({
          where: { id: item.id },
          data: { completedCount: { increment: 1 }, ...(completed + 1 >= project.overlap ? { status: "COMPLETE" } : {}) },
        });
      }
      await writeComparisons(tx, annotation, item.promptId, input.ranking, input.strength ?? null);
      return { annotationId: annotation.id, duplicate: false, late, surplus };
    });
  } catch (err) {
    // Two copies of one submit raced: the loser returns the winner's result.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const winner = await db.annotation.findUnique({ where: { submissionId: input.submissionId } });
      if (winner) return duplicateOf(winner, userId);
      throw new AppError("CONFLICT", "This item was already submitted; edit your last submission instead.");
    }
    throw err;
  }
}

function duplicateOf(a: { id: string; userId: string; late: boolean; surplus: boolean }, userId: string): SubmitResult {
  if (a.userId !== userId) throw new AppError("CONFLICT", "This submission id belongs to another annotator.");
  return { annotationId: a.id, duplicate: true, late: a.late, surplus: a.surplus };
}

/** Skipping releases the item for others and never serves it to the skipper again. */
export async function skip(opts: { userId: string; assignmentId: string; reason: string }): Promise<void> {
  const updated = await db.assignment.updateMany({
    where: { id: opts.assignmentId, userId: opts.userId, state: { in: ["ACTIVE", "EXPIRED"] } },
    data: { state: "SKIPPED", skipReason: opts.reason },
  });
  if (updated.count === 0) {
    const a = await db.assignment.findUnique({ where: { id: opts.assignmentId } });
    if (!a || a.userId !== opts.userId) throw new AppError("NOT_FOUND", "This item is not assigned to you.");
    if (a.state === "SKIPPED") return;
    throw new AppError("CONFLICT", "This item was already submitted.");
  }
}

function withinEditWindow(createdAt: Date): boolean {
  return Date.now() - createdAt.getTime() <= EDIT_WINDOW_SECONDS * 1000;
}

/** The caller's most recent annotation in a project, when it is still editable, with what the page shows. */
export async function lastEditable(opts: { userId: string; projectId: string }) {
  const last = await db.annotation.findFirst({
    where: { userId: opts.userId, projectId: opts.projectId },
    orderBy: { createdAt: "desc" },
    include: { assignment: true, item: { include: { prompt: true, candidates: { include: { candidate: true } } } } },
  });
  return last && withinEditWindow(last.createdAt) ? last : null;
}

/** Edits the caller's last submission within the edit window; the derived comparisons follow the edit. */
export async function editLast(opts: { userId: string; annotationId: string; judgement: Judgement }): Promise<{ annotationId: string }> {
  const annotation = await db.annotation.findUnique({
    where: { id: opts.annotationId },
    include: { item: { include: { project: true, candidates: true } } },
  });
  if (!annotation || annotation.userId !== opts.userId) throw new AppError("NOT_FOUND", "No such annotation of yours.");
  const last = await db.annotation.findFirst({
    where: { userId: opts.userId, projectId: annotation.projectId },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  if (last?.id !== annotation.id || !withinEditWindow(annotation.createdAt)) {
    throw new AppError("PRECONDITION_FAILED", `Only your last submission can be edited, within ${EDIT_WINDOW_SECONDS / 60} minutes.`);
  }
  const { item } = annotation;
  const j = opts.judgement;
  const errors = validateJudgement({
    project: { ...item.project, criteria: criteriaOf(item.project) },
    candidateIds: item.candidates.map((c) => c.candidateId),
    judgement: j,
  });
  if (errors.length) throw new AppError("BAD_REQUEST", `Invalid judgement: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);
  const goldRanking = item.isGold ? (item.goldRanking as string[][] | null) : null;
  await db.$transaction(async (tx) => {
    await tx.annotation.update({
      where: { id: annotation.id },
      data: {
        ranking: j.ranking,
        strength: j.strength ?? null,
        bothBad: j.bothBad,
        ratings: j.ratings,
        rationale: j.rationale,
        flags: j.flags,
        flagNote: j.flagNote,
        timeSpentMs: annotation.timeSpentMs + j.timeSpentMs,
        goldCorrect: goldRanking ? matchesGold(j.ranking, goldRanking) : null,
      },
    });
    await tx.comparison.deleteMany({ where: { annotationId: annotation.id } });
    await writeComparisons(tx, annotation, item.promptId, j.ranking, j.strength ?? null);
  });
  return { annotationId: annotation.id };
}

/** Progress for the annotation page header. */
export async function progress(opts: { userId: string; projectId: string; overlap: number }) {
  const startOfDay = new Date();
  startOfDay.setUTCHours(0, 0, 0, 0);
  const [today, mine, rows] = await Promise.all([
    db.annotation.count({ where: { userId: opts.userId, projectId: opts.projectId, createdAt: { gte: startOfDay } } }),
    db.annotation.count({ where: { userId: opts.userId, projectId: opts.projectId } }),
    db.$queryRaw<{ total: bigint; complete: bigint; available: bigint }[]>`
      SELECT count(*) AS total,
             count(*) FILTER (WHERE i.status = 'COMPLETE') AS complete,
             count(*) FILTER (WHERE i.status = 'OPEN' AND NOT i."isGold"
               AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."itemId" = i.id AND a."userId" = ${opts.userId})
               AND (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = i.id AND ${Prisma.raw(HOLDS_PLACE)}) < ${opts.overlap}) AS available
        FROM "Item" i WHERE i."projectId" = ${opts.projectId} AND NOT i."isGold"`,
  ]);
  const r = rows[0];
  return {
    doneToday: today,
    doneInProject: mine,
    itemsTotal: Number(r?.total ?? 0),
    itemsComplete: Number(r?.complete ?? 0),
    remainingForYou: Number(r?.available ?? 0),
  };
}

/** Latest judgements of a project, for the admin console. */
export async function recent(opts: { projectId: string; limit: number }) {
  return db.annotation.findMany({
    where: { projectId: opts.projectId },
    orderBy: { createdAt: "desc" },
    take: opts.limit,
    select: {
      id: true, createdAt: true, strength: true, bothBad: true, flags: true, timeSpentMs: true, late: true, surplus: true,
      isGold: true, goldCorrect: true, user: { select: { name: true, email: true } },
    },
  });
}
