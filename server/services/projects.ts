// Projects: settings, membership, and the listing each person sees.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { Prisma, type Project, type Role } from "@/server/generated/prisma/client";
import { DEFAULT_SCALE, type Scale } from "@/server/schemas/judgement";
import type { MemberCaps, ProjectSettings } from "@/server/schemas/project";
import { endLeases } from "@/server/services/annotation/leases";
import * as audit from "@/server/services/audit";

export interface Criterion {
  key: string;
  label: string;
  description: string;
  scale: Scale;
}

/** The project's criteria, each with its scale (7-point Likert for criteria stored before scales existed). */
export function criteriaOf(project: Pick<Project, "criteria">): Criterion[] {
  if (!Array.isArray(project.criteria)) return [];
  return (project.criteria as unknown as (Omit<Criterion, "scale"> & { scale?: Scale })[]).map((c) => ({ ...c, scale: c.scale ?? DEFAULT_SCALE }));
}

/** Projects a person may annotate: members see their projects; admins see all that are not archived. */
export async function listForAnnotator(opts: { userId: string; isAdmin: boolean }) {
  const projects = await db.project.findMany({
    where: { archived: false, ...(opts.isAdmin ? {} : { members: { some: { userId: opts.userId } } }) },
    orderBy: { createdAt: "asc" },
    select: { id: true, slug: true, name: true, taskType: true },
  });
  const counts = await db.projectItemCount.findMany({
    where: { projectId: { in: projects.map((p) => p.id) }, status: "OPEN", isGold: false },
    select: { projectId: true, count: true },
  });
  const open = new Map(counts.map((c) => [c.projectId, c.count]));
  return projects.map((p) => ({ ...p, openItems: open.get(p.id) ?? 0 }));
}

/** Every project (an admin's list); with `memberId`, only the projects that person is a member of. */
export async function listAll(opts: { includeArchived: boolean; memberId?: string }) {
  const projects = await db.project.findMany({
    where: { ...(opts.includeArchived ? {} : { archived: false }), ...(opts.memberId ? { members: { some: { userId: opts.memberId } } } : {}) },
    orderBy: { createdAt: "desc" },
    include: { _count: { select: { items: true, members: true, annotations: true } } },
  });
  return projects;
}

/**
 * The one project lookup. `ref` is an id, or with `slug: true` an id or a slug (the CLI and the HTTP API accept
 * either). With `user` (a token's owner), as that user may see it: admins see every project, anyone else only the
 * projects they are a member of — another is NOT_FOUND, so a token cannot learn which slugs exist. Missing:
 * NOT_FOUND — or, where a form or a launch chose the project (`field`), BAD_REQUEST naming it.
 */
export async function findProject(ref: string, opts: { slug?: boolean; field?: string; user?: { id: string; role: Role } } = {}): Promise<Project> {
  const project = await db.project.findFirst({
    where: {
      ...(opts.slug ? { OR: [{ id: ref }, { slug: ref }] } : { id: ref }),
      ...(!opts.user || opts.user.role === "ADMIN" ? {} : { members: { some: { userId: opts.user.id } } }),
    },
  });
  if (project) return project;
  if (opts.field) throw new AppError("BAD_REQUEST", "project not found", [{ field: opts.field, message: "not found" }]);
  throw new AppError("NOT_FOUND", `No project "${ref}".`);
}

/** One project with its criteria read (criteriaOf) and how many items it holds. */
export async function get(id: string) {
  const project = await findProject(id);
  const items = await db.item.count({ where: { projectId: id } });
  return { ...project, criteria: criteriaOf(project), _count: { items } };
}

