// Small helpers over PostgreSQL connection URLs and whole databases, shared by the embedded server bootstrap,
// the migration tooling and the test setup.
import pg from "pg";

/**
 * The same server and credentials, another database. The name goes into the URL path rather than a separate
 * `database` option because node-postgres lets a connection string override that option silently.
 */
export function urlForDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!name) throw new Error("The database URL names no database (expected postgresql://user:password@host:port/name).");
  return name;
}

/** The URL with its password masked, for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable database URL>";
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `fn` on a client connected to the server's `postgres` maintenance database. */
async function withMaintenanceClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlForDatabase(url, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` when it does not exist yet. Returns whether it created it. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      // Another process created it between the check and the CREATE: the database exists, which is all we want.
      if ((error as { code?: string }).code === "42P04") return false;
      throw error;
    }
    return true;
  });
}

/** Drops the database named in `url`, disconnecting its sessions first. Missing databases are fine. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withMaintenanceClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** A connected client for `url`, creating its database first when the server says it does not exist. */
export async function connectCreatingDatabase(url: string, applicationName: string): Promise<pg.Client> {
  const connect = async () => {
    const client = new pg.Client({ connectionString: url, application_name: applicationName });
    await client.connect();
    return client;
  };
  try {
    return await connect();
  } catch (error) {
    if ((error as { code?: string }).code !== "3D000") throw error; // 3D000: database does not exist
    await createDatabaseIfMissing(url);
    return connect();
  }
}
