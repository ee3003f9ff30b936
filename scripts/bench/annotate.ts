// `npm run bench:annotate`: annotation throughput and latency over HTTP against the production web server, and
// pgbench replaying the same SQL on the same PostgreSQL in the same run.
//
//   npm run bench:annotate -- [--annotators 100] [--seconds 30] [--items 50000] [--think-ms 2000] [--port 3200]
//                              [--pgbench-clients 2,4,8,16,32,100] [--pgbench-seconds 10]
//
// Three measurements, each on its own generated project of --items pairwise items (overlap 1):
//   capacity  --annotators simulated annotators in a closed loop, no pause: each HTTP request submits the item in
//             hand and claims the next (annotation.submit + annotation.next batched in tRPC's wire format, as the
//             page sends them). The most judgements per second the web tier and the database deliver together.
//   pgbench   pgbench clients running, per transaction, exactly the statements one judgement makes the app
//             run (server/services/annotation/sql.ts and user-sql.ts: the request's session check, the annotator context, the
//             claim, the submit context, the submit), prepared, as the app prepares them.
//   paced     --annotators annotators working the way the annotation page does: one item on screen and one
//             prefetched; each pauses for a think time (exponential, mean --think-ms) on an item, then submits it
//             with the next prefetch and refreshes the progress header. Latency of every request, as people feel it.
// A judgement is one claim + one submit; one pgbench transaction is one judgement.
//
// Then it checks what the server acknowledged against what the database holds: lost (acknowledged, not stored),
// over-assigned (an item with more submitted + live leases than its overlap), duplicated (one annotator judging
// one item twice). Ends with:
//   RESULT throughput_rps=… pgbench_tps=… ratio_vs_pgbench=… best_pgbench_tps=… ratio_vs_best_pgbench=… items=… p50_ms=… …
// where throughput is the capacity run, pgbench_tps the run with --annotators clients, and p50/p99 are the paced
// run (100 annotators at work); the capacity run's own latencies follow as saturated_p50_ms/saturated_p99_ms.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { hash } from "@node-rs/argon2";
import { startApp } from "@/scripts/start";
import { ANNOTATOR_CONTEXT_SQL, CLAIM_ITEM_VIEW_SQL, SUBMIT_ANNOTATION_SQL, SUBMIT_CONTEXT_SQL } from "@/server/services/annotation/sql";
import { ACTIVE_USER_SQL } from "@/server/services/user-sql";
import { createTestDatabase } from "@/tests/setup/database";
import {
  BenchHttp,
  checkStored,
  generateProject,
  percentile,
  PASSWORD,
  Recorder,
  sleep,
  submitAndNext,
  type BenchProject,
  type ItemView,
  type NextResult,
} from "./lib/annotators";

