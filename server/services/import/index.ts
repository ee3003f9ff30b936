// importFile: the one entry for the CLI, the token HTTP API and the browser upload. Streams the file once, validates
// every line, stages valid rows with COPY and moves them into the real tables in a single transaction.
// All-or-nothing by default; with skipInvalid the valid lines are written and the rejected ones saved to a file.
// Over 400 lines on purpose: the job's life (heartbeat, progress, the one transaction, rejected lines, the final
// summary or failure) is one function read top to bottom; parsing, planning and staging live beside it.
import { createReadStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type pg from "pg";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError, clientError } from "@/server/errors";
import { withTransaction } from "@/server/pg";
import { JOB_STALE_SECONDS, keepAlive, staleSince, UTC_NOW } from "@/server/services/job-heartbeat";
import { NEAR_DUPLICATE_ROUGE_L, type ImportCounts, type ImportFormat, type ImportSummary } from "@/server/schemas/import";
import { promptText } from "@/server/services/export/formats";
import { visibleProject } from "@/server/services/projects";
import { promptHash, type Message } from "@/server/services/hashing";
import { RougeIndex } from "@/server/services/rouge";
import { detectFormat, type LineError, parseRecords, singleAsRow, unrecognizedHint } from "./formats";
import { planItems } from "./items";
import { type Line, type LineLimits, readLines } from "./lines";
import { Stager } from "./stage";


export const MAX_REPORTED_ERRORS = 100;
// how far detection looks for a line that identifies the format (earlier lines may be broken)
const DETECT_WINDOW = 100;
const PROGRESS_MS = 500;

export interface ImportProgress {
  jobId: string;
  bytesRead: number;
  bytesTotal: number;
  linesRead: number;
}

export interface ImportFileOptions {
  projectId: string;
  /** the file's bytes; or give `filePath` */
  stream?: Readable | AsyncIterable<Buffer | string>;
  filePath?: string;
  fileName?: string;
  /** known size (Content-Length, file size) for the progress bar; 0 when unknown */
  bytesTotal?: number;
  format?: ImportFormat | "auto";
  skipInvalid?: boolean;
  /** TRL and HH rows: record the dataset's own preference as the item's gold answer */
  trlAsGold?: boolean;
  /** rows with more candidates than an item takes become several items instead of an error (see items.ts) */
  splitCandidates?: boolean;
  /**
   * leave out rows whose prompt comes within ROUGE-L 0.7 of a different prompt of the project or of an earlier row
   * (the same prompt again is not a near-duplicate: its rows add candidates); they go to the rejected-lines file and
   * the errors, and the import goes on
   */
  skipNearDuplicates?: boolean;
  limits?: Partial<LineLimits>;
  createdById?: string | null;
  /** an ImportJob made beforehand with createImportJob (the upload UI polls it from the start) */
  jobId?: string;
  /** where to write rejected lines; default DATA_DIR/imports/<jobId>.rejected.<jsonl|csv> */
  rejectedPath?: string;
  onProgress?: (p: ImportProgress) => void;
}

export async function createImportJob(opts: {
  projectId: string;
  fileName: string;
  format?: string;
  createdById?: string | null;
  bytesTotal?: number;
  skipInvalid?: boolean;
}): Promise<{ id: string }> {
  return db.importJob.create({
    data: {
      projectId: opts.projectId,
      fileName: opts.fileName,
      format: opts.format ?? "auto",
      createdById: opts.createdById ?? null,
      bytesTotal: BigInt(opts.bytesTotal ?? 0),
      skipInvalid: opts.skipInvalid ?? false,
    },
    select: { id: true },
  });
}

/**
 * The near-duplicate test of an import: a prompt is one when its text comes within NEAR_DUPLICATE_ROUGE_L of a
 * different prompt of the project or of an earlier row. Prompts seen are remembered by hash, so the same prompt
 * again passes (and is not compared with itself).
 */
