// The embedded PostgreSQL that `npm start` and the tests fall back to without DATABASE_URL: a real server in a
// directory of its own, which survives restarts, a crash's stale pid file, and a second process starting it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { startEmbeddedPostgres } from "@/scripts/db/lib/embedded-postgres";
import { databaseName } from "@/scripts/db/lib/databases";

const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "embedded-pg-")), "cluster");
afterAll(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

async function query(url: string, sql: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  test("starts a real PostgreSQL 17 with the app database, keeps its data across restarts", async () => {
    // Two simultaneous first starts (say the test runner and the app): one initialises and starts, one joins.
    const [first, concurrent] = await Promise.all(
      ["app", "app"].map((database) => startEmbeddedPostgres({ dataDir, database, durable: false })),
    );
    expect(new URL(concurrent.url).port).toBe(new URL(first.url).port);
    expect(first.embedded).toBe(true);
    expect(databaseName(first.url)).toBe("app");
    expect(new URL(first.url).hostname).toBe("127.0.0.1");
    const [{ server_version: version }] = await query(first.url, "SHOW server_version");
    expect(version).toMatch(/^17\./);
    await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    if (process.getuid?.() === 0) {
      // initdb refuses root: the cluster belongs to the unprivileged user the server runs as.
      expect(fs.statSync(dataDir).uid).not.toBe(0);
    }
    await Promise.all([first.stop(), concurrent.stop()]);
    await expect(query(first.url, "SELECT 1")).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dataDir, database: "app", durable: false });
    try {
      expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "still here" }]);
    } finally {
      await second.stop();
    }
  });

  test("starts over a stale pid file left by a crash", async () => {
    // A pid file naming a live process that is not PostgreSQL, as after a container restart.
    const pidFile = path.join(dataDir, "postmaster.pid");
    fs.writeFileSync(pidFile, `${process.pid}\n${dataDir}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`);
    const server = await startEmbeddedPostgres({ dataDir, database: "app", durable: false });
    try {
      expect(await query(server.url, "SELECT note FROM kept")).toEqual([{ note: "still here" }]);
    } finally {
      await server.stop();
    }
  });

  test("a second start while the server runs joins it; the server stops when the last user stops", async () => {
    for (const firstToStop of ["owner", "joiner"] as const) {
      const owner = await startEmbeddedPostgres({ dataDir, database: "app", durable: false });
      const joiner = await startEmbeddedPostgres({ dataDir, database: "other", durable: false });
      expect(new URL(joiner.url).port).toBe(new URL(owner.url).port);
      expect(await query(joiner.url, "SELECT current_database() AS name")).toEqual([{ name: "other" }]);

      const [first, second] = firstToStop === "owner" ? [owner, joiner] : [joiner, owner];
      await first.stop();
      expect(await query(second.url, "SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
      await second.stop();
      await expect(query(second.url, "SELECT 1")).rejects.toThrow();
    }
  });
});
