// Invite links: one-time, expiring. Only a sha256 of the token is stored, so a database leak hands out no
// working links; the link itself is shown to the admin once, at creation.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { Prisma, type Role } from "@/server/generated/prisma/client";
import * as audit from "@/server/services/audit";
import * as rateLimit from "@/server/services/rate-limit";
import { hashPassword } from "@/server/services/users";

const DAY_MS = 24 * 3600 * 1000;
// A token has 256 bits, so guessing is hopeless; the limits stop someone hammering the endpoint anyway and
// bound password attempts against one link.
const PER_TOKEN_LIMIT = { max: 10, windowSeconds: 900, firstDelaySeconds: 60 };
const INVALID_TOKEN_LIMIT = { key: "invite:invalid", max: 200, windowSeconds: 900 };

export function inviteTokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export type InviteStatus = "pending" | "used" | "expired";

function statusOf(invite: { usedAt: Date | null; expiresAt: Date }, now: Date): InviteStatus {
  if (invite.usedAt) return "used";
  return invite.expiresAt <= now ? "expired" : "pending";
}

export async function createInvite(opts: {
  actorId: string;
  email?: string;
  role: Role;
  projectIds: string[];
  expiresInDays: number;
}): Promise<{ id: string; token: string; expiresAt: Date }> {
  const email = opts.email?.trim().toLowerCase();
  if (email && (await db.user.findUnique({ where: { email } }))) {
    throw new AppError("CONFLICT", `${email} already has an account.`, [{ field: "email", message: "already has an account" }]);
  }
  const projectIds = [...new Set(opts.projectIds)];
  if ((await db.project.count({ where: { id: { in: projectIds } } })) !== projectIds.length) {
    throw new AppError("NOT_FOUND", "Some of those projects do not exist.", [{ field: "projectIds", message: "unknown project" }]);
  }
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + opts.expiresInDays * DAY_MS);
  return db.$transaction(async (tx) => {
    const invite = await tx.invite.create({
      data: { tokenHash: inviteTokenHash(token), email: email ?? null, role: opts.role, projectIds, expiresAt, createdById: opts.actorId },
      omit: { tokenHash: true },
    });
    await audit.record({ actorId: opts.actorId, action: "invite.create", targetType: "invite", targetId: invite.id, after: invite }, tx);
    return { id: invite.id, token, expiresAt };
  });
}

export async function listInvites() {
  const now = new Date();
  const invites = await db.invite.findMany({
    orderBy: { createdAt: "desc" },
    take: 200,
    select: { id: true, email: true, role: true, projectIds: true, expiresAt: true, usedAt: true, createdAt: true, createdBy: { select: { name: true, email: true } } },
  });
  return invites.map((i) => ({ ...i, status: statusOf(i, now) }));
}

/** Withdraws an unused invite: its link stops working at once. */
export async function revokeInvite(opts: { actorId: string; id: string }): Promise<void> {
  const invite = await db.invite.findUnique({ where: { id: opts.id }, omit: { tokenHash: true } });
  if (!invite) throw new AppError("NOT_FOUND", "No such invite.");
  if (invite.usedAt) throw new AppError("PRECONDITION_FAILED", "This invite was already used; deactivate the person instead.");
  await db.$transaction(async (tx) => {
    await tx.invite.delete({ where: { id: invite.id } });
    await audit.record({ actorId: opts.actorId, action: "invite.revoke", targetType: "invite", targetId: invite.id, before: invite }, tx);
  });
}

async function findUsable(token: string) {
  const attempt = await rateLimit.take(INVALID_TOKEN_LIMIT);
  if (!attempt.allowed) throw rateLimit.tooMany("Too many invite attempts.", attempt.retryAfterSeconds);
  const invite = await db.invite.findUnique({ where: { tokenHash: inviteTokenHash(token) } });
  if (!invite) throw new AppError("NOT_FOUND", "This invite link is not valid. Check that you copied all of it, or ask an admin for a new one.");
  // only links that do not exist use up the shared budget
  await rateLimit.giveBack(INVALID_TOKEN_LIMIT);
  const status = statusOf(invite, new Date());
  if (status === "used") throw new AppError("PRECONDITION_FAILED", "This invite link was already used. Sign in instead, or ask an admin for a new link.");
  if (status === "expired") {
    throw new AppError("PRECONDITION_FAILED", `This invite link expired on ${invite.expiresAt.toISOString().slice(0, 10)}. Ask an admin for a new one.`);
  }
  return invite;
}

/** What the accept page shows before the person fills in the form. */
export async function inspectInvite(opts: { token: string }) {
  const invite = await findUsable(opts.token);
  return { email: invite.email, role: invite.role, expiresAt: invite.expiresAt };
}

/** Creates the account and spends the invite in one transaction: a link can make at most one account. */
export async function acceptInvite(opts: { token: string; name: string; email?: string; password: string }): Promise<{ id: string; email: string }> {
  const tokenHash = inviteTokenHash(opts.token);
  const perToken = await rateLimit.take({ key: `invite:token:${tokenHash}`, ...PER_TOKEN_LIMIT });
  if (!perToken.allowed) throw rateLimit.tooMany("Too many attempts with this invite link.", perToken.retryAfterSeconds);
  const invite = await findUsable(opts.token);
  const email = (invite.email ?? opts.email ?? "").trim().toLowerCase();
  if (!email) throw new AppError("BAD_REQUEST", "Enter your email address.", [{ field: "email", message: "required" }]);
  const passwordHash = await hashPassword(opts.password);
  try {
    return await db.$transaction(async (tx) => {
      // the guarded update makes two simultaneous accepts of one link race safely: only one sees count 1
      const spent = await tx.invite.updateMany({ where: { id: invite.id, usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
      if (spent.count !== 1) throw new AppError("PRECONDITION_FAILED", "This invite link was already used. Sign in instead, or ask an admin for a new link.");
      const user = await tx.user.create({ data: { email, name: opts.name, role: invite.role, passwordHash }, select: { id: true, email: true, name: true, role: true } });
      const projects = await tx.project.findMany({ where: { id: { in: invite.projectIds } }, select: { id: true } });
      await tx.projectMember.createMany({ data: projects.map((p) => ({ projectId: p.id, userId: user.id })), skipDuplicates: true });
      await audit.record({ actorId: user.id, action: "invite.accept", targetType: "user", targetId: user.id, after: { ...user, inviteId: invite.id, projectIds: projects.map((p) => p.id) } }, tx);
      return { id: user.id, email: user.email };
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("CONFLICT", `${email} already has an account. Sign in instead.`, [{ field: "email", message: "already has an account" }]);
    }
    throw err;
  }
}
