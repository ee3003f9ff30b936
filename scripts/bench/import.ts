// `npm run bench:import [-- --candidates N] [--schema file.sql] [--keep]`
// Generates a JSONL of N candidates (N/2 prompts × 2 candidates, streamed to a temp file), imports it with the real
// importer into a fresh database, then in the same run COPYs the same rows (prompts, candidates, items, item links)
// into tables built LIKE the real ones, with the same indexes and foreign keys. Prints rows/s for both, the ratio and the importer's peak
// RSS, and ends with one `RESULT …` line. The database server is DATABASE_URL's, or the embedded PostgreSQL.
// The import runs in a child process, so that its peak RSS is its own: in the benchmark's process it also counted the
// garbage of generating the input files. The child samples where its memory is (V8 heap, external, array buffers).
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { z } from "zod";
import { env } from "@/server/env";
import { ensureDatabase } from "@/scripts/db/lib/embedded-postgres";
import { candidateHash, itemKey, promptHash, type Message } from "@/server/services/hashing";
import { createDatabaseIfMissing, dropDatabase, urlForDatabase } from "@/scripts/db/lib/databases";
import { migrate } from "@/scripts/db/lib/migrate";

const argsSchema = z.object({
  candidates: z.coerce.number().int().min(2).default(1_000_000),
  schema: z.string().optional(),
  // --max-old-space-size for the importing child; unset: V8's default
  "heap-cap-mb": z.coerce.number().int().min(16).optional(),
  keep: z.boolean().default(false),
});

interface ChildResult {
  seconds: number;
  maxRssMb: number;
  /** peaks of process.memoryUsage() sampled every 50 ms, MB */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  candidates: number;
  prompts: number;
  items: number;
}

