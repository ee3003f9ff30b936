// Applies prisma/migrations the way `prisma migrate deploy` would, without its native engine (offline): same
// `_prisma_migrations` table, same checksums, same advisory lock, so a later `prisma migrate deploy` on a
// connected machine accepts the history. Unlike Prisma, each migration runs in one transaction with its
// bookkeeping row, so a failure leaves the database as it was before that migration.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { connectCreatingDatabase } from "./databases";
import { MIGRATIONS_DIR, checksumMatches, readMigrations, type Migration } from "./migrations";

/** The key Prisma's schema engine locks while migrating; holding the same one excludes Prisma too. */
export const PRISMA_ADVISORY_LOCK = 72707369;
const LOCK_TIMEOUT = "5min";

// Prisma's own DDL for the table (schema engine, PostgreSQL flavour).
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

export interface MigrateOptions {
  url: string;
  /** Progress lines ("applied 2026…_init in 120 ms"); silent when omitted. */
  log?: (line: string) => void;
  migrationsDir?: string;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order; empty when the database was up to date. */
  applied: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

/** Applies every migration of the folder that the database lacks; refuses edited and failed history. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = readMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
  // Like `prisma migrate deploy`, a missing database is created rather than reported.
  const client = await connectCreatingDatabase(options.url, "rlhf-studio migrate");
  try {
    await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query("SET lock_timeout = 0");
    try {
      return await migrateLocked(client, migrations, log);
    } finally {
      // A broken connection cannot unlock, but closing it releases the lock anyway: keep the original error.
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => {});
    }
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") {
      throw new MigrationError(
        `Another migration has held the migration lock for over ${LOCK_TIMEOUT} (pg_advisory_lock ${PRISMA_ADVISORY_LOCK}); ` +
          "is a stuck `npm run db:migrate` or `prisma migrate` still running against this database?",
      );
    }
    throw error;
  } finally {
    await client.end();
  }
}

async function migrateLocked(client: pg.Client, migrations: Migration[], log: (line: string) => void): Promise<MigrateResult> {
  await refuseUnmanagedSchema(client);
  await client.query(CREATE_MIGRATIONS_TABLE);
  const rows = (
    await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs
         FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    )
  ).rows;

  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed
      .map((row) => `  - ${row.migration_name} (started ${row.started_at.toISOString()})${row.logs ? `:\n${indent(row.logs)}` : ""}`)
      .join("\n");
    throw new MigrationError(
      `The database records failed migrations, so no new ones will be applied:\n${details}\n` +
        "Repair the database by hand (the failed migration may be half applied), then mark each one rolled back:\n" +
        `  UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '<name>' AND finished_at IS NULL;\n` +
        "(or run `prisma migrate resolve --rolled-back <name>` on a machine with Prisma's engine), and migrate again.",
    );
  }

  const applied = new Map<string, AppliedRow>();
  for (const row of rows) if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);

  const onDisk = new Set(migrations.map((migration) => migration.name));
  const edited = migrations.filter((migration) => {
    const row = applied.get(migration.name);
    return row !== undefined && !checksumMatches(migration.sql, row.checksum);
  });
  if (edited.length > 0) {
    throw new MigrationError(
      `${edited.length === 1 ? "A migration was" : "Migrations were"} edited after being applied to this database: ` +
        `${edited.map((migration) => migration.name).join(", ")}.\n` +
        "Applied migrations must not change. Restore the original migration.sql (see git history) and put the change " +
        "in a new migration: edit prisma/schema.prisma, then `npm run db:new-migration -- <name>`.",
    );
  }
  for (const name of applied.keys()) {
    if (!onDisk.has(name)) log(`warning: ${name} is applied to the database but missing from prisma/migrations`);
  }

  const pending = migrations.filter((migration) => !applied.has(migration.name));
  for (const migration of pending) {
    const started = Date.now();
    await applyOne(client, migration);
    log(`applied ${migration.name} in ${Date.now() - started} ms`);
  }
  return { applied: pending.map((migration) => migration.name) };
}

/** Prisma refuses to start a history on a database that already has tables (P3005); so do we. */
async function refuseUnmanagedSchema(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ has_history: boolean; tables: string[] }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS has_history,
            coalesce(array_agg(tablename::text ORDER BY tablename), '{}') AS tables
       FROM pg_tables WHERE schemaname = current_schema()`,
  );
  const { has_history: hasHistory, tables } = rows[0];
  if (!hasHistory && tables.length > 0) {
    throw new MigrationError(
      `The database already has tables (${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""}) but no ` +
        "migration history (_prisma_migrations). Point DATABASE_URL at an empty database, or baseline this one " +
        "(https://pris.ly/d/migrate-baseline).",
    );
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    const message = describeSqlError(error, migration.sql);
    // Keep the attempt on record, marked rolled back: the transaction really did undo it, so the next run retries
    // it (as `prisma migrate deploy` does after `migrate resolve --rolled-back`).
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, rolled_back_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name, message],
    );
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back; the database is as it was before it.\n${indent(message)}`,
    );
  }
}

/** The Postgres error with the line of migration.sql it points at, when Postgres says where. */
function describeSqlError(error: unknown, sql: string): string {
  if (!(error instanceof Error)) return String(error);
  const position = Number((error as { position?: string }).position);
  if (!Number.isInteger(position) || position <= 0) return error.message;
  const before = sql.slice(0, position - 1);
  const lineNumber = before.split("\n").length;
  const line = sql.split("\n")[lineNumber - 1] ?? "";
  return `${error.message}\nat migration.sql line ${lineNumber}: ${line.trim()}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
