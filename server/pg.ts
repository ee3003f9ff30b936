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

/**
 * Runs `fn` in one transaction on a pooled connection: COMMIT when it returns, ROLLBACK when it throws (the error
 * goes on). `begin` may set the transaction up (isolation, SET LOCAL). For the hand-written multi-statement work on
 * the plain pool; Prisma's own goes through db.$transaction.
 */
export async function withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, opts: { begin?: string } = {}): Promise<T> {
  const client = await pool().connect();
  let result: T;
  try {
    await client.query(opts.begin ?? "BEGIN");
    result = await fn(client);
    await client.query("COMMIT");
  } catch (err) {
    // a connection whose transaction state is unknown must not go back to the pool
    const rolledBack = await client.query("ROLLBACK").then(() => true, () => false);
    client.release(rolledBack ? undefined : true);
    throw err;
  }
  client.release();
  return result;
}