function slugTaken(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

export async function create(opts: { actorId: string; settings: ProjectSettings }) {
  try {
    return await db.$transaction(async (tx) => {
      const project = await tx.project.create({ data: { ...opts.settings, criteria: opts.settings.criteria } });
      await audit.record({ actorId: opts.actorId, action: "project.create", targetType: "project", targetId: project.id, after: project }, tx);
      return project;
    });
  } catch (err) {
    if (slugTaken(err)) throw new AppError("CONFLICT", `Slug "${opts.settings.slug}" is taken.`, [{ field: "slug", message: "already in use" }]);
    throw err;
  }
}

export async function update(opts: { actorId: string; id: string; settings: Partial<ProjectSettings> & { archived?: boolean } }) {
  const before = await get(opts.id);
  const next = { ...opts.settings };
  if (next.taskType && next.taskType !== before.taskType) {
    const items = await db.item.count({ where: { projectId: opts.id } });
    if (items > 0) throw new AppError("PRECONDITION_FAILED", "The task type cannot change once the project has items.", [{ field: "taskType", message: "project has items" }]);
  }
  try {
    return await db.$transaction(async (tx) => {
      const project = await tx.project.update({
        where: { id: opts.id },
        data: { ...next, ...(next.criteria ? { criteria: next.criteria } : {}) },
      });
      // a higher overlap opens places on items the queue marked busy
      if (next.overlap !== undefined && next.overlap > before.overlap) {
        await tx.item.updateMany({ where: { projectId: project.id, busyUntil: { not: null } }, data: { busyUntil: null } });
      }
      // an item is complete when it has `overlap` judgements: a new overlap reopens or completes items to match
      if (next.overlap !== undefined && next.overlap !== before.overlap) {
        await tx.item.updateMany({ where: { projectId: project.id, isGold: false, status: "COMPLETE", completedCount: { lt: next.overlap } }, data: { status: "OPEN" } });
        await tx.item.updateMany({ where: { projectId: project.id, isGold: false, status: "OPEN", completedCount: { gte: next.overlap } }, data: { status: "COMPLETE" } });
      }
      await audit.record({ actorId: opts.actorId, action: next.archived === undefined ? "project.update" : next.archived ? "project.archive" : "project.unarchive", targetType: "project", targetId: project.id, before, after: project }, tx);
      return project;
    });
  } catch (err) {
    if (slugTaken(err)) throw new AppError("CONFLICT", `Slug "${opts.settings.slug}" is taken.`, [{ field: "slug", message: "already in use" }]);
    throw err;
  }
}

/** Sets who is a member of a project and which members review it (the rest annotate). */
export async function setMembers(opts: { actorId: string; projectId: string; userIds: string[]; reviewerIds?: string[] }) {
  const reviewerIds = opts.reviewerIds ?? [];
  const members = new Set(opts.userIds);
  const stray = reviewerIds.findIndex((id) => !members.has(id));
  if (stray >= 0) throw new AppError("BAD_REQUEST", "A reviewer must also be a member of the project.", [{ field: `reviewerIds.${stray}`, message: "not among userIds" }]);
  const before = await db.projectMember.findMany({ where: { projectId: opts.projectId }, select: { userId: true, role: true } });
  await db.$transaction(async (tx) => {
    const removed = await tx.projectMember.findMany({ where: { projectId: opts.projectId, userId: { notIn: opts.userIds }, user: { role: { not: "ADMIN" } } }, select: { userId: true } });
    await tx.projectMember.deleteMany({ where: { projectId: opts.projectId, userId: { notIn: opts.userIds } } });
    // admins may annotate any project, member or not; anyone else removed stops judging here now
    await endLeases(tx, { userIds: removed.map((m) => m.userId), projectIds: [opts.projectId] });
    await tx.projectMember.createMany({ data: opts.userIds.map((userId) => ({ projectId: opts.projectId, userId })), skipDuplicates: true });
    await tx.projectMember.updateMany({ where: { projectId: opts.projectId }, data: { role: "ANNOTATOR" } });
    await tx.projectMember.updateMany({ where: { projectId: opts.projectId, userId: { in: reviewerIds } }, data: { role: "REVIEWER" } });
    await audit.record(
      {
        actorId: opts.actorId, action: "project.members", targetType: "project", targetId: opts.projectId,
        before: { members: before.map((m) => m.userId), reviewers: before.filter((m) => m.role === "REVIEWER").map((m) => m.userId) },
        after: { members: opts.userIds, reviewers: reviewerIds },
      },
      tx,
    );
  });
}

export async function members(projectId: string) {
  const rows = await db.projectMember.findMany({
    where: { projectId },
    include: { user: { select: { id: true, email: true, name: true, role: true, active: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ ...r.user, memberRole: r.role, pausedAt: r.pausedAt, pauseReason: r.pauseReason, dailyCap: r.dailyCap, totalCap: r.totalCap }));
}

/** Sets a member's own caps (null: the project's), which the queue applies from their next item on. */
export async function setMemberCaps(opts: { actorId: string } & MemberCaps) {
  await db.$transaction(async (tx) => {
    const where = { projectId_userId: { projectId: opts.projectId, userId: opts.userId } };
    const m = await tx.projectMember.findUnique({ where, select: { dailyCap: true, totalCap: true } });
    if (!m) throw new AppError("NOT_FOUND", "No such member of this project.", [{ field: "userId", message: "not a member" }]);
    const caps = { dailyCap: opts.dailyCap, totalCap: opts.totalCap };
    await tx.projectMember.update({ where, data: caps });
    await audit.record({ actorId: opts.actorId, action: "member.caps", targetType: "project", targetId: opts.projectId, before: { userId: opts.userId, ...m }, after: { userId: opts.userId, ...caps } }, tx);
  });
}

/** Lets a member the gold-accuracy rule paused judge again; their gold is counted afresh from now. */
export async function reinstate(opts: { actorId: string; projectId: string; userId: string }) {
  await db.$transaction(async (tx) => {
    const m = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: opts.projectId, userId: opts.userId } } });
    if (!m) throw new AppError("NOT_FOUND", "No such member of this project.", [{ field: "userId", message: "not a member" }]);
    if (!m.pausedAt) throw new AppError("CONFLICT", "This member is not paused.");
    await tx.projectMember.update({ where: { projectId_userId: { projectId: opts.projectId, userId: opts.userId } }, data: { pausedAt: null, pauseReason: "", reinstatedAt: new Date() } });
    await audit.record({ actorId: opts.actorId, action: "member.reinstate", targetType: "project", targetId: opts.projectId, before: { userId: opts.userId, pausedAt: m.pausedAt, reason: m.pauseReason }, after: { userId: opts.userId } }, tx);
  });
}

