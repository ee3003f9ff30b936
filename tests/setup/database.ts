// A fresh, fully migrated database for one test run (Vitest's global setup, Playwright's global setup), on a
// real PostgreSQL: TEST_DATABASE_URL's server, else DATABASE_URL's, else an embedded cluster of its own under
// <DATA_DIR>/test-postgres so that tests never touch the dev data in <DATA_DIR>/postgres.
import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";
import { env } from "@/server/env";
import { isProcessAlive, startEmbeddedPostgres, type DatabaseHandle } from "@/scripts/db/lib/embedded-postgres";
import { createDatabaseIfMissing, dropDatabase, urlForDatabase } from "@/scripts/db/lib/databases";
import { migrate } from "@/scripts/db/lib/migrate";

export interface TestDatabase {
  url: string;
  /** Drops the database and stops the embedded server started for it, if any. */
  drop(): Promise<void>;
}

export const TEST_DATABASE_PREFIX = "rlhf_test_";

/** `rlhf_test_<pid>_<kind>_<random>`: the pid of the process that owns it tells when it was abandoned. */
function testDatabaseName(kind: string): string {
  return `${TEST_DATABASE_PREFIX}${process.pid}_${kind}_${crypto.randomBytes(4).toString("hex")}`;
}

/**
 * Drops test databases whose owning process is gone (a run killed before its teardown). Only on the embedded
 * cluster, whose processes are all on this machine; on a shared server a pid says nothing about liveness.
 */
async function dropAbandonedDatabases(serverUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  let names: string[];
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [TEST_DATABASE_PREFIX],
    );
    names = rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
  for (const name of names) {
    const pid = Number.parseInt(name.slice(TEST_DATABASE_PREFIX.length), 10);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) await dropDatabase(urlForDatabase(serverUrl, name));
  }
}


async function testServer(): Promise<DatabaseHandle> {
  const external = env.TEST_DATABASE_URL ?? env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };
  return startEmbeddedPostgres({ dataDir: path.join(env.DATA_DIR, "test-postgres"), database: "postgres", durable: false });
}

/** A new uniquely named database on the test server, with every migration applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await testServer();
  if (server.embedded) await dropAbandonedDatabases(server.url);
  const url = urlForDatabase(server.url, testDatabaseName("run"));
  const drop = async () => {
    try {
      await dropDatabase(url);
    } finally {
      await server.stop();
    }
  };
  try {
    await createDatabaseIfMissing(url);
    await migrate({ url });
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}

/**
 * An empty database beside this run's database (same server), for tests that migrate, break or inspect a
 * database of their own. Workers only: it needs the DATABASE_URL the global setup provides.
 */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set: run tests through Vitest (tests/setup/global-setup.ts).");
  const url = urlForDatabase(env.DATABASE_URL, testDatabaseName("scratch"));
  await createDatabaseIfMissing(url);
  return { url, drop: () => dropDatabase(url) };
}
