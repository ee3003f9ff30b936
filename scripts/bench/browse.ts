// `npm run bench:browse [-- --annotations 1000000] [--reads 20] [--keep]`
//
// Latency of one data-browser page (server/services/review/browse.ts: 50 judgements with their annotator, best
// models and disagreement) on a generated pairwise project (scripts/bench/lib/scale-data.ts: --annotations
// judgements, overlap 4, 100 annotators, 8 models, some flagged, 2% gold). Each view below is read --reads times:
// the first page, a page 20 pages deep by its cursor, and the filters a reviewer reaches for (one annotator, one
// model, flagged, failed gold, disagreeing, unreviewed, a day, the slowest first, a combination). A few rejected
// judgements are reviewed in first, as after a day of review.
// The database is DATABASE_URL's server or the embedded PostgreSQL; the benchmark's own database is dropped unless
// --keep (then a second run reuses the generated project).
// Ends with: RESULT annotations=… p95_ms=… worst_view=… worst_p95_ms=… (p95 over every read of every view; the
// target is < 300 ms).
import { parseArgs } from "node:util";
import pg from "pg";
import type { BrowseFiltersInput } from "@/server/schemas/review";
import { percentile } from "./lib/annotators";
import { runBench, withBenchDatabase } from "./lib/bench-database";
import { generateScaleProject, type ScaleProject } from "./lib/scale-data";

const { values: args } = parseArgs({
  options: {
    annotations: { type: "string", default: "1000000" },
    reads: { type: "string", default: "20" },
    keep: { type: "boolean", default: false },
    db: { type: "string", default: "rlhf_bench_browse" },
  },
});
function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}
const annotations = positiveInt("annotations", args.annotations);
const reads = positiveInt("reads", args.reads);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  await withBenchDatabase({ name: args.db!, keep: args.keep! }, async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const p: ScaleProject = { id: "bench-browse", taskType: "PAIRWISE", items: Math.ceil(annotations / 4), candidates: 2, overlap: 4, annotators: 100, models: 8, spreadHours: 40 };
      const have = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Annotation" WHERE "projectId" = $1`, [p.id]);
      let total = have.rows[0].n;
      if (total !== p.items * p.overlap) {
        await client.query(`DELETE FROM "Project" WHERE id = $1`, [p.id]);
        await client.query(`DELETE FROM "Prompt" WHERE id LIKE $1`, [`${p.id}-p%`]);
        log(`generating ${p.items} items × ${p.overlap} judgements …`);
        const t0 = performance.now();
        total = await generateScaleProject(client, p);
        // a day of review: one judgement in 500 rejected
        await client.query(`UPDATE "Annotation" SET "reviewState" = 'REJECTED' WHERE "projectId" = $1 AND (hashtext(id) & 511) = 0`, [p.id]);
        await client.query("VACUUM ANALYZE");
        log(`  ${total} annotations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      const { browse } = await import("@/server/services/review/browse");
      const { browseFiltersSchema } = await import("@/server/schemas/review");
      const day = (await client.query<{ d: string }>(`SELECT to_char(max("createdAt"), 'YYYY-MM-DD') AS d FROM "Annotation" WHERE "projectId" = $1`, [p.id])).rows[0].d;
      const views: [string, BrowseFiltersInput, number][] = [
        ["first page", {}, 0],
        ["20 pages deep", {}, 20],
        ["one annotator", { annotator: `${p.id}-u7` }, 0],
        ["one annotator, 5 pages deep", { annotator: `${p.id}-u7` }, 5],
        ["one model", { model: "model-3" }, 0],
        ["flagged", { flag: "yes" }, 0],
        ["failed gold", { gold: "failed" }, 0],
        ["disagreeing", { disagree: "yes" }, 0],
        ["unreviewed", { review: "unreviewed" }, 0],
        ["rejected", { review: "rejected" }, 0],
        ["one day", { from: day, to: day }, 0],
        ["slowest first", { sort: "slowest" }, 0],
        ["annotator + disagreeing + slow", { annotator: `${p.id}-u7`, disagree: "yes", minSeconds: 20 }, 0],
      ];
      const all: number[] = [];
      const lines: string[] = [];
      let worst = { name: "", p95: 0 };
      for (const [name, f, depth] of views) {
        const filters = browseFiltersSchema.parse(f);
        // the cursor of page `depth`, found once (what the reviewer's "next page" links carry)
        let cursor: string | undefined;
        for (let i = 0; i < depth; i++) cursor = (await browse({ projectId: p.id, filters, cursor, limit: 50 })).nextCursor ?? undefined;
        await browse({ projectId: p.id, filters, cursor, limit: 50 });
        const times: number[] = [];
        let rows = 0;
        for (let r = 0; r < reads; r++) {
          const t = performance.now();
          rows = (await browse({ projectId: p.id, filters, cursor, limit: 50 })).rows.length;
          times.push(performance.now() - t);
        }
        all.push(...times);
        const p95 = percentile(times, 95);
        if (p95 > worst.p95) worst = { name, p95 };
        lines.push(`| ${name} | ${rows} | ${percentile(times, 50).toFixed(0)} | ${p95.toFixed(0)} |`);
        log(`  ${name}: ${rows} rows, p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`);
      }
      process.stdout.write(
        [
          `| view (${total} judgements) | rows | p50 ms | p95 ms |`,
          `|---|---|---|---|`,
          ...lines,
          `(${reads} reads each)`,
          "",
          `RESULT annotations=${total} p95_ms=${percentile(all, 95).toFixed(0)} worst_view="${worst.name}" worst_p95_ms=${worst.p95.toFixed(0)}`,
          "",
        ].join("\n"),
      );
    } finally {
      await client.end();
    }
  });
}

runBench(main);
