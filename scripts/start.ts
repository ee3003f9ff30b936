// `npm start` / `npm run dev`: one command from a fresh clone to a running product.
//   database (DATABASE_URL, else embedded PostgreSQL) → migrations → demo seed when empty → `next build` when the
//   build is missing or stale → the web server (server/web.ts: Next.js + the tRPC API, dev or production) + the
//   trainer worker. Ctrl-C stops everything.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { ensureDatabase, type DatabaseHandle } from "@/server/embedded-postgres";
import { env } from "@/server/env";
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
  seed: boolean;
  log?: (line: string) => void;
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

async function hasUsers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "User"`);
    return Number(res.rows[0].n) > 0;
  } finally {
    await client.end();
  }
}

export async function startApp(opts: StartOptions): Promise<{ stop: () => Promise<void> }> {
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

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(opts.port),
    // resolved once here (the file is created now if need be) so the children never race to create it
    NEXTAUTH_SECRET: authSecret(),
    NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${opts.port}`,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (opts.seed && !(await hasUsers(url))) {
    log("Empty database: seeding demo data…");
    await run(path.join(BIN, "tsx"), ["prisma/seed/main.ts"], childEnv);
  }
  if (!opts.dev) await buildIfStale(childEnv, log);

  const children: ChildProcess[] = [];
  // server/web.ts: Next.js for the pages plus the tRPC API, one process per core (WEB_CONCURRENCY)
  const web = spawn(path.join(BIN, "tsx"), ["server/web.ts", ...(opts.dev ? ["--dev"] : [])], {
    cwd: ROOT,
    env: { ...childEnv, NODE_ENV: opts.dev ? "development" : "production" },
    stdio: "inherit",
  });
  children.push(web);
  if (opts.worker) {
    const worker = spawn(path.join(BIN, "tsx"), ["trainer/worker/main.ts"], { cwd: ROOT, env: childEnv, stdio: "inherit" });
    children.push(worker);
  }
  log(`RLHF Studio is starting on http://localhost:${opts.port}`);
  log("Demo logins: admin@demo.local / demo-admin-pass · annotator@demo.local / demo-annotator-pass (demo only)");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
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
  };
  web.on("exit", (code) => {
    if (!stopping) {
      log(`The web server exited (${code}); stopping.`);
      void stop().then(() => process.exit(code ?? 1));
    }
  });
  return { stop };
}

if (require.main === module) {
  const dev = process.argv.includes("--dev");
  startApp({ dev, port: env.PORT, worker: env.START_WORKER, seed: !env.SKIP_SEED })
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
