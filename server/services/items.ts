// A project's items as the HTTP API lists them: each with its prompt and candidates in their stored order, in
// keyset pages (server/services/keyset.ts). Gold answers are shown to admins only: an annotator who could read
// them could pass every gold check.
import { db } from "@/server/db";
import type { ItemStatus } from "@/server/generated/prisma/client";
import { afterCursor, keysetOrder, page } from "@/server/services/keyset";

export async function listItems(opts: { projectId: string; cursor?: string; limit: number; status?: ItemStatus; gold?: boolean; showGold: boolean }) {
  const rows = await db.item.findMany({
    where: { projectId: opts.projectId, status: opts.status, isGold: opts.gold, ...afterCursor(opts.cursor) },
    orderBy: keysetOrder,
    take: opts.limit + 1,
    select: {
      id: true, promptId: true, status: true, isGold: true, priority: true, completedCount: true, goldRanking: true, goldThumbs: true, createdAt: true,
      prompt: { select: { messages: true, metadata: true } },
      candidates: { orderBy: { position: "asc" }, select: { position: true, candidate: { select: { id: true, text: true, model: true, metadata: true } } } },
    },
  });
  const { rows: items, nextCursor } = page(rows, opts.limit);
  return {
    items: items.map(({ candidates, goldRanking, goldThumbs, ...item }) => ({
      ...item,
      ...(opts.showGold ? { goldRanking, goldThumbs } : {}),
      candidates: candidates.map((c) => ({ ...c.candidate, position: c.position })),
    })),
    nextCursor,
  };
}
