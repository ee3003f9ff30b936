// A plain node-postgres pool for the paths Prisma cannot serve well: COPY streams (import/export), server-side
// cursors, and the requests every judgement makes (session user, claim, submit), where Prisma's per-query cost
// dominated. Same DATABASE_URL as server/db.ts.
import pg from "pg";
import { env } from "@/server/env";

const globalForPg = globalThis as unknown as { pgPool?: pg.Pool };

/**
 * Sessions run in UTC: Prisma stores DateTime as UTC in `timestamp` columns, and the raw SQL that writes `now()`
 * into the same columns must agree with it whatever the server's default time zone is.
 */
export const SESSION_OPTIONS = "-c TimeZone=UTC";

function create(): pg.Pool {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set.");
  return new pg.Pool({ connectionString: env.DATABASE_URL, max: 10, options: SESSION_OPTIONS });
}

export function pool(): pg.Pool {
  if (!globalForPg.pgPool) globalForPg.pgPool = create();
  return globalForPg.pgPool;
}
