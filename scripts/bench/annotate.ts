// `npm run bench:annotate`: annotation throughput and latency over HTTP against the production web server, and
// pgbench replaying the same SQL on the same PostgreSQL in the same run.
//
//   npm run bench:annotate -- [--annotators 100] [--seconds 30] [--items 50000] [--think-ms 2000] [--port 3200]
//
// Three measurements, each on its own generated project of --items pairwise items (overlap 1):
//   capacity  --annotators simulated annotators in a closed loop, no pause: each HTTP request submits the item in
//             hand and claims the next (annotation.submit + annotation.next batched in tRPC's wire format, as the
//             page sends them). The most judgements per second the web tier and the database deliver together.
//   pgbench   as many pgbench clients running, per transaction, exactly the statements one judgement makes the app
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
//   RESULT throughput_rps=… pgbench_tps=… ratio_vs_pgbench=… p50_ms=… p99_ms=… lost=… overassigned=… …
// where throughput is the capacity run and p50/p99 are the paced run (100 annotators at work); the capacity run's
// own latencies follow as saturated_p50_ms/saturated_p99_ms.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { hash } from "@node-rs/argon2";
import { startApp } from "@/scripts/start";
import { ANNOTATOR_CONTEXT_SQL, CLAIM_ITEM_VIEW_SQL, SUBMIT_ANNOTATION_SQL, SUBMIT_CONTEXT_SQL } from "@/server/services/annotation/sql";
import { ACTIVE_USER_SQL } from "@/server/services/user-sql";
import { createTestDatabase } from "@/tests/setup/database";

