// Prisma's schema engine, run from npm as WebAssembly (@prisma/schema-engine-wasm) over node-postgres, because
// the Prisma CLI's native engine cannot be downloaded offline. Used to write new migrations (migrations folder
// → schema.prisma through a temporary shadow database) and to detect drift (live database → schema.prisma).
//
// Workarounds, each for a trap met with this engine build and @prisma/adapter-pg:
// - shadow databases are created and dropped here, with URLs naming the database in their path (node-postgres
//   lets a connection string override a separate `database` option, which ran the "shadow" on the main DB)
//   and dropped WITH (FORCE) after the adapter's pool is closed (the adapter drops before closing: it leaks);
// - the engine's schema inspector reads `"char"` columns (OID 18), which adapter-pg cannot map: in this
//   tooling process only, such columns are reported as text.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type {
  DiagnoseMigrationHistoryOutput,
  DiffTarget,
  MigrationList,
  SchemaEngine,
  SchemasContainer,
} from "@prisma/schema-engine-wasm";
import { createDatabaseIfMissing, dropDatabase, urlForDatabase } from "./databases";
import { LOCKFILE_CONTENT, LOCKFILE_NAME, MIGRATIONS_DIR, SCHEMA_PATH, readLockfile, readMigrations } from "./migrations";

type EngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

let engineModule: Promise<EngineModule> | undefined;

/**
 * The package's entry imports the .wasm file as an ES module, which Node 20 cannot do without a flag: instantiate
 * the module by hand with the package's own JS glue as its imports, then run the glue's start function.
 */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmFile = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
    const imports = { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports };
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmFile), imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}

const CHAR_OID = 18;
const TEXT_OID = 25;

/** A pool whose results report `"char"` columns as text, which adapter-pg maps (see the header). */
function inspectorPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const patched = async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  pool.query = patched as typeof pool.query;
  return pool;
}

async function connect(url: string, pools: Set<pg.Pool>, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
  const pool = inspectorPool(url);
  pools.add(pool);
  // adapter-pg bundles a newer @types/pg than ours; the runtime pg module is the same one.
  const external = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
  const adapter = await new PrismaPg(external, { disposeExternalPool: true }).connect();
  // adapter-pg runs a migration script by splitting it on every ";", which breaks a function body ($$ … $$) and a
  // comment with a semicolon in it. PostgreSQL's simple-query protocol runs a whole script in one call, as Prisma's
  // native engine does; errors still go through the adapter's own mapping.
  const mapError = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      mapError(error);
    }
  };
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    pools.delete(pool);
    await onDispose?.();
  };
  return adapter;
}

/**
 * The adapter factory the engine talks through: the main database at `url`, shadow databases beside it. The
 * engine does not dispose its main connection when freed, so every pool still open lands in `pools` for the
 * caller to close (an open pool keeps the process alive for its idle timeout).
 */
function adapterFactory(url: string, pools: Set<pg.Pool>): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(url, pools),
    async connectToShadowDb() {
      const shadowUrl = urlForDatabase(url, `prisma_migrate_shadow_db_${randomUUID()}`);
      await createDatabaseIfMissing(shadowUrl);
      return connect(shadowUrl, pools, () => dropDatabase(shadowUrl));
    },
  };
}

function schemaFiles(schemaPath: string): SchemasContainer {
  return { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }] };
}

export function migrationList(dir: string = MIGRATIONS_DIR): MigrationList {
  return {
    baseDir: dir,
    // The engine infers the provider from the lockfile; a folder without migrations yet has none.
    lockfile: { path: LOCKFILE_NAME, content: readLockfile(dir) ?? LOCKFILE_CONTENT },
    shadowDbInitScript: "",
    migrationDirectories: readMigrations(dir).map((migration) => ({
      path: migration.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: migration.sql } },
    })),
  };
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

/**
 * Runs `fn` with a schema engine whose main database is `url` (shadow databases are created on the same
 * server, so its user needs CREATEDB). Engine log lines go to `log` when given.
 */
async function withEngine<T>(
  options: { url: string; schemaPath: string; log?: (line: string) => void },
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const datamodel = fs.readFileSync(options.schemaPath, "utf8");
  const pools = new Set<pg.Pool>();
  const engine = await SchemaEngine.new(
    { datamodels: [[options.schemaPath, datamodel]] },
    (line: string) => options.log?.(line),
    bindMigrationAwareSqlAdapterFactory(adapterFactory(options.url, pools)),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await Promise.all([...pools].map((pool) => pool.end().catch(() => {})));
  }
}

export interface DiffOptions {
  /** A database on the server to use: the drift source, or where shadow databases are created. */
  url: string;
  schemaPath?: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

async function diffToSchema(options: DiffOptions, from: DiffTarget): Promise<string> {
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  return withEngine({ url: options.url, schemaPath, log: options.log }, async (engine) => {
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", ...schemaFiles(schemaPath) },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return normaliseScript(result.stdout ?? "");
  });
}

/** The engine writes a comment-only script for "no change": report that as the empty string. */
function normaliseScript(script: string): string {
  const meaningful = script
    .split("\n")
    .some((line) => line.trim() !== "" && !line.trim().startsWith("--"));
  return meaningful ? script.trimEnd() + "\n" : "";
}

/**
 * SQL that takes a database built by the migrations folder to schema.prisma (the next migration), or "" when
 * they already agree. The migrations are replayed in a temporary shadow database on `url`'s server.
 */
export function pendingSchemaChange(options: DiffOptions): Promise<string> {
  return diffToSchema(options, { tag: "migrations", ...migrationList(options.migrationsDir) });
}

/** SQL that would take the live database at `url` to schema.prisma: "" means no drift. */
export function drift(options: DiffOptions): Promise<string> {
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  // The live database is the engine's main connection (adapterFactory's connect), reached through the datasource.
  return diffToSchema(options, { tag: "schemaDatasource", configDir: path.dirname(schemaPath), ...schemaFiles(schemaPath) });
}

/**
 * Prisma's own verdict on the migration history of the database at `url` (edited, failed, unapplied
 * migrations): the checks `prisma migrate status` and `deploy` make, used to prove our bookkeeping matches.
 */
export function prismaHistoryDiagnosis(options: DiffOptions): Promise<DiagnoseMigrationHistoryOutput> {
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  return withEngine({ url: options.url, schemaPath, log: options.log }, (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList: migrationList(options.migrationsDir),
      optInToShadowDatabase: false,
      filters: NO_FILTER,
    }),
  );
}

/** What `prisma migrate deploy` does, by Prisma's engine: applies pending migrations, returns their names. */
export async function prismaDeploy(options: DiffOptions): Promise<string[]> {
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const output = await withEngine({ url: options.url, schemaPath, log: options.log }, (engine) =>
    engine.applyMigrations({ migrationsList: migrationList(options.migrationsDir), filters: NO_FILTER }),
  );
  return output.appliedMigrationNames;
}
