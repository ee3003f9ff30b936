// Audit log of admin actions: who did what to which target, with before/after values.
import { db, type Tx } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";

export async function record(
  opts: {
    actorId: string | null;
    action: string;
    targetType: string;
    targetId?: string | null;
    before?: unknown;
    after?: unknown;
  },
  tx?: Tx,
): Promise<void> {
  const json = (v: unknown) => (v === undefined || v === null ? Prisma.JsonNull : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));
  await (tx ?? db).auditLog.create({
    data: {
      actorId: opts.actorId,
      action: opts.action,
      targetType: opts.targetType,
      targetId: opts.targetId ?? null,
      before: json(opts.before),
      after: json(opts.after),
    },
  });
}

/**
 * A sign-in attempt: success with the user, or a failure with the email that was tried (no password, ever; the
 * user when the email belongs to one, so an admin sees attempts on an account). `method` is "credentials" or the
 * OAuth provider's id; `reason` says why a failure failed ("wrong password", "rate limited", "inactive" …).
 */
export async function recordSignIn(opts: {
  success: boolean;
  email: string;
  userId?: string | null;
  method: string;
  reason?: string;
  ip?: string | null;
}): Promise<void> {
  await record({
    actorId: opts.success ? (opts.userId ?? null) : null,
    action: opts.success ? "auth.sign_in" : "auth.sign_in_failed",
    targetType: "user",
    targetId: opts.userId ?? null,
    after: { email: opts.email.trim().toLowerCase(), method: opts.method, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.ip ? { ip: opts.ip } : {}) },
  });
}

export async function list(opts: { cursor?: bigint; limit: number; targetType?: string; actorId?: string }) {
  const rows = await db.auditLog.findMany({
    where: {
      ...(opts.cursor ? { id: { lt: opts.cursor } } : {}),
      ...(opts.targetType ? { targetType: opts.targetType } : {}),
      ...(opts.actorId ? { actorId: opts.actorId } : {}),
    },
    orderBy: { id: "desc" },
    take: opts.limit + 1,
    include: { actor: { select: { email: true, name: true } } },
  });
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  return { rows: page, nextCursor: more ? page[page.length - 1].id : null };
}
