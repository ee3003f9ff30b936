// Snapshots: immutable, versioned exports of the collected judgements. A snapshot is built once from its definition
// into <DATA_DIR>/snapshots/<id>/ (train and test files plus a dataset card) and never changes after it succeeds.
// Slightly over 400 lines: the snapshot's life (definition, versioning, the build with its progress and heartbeat,
// files, card, pseudonyms, listing) in one place; rows, streaming, writing and the card are in the files beside it.
import { createHash, createHmac, hash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError, parseOrThrow } from "@/server/errors";
import { Prisma, type JobStatus } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import { deriveKey } from "@/server/secret";
import * as audit from "@/server/services/audit";
import { openSnapshotFile, publishSnapshot, unpublishSnapshot } from "@/server/services/artifacts";
import { readAll } from "@/server/services/artifacts/store";
import { JOB_STALE_SECONDS, keepAlive, staleSince, UTC_NOW } from "@/server/services/job-heartbeat";
import {
  createSnapshotInputSchema,
  type CreateSnapshotInput,
  type SnapshotDefinition,
  type SnapshotFile,
  type SnapshotStats,
} from "@/server/schemas/export";
import { withoutBothBad } from "./aggregate";
import { datasetCard, type CardProject } from "./card";
import { formats, votesOf, type FormatContext } from "./formats";
import { writePairLines, writesPairLines } from "./pair-lines";
import { snapshotStats } from "./stats";
import { beginExportRead, countAnnotations, promptGroups } from "./stream";
import { jsonlWriter, parquetWriter, type SplitWriter } from "./writers";

export interface SnapshotProgress {
  /** 0..1 */
  progress: number;
  annotationsRead: number;
  /** annotations in the selected projects before filters, so progress may end below 1 until the build is done */
  annotationsTotal: number;
  rows: number;
}

export type CreateSnapshotOptions = CreateSnapshotInput & {
  createdById?: string | null;
  onProgress?: (p: SnapshotProgress) => void;
  /** write through the general path even where ./pair-lines.ts applies (tests compare the two) */
  generalPath?: boolean;
};

