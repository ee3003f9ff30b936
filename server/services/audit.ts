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
