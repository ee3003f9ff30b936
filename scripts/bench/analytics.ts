// `npm run bench:analytics [-- --annotations 1000000] [--ranking-annotations 250000] [--reads 20] [--batch 2000] [--keep]`
//
// Latency of the whole analytics payload (projectAnalytics: progress, annotators, agreement, leaderboard with 200
// bootstrap rounds, win rates) on two generated projects (scripts/bench/lib/scale-data.ts): a pairwise one with
// --annotations judgements (overlap 4, 100 annotators, 8 models) and a 4-way ranking one with --ranking-annotations
// (overlap 5). For each it prints:
//   - the first take-in: every judgement is new to the summaries (what the first read after the migration costs);
//   - quiet: --reads reads with nothing new, p50/p95;
//   - busy, as `npm start` runs: the background take-in loop (take-in-loop.ts, every --take-in-ms) runs beside the
//     reads; --reads times --batch new judgements (the page refreshes every 30 s; 2,000 is that long at ~70
//     judgements/s) then at once a read, p50/p95, the judgements it reports still being counted, and how long the
//     loop took to count them all (the lag a page shows as "updated … ago").
// The database is DATABASE_URL's server or the embedded PostgreSQL; the benchmark's own database is dropped unless
// --keep (then a second run reuses the generated projects).
// Ends with: RESULT annotations=… p95_ms=… ranking_annotations=… ranking_p95_ms=… busy_p95_ms=… ranking_busy_p95_ms=…
// busy_lag_p95_s=… ranking_busy_lag_p95_s=…
// (p95_ms is the quiet figure; the target is < 300 ms).
import { parseArgs } from "node:util";
import pg from "pg";
import { percentile } from "./lib/annotators";
import { runBench, withBenchDatabase } from "./lib/bench-database";
import { generateScaleProject, type ScaleProject } from "./lib/scale-data";

const { values: args } = parseArgs({
  options: {
    annotations: { type: "string", default: "1000000" },
    "ranking-annotations": { type: "string", default: "250000" },
    reads: { type: "string", default: "20" },
    batch: { type: "string", default: "2000" },
    "take-in-ms": { type: "string", default: "5000" },
    keep: { type: "boolean", default: false },
    db: { type: "string", default: "rlhf_bench_analytics" },
  },
});
function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}
const annotations = positiveInt("annotations", args.annotations);
const rankingAnnotations = positiveInt("ranking-annotations", args["ranking-annotations"]);
const reads = positiveInt("reads", args.reads);
const batch = positiveInt("batch", args.batch);
const takeInMs = positiveInt("take-in-ms", args["take-in-ms"]);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Measured {
  annotations: number;
  firstTakeInS: number;
  quiet: number[];
  /** reads right after a batch, the background loop running */
  busy: number[];
  /** judgements those reads reported still being counted */
  busyPending: number[];
  /** from a batch's insert until the loop had counted it all, ms */
  lag: number[];
}

