// `npm run bench:export [-- --keep] [--db <name>]`: snapshot export throughput and memory against a plain COPY.
//
// Builds a benchmark database on DATABASE_URL's server, or on the embedded PostgreSQL when it is unset (synthetic data
// inserted with generate_series: a 100k- and a 1M-comparison project), then in the same run:
//   - exports the 100k and the 1M project as TRL JSONL, and the 1M project as TRL Parquet, each in a child process
//     so that its peak RSS is its own;
//   - copies the same 1M rows (comparisons joined with prompt and both responses, same order) with
//     `psql \copy (select …) to <file>`, or COPY TO STDOUT through pg-copy-streams when psql is missing.
// The children run with a bounded old generation (--max-old-space-size=192): the exporter's live set is small, and
// without a cap V8 simply lets garbage pile up to several hundred MB before collecting it. The first number
// printed for each run is with the cap; pass --no-heap-cap to see the uncapped figure.
// Ends with one line: RESULT rows=… jsonl_rows_per_s=… parquet_rows_per_s=… copy_rows_per_s=… ratio_vs_copy=… peak_rss_mb=…
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";

const HEAP_CAP_MB = 192;

interface ChildResult {
  rows: number;
  seconds: number;
  maxRssMb: number;
  /** the export process's own CPU time (user + system): what its code costs, less sensitive to a busy machine than seconds */
  cpuSeconds: number;
}

