// A plain node-postgres pool for the few paths Prisma cannot serve well: COPY streams (import/export),
// server-side cursors, and the single-statement queue claim. Same DATABASE_URL as server/db.ts.
import pg from "pg";
import { env } from "@/server/env";

const globalForPg = globalThis as unknown as { pgPool?: pg.Pool };

function create(): pg.Pool {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set.");
  return new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
}

export function pool(): pg.Pool {
  if (!globalForPg.pgPool) globalForPg.pgPool = create();
  return globalForPg.pgPool;
}
