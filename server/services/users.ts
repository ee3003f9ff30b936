// Users and passwords. Passwords are hashed with argon2id; sign-in checks go through `verifyCredentials`,
// which also enforces the per-account and per-IP login rate limits.
import { hash, verify } from "@node-rs/argon2";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import { ACTIVE_USER_SQL } from "@/server/services/user-sql";
import type { Role } from "@/server/generated/prisma/client";
import { endLeases } from "@/server/services/annotation/leases";
import * as audit from "@/server/services/audit";
import * as rateLimit from "@/server/services/rate-limit";

/**
 * The user behind a session, or null when they no longer exist or were deactivated. Runs on every request, so it
 * is a prepared statement on the plain pool rather than a Prisma query.
 */
export async function activeUser(id: string): Promise<{ id: string; email: string; name: string; role: Role } | null> {
  const { rows } = await pool().query<{ id: string; email: string; name: string; role: Role }>({
    name: "active-user",
    text: ACTIVE_USER_SQL,
    values: [id],
  });
  return rows[0] ?? null;
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummy: Promise<string> | null = null;
function dummyHash(): Promise<string> {
  dummy ??= hash("no account has this password");
  return dummy;
}

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "invalid" | "inactive" | "rate_limited" };

export async function verifyCredentials(opts: { email: string; password: string; ip: string }): Promise<SignInResult> {
  const email = opts.email.trim().toLowerCase();
  const limits = { max: env.LOGIN_MAX_ATTEMPTS, windowSeconds: env.LOGIN_WINDOW_SECONDS };
  const accountKey = `login:acct:${email}`;
  const ipKey = `login:ip:${opts.ip}`;
  // The IP budget is wider than the account one: a shared office NAT should not lock everyone out.
  if ((await rateLimit.isLimited({ key: accountKey, ...limits })) ||
      (await rateLimit.isLimited({ key: ipKey, ...limits, max: limits.max * 5 }))) {
    return { ok: false, reason: "rate_limited" };
  }
  const user = await db.user.findUnique({ where: { email } });
  // Unknown emails still pay for one argon2 verification, so response time does not reveal which emails exist.
  const valid = user?.passwordHash
    ? await verify(user.passwordHash, opts.password).catch(() => false)
    : await verify(await dummyHash(), opts.password).then(() => false, () => false);
  if (!user || !valid) {
    await rateLimit.hit({ key: accountKey, ...limits });
    await rateLimit.hit({ key: ipKey, ...limits, max: limits.max * 5 });
    return { ok: false, reason: "invalid" };
  }
  if (!user.active) return { ok: false, reason: "inactive" };
  await rateLimit.reset(accountKey);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

export async function createUser(opts: {
  email: string;
  name: string;
  password?: string;
  role: Role;
}): Promise<{ id: string }> {
  const email = opts.email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) throw new AppError("CONFLICT", `A user with email ${email} already exists.`, [{ field: "email", message: "already in use" }]);
  const passwordHash = opts.password ? await hashPassword(opts.password) : null;
  return db.user.create({ data: { email, name: opts.name, role: opts.role, passwordHash }, select: { id: true } });
}

// ---- People management (admin console). Every change is audited; an admin never changes their own
// role or active flag, so the console always keeps at least the acting admin.

const personSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  active: true,
  createdAt: true,
  lastLoginAt: true,
  passwordHash: true,
  memberships: { select: { projectId: true } },
  _count: { select: { annotations: true } },
} as const;

export async function listPeople() {
  const users = await db.user.findMany({ orderBy: [{ active: "desc" }, { name: "asc" }], select: personSelect });
  return users.map(({ passwordHash, memberships, _count, ...u }) => ({
    ...u,
    hasPassword: passwordHash !== null,
    projectIds: memberships.map((m) => m.projectId),
    annotations: _count.annotations,
  }));
}

async function person(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, role: true, active: true } });
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  return user;
}

export async function addPerson(opts: { actorId: string; email: string; name: string; password: string; role: Role }): Promise<{ id: string }> {
  const created = await createUser(opts);
  const user = await person(created.id);
  await audit.record({ actorId: opts.actorId, action: "user.create", targetType: "user", targetId: user.id, after: user });
  return created;
}

export async function setRole(opts: { actorId: string; userId: string; role: Role }) {
  if (opts.actorId === opts.userId && opts.role !== "ADMIN") {
    throw new AppError("PRECONDITION_FAILED", "You cannot remove your own admin role. Ask another admin.", [{ field: "role", message: "cannot demote yourself" }]);
  }
  const before = await person(opts.userId);
  if (before.role === opts.role) return before;
  return db.$transaction(async (tx) => {
    const after = await tx.user.update({ where: { id: opts.userId }, data: { role: opts.role }, select: { id: true, email: true, name: true, role: true, active: true } });
    await audit.record({ actorId: opts.actorId, action: "user.role", targetType: "user", targetId: opts.userId, before, after }, tx);
    return after;
  });
}

/**
 * Deactivation keeps every annotation; the person can no longer sign in and their sessions stop working at the
 * next request (contexts re-check `active`). Their live leases end now so their items go back to the pool.
 */
export async function setActive(opts: { actorId: string; userId: string; active: boolean }) {
  if (opts.actorId === opts.userId && !opts.active) {
    throw new AppError("PRECONDITION_FAILED", "You cannot deactivate your own account. Ask another admin.", [{ field: "active", message: "cannot deactivate yourself" }]);
  }
  const before = await person(opts.userId);
  if (before.active === opts.active) return before;
  return db.$transaction(async (tx) => {
    const after = await tx.user.update({ where: { id: opts.userId }, data: { active: opts.active }, select: { id: true, email: true, name: true, role: true, active: true } });
    if (!opts.active) await endLeases(tx, { userIds: [opts.userId] });
    await audit.record({ actorId: opts.actorId, action: opts.active ? "user.reactivate" : "user.deactivate", targetType: "user", targetId: opts.userId, before, after }, tx);
    return after;
  });
}

/** Sets exactly which projects a person is a member of (the user-side view of project membership). */
export async function setProjects(opts: { actorId: string; userId: string; projectIds: string[] }) {
  await person(opts.userId);
  const projectIds = [...new Set(opts.projectIds)];
  const found = await db.project.count({ where: { id: { in: projectIds } } });
  if (found !== projectIds.length) throw new AppError("NOT_FOUND", "Some of those projects do not exist.", [{ field: "projectIds", message: "unknown project" }]);
  const before = (await db.projectMember.findMany({ where: { userId: opts.userId }, select: { projectId: true }, orderBy: { projectId: "asc" } })).map((m) => m.projectId);
  await db.$transaction(async (tx) => {
    const removed = await tx.projectMember.findMany({ where: { userId: opts.userId, projectId: { notIn: projectIds } }, select: { projectId: true } });
    await tx.projectMember.deleteMany({ where: { userId: opts.userId, projectId: { notIn: projectIds } } });
    const user = await tx.user.findUniqueOrThrow({ where: { id: opts.userId }, select: { role: true } });
    if (user.role !== "ADMIN") await endLeases(tx, { userIds: [opts.userId], projectIds: removed.map((m) => m.projectId) });
    await tx.projectMember.createMany({ data: projectIds.map((projectId) => ({ projectId, userId: opts.userId })), skipDuplicates: true });
    await audit.record({ actorId: opts.actorId, action: "user.projects", targetType: "user", targetId: opts.userId, before, after: [...projectIds].sort() }, tx);
  });
  return { projectIds };
}