/** Child mode: import the file into the project and report time and memory as one JSON line. */
async function child(filePath: string): Promise<void> {
  const { importFile } = await import("@/server/services/import");
  const { pool } = await import("@/server/pg");
  const { db } = await import("@/server/db");
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], m[k]);
  };
  const sampler = setInterval(sample, 50);
  const t0 = performance.now();
  const summary = await importFile({
    projectId: "bench",
    filePath,
    limits: { maxBytes: Number.MAX_SAFE_INTEGER },
    onProgress: (p) => process.stderr.write(`\rimport: ${((100 * p.bytesRead) / Math.max(1, p.bytesTotal)).toFixed(0)}%  `),
  });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();
  process.stderr.write("\n");
  const mb = (b: number) => b / 1024 ** 2;
  const result: ChildResult = {
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: mb(peak.heapUsed),
    heapTotalMb: mb(peak.heapTotal),
    externalMb: mb(peak.external),
    arrayBuffersMb: mb(peak.arrayBuffers),
    candidates: summary.counts.candidates,
    prompts: summary.counts.prompts,
    items: summary.counts.items,
  };
  await db.$disconnect();
  await pool().end();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(url: string, filePath: string, heapCapMb: number | undefined): Promise<ChildResult> {
  const args = [...process.execArgv, ...(heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : []), __filename, "--child", filePath];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.on("error", reject);
    proc.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`import child exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

function parseArgs(argv: string[]) {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--keep") raw.keep = true;
    else if (a === "--candidates" || a === "--schema" || a === "--heap-cap-mb") raw[a.slice(2)] = argv[++i] ?? "";
    else throw new Error(`unknown argument ${a}; usage: bench:import [--candidates N] [--schema file.sql] [--heap-cap-mb N] [--keep]`);
  }
  return argsSchema.parse(raw);
}

// deterministic text so runs are comparable; a small LCG is enough for varied words
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const WORDS = "the model answer prompt reward policy gradient token batch layer value human feedback data rank pair better worse clear helpful safe honest code test query result".split(" ");
function sentence(next: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(next() * WORDS.length)]);
  return out.join(" ");
}

interface Row {
  prompt: Message[];
  candidates: { text: string; model: string }[];
}

function* rows(prompts: number): Generator<Row> {
  const next = rng(42);
  for (let i = 0; i < prompts; i++) {
    yield {
      prompt: [{ role: "user", content: `Q${i}: ${sentence(next, 20)}?` }],
      candidates: [
        { text: `A${i}a: ${sentence(next, 40)}.`, model: "model-a" },
        { text: `A${i}b: ${sentence(next, 40)}.`, model: "model-b" },
      ],
    };
  }
}

async function writeLines(out: WriteStream, lines: Iterable<string>): Promise<void> {
  let chunk: string[] = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length === 1000) {
      if (!out.write(chunk.join(""))) await once(out, "drain");
      chunk = [];
    }
  }
  out.write(chunk.join(""));
  out.end();
  await once(out, "finish");
}

function copyField(v: string): string {
  return v.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] as string);
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(process.argv[3]);
  const args = parseArgs(process.argv.slice(2));
  const prompts = Math.ceil(args.candidates / 2);
  const candidates = prompts * 2;
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-import-"));
  const jsonl = path.join(dir, "input.jsonl");
  const promptCopy = path.join(dir, "prompts.copy");
  const candidateCopy = path.join(dir, "candidates.copy");
  const itemCopy = path.join(dir, "items.copy");
  const linkCopy = path.join(dir, "item-candidates.copy");

  process.stderr.write(`generating ${candidates} candidates (${prompts} prompts) in ${dir}\n`);
  await writeLines(createWriteStream(jsonl), (function* () {
    for (const r of rows(prompts)) yield JSON.stringify(r) + "\n";
  })());
  // the COPY input holds exactly the rows the importer writes (Prompt, Candidate, Item, ItemCandidate), ids included
  await writeLines(createWriteStream(promptCopy), (function* () {
    let i = 0;
    for (const r of rows(prompts)) yield `p${i++}\t${copyField(JSON.stringify(r.prompt))}\t{}\t\\N\t${promptHash(r.prompt)}\n`;
  })());
  await writeLines(createWriteStream(candidateCopy), (function* () {
    let i = 0;
    for (const r of rows(prompts)) {
      for (const c of r.candidates) yield `c${i}_${c.model}\tp${i}\t${copyField(c.text)}\t${c.model}\t{}\t${candidateHash(c.text)}\n`;
      i++;
    }
  })());
  await writeLines(createWriteStream(itemCopy), (function* () {
    let i = 0;
    for (const r of rows(prompts)) {
      yield `i${i}\tbench\tp${i}\t${itemKey(promptHash(r.prompt), r.candidates.map((c) => candidateHash(c.text)))}\n`;
      i++;
    }
  })());
  await writeLines(createWriteStream(linkCopy), (function* () {
    let i = 0;
    for (const r of rows(prompts)) {
      for (const [pos, c] of r.candidates.entries()) yield `i${i}\tc${i}_${c.model}\t${pos}\n`;
      i++;
    }
  })());
  const fileBytes = (await stat(jsonl)).size;
  process.stderr.write(`input: ${(fileBytes / 1024 ** 2).toFixed(1)} MiB JSONL\n`);

  const server = await ensureDatabase();
  const url = urlForDatabase(server.url, `bench_import_${process.pid}`);
  await createDatabaseIfMissing(url);
  try {
    if (args.schema) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(await readFile(args.schema, "utf8"));
      await client.end();
    } else {
      await migrate({ url, log: () => undefined });
    }
    // server/db.ts and server/pg.ts connect to env.DATABASE_URL when first imported: point it at the fresh database
    env.DATABASE_URL = url;
    const { pool } = await import("@/server/pg");
    const { db } = await import("@/server/db");
    await pool().query(
      `INSERT INTO "Project" (id, name, slug, "taskType", "updatedAt") VALUES ('bench', 'Bench', 'bench', 'PAIRWISE', now())`,
    );

    const imported = await runChild(url, jsonl, args["heap-cap-mb"]);
    const importS = imported.seconds;
    if (imported.candidates !== candidates) {
      throw new Error(`the import wrote ${imported.candidates} candidates, expected ${candidates}`);
    }

    const client = await pool().connect();
    let copyS: number;
    try {
      // same columns, indexes and foreign keys as the real tables
      await client.query(`
        CREATE TABLE bench_prompt (LIKE "Prompt" INCLUDING ALL);
        CREATE TABLE bench_candidate (LIKE "Candidate" INCLUDING ALL,
          FOREIGN KEY ("promptId") REFERENCES bench_prompt (id) ON DELETE CASCADE);
        CREATE TABLE bench_item (LIKE "Item" INCLUDING ALL,
          FOREIGN KEY ("projectId") REFERENCES "Project" (id) ON DELETE CASCADE,
          FOREIGN KEY ("promptId") REFERENCES bench_prompt (id));
        CREATE TABLE bench_item_candidate (LIKE "ItemCandidate" INCLUDING ALL,
          FOREIGN KEY ("itemId") REFERENCES bench_item (id) ON DELETE CASCADE,
          FOREIGN KEY ("candidateId") REFERENCES bench_candidate (id));`);
      const t1 = performance.now();
      await client.query("BEGIN");
      const copies: [string, string][] = [
        [promptCopy, `COPY bench_prompt (id, messages, metadata, source, "contentHash") FROM STDIN`],
        [candidateCopy, `COPY bench_candidate (id, "promptId", text, model, metadata, "contentHash") FROM STDIN`],
        [itemCopy, `COPY bench_item (id, "projectId", "promptId", "itemKey") FROM STDIN`],
        [linkCopy, `COPY bench_item_candidate ("itemId", "candidateId", position) FROM STDIN`],
      ];
      for (const [file, sql] of copies) {
        await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(sql)));
      }
      await client.query("COMMIT");
      copyS = (performance.now() - t1) / 1000;
    } finally {
      client.release();
    }

    const rowsPerS = candidates / importS;
    const copyRowsPerS = candidates / copyS;
    const ratio = rowsPerS / copyRowsPerS;
    const peakMb = imported.maxRssMb;
    console.log(`importer: ${candidates} candidates, ${imported.prompts} prompts, ${imported.items} items in ${importS.toFixed(2)} s → ${Math.round(rowsPerS)} candidates/s`);
    console.log(`COPY FROM (the same Prompt, Candidate, Item, ItemCandidate rows; same indexes and foreign keys): ${copyS.toFixed(2)} s → ${Math.round(copyRowsPerS)} candidates/s`);
    console.log(`ratio vs COPY: ${ratio.toFixed(3)} (target ≥ 0.6); importer peak RSS ${peakMb.toFixed(0)} MB (target < 250) for a ${(fileBytes / 1024 ** 2).toFixed(0)} MiB file`);
    console.log(
      `importer memory peaks: V8 heap used ${imported.heapUsedMb.toFixed(0)} MB of ${imported.heapTotalMb.toFixed(0)} MB allocated, ` +
        `external ${imported.externalMb.toFixed(0)} MB (array buffers ${imported.arrayBuffersMb.toFixed(0)} MB)` +
        (args["heap-cap-mb"] ? ` (--max-old-space-size=${args["heap-cap-mb"]})` : ""),
    );
    console.log(
      `RESULT rows=${candidates} rows_per_s=${Math.round(rowsPerS)} copy_rows_per_s=${Math.round(copyRowsPerS)} ratio_vs_copy=${ratio.toFixed(3)} peak_rss_mb=${Math.round(peakMb)}`,
    );
    await db.$disconnect();
    await pool().end();
  } finally {
    if (!args.keep) {
      await dropDatabase(url);
      await rm(dir, { recursive: true, force: true });
    }
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
