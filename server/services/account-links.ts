// One-time account links: the setup link that creates the first admin of a fresh install (printed by `npm start`
// and `npm run cli -- setup-link`), and password-reset links an admin issues from People. Like invites: a random
// 256-bit token, only its sha256 stored, single use (a guarded update spends it), expiring, rate-limited.
import { randomBytes } from "node:crypto";
import { db, type Tx } from "@/server/db";
import { AppError } from "@/server/errors";
import { Prisma, type AccountLinkKind } from "@/server/generated/prisma/client";
import * as audit from "@/server/services/audit";
import { sha256 } from "@/server/services/hashing";
import * as rateLimit from "@/server/services/rate-limit";
import { hashPassword, storePassword } from "@/server/services/users";

const HOUR_MS = 3600 * 1000;
export const SETUP_LINK_HOURS = 24;
export const RESET_LINK_HOURS = 24;
// A token cannot be guessed; the limits stop someone hammering the pages anyway and bound password attempts per link.
const PER_TOKEN_LIMIT = { max: 10, windowSeconds: 900, firstDelaySeconds: 60 };
const INVALID_TOKEN_LIMIT = { key: "account-link:invalid", max: 200, windowSeconds: 900 };
// Serializes "is there an admin yet?" with creating one, whichever way (setup link, CLI) it happens.
const FIRST_ADMIN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('rlhf:first-admin'))";

const what: Record<AccountLinkKind, { name: string; again: string }> = {
  SETUP: { name: "setup link", again: "Restart `npm start` or run `npm run cli -- setup-link` for a new one." },
  PASSWORD_RESET: { name: "password reset link", again: "Ask an admin for a new one." },
};

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

async function activeAdminExists(tx: Tx): Promise<boolean> {
  return (await tx.user.count({ where: { role: "ADMIN", active: true } })) > 0;
}

/** The link behind a token, if it can still be used; otherwise an AppError that says why and what to do. */
async function findUsable(kind: AccountLinkKind, token: string) {
  const attempt = await rateLimit.take(INVALID_TOKEN_LIMIT);
  if (!attempt.allowed) throw rateLimit.tooMany("Too many attempts with invalid links.", attempt.retryAfterSeconds);
  const link = await db.accountLink.findUnique({ where: { tokenHash: sha256(token) }, include: { user: { select: { email: true, name: true, active: true } } } });
  if (!link || link.kind !== kind) {
    throw new AppError("NOT_FOUND", `This ${what[kind].name} is not valid. Check that you copied all of it. ${what[kind].again}`);
  }
  // only links that do not exist use up the shared budget
  await rateLimit.giveBack(INVALID_TOKEN_LIMIT);
  if (link.usedAt) throw new AppError("PRECONDITION_FAILED", `This ${what[kind].name} was already used. ${what[kind].again}`);
  if (link.expiresAt <= new Date()) {
    throw new AppError("PRECONDITION_FAILED", `This ${what[kind].name} expired at ${link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. ${what[kind].again}`);
  }
  return link;
}

/** Spends a link inside the transaction that uses it: of two simultaneous uses only one sees count 1. */
async function spend(tx: Tx, link: { id: string; kind: AccountLinkKind }): Promise<void> {
  const spent = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
  if (spent.count !== 1) throw new AppError("PRECONDITION_FAILED", `This ${what[link.kind].name} was already used. ${what[link.kind].again}`);
}

async function perTokenAttempt(token: string): Promise<void> {
  const attempt = await rateLimit.take({ key: `account-link:token:${sha256(token)}`, ...PER_TOKEN_LIMIT });
  if (!attempt.allowed) throw rateLimit.tooMany("Too many attempts with this link.", attempt.retryAfterSeconds);
}

// ---- Setup: the first admin of a fresh install

/**
 * A new setup link while the install has no active admin, else null. Earlier unused setup links stop working, so
 * only the link printed last is live.
 */
