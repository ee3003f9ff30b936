// The migrator against a real PostgreSQL, cross-checked with Prisma's own schema engine (the code behind
// `prisma migrate deploy`), so "a connected machine accepts our history" is tested, not assumed.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { MIGRATIONS_DIR } from "@/scripts/db/lib/migrations";
import { MigrationError, migrate } from "@/scripts/db/lib/migrate";
import { prismaDeploy, prismaHistoryDiagnosis } from "@/scripts/db/lib/schema-engine";
import { env } from "@/server/env";
import { dropDatabase, urlForDatabase } from "@/scripts/db/lib/databases";
import { TEST_DATABASE_PREFIX, createEmptyDatabase, type TestDatabase } from "@/tests/setup/database";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createEmptyDatabase();
  cleanups.push(database.drop);
  return database;
}

/** A private copy of prisma/migrations that a test may edit. */
function migrationsCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const folders = fs
  .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe("migrate", () => {
  test("records each migration in _prisma_migrations the way Prisma does, and Prisma's engine accepts it", async () => {
    const { url } = await emptyDatabase();
    const { applied } = await migrate({ url });
    expect(applied).toEqual(folders);

    const rows = await query<{
      id: string;
      checksum: string;
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((row) => row.migration_name)).toEqual(folders);
    for (const row of rows) {
      const bytes = fs.readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(crypto.createHash("sha256").update(bytes).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      url,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", is_nullable: "NO" },
      { column_name: "checksum", data_type: "character varying", is_nullable: "NO" },
      { column_name: "finished_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "migration_name", data_type: "character varying", is_nullable: "NO" },
      { column_name: "logs", data_type: "text", is_nullable: "YES" },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "started_at", data_type: "timestamp with time zone", is_nullable: "NO" },
      { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO" },
    ]);

    const diagnosis = await prismaHistoryDiagnosis({ url });
    expect(diagnosis).toMatchObject({ editedMigrationNames: [], failedMigrationNames: [], history: null });
    expect(await prismaDeploy({ url })).toEqual([]);
  });

  test("accepts a history written by Prisma's own engine", async () => {
    const { url } = await emptyDatabase();
    expect(await prismaDeploy({ url })).toEqual(folders);
    expect((await migrate({ url })).applied).toEqual([]);
  });

  test("a second run applies nothing and leaves the history as it was", async () => {
    const { url } = await emptyDatabase();
    await migrate({ url });
    const before = await query(url, `SELECT * FROM "_prisma_migrations" ORDER BY id`);
    expect((await migrate({ url })).applied).toEqual([]);
    expect(await query(url, `SELECT * FROM "_prisma_migrations" ORDER BY id`)).toEqual(before);
  });

  test("concurrent runs apply each migration exactly once", async () => {
    const { url } = await emptyDatabase();
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate({ url })));
    expect(results.flatMap((result) => result.applied).sort()).toEqual(folders);
    expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
    const rows = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows.map((row) => row.migration_name).sort()).toEqual(folders);
  });

  test("refuses a migration edited after it was applied, naming it, as Prisma would", async () => {
    const { url } = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate({ url, migrationsDir: dir });
    const edited = folders[0];
    fs.appendFileSync(path.join(dir, edited, "migration.sql"), '\nCREATE INDEX "sneaky" ON "User" ("name");\n');
    addMigration(dir, "29990101000000_later", 'CREATE TABLE "later" (id int);');

    const error = await migrate({ url, migrationsDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(`edited after being applied to this database: ${edited}`);
    // Nothing applied past the refusal.
    expect(await query(url, `SELECT to_regclass('"later"') AS t`)).toEqual([{ t: null }]);
    expect((await prismaHistoryDiagnosis({ url, migrationsDir: dir })).editedMigrationNames).toEqual([edited]);
  });

  test("still accepts an applied migration whose line endings changed (git autocrlf)", async () => {
    const { url } = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate({ url, migrationsDir: dir });
    const file = path.join(dir, folders[0], "migration.sql");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/\n/g, "\r\n"));
    expect((await migrate({ url, migrationsDir: dir })).applied).toEqual([]);
  });

  test("rolls a failing migration back whole, says where it failed, and retries it once fixed", async () => {
    const { url } = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate({ url, migrationsDir: dir });
    const name = "29990101000000_add_notes";
    addMigration(dir, name, 'CREATE TABLE "Note" (id int);\nALTER TABLE "User" ADD COLUMN "mood" moood;\n');

    const error = await migrate({ url, migrationsDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(`Migration ${name} failed and was rolled back`);
    expect((error as Error).message).toContain('type "moood" does not exist');
    expect((error as Error).message).toContain("migration.sql line 2");
    expect(await query(url, `SELECT to_regclass('"Note"') AS t`)).toEqual([{ t: null }]);

    fs.writeFileSync(path.join(dir, name, "migration.sql"), 'CREATE TABLE "Note" (id int);\n');
    expect((await migrate({ url, migrationsDir: dir })).applied).toEqual([name]);
    expect(await prismaHistoryDiagnosis({ url, migrationsDir: dir })).toMatchObject({
      editedMigrationNames: [],
      failedMigrationNames: [],
      history: null,
    });
  });

  test("reports a failed migration left by Prisma (neither finished nor rolled back) and applies nothing", async () => {
    const { url } = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate({ url, migrationsDir: dir });
    const name = "29990101000000_half_done";
    addMigration(dir, name, 'CREATE TABLE "Half" (id int);');
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES ($1, $2, $3, 'ERROR: deadlock detected', now(), 0)`,
      [crypto.randomUUID(), "0".repeat(64), name],
    );

    const error = await migrate({ url, migrationsDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain("failed migrations");
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain("deadlock detected");
    expect(await query(url, `SELECT to_regclass('"Half"') AS t`)).toEqual([{ t: null }]);
  });

  test("creates the database when it does not exist yet, as prisma migrate deploy does", async () => {
    const name = `${TEST_DATABASE_PREFIX}${process.pid}_missing_${crypto.randomBytes(4).toString("hex")}`;
    const url = urlForDatabase(env.DATABASE_URL!, name);
    cleanups.push(() => dropDatabase(url));
    expect((await migrate({ url })).applied).toEqual(folders);
  });

  test("refuses to start a history on a database that already has tables", async () => {
    const { url } = await emptyDatabase();
    await query(url, `CREATE TABLE "legacy" (id int)`);
    await expect(migrate({ url })).rejects.toThrow(/already has tables \(legacy\) but no migration history/);
  });
});
