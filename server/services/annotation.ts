// The work queue and the judgements: claim an item (lease), submit, skip, edit the last submission.
// Rules that must hold under concurrency:
//  - an item is never leased to the same annotator twice (unique itemId+userId on Assignment);
//  - a non-gold item never has more than `overlap` submitted + live (unexpired) leases at claim time;
//  - a submit is stored exactly once per client submission id, even after the lease expired.
// `next` and `submit` are the hot path (every judgement is one of each): each is a context query plus one call of a
// SQL function (rlhf_claim_item, rlhf_submit_annotation: prisma/migrations/…_queue_hot_path), on the plain pool
// with prepared statements; their SQL is in ./annotation-sql.ts. Everything else goes through Prisma.
import type pg from "pg";
import { db, type Tx } from "@/server/db";
import { AppError, type FieldError } from "@/server/errors";
import type { Prisma, Project, Strength } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import {
  ANNOTATOR_CONTEXT_SQL,
  CLAIM_ITEM_VIEW_SQL,
  OWN_ITEM_VIEW_SQL,
  SUBMIT_ANNOTATION_SQL,
  SUBMIT_CONTEXT_SQL,
} from "@/server/services/annotation-sql";
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

interface OwnLease {
  id: string;
  itemId: string;
  live: boolean;
}

interface AnnotatorContext {
  project: Project;
  /** the caller's ACTIVE assignments in the project, oldest first, less the excluded ones (only when asked for) */
  own: OwnLease[];
  /** the caller's assignments in the project, gold and all (only when the project serves gold) */
  served: { gold: number; total: number } | null;
}

/**
 * The project as this caller may annotate it, in one query: annotators see projects they are members of, admins
 * every project; archived projects are closed. With `leases`, also what `next` needs: the caller's own live leases
 * and, when the project serves gold, how much gold they were served so far.
 */
async function annotatorContext(opts: { slug: string; userId: string; isAdmin: boolean; leases: boolean; exclude?: string[] }): Promise<AnnotatorContext> {
  const { rows } = await pool().query<Project & { _member: boolean; _own: OwnLease[] | null; _served: { gold: number; total: number } | null }>({
    name: "annotator-context",
    text: ANNOTATOR_CONTEXT_SQL,
    values: [opts.slug, opts.userId, opts.leases, opts.exclude ?? []],
  });
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", `No project "${opts.slug}".`);
  const { _member, _own, _served, ...project } = row;
  if (!opts.isAdmin && !_member) throw new AppError("FORBIDDEN", `You are not a member of project "${project.name}".`);
  if (project.archived) throw new AppError("PRECONDITION_FAILED", `Project "${project.name}" is archived.`);
  return { project, own: _own ?? [], served: _served };
}

