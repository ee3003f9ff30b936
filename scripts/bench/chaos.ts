// `npm run bench:chaos`: faults under load, against `npm start`'s own processes (the production web cluster and the
// embedded PostgreSQL, in a data directory of its own), with simulated annotators working over HTTP.
//
//   npm run bench:chaos -- [--annotators 30] [--seconds 60] [--items 20000] [--think-ms 300] [--port 3260]
//
// While the annotators work it
//   (a) SIGKILLs a serving web worker (at 1/6 of the run),
//   (b) restarts the embedded PostgreSQL under the app — a fast shutdown that drops every connection, then the same
//       server started again by hand, as an operator or a crash recovery would (at 1/2 of the run),
//   (c) has every annotator resend each request that failed, with the same submission id, until it is answered,
//       and resend one in ten acknowledged submits once more on top (those must come back as duplicates).
// Then it drains the resends, checks what the server acknowledged against the database, stops the app and checks
// that no PostgreSQL of its data directory is left running. Ends with:
//   RESULT acknowledged=… lost=0 duplicated=0 overassigned=0 errors_during_faults=… errors_outside_faults=0
//          recovery_ms_worker=… recovery_ms_db=… db_down_ms=… resends_duplicate=… postgres_left_running=0
// recovery_ms_worker: from the SIGKILL until a worker serves in its place (the web cluster's own log line);
// recovery_ms_db: from PostgreSQL accepting connections again until the annotators' submits are acknowledged again.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { hash } from "@node-rs/argon2";
import pg from "pg";