const { values: args } = parseArgs({
  options: {
    annotators: { type: "string", default: "100" },
    seconds: { type: "string", default: "30" },
    items: { type: "string", default: "50000" },
    "think-ms": { type: "string", default: "2000" },
    "warmup-seconds": { type: "string", default: "5" },
    port: { type: "string", default: "3200" },
    "pgbench-clients": { type: "string", default: "2,4,8,16,32,100" },
    "pgbench-seconds": { type: "string", default: "10" },
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
const WARMUP_SECONDS = positiveInt("warmup-seconds", args["warmup-seconds"]);
const PORT = positiveInt("port", args.port);
const PGBENCH_SECONDS = positiveInt("pgbench-seconds", args["pgbench-seconds"]);
// the --annotators count is always measured: the historical ratio_vs_pgbench is against it
const PGBENCH_CLIENTS = [...new Set([...args["pgbench-clients"]!.split(",").map((c) => positiveInt("pgbench-clients", c.trim())), ANNOTATORS])].sort(
  (a, b) => a - b,
);
const LEASE_SECONDS = 600;
const web = new BenchHttp(PORT, 4 * ANNOTATORS);

const PROJECTS = {
  capacity: { id: "bench-capacity", userPrefix: "bc-u-" },
  paced: { id: "bench-paced", userPrefix: "bp-u-" },
  sql: { id: "bench-sql", userPrefix: "bs-u-" },
} satisfies Record<string, BenchProject>;

/** Closed loop, no pause: each request submits the item in hand and claims the next. */
async function capacity(slug: string, cookies: string[], seconds: number): Promise<Recorder> {
  const rec = new Recorder(web);
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    cookies.map(async (cookie) => {
      try {
        let [{ item }] = (await rec.batch(cookie, "POST", [{ proc: "annotation.next", input: { projectSlug: slug } }])) as NextResult[];
        while (performance.now() < deadline) {
          if (!item) throw new Error("the queue ran dry: raise --items");
          try {
            item = await submitAndNext(rec, cookie, slug, item, []);
          } catch (err) {
            rec.fail(err);
            // the item in hand is still leased to us: the next claim returns it again
            [{ item }] = (await rec.batch(cookie, "POST", [{ proc: "annotation.next", input: { projectSlug: slug } }])) as NextResult[];
          }
        }
      } catch (err) {
        rec.fail(err);
      }
    }),
  );
  return rec;
}

/** Exponentially distributed think time: many quick judgements, a few long ones, as people annotate. */
const think = () => sleep(-Math.log(1 - Math.random()) * THINK_MS);

/**
 * What the annotation page does: one item on screen and one prefetched; after a think time it submits the item on
 * screen together with the next prefetch, then refreshes the progress header.
 */
async function paced(slug: string, cookies: string[], seconds: number): Promise<Recorder> {
  const rec = new Recorder(web);
  const deadline = performance.now() + seconds * 1000;
  const progress = (cookie: string) => rec.batch(cookie, "GET", [{ proc: "annotation.progress", input: { projectSlug: slug } }]);
  await Promise.all(
    cookies.map(async (cookie) => {
      // annotators arrive spread over the first think time rather than all in the same millisecond
      await sleep(Math.random() * THINK_MS);
      try {
        const queue: ItemView[] = [];
        for (let i = 0; i < 2; i++) {
          const [{ item }] = (await rec.batch(cookie, "POST", [
            { proc: "annotation.next", input: { projectSlug: slug, exclude: queue.map((q) => q.assignmentId) } },
          ])) as NextResult[];
          if (item) queue.push(item);
        }
        await progress(cookie);
        while (performance.now() < deadline && queue.length > 0) {
          await think();
          const current = queue.shift()!;
          const prefetched = await submitAndNext(rec, cookie, slug, current, queue);
          if (prefetched) queue.push(prefetched);
          await progress(cookie);
        }
      } catch (err) {
        rec.fail(err);
      }
    }),
  );
  return rec;
}

// ---- pgbench: the app's own statements ---------------------------------------------------------------------------

/** Replaces $1…$n of one of the app's statements by pgbench expressions (in -M prepared they become parameters). */
function bind(sql: string, values: string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const v = values[Number(n) - 1];
    if (v === undefined) throw new Error(`no value for $${n} in:\n${sql}`);
    return v;
  });
}

function pgbenchScript(project: BenchProject): string {
  const user = `('${project.userPrefix}' || :uid)`;
  const submissionId = `('bench-' || :client_id || '-' || :sid)`;
  const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();
  return [
    `\\set uid :client_id + 1`,
    `\\set sid random(1, 1000000000000)`,
    // one request per judgement (submit + next, batched): one session check
    `${oneLine(bind(ACTIVE_USER_SQL, [user, "0"]))};`,
    // annotation.next: annotator context, claim
    `${oneLine(bind(ANNOTATOR_CONTEXT_SQL, [`'${project.id}'`, user, "true", "'{}'"]))};`,
    `SELECT v.assignment_id, v.shown_order[1] AS c1, v.shown_order[2] AS c2 FROM (${oneLine(
      bind(CLAIM_ITEM_VIEW_SQL, [`'${project.id}'`, user, "false", "1", String(LEASE_SECONDS), "false"]),
    )}) v \\gset`,
    // annotation.submit: submit context, submit
    `${oneLine(bind(SUBMIT_CONTEXT_SQL, [submissionId, ":assignment_id"]))};`,
    `${oneLine(
      bind(SUBMIT_ANNOTATION_SQL, [
        submissionId,
        ":assignment_id",
        user,
        `('[["' || :c1 || '"],["' || :c2 || '"]]')::jsonb`,
        "'BETTER'",
        "false",
        "'{}'",
        "''",
        "'{}'",
        "''",
        "1000",
        "NULL",
        "ARRAY[:c1]",
        "ARRAY[:c2]",
        "'{2}'",
        // thumbs, demonstration, the candidate it started from, edit hash: not for a pairwise judgement
        "NULL",
        "NULL",
        "NULL",
        "NULL",
      ]),
    )};`,
    "",
  ].join("\n");
}