/**
 * Pauses a project (nobody is handed a new item; leases already held can still be submitted, so no work is lost) or
 * resumes it. Both are audited; pausing a paused project only changes its message.
 */
export async function setPaused(opts: { actorId: string; projectId: string; paused: boolean; message?: string }) {
  return db.$transaction(async (tx) => {
    const before = await tx.project.findUnique({ where: { id: opts.projectId }, select: { pausedAt: true, pauseMessage: true } });
    if (!before) throw new AppError("NOT_FOUND", `No project "${opts.projectId}".`);
    if (!opts.paused && !before.pausedAt) throw new AppError("CONFLICT", "This project is not paused.");
    const data = opts.paused ? { pausedAt: before.pausedAt ?? new Date(), pauseMessage: opts.message ?? "" } : { pausedAt: null, pauseMessage: "" };
    const after = await tx.project.update({ where: { id: opts.projectId }, data, select: { id: true, pausedAt: true, pauseMessage: true } });
    await audit.record({ actorId: opts.actorId, action: opts.paused ? "project.pause" : "project.resume", targetType: "project", targetId: opts.projectId, before, after: data }, tx);
    return after;
  });
}

/** The project's import history, newest first, for the import page. */
export async function imports(opts: { projectId: string; limit?: number }) {
  const jobs = await db.importJob.findMany({
    where: { projectId: opts.projectId },
    orderBy: { createdAt: "desc" },
    take: opts.limit ?? 50,
    select: {
      id: true, fileName: true, format: true, status: true, bytesTotal: true, bytesRead: true, linesRead: true, counts: true,
      errorCount: true, skipInvalid: true, rejectedLines: true, message: true, createdAt: true, finishedAt: true, createdById: true,
    },
  });
  const creators = await db.user.findMany({ where: { id: { in: jobs.flatMap((j) => (j.createdById ? [j.createdById] : [])) } }, select: { id: true, name: true } });
  const nameOf = new Map(creators.map((u) => [u.id, u.name]));
  return jobs.map(({ rejectedLines, bytesTotal, bytesRead, ...j }) => ({
    ...j,
    bytesTotal: Number(bytesTotal),
    bytesRead: Number(bytesRead),
    hasRejectedLines: rejectedLines !== null,
    createdBy: j.createdById ? (nameOf.get(j.createdById) ?? null) : null,
  }));
}