async function nearDuplicateCheck(client: pg.PoolClient, projectId: string): Promise<(prompt: Message[]) => { text: string; score: number } | null> {
  const index = new RougeIndex();
  const seen = new Set<string>();
  const { rows } = await client.query<{ messages: Message[]; hash: string }>(
    `SELECT p.messages, p."contentHash" AS hash FROM "Prompt" p WHERE p.id IN (SELECT "promptId" FROM "Item" WHERE "projectId" = $1)`,
    [projectId],
  );
  for (const r of rows) {
    seen.add(r.hash);
    index.add(promptText(r.messages));
  }
  return (prompt) => {
    const hash = promptHash(prompt);
    if (seen.has(hash)) return null;
    const text = promptText(prompt);
    const similar = index.atLeast(text, NEAR_DUPLICATE_ROUGE_L);
    if (similar) return similar;
    seen.add(hash);
    index.add(text);
    return null;
  };
}

function defaultRejectedPath(jobId: string, ext: "csv" | "jsonl"): string {
  return path.resolve(env.DATA_DIR, "imports", `${jobId}.rejected.${ext}`);
}

export const IMPORT_INTERRUPTED =
  "The import was interrupted by a restart of the server before it finished; nothing was imported. Start it again.";

/**
 * Fails the RUNNING imports whose process died (their heartbeat is stale) and removes their partial rejected-lines
 * files. Their rows need no cleanup: an import writes in one transaction, which PostgreSQL rolled back when the
 * connection went. Returns the ids of the jobs it failed.
 */
