// Users, passwords and sessions. Passwords are hashed with argon2id; sign-in checks go through `verifyCredentials`,
// which also enforces the per-account and per-address login budgets. A session is valid while its user is active and
// its version (copied from User.sessionVersion at sign-in) is the user's current one: a password change or reset and
// a sign-out raise the version, which ends every session issued before.
import { hash, verify } from "@node-rs/argon2";
import { db, type Tx } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import { ACTIVE_USER_SQL } from "@/server/services/user-sql";
import type { Role } from "@/server/generated/prisma/client";
import { endLeases } from "@/server/services/annotation/leases";
import * as audit from "@/server/services/audit";
import * as rateLimit from "@/server/services/rate-limit";

/** What a session token says: whose it is, and the user's session version when it was issued. */
export interface SessionRef {
  userId: string;
  sessionVersion: number;
}

/**
 * The user behind a session, or null when they no longer exist, were deactivated, or the session was ended (its
 * version is not the current one). Runs on every request, so it is one prepared statement on the plain pool rather
 * than a Prisma query.
 */
export async function activeUser(session: SessionRef): Promise<{ id: string; email: string; name: string; role: Role } | null> {
  const { rows } = await pool().query<{ id: string; email: string; name: string; role: Role }>({
    name: "active-user",
    text: ACTIVE_USER_SQL,
    values: [session.userId, session.sessionVersion],
  });
  return rows[0] ?? null;
}

/** The version a new session of this user starts with (read once, at sign-in). */
export async function sessionVersion(userId: string): Promise<number> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? 0;
}

/**
 * Sign-out: ends every session of the user, so a copied cookie stops working too. Only a current session can do
 * this; an already-ended one (an old copied cookie) cannot sign the person out of the sessions they use now.
 */