async function measure(client: pg.Client, p: ScaleProject): Promise<Measured> {
  const { projectAnalytics } = await import("@/server/services/analytics");
  const { refreshSummaries } = await import("@/server/services/analytics/summaries");
  const { startTakeInLoop } = await import("@/server/services/analytics/take-in-loop");
  const have = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Annotation" WHERE "projectId" = $1`, [p.id]);
  let total = have.rows[0].n;
  if (total !== p.items * p.overlap) {
    await client.query(`DELETE FROM "Project" WHERE id = $1`, [p.id]);
    await client.query(`DELETE FROM "Prompt" WHERE id LIKE $1`, [`${p.id}-p%`]);
    log(`${p.id}: generating ${p.items} items × ${p.overlap} judgements …`);
    const t0 = performance.now();
    total = await generateScaleProject(client, p);
    await client.query("ANALYZE");
    log(`  ${total} annotations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  log(`${p.id}: first take-in …`);
  const t1 = performance.now();
  const taken = await refreshSummaries({ projectId: p.id });
  const firstTakeInS = (performance.now() - t1) / 1000;
  log(`  ${taken.items} items in ${firstTakeInS.toFixed(1)} s`);
  await client.query("VACUUM ANALYZE");

  const timed = async () => {
    const t = performance.now();
    await projectAnalytics({ projectId: p.id });
    return performance.now() - t;
  };
  await timed();
  const quiet: number[] = [];
  for (let r = 0; r < reads; r++) quiet.push(await timed());
  log(`  quiet: p50 ${percentile(quiet, 50).toFixed(0)} ms, p95 ${percentile(quiet, 95).toFixed(0)} ms`);

  // new judgements by one more round of annotators on the items, numbered after the generated ones
  const busy: number[] = [];
  const busyPending: number[] = [];
  const lag: number[] = [];
  let next = 0;
  const judgeMore = () =>
    client.query(
      `INSERT INTO "Annotation"(id, "submissionId", "itemId", "projectId", "userId", ranking, "timeSpentMs", flags, surplus, "createdAt", "updatedAt")
       SELECT $1 || '-x' || g, $1 || '-x' || g, a."itemId", $1, a."userId", a.ranking, a."timeSpentMs", '{}', true, now() AT TIME ZONE 'UTC', now()
       FROM generate_series($2::int, $3::int) g
       JOIN "Annotation" a ON a.id = $1 || '-a' || (1 + g % $4) || '-1'`,
      [p.id, next, next + batch - 1, p.items],
    );
  const pendingNotes = async () =>
    (await client.query(`SELECT 1 FROM "AnalyticsPendingItem" WHERE "projectId" = $1 LIMIT 1`, [p.id])).rowCount ?? 0;
  // as `npm start` runs: the web process's loop takes new judgements in beside the page's reads
  const loop = startTakeInLoop({ intervalMs: takeInMs });
  try {
    for (let r = 0; r < reads; r++) {
      const t0 = performance.now();
      await judgeMore();
      next += batch;
      const t = performance.now();
      const read = await projectAnalytics({ projectId: p.id });
      busy.push(performance.now() - t);
      busyPending.push(read.freshness.pending);
      while ((await pendingNotes()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      lag.push(performance.now() - t0);
    }
  } finally {
    await loop.stop();
  }
  log(
    `  busy (${batch} new judgements, then a read; the loop every ${takeInMs} ms): read p50 ${percentile(busy, 50).toFixed(0)} ms, ` +
      `p95 ${percentile(busy, 95).toFixed(0)} ms; still being counted p50 ${percentile(busyPending, 50).toFixed(0)}; ` +
      `all counted after p50 ${(percentile(lag, 50) / 1000).toFixed(1)} s, p95 ${(percentile(lag, 95) / 1000).toFixed(1)} s`,
  );
  await client.query(`DELETE FROM "Annotation" WHERE "projectId" = $1 AND id LIKE $2`, [p.id, `${p.id}-x%`]);
  await refreshSummaries({ projectId: p.id });
  return { annotations: total, firstTakeInS, quiet, busy, busyPending, lag };
}

async function main(): Promise<void> {
  await withBenchDatabase({ name: args.db!, keep: args.keep! }, async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const pairwise = await measure(client, {
        id: "bench-pairwise",
        taskType: "PAIRWISE",
        items: Math.ceil(annotations / 4),
        candidates: 2,
        overlap: 4,
        annotators: 100,
        models: 8,
        spreadHours: 40,
      });
      const ranking = await measure(client, {
        id: "bench-ranking",
        taskType: "RANKING",
        items: Math.ceil(rankingAnnotations / 5),
        candidates: 4,
        overlap: 5,
        annotators: 100,
        models: 8,
        spreadHours: 40,
      });
      const row = (name: string, m: Measured) =>
        `| ${name} | ${m.annotations} | ${m.firstTakeInS.toFixed(1)} | ${percentile(m.quiet, 50).toFixed(0)} | ${percentile(m.quiet, 95).toFixed(0)} | ` +
        `${percentile(m.busy, 50).toFixed(0)} | ${percentile(m.busy, 95).toFixed(0)} | ${percentile(m.busyPending, 50).toFixed(0)} | ` +
        `${(percentile(m.lag, 50) / 1000).toFixed(1)} / ${(percentile(m.lag, 95) / 1000).toFixed(1)} |`;
      process.stdout.write(
        [
          "",
          `| project | annotations | first take-in s | quiet p50 ms | quiet p95 ms | busy p50 ms | busy p95 ms | busy: still being counted p50 | all counted after p50 / p95 s |`,
          `|---|---|---|---|---|---|---|---|---|`,
          row("pairwise", pairwise),
          row("4-way ranking", ranking),
          `(${reads} reads each; busy: ${batch} new judgements then a read, the take-in loop every ${takeInMs} ms)`,
          "",
          `RESULT annotations=${pairwise.annotations} p95_ms=${percentile(pairwise.quiet, 95).toFixed(0)} ranking_annotations=${ranking.annotations} ` +
            `ranking_p95_ms=${percentile(ranking.quiet, 95).toFixed(0)} busy_p95_ms=${percentile(pairwise.busy, 95).toFixed(0)} ` +
            `ranking_busy_p95_ms=${percentile(ranking.busy, 95).toFixed(0)} busy_lag_p95_s=${(percentile(pairwise.lag, 95) / 1000).toFixed(1)} ` +
            `ranking_busy_lag_p95_s=${(percentile(ranking.lag, 95) / 1000).toFixed(1)}`,
          "",
        ].join("\n"),
      );
    } finally {
      await client.end();
    }
  });
}

runBench(main);