/** Annotators see projects they are members of; admins see every project; archived projects are closed. */
export async function projectForAnnotator(opts: { slug: string; userId: string; isAdmin: boolean }): Promise<Project> {
  return (await annotatorContext({ ...opts, leases: false })).project;
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

// What holds one of an item's `overlap` places: a submitted judgement or an unexpired lease. Expired leases free
// the item without any cron. The renewal of an expired lease uses this definition; the claim function
// (rlhf_claim_item) spells out the same condition. (The IN list lets Postgres answer it from the (itemId, state)
// index in one scan.)
const HOLDS_PLACE = `(a.state IN ('SUBMITTED', 'ACTIVE') AND (a.state = 'SUBMITTED' OR a."expiresAt" > now()))`;

/** Places of item $1 held by annotators other than $2. */
const LIVE_COUNT = `(SELECT count(*) FROM "Assignment" a WHERE a."itemId" = $1 AND a."userId" <> $2 AND ${HOLDS_PLACE})`;

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
function goldDue(project: Project, served: AnnotatorContext["served"]): boolean {
  if (project.goldRate <= 0 || !served) return false;
  return served.gold < project.goldRate * (served.total + 1);
}

interface ItemViewRow {
  assignment_id: string;
  item_id: string;
  expires_at: Date;
  shown_order: string[];
  messages: ItemView["messages"];
  candidates: { id: string; text: string; model: string | null; position: number }[];
}

function toItemView(row: ItemViewRow, showModelNames: boolean): ItemView {
  const byId = new Map(row.candidates.map((c) => [c.id, c]));
  const order = row.shown_order.length ? row.shown_order : [...row.candidates].sort((x, y) => x.position - y.position).map((c) => c.id);
  return {
    assignmentId: row.assignment_id,
    itemId: row.item_id,
    expiresAt: row.expires_at,
    messages: row.messages,
    candidates: order.map((id) => {
      const c = byId.get(id)!;
      return { id: c.id, text: c.text, model: showModelNames ? c.model : null };
    }),
  };
}

async function ownItemView(assignmentId: string, showModelNames: boolean): Promise<ItemView> {
  const { rows } = await pool().query<ItemViewRow>({ name: "own-item-view", text: OWN_ITEM_VIEW_SQL, values: [assignmentId] });
  if (!rows[0]) throw new AppError("NOT_FOUND", "No such assignment.");
  return toItemView(rows[0], showModelNames);
}

/** Claims a new item for the caller (see rlhf_claim_item) and returns it as they see it; null when none is free. */
async function claimNew(opts: { project: Project; userId: string; gold: boolean }): Promise<ItemView | null> {
  const { project } = opts;
  const { rows } = await pool().query<ItemViewRow>({
    name: "claim-item",
    text: CLAIM_ITEM_VIEW_SQL,
    values: [project.id, opts.userId, opts.gold, project.overlap, project.leaseSeconds, project.activeLearning],
  });
  return rows[0] ? toItemView(rows[0], project.showModelNames) : null;
}

/**
 * The caller's next item: their own live lease first (a reload does not burn a new item), else a new claim.
 * `exclude` lists leases the client already holds, so it can prefetch one item ahead.
 */
export async function next(opts: { slug: string; userId: string; isAdmin: boolean; exclude?: string[] }): Promise<{
  project: ProjectView;
  item: ItemView | null;
}> {
  const { project, own, served } = await annotatorContext({ ...opts, leases: true });
  const view = projectView(project);
  for (const a of own) {
    if (a.live || (await renewExpired({ project, assignmentId: a.id, itemId: a.itemId, userId: opts.userId }))) {
      return { project: view, item: await ownItemView(a.id, project.showModelNames) };
    }
  }
  const preferGold = goldDue(project, served);
  let item = await claimNew({ project, userId: opts.userId, gold: preferGold });
  // Gold items are only interleaved between real work: no gold when the real queue is dry.
  if (!item && preferGold) item = await claimNew({ project, userId: opts.userId, gold: false });
  return { project: view, item };
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

const ALREADY_SUBMITTED = "This item was already submitted; edit your last submission instead.";

function notAssigned(): AppError {
  return new AppError("NOT_FOUND", "This item is not assigned to you.", [{ field: "assignmentId", message: "unknown assignment" }]);
}

interface SubmitContextRow {
  stored_id: string | null;
  stored_user_id: string | null;
  stored_late: boolean | null;
  stored_surplus: boolean | null;
  user_id: string | null;
  state: string | null;
  is_gold: boolean;
  gold_ranking: string[][] | null;
  task_type: Project["taskType"];
  allow_ties: boolean;
  require_rationale: boolean;
  criteria: Prisma.JsonValue;
  candidate_ids: string[];
}

/** Stores one judgement. Idempotent on `submissionId`; late and surplus submits are stored and marked. */
export async function submit(opts: { userId: string; input: SubmitInput }): Promise<SubmitResult> {
  const { input, userId } = opts;
  const { rows } = await pool().query<SubmitContextRow>({ name: "submit-context", text: SUBMIT_CONTEXT_SQL, values: [input.submissionId, input.assignmentId] });
  const c = rows[0];
  if (c.stored_id) return duplicateOf({ id: c.stored_id, userId: c.stored_user_id!, late: c.stored_late!, surplus: c.stored_surplus! }, userId);
  if (!c.user_id || c.user_id !== userId) throw notAssigned();
  if (c.state === "SUBMITTED") throw new AppError("CONFLICT", ALREADY_SUBMITTED);
  if (c.state === "SKIPPED") throw new AppError("CONFLICT", "You skipped this item.");
  const errors = validateJudgement({
    project: { taskType: c.task_type, allowTies: c.allow_ties, requireRationale: c.require_rationale, criteria: criteriaOf(c) },
    candidateIds: c.candidate_ids,
    judgement: input,
  });
  if (errors.length) {
    throw new AppError("BAD_REQUEST", `Invalid judgement: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);
  }
  const pairs = derivePairs(input.ranking, input.strength ?? null);
  // rlhf_submit_annotation re-checks the id and the assignment under the item's row lock: two copies of one submit
  // racing past the checks above still land once.
  const { rows: stored } = await pool().query<{ outcome: string; annotation_id: string; owner_id: string; late: boolean; surplus: boolean }>({
    name: "submit-annotation",
    text: SUBMIT_ANNOTATION_SQL,
    values: [
      input.submissionId,
      input.assignmentId,
      userId,
      JSON.stringify(input.ranking),
      input.strength ?? null,
      input.bothBad,
      JSON.stringify(input.ratings),
      input.rationale,
      input.flags,
      input.flagNote,
      input.timeSpentMs,
      c.is_gold && c.gold_ranking ? matchesGold(input.ranking, c.gold_ranking) : null,
      pairs.map((p) => p.chosenId),
      pairs.map((p) => p.rejectedId),
      pairs.map((p) => p.margin),
    ],
  });
  const r = stored[0];
  switch (r.outcome) {
    case "ok":
      return { annotationId: r.annotation_id, duplicate: false, late: r.late, surplus: r.surplus };
    case "duplicate":
      return duplicateOf({ id: r.annotation_id, userId: r.owner_id, late: r.late, surplus: r.surplus }, userId);
    case "submitted":
      throw new AppError("CONFLICT", ALREADY_SUBMITTED);
    case "skipped":
      throw new AppError("CONFLICT", "You skipped this item.");
    default:
      throw notAssigned();
  }
}

function duplicateOf(a: { id: string; userId: string; late: boolean; surplus: boolean }, userId: string): SubmitResult {
  if (a.userId !== userId) throw new AppError("CONFLICT", "This submission id belongs to another annotator.");
  return { annotationId: a.id, duplicate: true, late: a.late, surplus: a.surplus };
}

/** Skipping releases the item for others and never serves it to the skipper again. */
export async function skip(opts: { userId: string; assignmentId: string; reason: string }): Promise<void> {
  const skipped = await withClient(async (client) => {
    // the item first, as claim and submit lock it (the same order everywhere cannot deadlock)
    const item = await client.query<{ id: string }>(
      `SELECT i.id FROM "Item" i JOIN "Assignment" a ON a."itemId" = i.id WHERE a.id = $1 AND a."userId" = $2 FOR UPDATE OF i`,
      [opts.assignmentId, opts.userId],
    );
    if (!item.rows[0]) return false;
    const updated = await client.query(
      `UPDATE "Assignment" SET state = 'SKIPPED', "skipReason" = $2 WHERE id = $1 AND state IN ('ACTIVE', 'EXPIRED')`,
      [opts.assignmentId, opts.reason],
    );
    if (updated.rowCount === 0) return false;
    // a place came free before the lease ran out: the item must not look busy to the queue
    await client.query(`UPDATE "Item" SET "busyUntil" = NULL WHERE id = $1`, [item.rows[0].id]);
    return true;
  });
  if (!skipped) {
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

// The item counts of a project, shared by everyone annotating it. The page asks for progress after every submit, so
// with 100 annotators the counts would be recomputed many times a second; a few seconds of staleness is invisible
// in a header, a full count of a large project per judgement is not.
const ITEM_COUNTS_TTL_MS = 5_000;
const itemCounts = new Map<string, { at: number; value: Promise<{ total: number; complete: number; open: number }> }>();

function projectItemCounts(projectId: string): Promise<{ total: number; complete: number; open: number }> {
  const hit = itemCounts.get(projectId);
  if (hit && Date.now() - hit.at < ITEM_COUNTS_TTL_MS) return hit.value;
  const value = pool()
    .query<{ total: string; complete: string; open: string }>({
      name: "project-item-counts",
      text: `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'COMPLETE') AS complete, count(*) FILTER (WHERE status = 'OPEN') AS open
               FROM "Item" WHERE "projectId" = $1 AND NOT "isGold"`,
      values: [projectId],
    })
    .then(({ rows }) => ({ total: Number(rows[0].total), complete: Number(rows[0].complete), open: Number(rows[0].open) }));
  value.catch(() => itemCounts.delete(projectId));
  itemCounts.set(projectId, { at: Date.now(), value });
  return value;
}

/**
 * Progress for the annotation page header: the caller's judgements (today, UTC, and in all), the project's
 * non-gold items (complete of total), and how many open items the caller has not been served yet — some of which
 * may be on loan to others right now.
 */
export async function progress(opts: { userId: string; projectId: string }) {
  const startOfDay = new Date();
  startOfDay.setUTCHours(0, 0, 0, 0);
  const [counts, { rows }] = await Promise.all([
    projectItemCounts(opts.projectId),
    pool().query<{ today: string; mine: string; served_open: string }>({
      name: "annotator-progress",
      text: `SELECT count(*) FILTER (WHERE n."createdAt" >= $3) AS today, count(*) AS mine,
                    (SELECT count(*) FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId"
                      WHERE a."userId" = $1 AND a."projectId" = $2 AND i.status = 'OPEN' AND NOT i."isGold") AS served_open
               FROM "Annotation" n WHERE n."userId" = $1 AND n."projectId" = $2`,
      values: [opts.userId, opts.projectId, startOfDay],
    }),
  ]);
  const r = rows[0];
  return {
    doneToday: Number(r.today),
    doneInProject: Number(r.mine),
    itemsTotal: counts.total,
    itemsComplete: counts.complete,
    remainingForYou: Math.max(0, counts.open - Number(r.served_open)),
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
