// Import this first in a worker test file. A worker claims every queued run in its database, so these tests get a
// database of their own (migrated, beside the run's database) and can never pick up runs another test file
// enqueues. It must run before server/env.ts is first evaluated, hence a module with a top-level await.
import crypto from "node:crypto";
import { createDatabaseIfMissing, dropDatabase, urlForDatabase } from "@/scripts/db/lib/databases";
import { migrate } from "@/scripts/db/lib/migrate";

const base = process.env.DATABASE_URL;
if (!base) throw new Error("DATABASE_URL is not set: run tests through Vitest (tests/setup/global-setup.ts).");

export const ownDatabaseUrl = urlForDatabase(base, `rlhf_test_worker_${crypto.randomBytes(6).toString("hex")}`);
await createDatabaseIfMissing(ownDatabaseUrl);
await migrate({ url: ownDatabaseUrl });
process.env.DATABASE_URL = ownDatabaseUrl;

export async function dropOwnDatabase(): Promise<void> {
  await dropDatabase(ownDatabaseUrl);
}

/**
 * A worker test file's afterAll: removes the directories it made, closes the app's connections and drops the
 * database. The app modules are imported here, at the end, so that this module stays the first to load.
 */
export async function closeOwnDatabase(made: string[] = []): Promise<void> {
  const [{ rm }, { db }, { pool }] = await Promise.all([import("node:fs/promises"), import("@/server/db"), import("@/server/pg")]);
  for (const dir of made) await rm(dir, { recursive: true, force: true });
  await db.$disconnect();
  await pool().end();
  await dropOwnDatabase();
}