export interface SnapshotView {
  id: string;
  name: string;
  version: number;
  projectIds: string[];
  definition: SnapshotDefinition;
  status: JobStatus;
  progress: number;
  rowCounts: { train?: number; test?: number };
  files: SnapshotFile[];
  stats: Partial<SnapshotStats>;
  error: string | null;
  createdById: string | null;
  /** the creator's name, when the account still exists */
  createdByName: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function snapshotDir(snapshotId: string): string {
  return path.resolve(env.DATA_DIR, "snapshots", snapshotId);
}

export const SNAPSHOT_INTERRUPTED = "The build was interrupted by a restart of the server; its partial files were removed. Build the snapshot again.";

/**
 * Fails the RUNNING snapshot builds whose process died (their heartbeat is stale) and removes their partial files.
 * Returns the ids of the snapshots it failed.
 */
export async function reapInterruptedSnapshots(opts: { staleSeconds?: number } = {}): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Snapshot" SET status = 'FAILED', error = ${SNAPSHOT_INTERRUPTED}, "finishedAt" = ${UTC_NOW}
     WHERE status = 'RUNNING' AND ${staleSince(opts.staleSeconds ?? JOB_STALE_SECONDS)}
 RETURNING id`;
  for (const { id } of rows) await rm(snapshotDir(id), { recursive: true, force: true });
  return rows.map((r) => r.id);
}

/** Canonical JSON (sorted keys) so the salt does not depend on key order. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Pseudonym salt: a function of the selection (same definition → same pseudonyms → byte-identical files; the file
 * format does not count, so a JSONL and a Parquet export of one selection can be joined) keyed with a key derived
 * from the server secret for this purpose alone, so nobody can recompute a pseudonym from a user id without it.
 */
function saltFor(def: SnapshotDefinition): string {
  const selection = { projectIds: def.projectIds, filters: def.filters, aggregation: def.aggregation, split: def.split };
  return createHmac("sha256", deriveKey("export-pseudonym/v1")).update(`snapshot-salt:${canonical(selection)}`).digest("hex");
}

export function pseudonymizer(salt: string): (userId: string) => string {
  const cache = new Map<string, string>();
  return (userId) => {
    let p = cache.get(userId);
    if (!p) {
      p = `annotator-${createHmac("sha256", salt).update(userId).digest("hex").slice(0, 10)}`;
      cache.set(userId, p);
    }
    return p;
  };
}

/**
 * What the snapshot's splits mean for training on it: an empty train split has nothing to train on; an empty test
 * split (a small selection whose test share rounds to no prompt) leaves runs without evaluation, which they say in
 * their log instead of failing on it.
 */
export function splitWarnings(rows: { train: number; test: number }, testRatio: number, prompts: number): string[] {
  const out: string[] = [];
  if (rows.train === 0) out.push("The train split is empty: no run can train on this snapshot.");
  if (testRatio > 0 && rows.test === 0 && rows.train > 0) {
    out.push(
      `The test split is empty: ${Math.round(testRatio * 100)}% of ${prompts} prompt(s) drew none. Runs on this snapshot train without evaluation (no eval_ metrics); raise the test share or collect more prompts to evaluate.`,
    );
  }
  return out;
}

/** Test-split membership of a prompt: a pure function of its content hash, the seed and the ratio. */
export function isTestPrompt(promptHash: string, split: SnapshotDefinition["split"]): boolean {
  if (split.testRatio <= 0) return false;
  // one-shot crypto.hash: called once per prompt, and a Hash object per call was a visible cost at 500k prompts
  const h = hash("sha256", `${split.seed}\n${promptHash}`, "hex");
  return parseInt(h.slice(0, 13), 16) / 2 ** 52 < split.testRatio;
}

function parseInput(input: CreateSnapshotInput): { name: string; definition: SnapshotDefinition } {
  const { name, ...rest } = parseOrThrow(createSnapshotInputSchema, input, { what: "Invalid snapshot" });
  // project order never changes the output (rows follow prompt hashes); sorting keeps the hash stable too
  const definition: SnapshotDefinition = { ...rest, projectIds: [...new Set(rest.projectIds)].sort() };
  return { name, definition };
}

async function loadProjects(projectIds: string[]): Promise<CardProject[]> {
  const projects = await db.project.findMany({
    where: { id: { in: projectIds } },
    select: { id: true, name: true, slug: true, taskType: true, criteria: true },
    orderBy: { slug: "asc" },
  });
  const missing = projectIds.filter((id) => !projects.some((p) => p.id === id));
  if (missing.length > 0) throw new AppError("NOT_FOUND", `Unknown project id(s): ${missing.join(", ")}`);
  return projects.map((p) => ({
    name: p.name,
    slug: p.slug,
    taskType: p.taskType,
    criteria: Array.isArray(p.criteria)
      ? (p.criteria as { key?: unknown; label?: unknown }[])
          .filter((c) => typeof c?.key === "string")
          .map((c) => ({ key: String(c.key), label: typeof c.label === "string" ? c.label : String(c.key) }))
      : [],
  }));
}

async function insertSnapshotRow(opts: { name: string; definition: SnapshotDefinition; salt: string; createdById: string | null }) {
  // version = previous max + 1; two concurrent creators of one name race on the unique (name, version)
  for (let attempt = 0; ; attempt++) {
    const last = await db.snapshot.findFirst({ where: { name: opts.name }, orderBy: { version: "desc" }, select: { version: true } });
    try {
      return await db.snapshot.create({
        data: {
          name: opts.name,
          version: (last?.version ?? 0) + 1,
          projectIds: opts.definition.projectIds,
          definition: JSON.parse(JSON.stringify(opts.definition)) as Prisma.InputJsonValue,
          status: "RUNNING",
          salt: opts.salt,
          createdById: opts.createdById,
        },
      });
    } catch (err) {
      const unique = err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
      if (!unique || attempt >= 5) throw err;
    }
  }
}

async function excludedAnnotators(client: pg.PoolClient, def: SnapshotDefinition): Promise<string[]> {
  const ids = new Set<string>();
  if (def.filters.excludeInactiveAnnotators) {
    const res = await client.query<{ id: string }>(`SELECT id FROM "User" WHERE NOT active`);
    for (const r of res.rows) ids.add(r.id);
  }
  if (def.filters.minGoldAccuracy !== undefined) {
    const res = await client.query<{ userId: string }>(
      `SELECT "userId" FROM "Annotation"
       WHERE "projectId" = ANY($1::text[]) AND "goldCorrect" IS NOT NULL
       GROUP BY "userId" HAVING avg(CASE WHEN "goldCorrect" THEN 1.0 ELSE 0.0 END) < $2`,
      [def.projectIds, def.filters.minGoldAccuracy],
    );
    for (const r of res.rows) ids.add(r.userId);
  }
  return [...ids].sort();
}

/**
 * Whether any judgement of the snapshot's projects was ever marked both bad (a trigger keeps "bothBadJudged", as the
 * flag itself has no index): without one, no query needs the condition that leaves them out.
 */
async function bothBadPresent(client: pg.PoolClient, def: SnapshotDefinition): Promise<boolean> {
  const res = await client.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "Project" WHERE id = ANY($1::text[]) AND "bothBadJudged") AS any`,
    [def.projectIds],
  );
  return res.rows[0].any;
}

