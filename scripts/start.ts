// `npm start` / `npm run dev`: one command from a fresh clone to a running product.
//   database (DATABASE_URL, else embedded PostgreSQL) → migrations → demo seed when asked for and the database is
//   empty → `next build` when the build is missing or stale → the web server (server/web.ts: Next.js + the tRPC API,
//   dev or production) + the trainer worker → "ready at URL" once it answers, and a one-time setup link while the
//   install has no admin. Ctrl-C stops everything.
//
// Demo data has public passwords, so it is only there when asked for: `npm run dev`, `npm start -- --demo`, or
// SEED_DEMO=true. A production first run creates its first admin through the setup link (or the CLI).
import { verify } from "@node-rs/argon2";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { DEMO_ADMIN, DEMO_ANNOTATOR } from "@/prisma/seed/demo-accounts";
import { ensureDatabase, type DatabaseHandle } from "@/scripts/db/lib/embedded-postgres";
import { consoleUrl, env } from "@/server/env";
import { authSecret } from "@/server/secret";
import { migrate } from "@/scripts/db/lib/migrate";
import { redactUrl } from "@/scripts/db/lib/databases";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const SOURCE_DIRS = ["app", "components", "server", "trainer/worker", "prisma/schema.prisma", "next.config.js", "proxy.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

export interface StartOptions {
  dev: boolean;
  port: number;
  /** start the trainer worker beside the web app */
  worker: boolean;
  /** an already-prepared database (tests); otherwise DATABASE_URL or the embedded cluster */
  databaseUrl?: string;
  /** seed the demo data when the database has no users */
  demo: boolean;
  /** print a one-time setup link when the install has no active admin */
  setupLink: boolean;
  log?: (line: string) => void;
  /** receives the web server's output line by line instead of it going to this process's stdout (benchmarks) */
  onWebLine?: (line: string) => void;
}

function walk(p: string, out: string[]) {
  const full = path.join(ROOT, p);
  if (!fs.existsSync(full)) return;
  const stat = fs.statSync(full);
  if (stat.isFile()) return void out.push(`${p}:${stat.size}:${stat.mtimeMs}`);
  for (const name of fs.readdirSync(full).sort()) {
    if (name === "generated" || name === "node_modules" || name.startsWith(".")) continue;
    walk(path.join(p, name), out);
  }
}

/** A fingerprint of everything the Next.js build depends on; a different one means the build is stale. */
export function sourceFingerprint(): string {
  const entries: string[] = [];
  for (const p of SOURCE_DIRS) walk(p, entries);
  return crypto.createHash("sha256").update(entries.join("\n")).digest("hex");
}

function run(cmd: string, args: string[], childEnv: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(" ")} exited with ${code}`))));
    child.on("error", reject);
  });
}

async function buildIfStale(childEnv: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  const stamp = path.join(ROOT, ".next", "rlhf-source-fingerprint");
  const fingerprint = sourceFingerprint();
  const fresh = fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === fingerprint;
  if (fresh) return log("Build is up to date.");
  log("Building the web app (next build)…");
  await run(path.join(BIN, "next"), ["build"], { ...childEnv, NODE_ENV: "production" });
  fs.writeFileSync(stamp, fingerprint);
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

async function hasUsers(url: string): Promise<boolean> {
  return (await query(url, `SELECT 1 FROM "User" LIMIT 1`)).length > 0;
}

async function hasActiveAdmin(url: string): Promise<boolean> {
  return (await query(url, `SELECT 1 FROM "User" WHERE role = 'ADMIN' AND active LIMIT 1`)).length > 0;
}

/** Demo accounts that are active and still take their public password (a database once started with --demo). */
async function openDemoAccounts(url: string): Promise<string[]> {
  const demo = [DEMO_ADMIN, DEMO_ANNOTATOR];
  const rows = await query<{ email: string; passwordHash: string }>(
    url,
    `SELECT email, "passwordHash" FROM "User" WHERE email = ANY($1) AND active AND "passwordHash" IS NOT NULL`,
    [demo.map((d) => d.email)],
  );
  const open: string[] = [];
  for (const row of rows) {
    const password = demo.find((d) => d.email === row.email)!.password;
    if (await verify(row.passwordHash, password).catch(() => false)) open.push(row.email);
  }
  return open;
}

/** Polls the web server until it answers a page; false when it exited first. */
async function waitUntilServing(port: number, web: ChildProcess): Promise<boolean> {
  while (web.exitCode === null && web.signalCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/signin`, { redirect: "manual", signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      if (res.status < 500) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

/**
 * Watches the database while the app runs and says so when it goes away and when it is back (the web and worker
 * processes ride it out: their pools reconnect). One short connection every few seconds.
 */
function watchDatabase(url: string, log: (line: string) => void, everyMs = 3_000): () => void {
  let downSince: number | null = null;
  let busy = false;
  const probe = async () => {
    if (busy) return;
    busy = true;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      if (downSince !== null) log(`The database is back after ${((Date.now() - downSince) / 1000).toFixed(1)} s.`);
      downSince = null;
    } catch (err) {
      if (downSince === null) {
        downSince = Date.now();
        log(`The database went away (${err instanceof Error ? err.message : String(err)}); waiting for it to come back…`);
      }
    } finally {
      busy = false;
      await client.end().catch(() => undefined);
    }
  };
  const timer = setInterval(() => void probe(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface RunningApp {
  stop: () => Promise<void>;
  /** the web server's process (the cluster primary when WEB_CONCURRENCY > 1) */
  web: ChildProcess;
  /** resolves once the web server answers (after the "ready" line and any setup link), or when it exited first */
  ready: Promise<void>;
}

export async function startApp(opts: StartOptions): Promise<RunningApp> {
  const log = opts.log ?? ((l: string) => console.log(`[start] ${l}`));
  let database: DatabaseHandle | null = null;
  let url = opts.databaseUrl;
  if (!url) {
    log(env.DATABASE_URL ? "Using DATABASE_URL." : `Starting embedded PostgreSQL (data in ${path.join(env.DATA_DIR, "postgres")})…`);
    database = await ensureDatabase();
    url = database.url;
  }
  log(`Database: ${redactUrl(url)}`);
  const result = await migrate({ url, log });
  log(result.applied.length ? `Applied ${result.applied.length} migration(s).` : "Migrations up to date.");

  const publicUrl = consoleUrl(opts.port);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(opts.port),
    // resolved once here (the file is created now if need be) so the children never race to create it
    NEXTAUTH_SECRET: authSecret(),
    NEXTAUTH_URL: publicUrl,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (opts.demo && !(await hasUsers(url))) {
    log("Empty database: seeding demo data…");
    await run(path.join(BIN, "tsx"), ["prisma/seed/main.ts"], childEnv);
  }
  const demoAccounts = await openDemoAccounts(url);
  if (opts.demo && !demoAccounts.length) log("Demo data goes only into an empty database, and this one has accounts: no demo data added.");
  if (!opts.demo && demoAccounts.length) {
    log(`WARNING: ${demoAccounts.join(", ")} still take the public demo passwords from the README. Change their passwords or deactivate them before real use.`);
  }
  if (!opts.dev) await buildIfStale(childEnv, log);

  const children: ChildProcess[] = [];
  // server/web.ts: Next.js for the pages plus the tRPC API, one process per core (WEB_CONCURRENCY)
  const web = spawn(path.join(BIN, "tsx"), ["server/web.ts", ...(opts.dev ? ["--dev"] : [])], {
    cwd: ROOT,
    env: { ...childEnv, NODE_ENV: opts.dev ? "development" : "production" },
    stdio: opts.onWebLine ? ["inherit", "pipe", "pipe"] : "inherit",
  });
  if (opts.onWebLine) {
    const onLine = opts.onWebLine;
    for (const stream of [web.stdout!, web.stderr!]) {
      let rest = "";
      stream.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop()!;
        for (const line of lines) onLine(line);
      });
    }
  }
  children.push(web);
  const unwatch = watchDatabase(url, log);
  // webhook deliveries from the outbox (server/services/webhooks/dispatch.ts): one small process, whatever the web's size
  children.push(spawn(path.join(BIN, "tsx"), ["server/webhook-dispatcher.ts"], { cwd: ROOT, env: childEnv, stdio: "inherit" }));
  if (opts.worker) {
    const worker = spawn(path.join(BIN, "tsx"), ["trainer/worker/main.ts"], { cwd: ROOT, env: childEnv, stdio: "inherit" });
    children.push(worker);
  }
  log(`Starting the web server on port ${opts.port}…`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    unwatch();
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
            c.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
            c.kill("SIGTERM");
          }),
      ),
    );
    await database?.stop();
    log("Stopped.");
  };
  web.on("exit", (code) => {
    if (!stopping) {
      log(`The web server exited (${code}); stopping.`);
      void stop().then(() => process.exit(code ?? 1));
    }
  });

  const announce = async () => {
    if (!(await waitUntilServing(opts.port, web))) return;
    log(`RLHF Studio is ready at ${publicUrl}`);
    if (demoAccounts.length) {
      log(`Demo logins (demo data only): ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} · ${DEMO_ANNOTATOR.email} / ${DEMO_ANNOTATOR.password}`);
    }
    // scripts/cli/setup-link.ts makes the link (a service with its own database client) and prints it
    if (opts.setupLink && !stopping && !(await hasActiveAdmin(url))) await run(path.join(BIN, "tsx"), ["scripts/cli.ts", "setup-link"], childEnv);
  };
  const ready = announce().catch((err: unknown) => log(`Could not print the setup link: ${err instanceof Error ? err.message : String(err)}`));
  return { stop, ready, web };
}

if (require.main === module) {
  const dev = process.argv.includes("--dev");
  const demo = process.argv.includes("--demo") || (env.SEED_DEMO ?? dev);
  startApp({ dev, port: env.PORT, worker: env.START_WORKER, demo, setupLink: !demo })
    .then(({ stop }) => {
      const shutdown = () => {
        console.log("\n[start] Stopping…");
        void stop().then(() => process.exit(0));
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    })
    .catch((err: unknown) => {
      console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