export async function endSessions(session: SessionRef): Promise<void> {
  await db.user.updateMany({
    where: { id: session.userId, sessionVersion: session.sessionVersion },
    data: { sessionVersion: { increment: 1 } },
  });
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
  | { ok: false; reason: "invalid" | "inactive" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Checks an email and password. Each attempt is taken from two budgets before the (deliberately slow) password check:
 * the account's, and the client address's — wider, so one office behind a NAT is not locked out by a colleague, and
 * skipped when the address is unknown rather than pooling every such client into one shared budget. A success gives
 * both back.
 */
/** Checks an email + password sign-in; every attempt, kept or refused, goes to the audit log (never the password). */
export async function verifyCredentials(opts: { email: string; password: string; ip: string | null }): Promise<SignInResult> {
  const { result, userId } = await checkCredentials(opts);
  const reasons = { invalid: "wrong email or password", inactive: "inactive account", rate_limited: "too many attempts" } as const;
  await audit.recordSignIn({
    success: result.ok,
    email: opts.email,
    userId: result.ok ? result.user.id : userId,
    method: "credentials",
    ...(result.ok ? {} : { reason: reasons[result.reason] }),
    ip: opts.ip,
  });
  return result;
}

async function checkCredentials(opts: { email: string; password: string; ip: string | null }): Promise<{ result: SignInResult; userId: string | null }> {
  const email = opts.email.trim().toLowerCase();
  const windowSeconds = env.LOGIN_WINDOW_SECONDS;
  const account = { key: `login:acct:${email}`, max: env.LOGIN_MAX_ATTEMPTS, windowSeconds };
  const address = opts.ip ? { key: `login:ip:${opts.ip}`, max: env.LOGIN_MAX_ATTEMPTS * 5, windowSeconds } : null;
  if (address) {
    const attempt = await rateLimit.take(address);
    if (!attempt.allowed) return { result: { ok: false, reason: "rate_limited", retryAfterSeconds: attempt.retryAfterSeconds }, userId: null };
  }
  const attempt = await rateLimit.take(account);
  if (!attempt.allowed) {
    // nothing was checked, so the address's attempt does not count
    if (address) await rateLimit.giveBack(address);
    return { result: { ok: false, reason: "rate_limited", retryAfterSeconds: attempt.retryAfterSeconds }, userId: null };
  }
  const user = await db.user.findUnique({ where: { email } });
  // Unknown emails still pay for one argon2 verification, so response time does not reveal which emails exist.
  const valid = user?.passwordHash
    ? await verify(user.passwordHash, opts.password).catch(() => false)
    : await verify(await dummyHash(), opts.password).then(() => false, () => false);
  if (!user || !valid) return { result: { ok: false, reason: "invalid" }, userId: user?.id ?? null };
  await rateLimit.reset(account.key);
  if (address) await rateLimit.giveBack(address);
  if (!user.active) return { result: { ok: false, reason: "inactive" }, userId: user.id };
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { result: { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } }, userId: user.id };
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

/**
 * Stores a new password hash (made before the transaction: argon2 takes a while) and ends every session of the
 * user, with an audit entry that never holds the hash.
 */
export async function storePassword(
  tx: Tx,
  opts: { userId: string; passwordHash: string; actorId: string | null; action: string; after?: Record<string, unknown> },
): Promise<void> {
  await tx.user.update({ where: { id: opts.userId }, data: { passwordHash: opts.passwordHash, sessionVersion: { increment: 1 } } });
  await audit.record({ actorId: opts.actorId, action: opts.action, targetType: "user", targetId: opts.userId, after: opts.after }, tx);
}

/**
 * A signed-in person changes their own password. The current password is required (a session left open on a shared
 * computer must not be enough) and wrong guesses count like failed sign-ins. Every session ends, this one included:
 * the caller signs in again with the new password (the account page does it without asking).
 */
export async function changePassword(opts: { userId: string; currentPassword: string; newPassword: string }): Promise<void> {
  const limit = { key: `password:change:${opts.userId}`, max: env.LOGIN_MAX_ATTEMPTS, windowSeconds: env.LOGIN_WINDOW_SECONDS };
  const attempt = await rateLimit.take(limit);
  if (!attempt.allowed) {
    throw rateLimit.tooMany("Too many wrong current passwords.", attempt.retryAfterSeconds);
  }
  const user = await db.user.findUnique({ where: { id: opts.userId }, select: { passwordHash: true } });
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  if (!user.passwordHash) {
    throw new AppError("PRECONDITION_FAILED", "Your account signs in through an external provider and has no password here. An admin can set one.", [
      { field: "currentPassword", message: "this account has no password" },
    ]);
  }
  if (!(await verify(user.passwordHash, opts.currentPassword).catch(() => false))) {
    throw new AppError("BAD_REQUEST", "The current password is not right.", [{ field: "currentPassword", message: "not your current password" }]);
  }
  if (opts.newPassword === opts.currentPassword) {
    throw new AppError("BAD_REQUEST", "Choose a password different from the current one.", [{ field: "newPassword", message: "same as the current password" }]);
  }
  await rateLimit.reset(limit.key);
  const passwordHash = await hashPassword(opts.newPassword);
  await db.$transaction((tx) => storePassword(tx, { userId: opts.userId, passwordHash, actorId: opts.userId, action: "user.password.change" }));
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

/** An account made by an admin in the console, or (actorId null) from the shell: `npm run cli -- create-admin`. */
export async function addPerson(opts: { actorId: string | null; email: string; name: string; password: string; role: Role }): Promise<{ id: string }> {
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

/**
 * An admin sets someone's password (they forgot it; share the new one privately, or send a reset link instead).
 * Every session of that person ends. Admins change their own password on the account page, which asks for the
 * current one.
 */
export async function setPassword(opts: { actorId: string; userId: string; password: string }): Promise<void> {
  if (opts.actorId === opts.userId) {
    throw new AppError("PRECONDITION_FAILED", "Change your own password on your account page.", [{ field: "userId", message: "that is you" }]);
  }
  const user = await person(opts.userId);
  const passwordHash = await hashPassword(opts.password);
  await db.$transaction((tx) => storePassword(tx, { userId: user.id, passwordHash, actorId: opts.actorId, action: "user.password.set" }));
}