function runPgbench(url: string, project: BenchProject, clients: number): { tps: number; latencyMs: number } {
  const file = path.join(os.tmpdir(), `bench-annotate-${process.pid}.sql`);
  fs.writeFileSync(file, pgbenchScript(project));
  const u = new URL(url);
  try {
    const out = execFileSync(
      "pgbench",
      [
        "-n", "-M", "prepared", "-f", file, "-c", String(clients), "-j", String(Math.min(clients, os.cpus().length)), "-T", String(PGBENCH_SECONDS),
        "-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username), u.pathname.slice(1),
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const tps = out.match(/tps = ([\d.]+)/);
    const latency = out.match(/latency average = ([\d.]+) ms/);
    if (!tps || !latency) throw new Error(`could not read pgbench output:\n${out}`);
    return { tps: Number(tps[1]), latencyMs: Number(latency[1]) };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** CPU seconds used so far by the database server, the web server and this process (Linux /proc; zeros elsewhere). */
function cpuByRole(): { database: number; web: number; client: number } {
  const out = { database: 0, web: 0, client: 0 };
  let names: string[];
  try {
    names = fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  const tick = 100; // USER_HZ on Linux
  for (const pid of names) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(pid) === process.pid) out.client += seconds;
      else if (comm.startsWith("postgres")) out.database += seconds;
      else if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("server/web.ts")) out.web += seconds;
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}


async function main() {
  try {
    execFileSync("pgbench", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("pgbench is not installed (Debian: apt-get install postgresql-client).");
  }
  const log = (line: string) => console.log(line);
  log(`bench:annotate — ${ANNOTATORS} annotators, ${SECONDS} s per run, ${ITEMS} items per project, think time ${THINK_MS} ms; ${os.cpus().length} CPUs`);
  const database = await createTestDatabase();
  const setup = new pg.Client({ connectionString: database.url });
  await setup.connect();
  const passwordHash = await hash(PASSWORD);
  // pgbench's project serves every client count in turn, each a full --pgbench-seconds run: on an idle box that is more
  // judgements than --items (each judgement takes an item for good), so it gets room for 3,000 tps per run
  const pgbenchItems = Math.max(ITEMS, PGBENCH_CLIENTS.length * PGBENCH_SECONDS * 3000);
  for (const [key, project] of Object.entries(PROJECTS)) {
    await generateProject(setup, project, { passwordHash, annotators: ANNOTATORS, items: key === "sql" ? pgbenchItems : ITEMS, leaseSeconds: LEASE_SECONDS });
  }
  await setup.query("VACUUM ANALYZE");
  await setup.end();

  // pgbench first, while the app is not running: its connections and the app's pools would not both fit under a
  // default max_connections (100)
  const runs: { clients: number; tps: number; latencyMs: number }[] = [];
  for (const clients of PGBENCH_CLIENTS) {
    const r = runPgbench(database.url, PROJECTS.sql, clients);
    runs.push({ clients, ...r });
    log(`pgbench: ${clients} clients for ${PGBENCH_SECONDS} s → ${r.tps.toFixed(1)} tps, average ${r.latencyMs.toFixed(1)} ms`);
  }
  const bench = runs.find((r) => r.clients === ANNOTATORS)!;
  const best = runs.reduce((x, y) => (y.tps > x.tps ? y : x));
  const vacuum = new pg.Client({ connectionString: database.url });
  await vacuum.connect();
  await vacuum.query("VACUUM ANALYZE");
  await vacuum.end();

  // every simulated annotator signs in from 127.0.0.1: the per-address sign-in budget (5 × LOGIN_MAX_ATTEMPTS a
  // window) would refuse most of them, so the app under test gets a budget that fits them (unless one is set)
  process.env.LOGIN_MAX_ATTEMPTS ??= String(2 * ANNOTATORS);
  const app = await startApp({ dev: false, port: PORT, worker: false, demo: false, setupLink: false, databaseUrl: database.url, log: (l) => log(`[app] ${l}`) });
  try {
    await web.untilUp();
    const emails = (project: BenchProject) => Array.from({ length: ANNOTATORS }, (_, i) => `${project.userPrefix}${i + 1}@bench.local`);
    const capacityCookies = await Promise.all(emails(PROJECTS.capacity).map((e) => web.signIn(e)));
    const pacedCookies = await Promise.all(emails(PROJECTS.paced).map((e) => web.signIn(e)));

    log(`warm-up: ${WARMUP_SECONDS} s …`);
    const warm = await capacity(PROJECTS.capacity.id, capacityCookies, WARMUP_SECONDS);

    log(`capacity: ${ANNOTATORS} annotators without pause for ${SECONDS} s …`);
    const cpu0 = cpuByRole();
    const t0 = performance.now();
    const cap = await capacity(PROJECTS.capacity.id, capacityCookies, SECONDS);
    const capSeconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuByRole();
    const throughput = cap.acked.length / capSeconds;
    const perJudgement = (role: keyof typeof cpu0) => ((cpu1[role] - cpu0[role]) * 1000) / Math.max(1, cap.acked.length);

    log(`paced: ${ANNOTATORS} annotators, think time ${THINK_MS} ms, for ${SECONDS} s …`);
    const t1 = performance.now();
    const pace = await paced(PROJECTS.paced.id, pacedCookies, SECONDS);
    const paceSeconds = (performance.now() - t1) / 1000;

    const result = await checkStored(database.url, [PROJECTS.capacity.id, PROJECTS.paced.id], [...warm.acked, ...cap.acked, ...pace.acked]);
    const errors = warm.errors + cap.errors + pace.errors;
    const ms = (v: number) => v.toFixed(1);
    log("");
    log(`| run | judgements/s | requests | p50 ms | p99 ms | errors |`);
    log(`|---|---|---|---|---|---|`);
    log(`| capacity (${ANNOTATORS} annotators, no pause) | ${throughput.toFixed(1)} | ${cap.latencies.length} | ${ms(percentile(cap.latencies, 50))} | ${ms(percentile(cap.latencies, 99))} | ${cap.errors} |`);
    log(`| pgbench (${ANNOTATORS} clients, same statements) | ${bench.tps.toFixed(1)} | — | avg ${ms(bench.latencyMs)} per judgement | — | — |`);
    log(`| pgbench, best count (${best.clients} clients) | ${best.tps.toFixed(1)} | — | avg ${ms(best.latencyMs)} per judgement | — | — |`);
    log(`| paced (${ANNOTATORS} annotators, think ${THINK_MS} ms) | ${(pace.acked.length / paceSeconds).toFixed(1)} | ${pace.latencies.length} | ${ms(percentile(pace.latencies, 50))} | ${ms(percentile(pace.latencies, 99))} | ${pace.errors} |`);
    log("");
    log(
      `CPU per judgement in the capacity run: web server ${perJudgement("web").toFixed(2)} ms, PostgreSQL ${perJudgement("database").toFixed(2)} ms, ` +
        `load generator ${perJudgement("client").toFixed(2)} ms (${os.cpus().length} CPUs shared by all three)`,
    );
    log(`lost ${result.lost} · over-assigned ${result.overassigned} · duplicated ${result.duplicated} · errors ${errors}`);
    const firstError = warm.firstError ?? cap.firstError ?? pace.firstError;
    if (firstError) log(`first error: ${firstError}`);
    log(
      `RESULT throughput_rps=${throughput.toFixed(1)} pgbench_tps=${bench.tps.toFixed(1)} ratio_vs_pgbench=${(throughput / bench.tps).toFixed(3)} ` +
        `best_pgbench_tps=${best.tps.toFixed(1)} best_pgbench_clients=${best.clients} ratio_vs_best_pgbench=${(throughput / best.tps).toFixed(3)} items=${ITEMS} ` +
        `p50_ms=${ms(percentile(pace.latencies, 50))} p99_ms=${ms(percentile(pace.latencies, 99))} lost=${result.lost} overassigned=${result.overassigned} ` +
        `duplicated=${result.duplicated} errors=${errors} saturated_p50_ms=${ms(percentile(cap.latencies, 50))} saturated_p99_ms=${ms(percentile(cap.latencies, 99))}`,
    );
  } finally {
    web.close();
    await app.stop();
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