/** Child mode: export one project and report rows, time and peak RSS as one JSON line. */
async function child(projectId: string, fileType: "jsonl" | "parquet"): Promise<void> {
  const { createSnapshot } = await import("@/server/services/export");
  const t0 = performance.now();
  const snapshot = await createSnapshot({ name: `bench-${fileType}`, projectIds: [projectId], format: "trl", fileType, split: { testRatio: 0.1, seed: "" } });
  const seconds = (performance.now() - t0) / 1000;
  const rows = (snapshot.rowCounts.train ?? 0) + (snapshot.rowCounts.test ?? 0);
  const usage = process.resourceUsage();
  const result: ChildResult = { rows, seconds, maxRssMb: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function generateSql(tag: string, prompts: number): string {
  // Pairwise items with 2 annotations each (overlap 2) → 2 comparisons per prompt; texts of realistic length;
  // one in three judgements goes against the majority so agreement is not trivial.
  return `
  INSERT INTO "Project"(id, name, slug, "updatedAt", criteria, overlap)
    VALUES ('${tag}', '${tag}', '${tag}', now(), '[{"key":"helpfulness","label":"Helpfulness"}]', 2);
  INSERT INTO "Prompt"(id, messages, "contentHash")
    SELECT '${tag}p' || g,
      jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Question ' || g || ': ' || repeat(md5(g::text), 3))),
      '${tag}' || md5(g::text)
    FROM generate_series(1, ${prompts}) g;
  INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash")
    SELECT '${tag}c' || g || '_' || k, '${tag}p' || g, 'Answer ' || k || ' to ' || g || ': ' || repeat(md5((g * 7 + k)::text), 6),
      'model-' || chr(96 + k), md5(g || '_' || k)
    FROM generate_series(1, ${prompts}) g, generate_series(1, 2) k;
  INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "completedCount", status)
    SELECT '${tag}i' || g, '${tag}', '${tag}p' || g, md5('i' || g), 2, 'COMPLETE' FROM generate_series(1, ${prompts}) g;
  INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
    SELECT '${tag}i' || g, '${tag}c' || g || '_' || k, k - 1 FROM generate_series(1, ${prompts}) g, generate_series(1, 2) k;
  INSERT INTO "Annotation"(id, "submissionId", "itemId", "projectId", "userId", ranking, strength, ratings, "timeSpentMs", "createdAt", "updatedAt", flags)
    SELECT '${tag}a' || g || '_' || r, '${tag}s' || g || '_' || r, '${tag}i' || g, '${tag}', 'bench-u' || (1 + (g * 2 + r) % 40),
      CASE WHEN (g + r) % 3 = 0
        THEN jsonb_build_array(jsonb_build_array('${tag}c' || g || '_2'), jsonb_build_array('${tag}c' || g || '_1'))
        ELSE jsonb_build_array(jsonb_build_array('${tag}c' || g || '_1'), jsonb_build_array('${tag}c' || g || '_2')) END,
      'BETTER',
      jsonb_build_object('${tag}c' || g || '_1', jsonb_build_object('helpfulness', 1 + g % 7),
                         '${tag}c' || g || '_2', jsonb_build_object('helpfulness', 1 + (g + 3) % 7)),
      1000 + g % 5000, timestamp '2026-01-01' + (g || ' seconds')::interval, now(), '{}'
    FROM generate_series(1, ${prompts}) g, generate_series(1, 2) r;
  INSERT INTO "Comparison"("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin, "createdAt")
    SELECT '${tag}a' || g || '_' || r, '${tag}', '${tag}i' || g, '${tag}p' || g, 'bench-u' || (1 + (g * 2 + r) % 40),
      CASE WHEN (g + r) % 3 = 0 THEN '${tag}c' || g || '_2' ELSE '${tag}c' || g || '_1' END,
      CASE WHEN (g + r) % 3 = 0 THEN '${tag}c' || g || '_1' ELSE '${tag}c' || g || '_2' END,
      2, timestamp '2026-01-01' + (g || ' seconds')::interval
    FROM generate_series(1, ${prompts}) g, generate_series(1, 2) r;`;
}

/** The same rows the TRL export writes, as a plain join in the same order. */
function copyQuery(projectId: string): string {
  return `SELECT p."contentHash", p.messages::text, ch.text, rj.text, c.margin
    FROM "Comparison" c JOIN "Annotation" a ON a.id = c."annotationId" JOIN "Item" i ON i.id = c."itemId"
      JOIN "Prompt" p ON p.id = i."promptId" JOIN "Candidate" ch ON ch.id = c."chosenId" JOIN "Candidate" rj ON rj.id = c."rejectedId"
    WHERE c."projectId" = '${projectId}'
    ORDER BY p."contentHash", i."itemKey", a."createdAt", a.id, c.id`;
}

async function copyBaseline(url: string, projectId: string, file: string): Promise<{ rows: number; seconds: number; tool: string }> {
  const psql = ["/usr/bin/psql", "/usr/local/bin/psql"].find((p) => existsSync(p));
  const t0 = performance.now();
  if (psql) {
    const res = spawnSync(psql, [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy (${copyQuery(projectId).replace(/\s+/g, " ")}) to '${file}'`], {
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`psql failed: ${res.stderr}`);
    const seconds = (performance.now() - t0) / 1000;
    const count = spawnSync("wc", ["-l", file], { encoding: "utf8" }).stdout.trim().split(/\s+/)[0];
    return { rows: Number(count), seconds, tool: "psql \\copy" };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await pipeline(client.query(copyTo(`COPY (${copyQuery(projectId)}) TO STDOUT`)), createWriteStream(file));
  } finally {
    await client.end();
  }
  const seconds = (performance.now() - t0) / 1000;
  const count = spawnSync("wc", ["-l", file], { encoding: "utf8" }).stdout.trim().split(/\s+/)[0];
  return { rows: Number(count), seconds, tool: "COPY TO STDOUT (pg-copy-streams)" };
}

function runChild(env: NodeJS.ProcessEnv, projectId: string, fileType: "jsonl" | "parquet", heapCap: boolean): Promise<ChildResult> {
  const args = [...process.execArgv, ...(heapCap ? [`--max-old-space-size=${HEAP_CAP_MB}`] : []), __filename, "--child", projectId, fileType];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.on("error", reject);
    proc.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`export child exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: "boolean" },
      keep: { type: "boolean" },
      db: { type: "string", default: "rlhf_bench_export" },
      "no-heap-cap": { type: "boolean" },
    },
  });
  if (values.child) return child(positionals[0], positionals[1] as "jsonl" | "parquet");

  const { ensureDatabase } = await import("@/scripts/db/lib/embedded-postgres");
  const { createDatabaseIfMissing, dropDatabase, urlForDatabase } = await import("@/scripts/db/lib/databases");
  const { migrate } = await import("@/scripts/db/lib/migrate");
  const server = await ensureDatabase();
  const url = urlForDatabase(server.url, values.db!);
  const heapCap = !values["no-heap-cap"];
  const tmp = await mkdtemp(path.join(os.tmpdir(), "bench-export-"));
  const log = (s: string) => process.stderr.write(`${s}\n`);

  try {
    await createDatabaseIfMissing(url);
    await migrate({ url });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const cases = [
      { tag: "bench-100k", prompts: 50_000 },
      { tag: "bench-1m", prompts: 500_000 },
    ];
    for (const c of cases) {
      const have = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Comparison" WHERE "projectId" = $1`, [c.tag]);
      if (Number(have.rows[0].n) === c.prompts * 2) continue;
      log(`generating ${c.prompts * 2} comparisons for ${c.tag} …`);
      const t0 = performance.now();
      await client.query(`DELETE FROM "Project" WHERE id = $1`, [c.tag]);
      await client.query(`DELETE FROM "Prompt" WHERE id LIKE $1`, [`${c.tag}p%`]);
      await client.query(`INSERT INTO "User"(id, email, name, "updatedAt")
        SELECT 'bench-u' || g, 'bench' || g || '@bench.test', 'Bench ' || g, now() FROM generate_series(1, 40) g ON CONFLICT DO NOTHING`);
      await client.query(generateSql(c.tag, c.prompts));
      await client.query("ANALYZE");
      log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await client.end();

    const childEnv = { ...process.env, DATABASE_URL: url, DATA_DIR: tmp };
    log("exporting 100k comparisons as JSONL …");
    const small = await runChild(childEnv, "bench-100k", "jsonl", heapCap);
    log(`  ${small.rows} rows in ${small.seconds.toFixed(1)} s (${small.cpuSeconds.toFixed(1)} s of the exporter's CPU), peak RSS ${small.maxRssMb.toFixed(0)} MB`);
    log("exporting 1M comparisons as JSONL …");
    const jsonl = await runChild(childEnv, "bench-1m", "jsonl", heapCap);
    log(`  ${jsonl.rows} rows in ${jsonl.seconds.toFixed(1)} s (${jsonl.cpuSeconds.toFixed(1)} s of the exporter's CPU), peak RSS ${jsonl.maxRssMb.toFixed(0)} MB`);
    log("exporting 1M comparisons as Parquet …");
    const parquet = await runChild(childEnv, "bench-1m", "parquet", heapCap);
    log(`  ${parquet.rows} rows in ${parquet.seconds.toFixed(1)} s (${parquet.cpuSeconds.toFixed(1)} s of the exporter's CPU), peak RSS ${parquet.maxRssMb.toFixed(0)} MB`);
    log("copying the same 1M rows …");
    const copyFile = path.join(tmp, "copy.txt");
    const copy = await copyBaseline(url, "bench-1m", copyFile);
    log(`  ${copy.rows} rows in ${copy.seconds.toFixed(1)} s with ${copy.tool} (${((await stat(copyFile)).size / 1e6).toFixed(0)} MB)`);

    const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
    const peak = Math.max(small.maxRssMb, jsonl.maxRssMb, parquet.maxRssMb);
    const lines = [
      "",
      `| run | rows | seconds | exporter CPU s | rows/s | peak RSS MB |`,
      `|---|---|---|---|---|---|`,
      `| JSONL 100k | ${small.rows} | ${small.seconds.toFixed(1)} | ${small.cpuSeconds.toFixed(1)} | ${rate(small).toFixed(0)} | ${small.maxRssMb.toFixed(0)} |`,
      `| JSONL 1M | ${jsonl.rows} | ${jsonl.seconds.toFixed(1)} | ${jsonl.cpuSeconds.toFixed(1)} | ${rate(jsonl).toFixed(0)} | ${jsonl.maxRssMb.toFixed(0)} |`,
      `| Parquet 1M | ${parquet.rows} | ${parquet.seconds.toFixed(1)} | ${parquet.cpuSeconds.toFixed(1)} | ${rate(parquet).toFixed(0)} | ${parquet.maxRssMb.toFixed(0)} |`,
      `| ${copy.tool} 1M | ${copy.rows} | ${copy.seconds.toFixed(1)} | — | ${rate(copy).toFixed(0)} | — |`,
      "",
      `JSONL / COPY: ${(rate(jsonl) / rate(copy)).toFixed(2)} (target ≥ 0.7); Parquet / COPY: ${(rate(parquet) / rate(copy)).toFixed(2)} (target ≥ 0.4); peak RSS ${peak.toFixed(0)} MB (target < 300), ` +
        `100k → 1M: ${small.maxRssMb.toFixed(0)} → ${jsonl.maxRssMb.toFixed(0)} MB` +
        (heapCap ? ` (children ran with --max-old-space-size=${HEAP_CAP_MB})` : " (no heap cap)"),
      "",
    ];
    process.stdout.write(lines.join("\n"));
    process.stdout.write(
      `RESULT rows=${jsonl.rows} jsonl_rows_per_s=${rate(jsonl).toFixed(0)} parquet_rows_per_s=${rate(parquet).toFixed(0)} ` +
        `copy_rows_per_s=${rate(copy).toFixed(0)} ratio_vs_copy=${(rate(jsonl) / rate(copy)).toFixed(2)} peak_rss_mb=${peak.toFixed(0)}\n`,
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (!values.keep) await dropDatabase(url);
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
