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

/**
 * Logs a connection the database closed (a restart, pg_terminate_backend, an idle timeout in a proxy). The pool has
 * already dropped it and opens a new one for the next query; the log line is all that is left to do.
 */
export function logLostConnection(err: Error): void {
  console.error(`[db] a database connection was closed (${err.message}); it will be replaced`);
}

function create(): pg.Pool {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set.");
  const p = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10, options: SESSION_OPTIONS });
  // An `error` event nobody listens to is an uncaughtException, which kills the process. The pool emits one when
  // an idle connection dies …
  p.on("error", logLostConnection);
  // … and a checked-out client (COPY streams, cursors, transactions) emits its own, even when the query in flight
  // already rejects with the same error. The caller sees that rejection and the pool drops the client on release,
  // so here it only has to be heard.
  p.on("connect", (client) => client.on("error", () => undefined));
  return p;
}

export function pool(): pg.Pool {
  if (!globalForPg.pgPool) globalForPg.pgPool = create();
  return globalForPg.pgPool;
}

/**
 * Runs `fn` in one transaction on a pooled connection: COMMIT when it returns, ROLLBACK when it throws (the error
 * goes on). `begin` may set the transaction up (isolation, SET LOCAL). `abandon`, asked when `fn` threw, says the
 * connection is past a ROLLBACK (a COPY stopped mid-stream, which it has just ended): it is closed instead and the
 * server aborts the transaction itself. For the hand-written multi-statement work on the plain pool (annotation,
 * import, analytics); Prisma's own goes through db.$transaction.
 */
export async function withTransaction<T>(
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: { begin?: string; abandon?: () => boolean } = {},
): Promise<T> {
  const client = await pool().connect();
  let result: T;
  try {
    await client.query(opts.begin ?? "BEGIN");
    result = await fn(client);
    await client.query("COMMIT");
  } catch (err) {
    // a connection whose transaction state is unknown must not go back to the pool
    const rolledBack = !opts.abandon?.() && (await client.query("ROLLBACK").then(() => true, () => false));
    client.release(rolledBack ? undefined : true);
    throw err;
  }
  client.release();
  return result;
}