export async function createSetupLink(): Promise<{ token: string; expiresAt: Date } | null> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SETUP_LINK_HOURS * HOUR_MS);
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(FIRST_ADMIN_LOCK);
    if (await activeAdminExists(tx)) return null;
    await tx.accountLink.deleteMany({ where: { kind: "SETUP", usedAt: null } });
    await tx.accountLink.create({ data: { kind: "SETUP", tokenHash: sha256(token), expiresAt } });
    return { token, expiresAt };
  });
}

/** What the setup page shows before the form; refuses once an admin exists. */
export async function inspectSetupLink(opts: { token: string }): Promise<{ expiresAt: Date }> {
  const link = await findUsable("SETUP", opts.token);
  if (await activeAdminExists(db)) throw new AppError("PRECONDITION_FAILED", "This install already has an admin. Sign in instead.");
  return { expiresAt: link.expiresAt };
}

/** Creates the first admin and spends the link, in one transaction under the first-admin lock. */
export async function completeSetup(opts: { token: string; email: string; name: string; password: string }): Promise<{ id: string; email: string }> {
  await perTokenAttempt(opts.token);
  const link = await findUsable("SETUP", opts.token);
  const email = opts.email.trim().toLowerCase();
  const passwordHash = await hashPassword(opts.password);
  try {
    return await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(FIRST_ADMIN_LOCK);
      if (await activeAdminExists(tx)) throw new AppError("PRECONDITION_FAILED", "This install already has an admin. Sign in instead.");
      await spend(tx, link);
      const user = await tx.user.create({ data: { email, name: opts.name, role: "ADMIN", passwordHash }, select: { id: true, email: true, name: true, role: true } });
      await audit.record({ actorId: user.id, action: "setup.first_admin", targetType: "user", targetId: user.id, after: user }, tx);
      return { id: user.id, email: user.email };
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("CONFLICT", `${email} already has an account (deactivated?). Use another email, or reactivate it with the CLI.`, [
        { field: "email", message: "already has an account" },
      ]);
    }
    throw err;
  }
}

// ---- Password reset links

/** An admin issues a reset link for someone; their earlier unused reset links stop working. */
export async function createResetLink(opts: { actorId: string; userId: string }): Promise<{ token: string; expiresAt: Date }> {
  const user = await db.user.findUnique({ where: { id: opts.userId }, select: { id: true, email: true, name: true, active: true } });
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  if (!user.active) throw new AppError("PRECONDITION_FAILED", `${user.name} is deactivated; reactivate them first.`);
  const token = newToken();
  const expiresAt = new Date(Date.now() + RESET_LINK_HOURS * HOUR_MS);
  await db.$transaction(async (tx) => {
    await tx.accountLink.deleteMany({ where: { kind: "PASSWORD_RESET", userId: user.id, usedAt: null } });
    const link = await tx.accountLink.create({ data: { kind: "PASSWORD_RESET", tokenHash: sha256(token), userId: user.id, expiresAt } });
    await audit.record({ actorId: opts.actorId, action: "user.password.reset_link", targetType: "user", targetId: user.id, after: { linkId: link.id, expiresAt } }, tx);
  });
  return { token, expiresAt };
}

/** What the reset page shows: whose password the link sets. */
export async function inspectResetLink(opts: { token: string }): Promise<{ email: string; name: string; expiresAt: Date }> {
  const link = await findUsable("PASSWORD_RESET", opts.token);
  if (!link.user?.active) throw new AppError("PRECONDITION_FAILED", "This account is deactivated. Ask an admin.");
  return { email: link.user.email, name: link.user.name, expiresAt: link.expiresAt };
}

/** Sets the new password, spends the link and ends every session of the account. */
export async function completeReset(opts: { token: string; password: string }): Promise<{ email: string }> {
  await perTokenAttempt(opts.token);
  const link = await findUsable("PASSWORD_RESET", opts.token);
  if (!link.user?.active || !link.userId) throw new AppError("PRECONDITION_FAILED", "This account is deactivated. Ask an admin.");
  const userId = link.userId;
  const passwordHash = await hashPassword(opts.password);
  await db.$transaction(async (tx) => {
    await spend(tx, link);
    await storePassword(tx, { userId, passwordHash, actorId: userId, action: "user.password.reset", after: { linkId: link.id } });
  });
  return { email: link.user.email };
}