const { values: args } = parseArgs({
  options: {
    annotators: { type: "string", default: "100" },
    seconds: { type: "string", default: "30" },
    items: { type: "string", default: "50000" },
    "think-ms": { type: "string", default: "2000" },
    "warmup-seconds": { type: "string", default: "5" },
    port: { type: "string", default: "3200" },
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
const PASSWORD = "bench-password-123";
const LEASE_SECONDS = 600;

interface BenchProject {
  id: string;
  /** user ids are `${userPrefix}${1..ANNOTATORS}` */
  userPrefix: string;
}
const PROJECTS = {
  capacity: { id: "bench-capacity", userPrefix: "bc-u-" },
  paced: { id: "bench-paced", userPrefix: "bp-u-" },
  sql: { id: "bench-sql", userPrefix: "bs-u-" },
} satisfies Record<string, BenchProject>;

async function generate(client: pg.Client, project: BenchProject, passwordHash: string) {
  const { id, userPrefix } = project;
  await client.query(`INSERT INTO "Project"(id, name, slug, "updatedAt", overlap, "leaseSeconds") VALUES ($1, $1, $1, now(), 1, $2)`, [id, LEASE_SECONDS]);
  await client.query(
    `INSERT INTO "User"(id, email, name, "passwordHash", role, "updatedAt")
     SELECT $1 || g, $1 || g || '@bench.local', 'Bench ' || g, $2, 'ANNOTATOR', now() FROM generate_series(1, $3) g`,
    [userPrefix, passwordHash, ANNOTATORS],
  );
  await client.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, $2 || g FROM generate_series(1, $3) g`, [id, userPrefix, ANNOTATORS]);
  await client.query(
    `INSERT INTO "Prompt"(id, messages, "contentHash")
     SELECT $1 || g, json_build_array(json_build_object('role', 'user', 'content', 'Bench prompt ' || g || ': ' || repeat(md5(g::text), 4))), $1 || g
       FROM generate_series(1, $2) g`,
    [`${id}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash")
     SELECT $1 || g || '-' || k, $1 || g, 'Answer ' || k || ' to prompt ' || g || ': ' || repeat(md5((g * 3 + k)::text), 12), 'm' || k, 'h' || g || '-' || k
       FROM generate_series(1, $2) g, generate_series(1, 2) k`,
    [`${id}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "createdAt")
     SELECT $1 || g, $2, $3 || g, 'k' || g, now() - make_interval(secs => $4 - g) FROM generate_series(1, $4) g`,
    [`${id}-i`, id, `${id}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
     SELECT $1 || g, $2 || g || '-' || k, k - 1 FROM generate_series(1, $3) g, generate_series(1, 2) k`,
    [`${id}-i`, `${id}-p`, ITEMS],
  );
}

// ---- an HTTP client as light as the one in a browser tab: keep-alive sockets, no per-request setup -------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 * ANNOTATORS });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: PORT, method, path: urlPath, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function takeCookies(reply: Reply, jar: Map<string, string>) {
  for (const c of reply.headers["set-cookie"] ?? []) {
    const pair = c.split(";")[0];
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** Signs in through next-auth's credentials flow, as the sign-in page does; returns the session cookie header. */
async function signIn(email: string): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await request("GET", "/api/auth/csrf", {});
  takeCookies(csrf, jar);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const res = await request(
    "POST",
    "/api/auth/callback/credentials",
    { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }).toString(),
  );
  takeCookies(res, jar);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return cookieHeader(jar);
}

interface ItemView {
  assignmentId: string;
  candidates: { id: string }[];
}

/** One HTTP request in httpBatchLink's wire format, as the page sends it (mutations POST, queries GET). */
class Recorder {
  latencies: number[] = [];
  acked: string[] = [];
  errors = 0;
  firstError: string | null = null;

  async batch(cookie: string, method: "GET" | "POST", calls: { proc: string; input: unknown }[]): Promise<unknown[]> {
    const inputs = JSON.stringify(Object.fromEntries(calls.map((c, i) => [i, { json: c.input }])));
    const url = `/api/trpc/${calls.map((c) => c.proc).join(",")}?batch=1`;
    const t = performance.now();
    const res =
      method === "POST"
        ? await request("POST", url, { "content-type": "application/json", cookie }, inputs)
        : await request("GET", `${url}&input=${encodeURIComponent(inputs)}`, { cookie });
    this.latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return (JSON.parse(res.body) as { result: { data: { json: unknown } } }[]).map((r) => r.result.data.json);
  }

  fail(err: unknown) {
    this.errors++;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }
}

function judgement(item: ItemView) {
  return {
    submissionId: randomUUID(),
    assignmentId: item.assignmentId,
    ranking: [[item.candidates[0].id], [item.candidates[1].id]],
    strength: "BETTER",
    timeSpentMs: 1000,
  };
}

type NextResult = { item: ItemView | null };

/**
 * Submits `current` and asks for the next item in one request, as the page does (the outbox's submit and the
 * prefetch go out in the same tick, so httpBatchLink sends them together).
 */
async function submitAndNext(rec: Recorder, cookie: string, slug: string, current: ItemView, held: ItemView[]): Promise<ItemView | null> {
  const input = judgement(current);
  const [, next] = await rec.batch(cookie, "POST", [
    { proc: "annotation.submit", input },
    { proc: "annotation.next", input: { projectSlug: slug, exclude: [...held, current].map((i) => i.assignmentId) } },
  ]);
  rec.acked.push(input.submissionId);
  return (next as NextResult).item;
}

/** Closed loop, no pause: each request submits the item in hand and claims the next. */
async function capacity(slug: string, cookies: string[], seconds: number): Promise<Recorder> {
  const rec = new Recorder();
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Exponentially distributed think time: many quick judgements, a few long ones, as people annotate. */
const think = () => sleep(-Math.log(1 - Math.random()) * THINK_MS);

/**
 * What the annotation page does: one item on screen and one prefetched; after a think time it submits the item on
 * screen together with the next prefetch, then refreshes the progress header.
 */
async function paced(slug: string, cookies: string[], seconds: number): Promise<Recorder> {
  const rec = new Recorder();
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
      ]),
    )};`,
    "",
  ].join("\n");
}

function runPgbench(url: string, project: BenchProject): { tps: number; latencyMs: number } {
  const file = path.join(os.tmpdir(), `bench-annotate-${process.pid}.sql`);
  fs.writeFileSync(file, pgbenchScript(project));
  const u = new URL(url);
  try {
    const out = execFileSync(
      "pgbench",
      [
        "-n", "-M", "prepared", "-f", file, "-c", String(ANNOTATORS), "-j", String(os.cpus().length), "-T", String(SECONDS),
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

async function check(url: string, projectIds: string[], acked: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const stored = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Annotation" WHERE "submissionId" = ANY($1)`, [acked]);
    const over = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (
         SELECT a."itemId" FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId" JOIN "Project" p ON p.id = i."projectId"
          WHERE a."projectId" = ANY($1) AND (a.state = 'SUBMITTED' OR (a.state = 'ACTIVE' AND a."expiresAt" > now()))
          GROUP BY a."itemId", p.overlap HAVING count(*) > p.overlap) x`,
      [projectIds],
    );
    const dup = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM "Annotation" WHERE "projectId" = ANY($1) GROUP BY "itemId", "userId" HAVING count(*) > 1) x`,
      [projectIds],
    );
    return { lost: acked.length - Number(stored.rows[0].n), overassigned: Number(over.rows[0].n), duplicated: Number(dup.rows[0].n) };
  } finally {
    await client.end();
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

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
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
  for (const project of Object.values(PROJECTS)) await generate(setup, project, passwordHash);
  await setup.query("VACUUM ANALYZE");
  await setup.end();

  // pgbench first, while the app is not running: its connections and the app's pools would not both fit under a
  // default max_connections (100)
  log(`pgbench: ${ANNOTATORS} clients for ${SECONDS} s …`);
  const bench = runPgbench(database.url, PROJECTS.sql);
  const vacuum = new pg.Client({ connectionString: database.url });
  await vacuum.connect();
  await vacuum.query("VACUUM ANALYZE");
  await vacuum.end();

  const app = await startApp({ dev: false, port: PORT, worker: false, demo: false, setupLink: false, databaseUrl: database.url, log: (l) => log(`[app] ${l}`) });
  try {
    for (let i = 0; ; i++) {
      const ready = await request("GET", "/signin", {}).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (i > 240) throw new Error("the app did not come up within 2 minutes");
      await sleep(500);
    }
    const emails = (project: BenchProject) => Array.from({ length: ANNOTATORS }, (_, i) => `${project.userPrefix}${i + 1}@bench.local`);
    const capacityCookies = await Promise.all(emails(PROJECTS.capacity).map(signIn));
    const pacedCookies = await Promise.all(emails(PROJECTS.paced).map(signIn));

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

    const result = await check(database.url, [PROJECTS.capacity.id, PROJECTS.paced.id], [...warm.acked, ...cap.acked, ...pace.acked]);
    const errors = warm.errors + cap.errors + pace.errors;
    const ms = (v: number) => v.toFixed(1);
    log("");
    log(`| run | judgements/s | requests | p50 ms | p99 ms | errors |`);
    log(`|---|---|---|---|---|---|`);
    log(`| capacity (${ANNOTATORS} annotators, no pause) | ${throughput.toFixed(1)} | ${cap.latencies.length} | ${ms(percentile(cap.latencies, 50))} | ${ms(percentile(cap.latencies, 99))} | ${cap.errors} |`);
    log(`| pgbench (${ANNOTATORS} clients, same statements) | ${bench.tps.toFixed(1)} | — | avg ${ms(bench.latencyMs)} per judgement | — | — |`);
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
        `p50_ms=${ms(percentile(pace.latencies, 50))} p99_ms=${ms(percentile(pace.latencies, 99))} lost=${result.lost} overassigned=${result.overassigned} ` +
        `duplicated=${result.duplicated} errors=${errors} saturated_p50_ms=${ms(percentile(cap.latencies, 50))} saturated_p99_ms=${ms(percentile(cap.latencies, 99))}`,
    );
  } finally {
    agent.destroy();
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