export async function reapInterruptedImports(opts: { staleSeconds?: number } = {}): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "ImportJob" SET status = 'FAILED', message = ${IMPORT_INTERRUPTED}, "finishedAt" = ${UTC_NOW}
     WHERE status = 'RUNNING' AND ${staleSince(opts.staleSeconds ?? JOB_STALE_SECONDS)}
 RETURNING id`;
  for (const { id } of rows) {
    await Promise.all((["csv", "jsonl"] as const).map((ext) => rm(defaultRejectedPath(id, ext), { force: true })));
  }
  return rows.map((r) => r.id);
}

/** A project by id or slug (the CLI and the HTTP API accept either); projects.visibleProject has the rule. */
export async function findProject(idOrSlug: string): Promise<{ id: string; slug: string }> {
  return visibleProject({ idOrSlug });
}

export async function getImportJob(opts: { projectId: string; jobId: string }) {
  const job = await db.importJob.findFirst({ where: { id: opts.jobId, projectId: opts.projectId } });
  if (!job) throw new AppError("NOT_FOUND", "No such import in this project.");
  return {
    ...job,
    bytesTotal: Number(job.bytesTotal),
    bytesRead: Number(job.bytesRead),
  };
}

/** The rejected-lines file of a job, for download; NOT_FOUND when the job kept none. */
export async function rejectedLinesFile(opts: { projectId: string; jobId: string }): Promise<{ path: string; fileName: string; size: number }> {
  const job = await getImportJob(opts);
  if (!job.rejectedLines) throw new AppError("NOT_FOUND", "This import has no rejected lines.");
  const info = await stat(job.rejectedLines).catch(() => null);
  if (!info) throw new AppError("NOT_FOUND", "The rejected-lines file is no longer on this server.");
  return { path: job.rejectedLines, fileName: path.basename(job.rejectedLines), size: info.size };
}

class RejectedWriter {
  private out: WriteStream | null = null;
  count = 0;
  constructor(
    private readonly file: string,
    private readonly header: string | null,
  ) {}

  async write(raw: Buffer | string): Promise<void> {
    if (!this.out) {
      await mkdir(path.dirname(this.file), { recursive: true });
      this.out = createWriteStream(this.file);
      if (this.header !== null) this.out.write(this.header + "\n");
    }
    this.count += 1;
    this.out.write(raw);
    if (!this.out.write("\n")) await once(this.out, "drain");
  }

  async close(): Promise<string | null> {
    if (!this.out) return null;
    this.out.end();
    await once(this.out, "finish");
    return this.file;
  }
}

/** Looks at up to DETECT_WINDOW non-empty lines for one that identifies the format; returns them for replay. */
async function detect(
  lines: AsyncIterator<Line>,
  fileName: string | undefined,
): Promise<{ format: ImportFormat; peeked: Line[] }> {
  const peeked: Line[] = [];
  let checked = 0;
  let firstText: string | null = null;
  while (checked < DETECT_WINDOW) {
    const next = await lines.next();
    if (next.done) break;
    peeked.push(next.value);
    if (next.value.problem || next.value.text.trim() === "") continue;
    firstText ??= next.value.text;
    checked += 1;
    const format = detectFormat(next.value.text, fileName);
    if (format) return { format, peeked };
  }
  if (firstText === null) {
    const bad = peeked.filter((l) => l.problem);
    if (bad.length === 0) throw new AppError("BAD_REQUEST", "The file is empty: there is nothing to import.");
    throw new AppError(
      "BAD_REQUEST",
      `Cannot read the file: ${bad[0].problem}.`,
      bad.slice(0, MAX_REPORTED_ERRORS).map((l) => ({ line: l.line, field: "", message: l.problem as string })),
    );
  }
  const firstLine = peeked.find((l) => !l.problem && l.text.trim() !== "")?.line ?? 1;
  const hint = unrecognizedHint(firstText);
  if (hint) throw new AppError("BAD_REQUEST", `Could not read the file: ${hint}.`, [{ line: firstLine, field: "", message: hint }]);
  throw new AppError(
    "BAD_REQUEST",
    `Could not detect the format from line ${firstLine}: expected JSONL with "candidates", TRL ("prompt"/"chosen"/"rejected"), ` +
      `HH-RLHF ("chosen"/"rejected" transcripts), OpenAI chat ("messages"), Alpaca / Self-Instruct ("instruction"/"input"/"output"), a Super-NaturalInstructions task file ("Definition"/"Instances") or a CSV header "prompt,response_1,…". Choose the format explicitly.`,
    [{ line: firstLine, field: "", message: "unrecognized format" }],
  );
}

async function* replay(peeked: Line[], rest: AsyncIterator<Line>, onLine: (l: Line) => void): AsyncGenerator<Line> {
  for (const l of peeked) {
    onLine(l);
    yield l;
  }
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    onLine(next.value);
    yield next.value;
  }
}

function emptyCounts(): ImportCounts {
  return { prompts: 0, candidates: 0, items: 0, reusedPrompts: 0, reusedCandidates: 0, duplicateItems: 0, rejected: 0 };
}

export async function importFile(opts: ImportFileOptions): Promise<ImportSummary> {
  const startedAt = Date.now();
  const project = await db.project.findUnique({ where: { id: opts.projectId }, select: { id: true, taskType: true, archived: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found.");
  if (project.archived) throw new AppError("PRECONDITION_FAILED", "The project is archived; unarchive it before importing.");
  if (!opts.stream && !opts.filePath) throw new AppError("BAD_REQUEST", "Nothing to import: give a stream or a file path.");

  const fileName = opts.fileName ?? (opts.filePath ? path.basename(opts.filePath) : "upload");
  const bytesTotal = opts.bytesTotal ?? (opts.filePath ? (await stat(opts.filePath)).size : 0);
  const skipInvalid = opts.skipInvalid ?? false;
  const limits: LineLimits = {
    maxBytes: opts.limits?.maxBytes ?? env.IMPORT_MAX_BYTES,
    maxLineBytes: opts.limits?.maxLineBytes ?? env.IMPORT_MAX_LINE_BYTES,
  };
  const jobId =
    opts.jobId ??
    (await createImportJob({ projectId: project.id, fileName, format: opts.format, createdById: opts.createdById, bytesTotal, skipInvalid })).id;
  // One statement takes the job from PENDING to RUNNING: of two uploads to the same job id, only one gets it.
  const started = await db.$executeRaw`
    UPDATE "ImportJob"
       SET status = 'RUNNING', "bytesTotal" = ${BigInt(bytesTotal)}, "skipInvalid" = ${skipInvalid}, "fileName" = ${fileName}, "heartbeatAt" = ${UTC_NOW}
     WHERE id = ${jobId} AND "projectId" = ${project.id} AND status = 'PENDING'`;
  if (started === 0) {
    const exists = await db.importJob.count({ where: { id: jobId, projectId: project.id } });
    if (!exists) throw new AppError("NOT_FOUND", "No such import in this project.");
    throw new AppError("CONFLICT", "This import already ran; start a new one.");
  }
  const heartbeat = keepAlive(
    async () => (await db.$executeRaw`UPDATE "ImportJob" SET "heartbeatAt" = ${UTC_NOW} WHERE id = ${jobId} AND status = 'RUNNING'`) === 1,
  );

  let bytesRead = 0;
  let linesRead = 0;
  let lastReport = 0;
  let reporting: Promise<unknown> = Promise.resolve();
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_MS) return;
    lastReport = now;
    opts.onProgress?.({ jobId, bytesRead, bytesTotal, linesRead });
    // one update in flight at a time; the UI only needs the latest figures
    reporting = reporting.then(() =>
      db.importJob.update({ where: { id: jobId }, data: { bytesRead: BigInt(bytesRead), linesRead } }).catch(() => undefined),
    );
  };

  const errors: LineError[] = [];
  let errorCount = 0;
  let invalidLines = 0;
  const addErrors = (list: LineError[]) => {
    invalidLines += 1;
    errorCount += list.length;
    for (const e of list) if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };

  let format: ImportFormat = "jsonl";
  let firstText: string | null = null;
  let stager: Stager | null = null;
  let rejected: RejectedWriter | null = null;
  try {
    // a COPY stopped mid-stream is ended and its connection closed rather than rolled back (withTransaction's
    // abandon): the server then aborts the transaction itself
    const abandon = () => {
      const copying = stager?.copying ?? false;
      if (copying) stager?.abort();
      return copying;
    };
    let nearDuplicates = 0;
    const staged = await withTransaction(async (client) => {
      const input = opts.stream ?? createReadStream(opts.filePath as string, { highWaterMark: 1 << 18 });
      const lineIter = readLines(input, limits, (n) => {
        bytesRead = n;
        report(false);
      })[Symbol.asyncIterator]();
      const detected =
        opts.format && opts.format !== "auto"
          ? { format: opts.format, peeked: [] as Line[] }
          : await detect(lineIter, fileName);
      format = detected.format;
      const records = parseRecords(
        format,
        replay(detected.peeked, lineIter, (l) => {
          linesRead = l.line;
          // the CSV header, written first into a rejected-lines file
          if (firstText === null && !l.problem && l.text.trim() !== "") firstText = l.text;
        }),
        { trlAsGold: opts.trlAsGold ?? false },
      );

      // read before the stager's COPY takes the connection
      const near = opts.skipNearDuplicates ? await nearDuplicateCheck(client, project.id) : null;
      const stage = new Stager(client, { projectId: project.id, taskType: project.taskType, keepRawSingles: skipInvalid });
      stager = stage;
      await stage.begin();
      let csvHeader: string | null = null;
      const rejectedFile = opts.rejectedPath ?? defaultRejectedPath(jobId, format === "csv" ? "csv" : "jsonl");
      const reject = async (raw: Buffer | string) => {
        rejected ??= new RejectedWriter(rejectedFile, format === "csv" ? csvHeader : null);
        await rejected.write(raw);
      };
      let validRecords = 0;

      for await (const rec of records) {
        if (format === "csv" && csvHeader === null) csvHeader = firstText;
        let problems = rec.errors ?? null;
        if (!problems && rec.value) {
          // a rating or a demonstration takes one response per item: an OpenAI chat row is an item by itself
          const value = rec.value.kind === "single" && (project.taskType === "RATING" || project.taskType === "DEMONSTRATION") ? singleAsRow(rec.value) : rec.value;
          const similar = near?.(value.prompt);
          if (similar) {
            nearDuplicates++;
            errorCount++;
            if (errors.length < MAX_REPORTED_ERRORS) {
              errors.push({ line: rec.line, field: "prompt", message: `near-duplicate (ROUGE-L ${similar.score.toFixed(2)}) of the prompt "${similar.text.slice(0, 80)}${similar.text.length > 80 ? "…" : ""}": left out` });
            }
            await reject(rec.raw);
            continue;
          }
          if (value.kind === "single") {
            problems = stage.copying ? stage.addSingle(value, rec.line, rec.raw.toString()) : null;
          } else {
            const planned = planItems(value, rec.line, project.taskType, opts.splitCandidates ?? false);
            // once the import is known to fail nothing more is staged; validation goes on to report every line
            if ("errors" in planned) problems = planned.errors;
            else problems = stage.copying ? stage.addRow(value, rec.line, planned.plans) : null;
          }
        }
        if (problems) {
          addErrors(problems);
          if (skipInvalid) await reject(rec.raw);
          else if (invalidLines === 1) await stage.endCopy();
        } else {
          validRecords += 1;
          await stage.flush();
        }
      }
      report(true);

      if (invalidLines > 0 && !skipInvalid) throw invalid();
      await stage.endCopy();
      const result = await stage.finalize(skipInvalid);
      for (const single of result.singles) {
        addErrors([single.error]);
        if (skipInvalid) await reject(single.raw);
      }
      if (invalidLines > 0 && !skipInvalid) throw invalid();
      if (validRecords === 0 && invalidLines === 0) throw new AppError("BAD_REQUEST", "The file has no rows to import.");
      if (heartbeat.lost) throw new AppError("CONFLICT", "The import stopped reporting for too long and was marked as interrupted; start it again.");
      return { result, near };
    }, { abandon });

    const counts = { ...staged.result.counts, rejected: invalidLines, ...(staged.near ? { nearDuplicates } : {}) };
    const rejectedLinesPath = rejected ? await (rejected as RejectedWriter).close() : null;
    await reporting;
    await db.importJob.update({
      where: { id: jobId },
      data: {
        status: "SUCCEEDED",
        format,
        bytesRead: BigInt(bytesRead),
        linesRead,
        counts: { ...counts },
        errors: errors.map((e) => ({ ...e })),
        errorCount,
        rejectedLines: rejectedLinesPath,
        finishedAt: new Date(),
        message: null,
      },
    });
    return {
      jobId,
      projectId: project.id,
      status: "SUCCEEDED",
      format,
      fileName,
      bytesRead,
      linesRead,
      counts,
      errors,
      errorCount,
      rejectedLinesPath,
      durationMs: Date.now() - startedAt,
    };
  } catch (err) {
    if (rejected) await (rejected as RejectedWriter).close().catch(() => null);
    await reporting;
    // the job's message is shown to the admin: driver and file-system text stays in the server log
    if (!(err instanceof AppError)) console.error(`import ${jobId} failed:`, err);
    const shown = clientError(err);
    await db.importJob
      .update({
        where: { id: jobId },
        data: {
          status: "FAILED",
          format,
          bytesRead: BigInt(bytesRead),
          linesRead,
          counts: { ...emptyCounts() },
          errors: (shown.fieldErrors ?? errors).map((e) => ({ ...e })),
          errorCount: Math.max(errorCount, shown.fieldErrors?.length ?? 0),
          rejectedLines: null,
          finishedAt: new Date(),
          message: shown.message,
        },
      })
      .catch(() => undefined);
    throw shown;
  } finally {
    heartbeat.stop();
  }

  function invalid(): AppError {
    const first = errors[0];
    return new AppError(
      "BAD_REQUEST",
      `${invalidLines} invalid line${invalidLines === 1 ? "" : "s"} (${errorCount} error${errorCount === 1 ? "" : "s"}); nothing was imported. ` +
        `First: line ${first.line}${first.field ? ` (${first.field})` : ""}: ${first.message}. ` +
        `Fix the file, or import with "skip invalid lines" to write the valid ones.`,
      errors.map((e) => ({ ...e })),
    );
  }
}
