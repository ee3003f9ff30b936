// `npm run bench:annotate`: end-to-end annotation throughput and latency under concurrent annotators, against
// pgbench running the equivalent SQL transaction (claim + submit) on the same PostgreSQL in the same run.
//
//   npm run bench:annotate -- [--annotators 100] [--seconds 30] [--items 20000] [--port 3200]
//
// Each simulated annotator signs in through next-auth, then loops: annotation.next → annotation.submit, over
// HTTP against `next start`. A "cycle" is one judgement (claim + submit); pgbench's transaction is one cycle too.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { hash } from "@node-rs/argon2";
import { startApp } from "@/scripts/start";
import { createTestDatabase } from "@/tests/setup/database";

const { values: args } = parseArgs({
  options: {
    annotators: { type: "string", default: "100" },
    seconds: { type: "string", default: "30" },
    items: { type: "string", default: "20000" },
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
const PORT = positiveInt("port", args.port);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = "bench-password-123";

async function generate(url: string, projectId: string, slug: string, userPrefix: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const passwordHash = await hash(PASSWORD);
  await client.query(`INSERT INTO "Project"(id, name, slug, "updatedAt", overlap) VALUES ($1, $1, $2, now(), 1)`, [projectId, slug]);
  await client.query(
    `INSERT INTO "User"(id, email, name, "passwordHash", role, "updatedAt")
     SELECT $1 || g, $1 || g || '@bench.local', 'Bench ' || g, $2, 'ANNOTATOR', now() FROM generate_series(1, $3) g`,
    [userPrefix, passwordHash, ANNOTATORS],
  );
  await client.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, $2 || g FROM generate_series(1, $3) g`, [projectId, userPrefix, ANNOTATORS]);
  await client.query(
    `INSERT INTO "Prompt"(id, messages, "contentHash")
     SELECT $1 || g, json_build_array(json_build_object('role', 'user', 'content', 'Bench prompt ' || g)), $1 || g FROM generate_series(1, $2) g`,
    [`${projectId}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash")
     SELECT $1 || g || '-' || k, $1 || g, 'Answer ' || k || ' to prompt ' || g, 'm' || k, 'h' || k FROM generate_series(1, $2) g, generate_series(1, 2) k`,
    [`${projectId}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "createdAt")
     SELECT $1 || g, $2, $3 || g, 'k' || g, now() - make_interval(secs => $4 - g) FROM generate_series(1, $4) g`,
    [`${projectId}-i`, projectId, `${projectId}-p`, ITEMS],
  );
  await client.query(
    `INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
     SELECT $1 || g, $2 || g || '-' || k, k - 1 FROM generate_series(1, $3) g, generate_series(1, 2) k`,
    [`${projectId}-i`, `${projectId}-p`, ITEMS],
  );
  await client.query("ANALYZE");
  await client.end();
}

class Jar {
  cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

async function signIn(email: string): Promise<Jar> {
  const jar = new Jar();
  const csrfRes = await fetch(`${BASE}/api/auth/csrf`);
  jar.take(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, json: "true" }),
  });
  jar.take(res);
  if (![...jar.cookies.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return jar;
}

async function trpc<T>(jar: Jar, proc: string, input: unknown): Promise<T> {
  const res = await fetch(`${BASE}/api/trpc/${proc}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header() },
    body: JSON.stringify({ json: input }),
  });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!res.ok || !body.result) throw new Error(`${proc}: ${res.status} ${body.error?.json.message ?? ""}`);
  return body.result.data.json;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runHttp(slug: string, users: string[]) {
  const jars = await Promise.all(users.map((u) => signIn(u)));
  const latencies: number[] = [];
  const acked: string[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    jars.map(async (jar) => {
      while (performance.now() < deadline) {
        try {
          let t = performance.now();
          const next = await trpc<{ item: { assignmentId: string; candidates: { id: string }[] } | null }>(jar, "annotation.next", { projectSlug: slug });
          latencies.push(performance.now() - t);
          if (!next.item) return;
          const submissionId = randomUUID();
          t = performance.now();
          await trpc(jar, "annotation.submit", {
            submissionId,
            assignmentId: next.item.assignmentId,
            ranking: [[next.item.candidates[0].id], [next.item.candidates[1].id]],
            strength: "BETTER",
            timeSpentMs: 1000,
          });
          latencies.push(performance.now() - t);
          acked.push(submissionId);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), acked, errors };
}

function pgbenchScript(projectId: string, userPrefix: string): string {
  // The same two statements the claim runs, then what submit writes: annotation, assignment, item, comparison.
  // Run with -M extended, so :variables are bound parameters.
  return `
\\set uid :client_id + 1
BEGIN;
SELECT i.id AS item_id FROM "Item" i
 WHERE i."projectId" = '${projectId}' AND i.status = 'OPEN' AND i."isGold" = false
   AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."itemId" = i.id AND a."userId" = '${userPrefix}' || :uid)
   AND (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = i.id AND (a.state = 'SUBMITTED' OR (a.state = 'ACTIVE' AND a."expiresAt" > now()))) < 1
 ORDER BY i.priority DESC, i."createdAt", i.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED \\gset
INSERT INTO "Assignment"(id, "itemId", "userId", "projectId", state, "leasedAt", "expiresAt", "shownOrder")
 SELECT gen_random_uuid()::text, :item_id, '${userPrefix}' || :uid, '${projectId}', 'ACTIVE', now(), now() + interval '10 minutes',
        (SELECT array_agg(ic."candidateId" ORDER BY random()) FROM "ItemCandidate" ic WHERE ic."itemId" = :item_id)
  WHERE (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = :item_id AND (a.state = 'SUBMITTED' OR (a.state = 'ACTIVE' AND a."expiresAt" > now()))) < 1
 RETURNING id AS aid, "shownOrder"[1] AS c1, "shownOrder"[2] AS c2 \\gset
SELECT "completedCount" FROM "Item" WHERE id = :item_id FOR UPDATE;
INSERT INTO "Annotation"(id, "submissionId", "assignmentId", "itemId", "projectId", "userId", ranking, strength, "timeSpentMs", "updatedAt", flags)
 VALUES (gen_random_uuid()::text, gen_random_uuid()::text, :aid, :item_id, '${projectId}', '${userPrefix}' || :uid,
         json_build_array(json_build_array(:c1::text), json_build_array(:c2::text)), 'BETTER', 1000, now(), '{}') RETURNING id AS ann \\gset
UPDATE "Assignment" SET state = 'SUBMITTED' WHERE id = :aid;
UPDATE "Item" SET "completedCount" = "completedCount" + 1, status = 'COMPLETE' WHERE id = :item_id;
INSERT INTO "Comparison"("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
 SELECT :ann, '${projectId}', :item_id, "promptId", '${userPrefix}' || :uid, :c1, :c2, 2 FROM "Item" WHERE id = :item_id;
COMMIT;
`;
}

function runPgbench(url: string, projectId: string, userPrefix: string): number {
  const file = path.join(os.tmpdir(), `bench-annotate-${process.pid}.sql`);
  fs.writeFileSync(file, pgbenchScript(projectId, userPrefix));
  const u = new URL(url);
  const out = execFileSync(
    "pgbench",
    ["-n", "-M", "extended", "-f", file, "-c", String(ANNOTATORS), "-j", String(os.cpus().length), "-T", String(SECONDS), "-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username), u.pathname.slice(1)],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, encoding: "utf8" },
  );
  fs.rmSync(file);
  const m = out.match(/tps = ([\d.]+)/);
  if (!m) throw new Error(`could not read pgbench output:\n${out}`);
  return Number(m[1]);
}

async function check(url: string, projectId: string, acked: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const stored = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Annotation" WHERE "submissionId" = ANY($1)`, [acked]);
  const over = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM (SELECT a."itemId" FROM "Assignment" a WHERE a."projectId" = $1 AND a.state IN ('SUBMITTED', 'ACTIVE')
       GROUP BY a."itemId" HAVING count(*) > 1) x`,
    [projectId],
  );
  const dup = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM (SELECT "itemId", "userId" FROM "Annotation" WHERE "projectId" = $1 GROUP BY 1, 2 HAVING count(*) > 1) x`,
    [projectId],
  );
  await client.end();
  return { lost: acked.length - Number(stored.rows[0].n), overassigned: Number(over.rows[0].n), duplicated: Number(dup.rows[0].n) };
}

async function main() {
  try {
    execFileSync("pgbench", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("pgbench is not installed (Debian: apt-get install postgresql-client).");
  }
  const database = await createTestDatabase();
  console.log(`bench: ${ANNOTATORS} annotators, ${SECONDS}s, ${ITEMS} items per project`);
  await generate(database.url, "bench-http", "bench-http", "bh-u-");
  await generate(database.url, "bench-sql", "bench-sql", "bs-u-");
  const app = await startApp({ dev: false, port: PORT, worker: false, seed: false, databaseUrl: database.url, log: (l) => console.log(`[app] ${l}`) });
  try {
    for (let i = 0; i < 120; i++) {
      const ok = await fetch(`${BASE}/signin`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const users = Array.from({ length: ANNOTATORS }, (_, i) => `bh-u-${i + 1}@bench.local`);
    const started = performance.now();
    const http = await runHttp("bench-http", users);
    const elapsed = (performance.now() - started) / 1000;
    const cycles = http.acked.length / elapsed;
    console.log(`http: ${http.acked.length} judgements in ${elapsed.toFixed(1)}s, ${http.errors} errors`);
    const tps = runPgbench(database.url, "bench-sql", "bs-u-");
    const result = await check(database.url, "bench-http", http.acked);
    const p50 = percentile(http.latencies, 50);
    const p99 = percentile(http.latencies, 99);
    console.log(`throughput: ${cycles.toFixed(1)} judgements/s (${(2 * cycles).toFixed(1)} requests/s) · pgbench: ${tps.toFixed(1)} tps`);
    console.log(`latency per request: p50 ${p50.toFixed(1)} ms · p99 ${p99.toFixed(1)} ms · lost ${result.lost} · over-assigned ${result.overassigned} · duplicated ${result.duplicated}`);
    console.log(
      `RESULT throughput_rps=${cycles.toFixed(1)} pgbench_tps=${tps.toFixed(1)} ratio_vs_pgbench=${(cycles / tps).toFixed(3)} p50_ms=${p50.toFixed(1)} p99_ms=${p99.toFixed(1)} lost=${result.lost} overassigned=${result.overassigned}`,
    );
  } finally {
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

