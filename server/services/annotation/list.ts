// Annotations as the HTTP API reads them: a project's judgements in keyset pages (server/services/keyset.ts),
// filtered by annotator, item, flag, gold and time. Annotators read only their own.
import { db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import { afterCursor, keysetOrder, page } from "@/server/services/keyset";

export interface AnnotationFilters {
  annotatorId?: string;
  itemId?: string;
  flag?: string;
  gold?: boolean;
  goldCorrect?: boolean;
  from?: string;
  to?: string;
  updatedSince?: string;
}

export async function listAnnotations(opts: { projectId: string; cursor?: string; limit: number; filters: AnnotationFilters; onlyUserId?: string }) {
  const f = opts.filters;
  const where: Prisma.AnnotationWhereInput = {
    projectId: opts.projectId,
    itemId: f.itemId,
    isGold: f.gold,
    goldCorrect: f.goldCorrect,
    ...(f.flag ? { flags: { has: f.flag } } : {}),
    ...(f.from || f.to ? { createdAt: { gte: f.from ? new Date(f.from) : undefined, lt: f.to ? new Date(f.to) : undefined } } : {}),
    ...(f.updatedSince ? { updatedAt: { gte: new Date(f.updatedSince) } } : {}),
    AND: [{ userId: f.annotatorId }, { userId: opts.onlyUserId }, afterCursor(opts.cursor)],
  };
  const rows = await db.annotation.findMany({
    where,
    orderBy: keysetOrder,
    take: opts.limit + 1,
    select: {
      id: true, itemId: true, projectId: true, userId: true, ranking: true, strength: true, bothBad: true, ratings: true, thumbs: true,
      demonstration: true, demonstrationFrom: true, rationale: true, flags: true, flagNote: true, timeSpentMs: true, late: true, surplus: true,
      isGold: true, goldCorrect: true, createdAt: true, updatedAt: true,
    },
  });
  const { rows: annotations, nextCursor } = page(rows, opts.limit);
  return { annotations: annotations.map(({ userId, ...a }) => ({ ...a, annotatorId: userId })), nextCursor };
}