const { values: args } = parseArgs({
  options: {
    annotators: { type: "string", default: "30" },
    seconds: { type: "string", default: "60" },
    items: { type: "string", default: "20000" },
    "think-ms": { type: "string", default: "300" },
    port: { type: "string", default: "3260" },
  },
});
function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number (got "${v}")`);
  return n;
}
const ANNOTATORS = positiveInt("annotators", args.annotators);
const SECONDS = positiveInt("seconds", args.seconds);
const ITEMS = positiveInt("items", args.items);
const THINK_MS = positiveInt("think-ms", args["think-ms"]);
const PORT = positiveInt("port", args.port);
const PROJECT = { id: "chaos", userPrefix: "chaos-u-" };

// a data directory of its own, so the embedded PostgreSQL it restarts is this run's and nobody else's; set before
// the app's modules are loaded (server/env.ts reads the environment once)
const DATA_DIR = path.resolve(".data", `chaos-${process.pid}`);
process.env.DATA_DIR = DATA_DIR;

const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Postmaster {
  pid: number;
  port: number;
  argv: string[];
  env: Record<string, string>;
  uid: number;
  gid: number;
}

/** The cluster's postmaster as its pid file and /proc describe it: what it takes to start it again identically. */
function postmaster(dataDir: string): Postmaster | null {
  try {
    const lines = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
    const pid = Number(lines[0]);
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const env = Object.fromEntries(
      fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    const gid = Number(/^Gid:\s+(\d+)/m.exec(status)![1]);
    return { pid, port: Number(lines[3]), argv, env, uid, gid };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function accepting(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main() {
  const { startApp } = await import("@/scripts/start");
  const { ensureDatabase } = await import("@/scripts/db/lib/embedded-postgres");
  const { BenchHttp, checkStored, generateProject, judgement, percentile, PASSWORD, Recorder } = await import("./lib/annotators");
  type ItemView = import("./lib/annotators").ItemView;

  log(`bench:chaos — ${ANNOTATORS} annotators for ${SECONDS} s (think ${THINK_MS} ms), ${ITEMS} items; ${os.cpus().length} CPUs; data in ${DATA_DIR}`);
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const dataDir = path.join(DATA_DIR, "postgres");
  const servingAt: { pid: number; at: number }[] = [];
  const appLog: string[] = [];
  const app = await startApp({
    dev: false,
    port: PORT,
    worker: false,
    demo: false,
    setupLink: false,
    log: (l) => {
      appLog.push(l);
      log(`[app] ${l}`);
    },
    onWebLine: (line) => {
      const serving = /\[web\] worker (\d+) serving/.exec(line);
      if (serving) servingAt.push({ pid: Number(serving[1]), at: performance.now() });
      if (line.trim()) log(`[web] ${line.replace(/^\[web\] /, "")}`);
    },
  });
  // our own lease on the app's cluster: the connection string, and the data to work on
  const database = await ensureDatabase();
  const web = new BenchHttp(PORT, 4 * ANNOTATORS);
  let postgresLeft = -1;
  try {
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    await generateProject(setup, PROJECT, { passwordHash: await hash(PASSWORD), annotators: ANNOTATORS, items: ITEMS, leaseSeconds: 600 });
    await setup.query("VACUUM ANALYZE");
    await setup.end();
    await web.untilUp();
    const cookies = await Promise.all(Array.from({ length: ANNOTATORS }, (_, i) => web.signIn(`${PROJECT.userPrefix}${i + 1}@bench.local`)));
    // the cluster has been serving since before the sign-ins: these are the workers a fault can hit
    const serving = [...new Set(servingAt.map((s) => s.pid))];

    const rec = new Recorder(web);
    const errorsAt: number[] = [];
    const ackedAt: number[] = [];
    let resendsDuplicate = 0;
    let resendsNotDuplicate = 0;
    const t0 = performance.now();
    const deadline = t0 + SECONDS * 1000;
    const faults: { start: number; end: number }[] = [];

    /** Sends until answered: a failed request is resent as it was (same submission id), with backoff. */
    async function untilAnswered(cookie: string, calls: { proc: string; input: unknown }[]): Promise<unknown[]> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await rec.batch(cookie, "POST", calls);
        } catch (err) {
          errorsAt.push(performance.now());
          rec.firstError ??= err instanceof Error ? err.message : String(err);
          await sleep(Math.min(2000, 100 * 2 ** attempt));
        }
      }
    }

    const think = () => sleep(-Math.log(1 - Math.random()) * THINK_MS);
    const annotator = async (cookie: string) => {
      const [first] = (await untilAnswered(cookie, [{ proc: "annotation.next", input: { projectSlug: PROJECT.id } }])) as { item: ItemView | null }[];
      let item = first.item;
      while (item && performance.now() < deadline) {
        await think();
        const input = judgement(item);
        const [submitted, next] = (await untilAnswered(cookie, [
          { proc: "annotation.submit", input },
          { proc: "annotation.next", input: { projectSlug: PROJECT.id, exclude: [item.assignmentId] } },
        ])) as [{ duplicate: boolean }, { item: ItemView | null }];
        rec.acked.push(input.submissionId);
        ackedAt.push(performance.now());
        void submitted;
        if (Math.random() < 0.1) {
          const [again] = (await untilAnswered(cookie, [{ proc: "annotation.submit", input }])) as [{ duplicate: boolean }];
          if (again.duplicate) resendsDuplicate++;
          else resendsNotDuplicate++;
        }
        item = next.item;
      }
    };

    const faultPlan = (async () => {
      // (a) a serving web worker, killed outright
      await sleep(Math.max(0, t0 + (SECONDS * 1000) / 6 - performance.now()));
      const victim = serving[0];
      const killedAt = performance.now();
      process.kill(victim, "SIGKILL");
      log(`[chaos] SIGKILL web worker ${victim}`);
      let replacedAt: number | null = null;
      while (replacedAt === null && performance.now() < deadline) {
        replacedAt = servingAt.find((s) => s.at > killedAt)?.at ?? null;
        await sleep(20);
      }
      faults.push({ start: killedAt, end: (replacedAt ?? killedAt) + 2000 });

      // (b) PostgreSQL stopped (fast shutdown: every connection dropped) and started again, by hand
      await sleep(Math.max(0, t0 + (SECONDS * 1000) / 2 - performance.now()));
      const pm = postmaster(dataDir);
      if (!pm) throw new Error(`no running PostgreSQL in ${dataDir}`);
      const stoppedAt = performance.now();
      process.kill(pm.pid, "SIGINT");
      while (alive(pm.pid)) await sleep(20);
      log(`[chaos] PostgreSQL ${pm.pid} stopped; starting it again`);
      const restarted = spawn(pm.argv[0], pm.argv.slice(1), { uid: pm.uid, gid: pm.gid, env: pm.env as NodeJS.ProcessEnv, cwd: dataDir, detached: true, stdio: "ignore" });
      restarted.unref();
      while (!(await accepting(database.url))) await sleep(50);
      const backAt = performance.now();
      log(`[chaos] PostgreSQL is accepting connections again (pid ${restarted.pid}) after ${Math.round(backAt - stoppedAt)} ms`);
      let ackAgainAt: number | null = null;
      while (ackAgainAt === null && performance.now() < deadline + 30_000) {
        ackAgainAt = ackedAt.find((t) => t > backAt) ?? null;
        await sleep(20);
      }
      faults.push({ start: stoppedAt, end: (ackAgainAt ?? backAt) + 2000 });
      return {
        recoveryWorker: replacedAt === null ? NaN : replacedAt - killedAt,
        recoveryDb: ackAgainAt === null ? NaN : ackAgainAt - backAt,
        dbDown: backAt - stoppedAt,
      };
    })();

    await Promise.all(cookies.map(annotator));
    const fault = await faultPlan;
    const inFault = (t: number) => faults.some((f) => t >= f.start && t <= f.end);
    const duringFaults = errorsAt.filter(inFault).length;
    const outsideFaults = errorsAt.length - duringFaults;
    const result = await checkStored(database.url, [PROJECT.id], rec.acked);
    const seconds = (performance.now() - t0) / 1000;
    log("");
    log(`acknowledged ${rec.acked.length} judgements in ${seconds.toFixed(1)} s (${(rec.acked.length / seconds).toFixed(1)}/s); request p50 ${percentile(rec.latencies, 50).toFixed(1)} ms, p99 ${percentile(rec.latencies, 99).toFixed(1)} ms`);
    log(`failed requests (all resent until answered): ${duringFaults} during the faults, ${outsideFaults} outside them${rec.firstError ? `; first: ${rec.firstError}` : ""}`);
    log(`resent acknowledged submits: ${resendsDuplicate} answered as duplicates, ${resendsNotDuplicate} stored again`);
    log(`the app's own account of the database restart: ${appLog.filter((l) => /database (went away|is back)/.test(l)).join(" | ") || "nothing"}`);

    web.close();
    await database.stop();
    await app.stop();
    const pm = postmaster(dataDir);
    postgresLeft = pm && alive(pm.pid) ? 1 : 0;
    if (postgresLeft) log(`PostgreSQL ${pm!.pid} of ${dataDir} is still running after the app stopped`);
    log(
      `RESULT acknowledged=${rec.acked.length} lost=${result.lost} duplicated=${result.duplicated} overassigned=${result.overassigned} ` +
        `errors_during_faults=${duringFaults} errors_outside_faults=${outsideFaults} recovery_ms_worker=${Math.round(fault.recoveryWorker)} ` +
        `recovery_ms_db=${Math.round(fault.recoveryDb)} db_down_ms=${Math.round(fault.dbDown)} resends_duplicate=${resendsDuplicate} ` +
        `resends_stored_again=${resendsNotDuplicate} postgres_left_running=${postgresLeft}`,
    );
  } finally {
    web.close();
    if (postgresLeft < 0) {
      await database.stop().catch(() => undefined);
      await app.stop().catch(() => undefined);
    }
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
