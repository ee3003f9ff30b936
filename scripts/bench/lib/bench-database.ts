// A benchmark's own database, on DATABASE_URL's server or else the embedded PostgreSQL (so a fresh clone needs no
// configuration): created if missing and migrated, the app's modules pointed at it (server/db.ts and server/pg.ts read
// env.DATABASE_URL when first used), and on the way out the app's connections closed before the database is dropped
// (unless kept, so that a second run reuses the generated data).
import { env } from "@/server/env";
import { createDatabaseIfMissing, dropDatabase, urlForDatabase } from "@/scripts/db/lib/databases";
import { ensureDatabase } from "@/scripts/db/lib/embedded-postgres";
import { migrate } from "@/scripts/db/lib/migrate";

export async function withBenchDatabase<T>(opts: { name: string; keep: boolean }, fn: (url: string) => Promise<T>): Promise<T> {
  const server = await ensureDatabase();
  const url = urlForDatabase(server.url, opts.name);
  await createDatabaseIfMissing(url);
  await migrate({ url, log: () => undefined });
  env.DATABASE_URL = url;
  try {
    return await fn(url);
  } finally {
    const [{ db }, { pool }] = await Promise.all([import("@/server/db"), import("@/server/pg")]);
    await db.$disconnect();
    await pool().end();
    if (!opts.keep) await dropDatabase(url);
    await server.stop();
  }
}

/** Runs a benchmark's main: exit 0, or the error's stack on stderr and exit 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