/** Whether any judgement of the snapshot's projects was ever rejected (the review table's project index answers it). */
async function rejectedPresent(client: pg.PoolClient, def: SnapshotDefinition): Promise<boolean> {
  if (def.filters.includeRejected) return false;
  const res = await client.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "AnnotationReview" WHERE "projectId" = ANY($1::text[]) AND state = 'REJECTED') AS any`,
    [def.projectIds],
  );
  return res.rows[0].any;
}

interface BuildResult {
  files: SnapshotFile[];
  stats: SnapshotStats;
}

async function build(opts: {
  snapshotId: string;
  name: string;
  definition: SnapshotDefinition;
  projects: CardProject[];
  salt: string;
  onProgress?: (p: SnapshotProgress) => void;
  generalPath?: boolean;
}): Promise<BuildResult> {
  const { definition: def } = opts;
  const dir = snapshotDir(opts.snapshotId);
  await mkdir(dir, { recursive: true });
  const format = formats[def.format];
  const criteria = [...new Set(opts.projects.flatMap((p) => p.criteria.map((c) => c.key)))].sort();
  const ctx: FormatContext = { aggregation: def.aggregation, criteria, pseudonym: pseudonymizer(opts.salt), ktoThreshold: def.ktoThreshold, bothBad: def.bothBad, labels: def.labels };
  const columns = format.columns(ctx);
  const ext = def.fileType === "parquet" ? ".parquet" : def.gzip ? ".jsonl.gz" : ".jsonl";
  const names = { train: `train${ext}`, test: `test${ext}` } as const;
  const open = (file: string): SplitWriter =>
    def.fileType === "parquet" ? parquetWriter(path.join(dir, file), columns) : jsonlWriter(path.join(dir, file), def.gzip);
  const writers = { train: open(names.train), test: open(names.test) };

  let counted: Omit<SnapshotStats, "rows">;
  let progressWrites: Promise<unknown> = Promise.resolve();
  let lastReported = 0;

  // Two connections reading one snapshot: the rows are written on the first while the statistics are computed on
  // the second.
  const client = await pool().connect();
  let side: pg.PoolClient | null = null;
  let done = false;
  try {
    await beginExportRead(client);
    const excludedUserIds = await excludedAnnotators(client, def);
    const rejected = await rejectedPresent(client, def);
    const bothBad = await bothBadPresent(client, def);
    const annotationsTotal = await countAnnotations({ client, projectIds: def.projectIds });
    const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0].id;
    side = await pool().connect();
    await beginExportRead(side, snapshot);

    // The statistics start once the rows begin to flow: while Postgres sorts the rows, its workers have the
    // cores; afterwards one core writes the rows and the statistics take the other.
    let counting: Promise<Omit<SnapshotStats, "rows">> | null = null;
    const countOnce = () => {
      if (!counting) {
        counting = snapshotStats({ client: side!, def, excludedUserIds, rejectedPresent: rejected, bothBadPresent: bothBad });
        counting.catch(() => undefined); // awaited below; a rows failure must not leave it unhandled
      }
      return counting;
    };
    const onAnnotations = (annotationsRead: number) => {
      void countOnce();
      const progress = annotationsTotal === 0 ? 1 : Math.min(1, annotationsRead / annotationsTotal);
      opts.onProgress?.({ progress, annotationsRead, annotationsTotal, rows: writers.train.rows + writers.test.rows });
      // the admin page polls the row; a write per 2% is plenty and keeps Postgres out of the hot path
      if (progress - lastReported >= 0.02 && progress < 1) {
        lastReported = progress;
        progressWrites = progressWrites.then(() => db.snapshot.update({ where: { id: opts.snapshotId }, data: { progress } }));
      }
    };
    if (writesPairLines(def) && !opts.generalPath) {
      await writePairLines({ client, def, ctx, excludedUserIds, rejectedPresent: rejected, bothBadPresent: bothBad, writers, isTest: (hash) => isTestPrompt(hash, def.split), onAnnotations });
    } else {
      const groups = promptGroups({ client, projectIds: def.projectIds, filters: def.filters, excludedUserIds, rejectedPresent: rejected, shownOrder: def.format === "raw", adjudications: def.aggregation.policy === "adjudicated", labels: def.labels, judgeRunId: def.judgeRunId, onAnnotations });
      const leaveOutBothBad = bothBad && (format.bothBad === "never" || (format.bothBad === "option" && def.bothBad === "drop"));
      for await (const read of groups) {
        const group = leaveOutBothBad ? withoutBothBad(read) : read;
        const writer = writers[isTestPrompt(group.contentHash, def.split) ? "test" : "train"];
        for (const row of format.rows(group, votesOf(group), ctx)) {
          const w = writer.write(row);
          if (w) await w;
        }
      }
    }
    counted = await countOnce();
    await side.query("COMMIT");
    await client.query("COMMIT");
    done = true;
  } finally {
    // after a failure a connection may be mid-COPY: it is closed rather than returned to the pool (which also ends
    // its read-only transaction)
    side?.release(!done);
    client.release(!done);
  }
  await progressWrites;

  const files: SnapshotFile[] = [];
  for (const split of ["train", "test"] as const) {
    const written = await writers[split].close();
    files.push({ name: names[split], split, ...written });
  }
  const rows = { train: writers.train.rows, test: writers.test.rows };
  const stats: SnapshotStats = { ...counted, rows, warnings: splitWarnings(rows, def.split.testRatio, counted.prompts) };
  const card = datasetCard({ name: opts.name, definition: def, projects: opts.projects, stats, format, columns, files });
  const cardBytes = Buffer.from(card, "utf8");
  await writeFile(path.join(dir, "README.md"), cardBytes);
  files.push({
    name: "README.md",
    split: null,
    bytes: cardBytes.length,
    sha256: createHash("sha256").update(cardBytes).digest("hex"),
    rows: null,
  });
  return { files, stats };
}

const withCreator = { createdBy: { select: { name: true } } } as const;

function toView(row: Awaited<ReturnType<typeof db.snapshot.findUniqueOrThrow>> & { createdBy?: { name: string } | null }): SnapshotView {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    projectIds: row.projectIds,
    definition: row.definition as unknown as SnapshotDefinition,
    status: row.status,
    progress: row.progress,
    rowCounts: row.rowCounts as SnapshotView["rowCounts"],
    files: row.files as unknown as SnapshotFile[],
    stats: row.stats as Partial<SnapshotStats>,
    error: row.error,
    createdById: row.createdById,
    createdByName: row.createdBy?.name ?? null,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

/** The AI judge an export takes labels from: a run with verdicts on items of the snapshot's projects. */
async function checkJudgeRun(definition: SnapshotDefinition): Promise<void> {
  if (definition.labels === "human" || !definition.judgeRunId) return;
  const found = await db.suggestion.findFirst({
    where: { runId: definition.judgeRunId, projectId: { in: definition.projectIds }, ranking: { not: Prisma.DbNull } },
    select: { id: true },
  });
  if (!found) {
    throw new AppError("BAD_REQUEST", "that run has no AI judge verdicts on the chosen projects", [{ field: "judgeRunId", message: "choose a judge run of one of the projects" }]);
  }
}

async function prepare(opts: CreateSnapshotOptions) {
  const { name, definition } = parseInput(opts);
  const projects = await loadProjects(definition.projectIds);
  await checkJudgeRun(definition);
  const salt = saltFor(definition);
  const row = await insertSnapshotRow({ name, definition, salt, createdById: opts.createdById ?? null });
  await audit.record({
    actorId: opts.createdById ?? null,
    action: "snapshot.create",
    targetType: "snapshot",
    targetId: row.id,
    after: { name, version: row.version, definition },
  });
  const run = async (): Promise<SnapshotView> => {
    const heartbeat = keepAlive(
      async () => (await db.$executeRaw`UPDATE "Snapshot" SET "heartbeatAt" = ${UTC_NOW} WHERE id = ${row.id} AND status = 'RUNNING'`) === 1,
    );
    try {
      const { files, stats } = await build({ snapshotId: row.id, name, definition, projects, salt, onProgress: opts.onProgress, generalPath: opts.generalPath });
      if (heartbeat.lost) throw new AppError("CONFLICT", "The build stopped reporting for too long and was marked as interrupted; build the snapshot again.");
      // with an artifact store, its files go up before it is ready: a worker on another host reads them from there
      await publishSnapshot(row.id, snapshotDir(row.id), files).catch(async (err: unknown) => {
        await unpublishSnapshot(row.id, files).catch(() => undefined);
        throw err;
      });
      const done = await db.snapshot.update({
        where: { id: row.id },
        data: {
          status: "SUCCEEDED",
          progress: 1,
          files: files as unknown as Prisma.InputJsonValue,
          rowCounts: stats.rows,
          stats: stats as unknown as Prisma.InputJsonValue,
          finishedAt: new Date(),
        },
      });
      return toView(done);
    } catch (err) {
      await rm(snapshotDir(row.id), { recursive: true, force: true });
      await db.snapshot.update({
        where: { id: row.id },
        data: { status: "FAILED", error: err instanceof Error ? err.message : String(err), finishedAt: new Date() },
      });
      throw err;
    } finally {
      heartbeat.stop();
    }
  };
  return { row, run };
}

/** Builds a snapshot and resolves when it is READY (status SUCCEEDED); a failed build is recorded and rethrown. */
export async function createSnapshot(opts: CreateSnapshotOptions): Promise<SnapshotView> {
  const { run } = await prepare(opts);
  return run();
}

/**
 * Validates and records a snapshot, then builds it in the background (for the admin page, which polls
 * `getSnapshot` for the progress bar). A failure ends up on the row as status FAILED with its message.
 */
export async function startSnapshot(opts: CreateSnapshotOptions): Promise<SnapshotView> {
  const { row, run } = await prepare(opts);
  run().catch((err: unknown) => {
    // already recorded on the row by run(); logging keeps it visible in the server output too
    console.error(`snapshot ${row.id} failed:`, err);
  });
  return toView(row);
}

export async function getSnapshot(opts: { id: string }): Promise<SnapshotView> {
  const row = await db.snapshot.findUnique({ where: { id: opts.id }, include: withCreator });
  if (!row) throw new AppError("NOT_FOUND", `No snapshot ${opts.id}`);
  return toView(row);
}

/** A snapshot with what its admin page shows beside it: its projects' names and, once built, its dataset card. */
export async function snapshotDetail(opts: { id: string }): Promise<{ snapshot: SnapshotView; projects: { id: string; name: string }[]; card: string | null }> {
  const snapshot = await getSnapshot(opts);
  const [projects, card] = await Promise.all([
    db.project.findMany({ where: { id: { in: snapshot.projectIds } }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    snapshot.status === "SUCCEEDED" ? snapshotFile({ id: opts.id, name: "README.md" }).then(async (f) => (await readAll(await openSnapshotFile(opts.id, f.file, f.path))).toString("utf8")) : null,
  ]);
  return { snapshot, projects, card };
}

export async function listSnapshots(opts: { name?: string; limit?: number } = {}): Promise<SnapshotView[]> {
  const rows = await db.snapshot.findMany({
    where: opts.name ? { name: opts.name } : undefined,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(opts.limit ?? 100, 500),
    include: withCreator,
  });
  return rows.map(toView);
}

/** The path of one file of a READY snapshot (for downloads and the trainer); throws NOT_FOUND otherwise. */
export async function snapshotFile(opts: { id: string; name: string }): Promise<{ path: string; file: SnapshotFile }> {
  const snapshot = await getSnapshot({ id: opts.id });
  if (snapshot.status !== "SUCCEEDED") {
    throw new AppError("CONFLICT", `Snapshot ${opts.id} is ${snapshot.status.toLowerCase()}, not ready`);
  }
  // only names recorded on the snapshot are served: no path from the request ever reaches the file system
  const file = snapshot.files.find((f) => f.name === opts.name);
  if (!file) throw new AppError("NOT_FOUND", `Snapshot ${opts.id} has no file ${opts.name}`);
  return { path: path.join(snapshotDir(opts.id), file.name), file };
}
