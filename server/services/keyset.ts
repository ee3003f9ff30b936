// Keyset pagination for the HTTP API's long lists (items, annotations): rows in (createdAt, id) order, and a cursor
// that names the last row of a page, so a client paging through a growing list never skips or repeats a row (an
// offset would shift under every insert). The cursor is opaque to clients: base64url of [createdAt, id].
import { AppError } from "@/server/errors";

export interface Keyset {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: Keyset): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const createdAt = new Date(String(at));
    if (typeof id !== "string" || id === "" || Number.isNaN(createdAt.getTime())) throw new Error("shape");
    return { createdAt, id };
  } catch {
    throw new AppError("BAD_REQUEST", "Invalid query: cursor is not one this API gave out (pass nextCursor of the previous page).", [
      { field: "cursor", message: "not a cursor of this API" },
    ]);
  }
}

/** The Prisma condition "after the cursor" and the order that goes with it. */
export function afterCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const at = decodeCursor(cursor);
  return { OR: [{ createdAt: { gt: at.createdAt } }, { createdAt: at.createdAt, id: { gt: at.id } }] };
}

export const keysetOrder = [{ createdAt: "asc" as const }, { id: "asc" as const }];

/** One page from `limit + 1` rows read: the page and the cursor of its last row when more follow. */
export function page<T extends Keyset>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { rows: shown, nextCursor: more ? encodeCursor(shown[shown.length - 1]) : null };
}
