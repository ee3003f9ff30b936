// The trainer queue's lease protocol, as the worker speaks it: claim, heartbeat, progress, finish, release, and the
// reaper of runs whose worker is gone. The admin side (launch, list, cancel, retry) is admin.ts; what each kind
// stages and registers is the table in kinds.ts.
//
// The TrainingRun row itself is the job: status, queue position, attempts, lease (workerId + heartbeat) and progress
// live in one row, so the admin UI, the worker and the retry rules all read the same truth. That is why this is a
// `FOR UPDATE SKIP LOCKED` claim over TrainingRun rather than pg-boss: pg-boss would keep a second copy of each run
// (its own job table with its own state, retries and expiry) that must be kept in step with the run row — and it
// cannot express "claim the oldest run whose GPU count fits the GPUs free on this worker", which is the one query a
// GPU scheduler needs.
//
// Rules (see also trainer/worker/worker.ts):
// - claim: oldest first among runs that fit this worker's free slots (gpuCount 0 = the CPU slot, k > 0 = k free
//   GPUs). Runs that do not fit are skipped, so a 4-GPU run may wait while 1-GPU runs backfill.
// - lease: a claimed run belongs to (workerId, attempts). Every write by the worker is guarded by that pair and
//   status RUNNING, so a worker that lost its lease (it stalled past the stale timeout and someone else reclaimed
//   the run) can no longer change the run; its next heartbeat tells it to kill its process.
// - stale: a RUNNING run whose heartbeat is older than TRAINER_STALE_SECONDS is claimable again and resumes from its
//   last checkpoint; each claim counts one attempt; after maxAttempts the run is FAILED with the reason.
// - a trainer that exits non-zero FAILS the run without a retry: a bad config, bad data or an OOM repeats on every
//   attempt. Attempts are for lost workers (host crash, kill -9, network partition). "Retry" makes a new run.
// - dependencies (RunDependency): a QUEUED run whose needed runs have not all SUCCEEDED is skipped by the claim. When
//   a needed run succeeds, the `run:<id>` references to the model it registered are replaced by that model's id in
//   the same transaction (settleDependants); when one fails or is cancelled, the runs that need it — and the runs
//   that need those — are FAILED with the reason (failBlockedRuns), whichever way it ended (trainer exit, cancel,
//   lost worker).
import { db, type Tx } from "@/server/db";
import { pool } from "@/server/pg";
import { Prisma, type TrainingRun } from "@/server/generated/prisma/client";
import { modelConfigKeys, pendingModelPrefix } from "@/server/schemas/runs";
import { pgText } from "@/server/services/pg-text";

/** What a worker holds while it runs a run: writes are accepted only while this is still the current lease. */
export interface Lease {
  runId: string;
  workerId: string;
  attempt: number;
}

/** Bounded logs: the newest lines of each run are kept, the oldest dropped. */
export const RUN_LOG_MAX_LINES = 2000;
export const STDERR_TAIL_BYTES = 8 * 1024;

const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

export interface ClaimOptions {
  workerId: string;
  host: string;
  freeGpuIds: string[];
  cpuFree: boolean;
  staleSeconds: number;
}

export interface ClaimedRun {
  run: TrainingRun;
  lease: Lease;
  /** a previous attempt got this far: the trainer must resume from its output dir */
  resume: boolean;
}

/**
 * Atomically takes the oldest run that fits this worker's free slots, or a RUNNING run whose worker stopped
 * heart-beating. One statement: the row lock (SKIP LOCKED) and the status/heartbeat re-check that Postgres
 * performs on the locked row make it impossible for two workers to claim the same run.
 */
export async function claimRun(options: ClaimOptions): Promise<ClaimedRun | null> {
  await expireStaleRuns({ staleSeconds: options.staleSeconds });
  const { rows } = await pool().query<{ id: string; attempts: number }>(
    `WITH picked AS (
       SELECT id
         FROM "TrainingRun"
        WHERE "cancelRequested" = false
          AND (status = 'QUEUED'
               OR (status = 'RUNNING'
                   AND "heartbeatAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => $5)
                   AND attempts < "maxAttempts"))
          AND (("gpuCount" = 0 AND $4::boolean) OR ("gpuCount" > 0 AND "gpuCount" <= cardinality($3::text[])))
          AND NOT EXISTS (SELECT 1
                            FROM "RunDependency" d JOIN "TrainingRun" n ON n.id = d."needsId"
                           WHERE d."runId" = "TrainingRun".id AND n.status <> 'SUCCEEDED')
        ORDER BY "createdAt", id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
     )
     UPDATE "TrainingRun" r
        SET status = 'RUNNING',
            "workerId" = $1,
            host = $2,
            "gpuIds" = ($3::text[])[1:r."gpuCount"],
            attempts = r.attempts + 1,
            "heartbeatAt" = (now() AT TIME ZONE 'UTC'),
            "startedAt" = COALESCE(r."startedAt", now() AT TIME ZONE 'UTC'),
            "updatedAt" = (now() AT TIME ZONE 'UTC'),
            error = NULL
       FROM picked
      WHERE r.id = picked.id
  RETURNING r.id, r.attempts`,
    [options.workerId, options.host, options.freeGpuIds, options.cpuFree, options.staleSeconds],
  );
  const row = rows[0];
  if (!row) return null;
  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: row.id } });
  return {
    run,
    lease: { runId: run.id, workerId: options.workerId, attempt: row.attempts },
    // only an earlier attempt of this run can have written a checkpoint
    resume: run.checkpointPath !== null,
  };
}

/**
 * Ends RUNNING runs whose worker is gone and that may not be started again: cancelled ones become CANCELLED,
 * ones out of attempts FAILED, each with the reason.
 */
export async function expireStaleRuns(options: { staleSeconds: number }): Promise<number> {
  const stale = Prisma.sql`status = 'RUNNING' AND "heartbeatAt" < ${UTC_NOW} - make_interval(secs => ${options.staleSeconds})`;
  const cancelled = await db.$executeRaw`
    UPDATE "TrainingRun" SET status = 'CANCELLED', "finishedAt" = ${UTC_NOW}, "updatedAt" = ${UTC_NOW}
     WHERE ${stale} AND "cancelRequested" = true`;
  const failed = await db.$executeRaw`
    UPDATE "TrainingRun"
       SET status = 'FAILED', "finishedAt" = ${UTC_NOW}, "updatedAt" = ${UTC_NOW},
           error = 'the worker running it (' || COALESCE(host, '?') || ') stopped responding on attempt '
                   || attempts || ' of ' || "maxAttempts" || '; no attempts left'
     WHERE ${stale} AND attempts >= "maxAttempts"`;
  if (cancelled + failed > 0) await failBlockedRuns(db);
  return cancelled + failed;
}

// a chain is a handful of runs; the bound only stops a cycle someone built by hand in SQL
const MAX_CHAIN_DEPTH = 100;

/**
 * FAILS every QUEUED run that needs a run which failed or was cancelled, naming it and its reason, then the runs
 * that need those, down the chain. Returns how many runs it failed.
 */
export async function failBlockedRuns(tx: Tx | typeof db): Promise<number> {
  let total = 0;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const n = await tx.$executeRaw`
      UPDATE "TrainingRun" r
         SET status = 'FAILED', "finishedAt" = ${UTC_NOW}, "updatedAt" = ${UTC_NOW}, error = left(b.reason, 2000)
        FROM (SELECT DISTINCT ON (d."runId") d."runId" AS id,
                     'needs run "' || n.name || '", which '
                       || CASE WHEN n.status = 'FAILED' THEN 'failed' || COALESCE(': ' || n.error, '') ELSE 'was cancelled' END AS reason
                FROM "RunDependency" d JOIN "TrainingRun" n ON n.id = d."needsId"
               WHERE n.status IN ('FAILED', 'CANCELLED')
               ORDER BY d."runId", n."finishedAt", n.id) b
       WHERE r.id = b.id AND r.status = 'QUEUED'`;
    if (n === 0) break;
    total += n;
  }
  return total;
}

/**
 * A needed run succeeded: the runs waiting for the model it registered (`run:<id>` in their model column or their
 * model config keys) now name that model.
 */
export async function settleDependants(tx: Tx, runId: string): Promise<void> {
  const model = await tx.model.findFirst({ where: { runId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
  if (!model) return;
  const ref = `${pendingModelPrefix}${runId}`;
  await tx.trainingRun.updateMany({ where: { modelId: ref }, data: { modelId: model.id } });
  for (const key of modelConfigKeys) {
    await tx.$executeRaw`
      UPDATE "TrainingRun" SET config = jsonb_set(config, ARRAY[${key}]::text[], to_jsonb(${model.id}::text))
       WHERE config->>${key} = ${ref}`;
  }
}

const leaseWhere = (lease: Lease) => ({
  id: lease.runId,
  workerId: lease.workerId,
  attempts: lease.attempt,
  status: "RUNNING" as const,
});

export type HeartbeatResult = { held: false } | { held: true; cancelRequested: boolean };

export async function heartbeatRun(lease: Lease): Promise<HeartbeatResult> {
  const rows = await db.$queryRaw<{ cancelRequested: boolean }[]>`
    UPDATE "TrainingRun" SET "heartbeatAt" = ${UTC_NOW}, "updatedAt" = ${UTC_NOW}
     WHERE id = ${lease.runId} AND "workerId" = ${lease.workerId} AND attempts = ${lease.attempt} AND status = 'RUNNING'
 RETURNING "cancelRequested"`;
  const row = rows[0];
  return row ? { held: true, cancelRequested: row.cancelRequested } : { held: false };
}

export async function updateRunProgress(lease: Lease, progress: number): Promise<void> {
  await db.trainingRun.updateMany({ where: leaseWhere(lease), data: { progress: Math.min(1, Math.max(0, progress)) } });
}

export async function setRunCheckpoint(lease: Lease, checkpointPath: string): Promise<void> {
  await db.trainingRun.updateMany({ where: leaseWhere(lease), data: { checkpointPath } });
}

export async function recordRunMetrics(runId: string, rows: { step: number; name: string; value: number }[]): Promise<void> {
  if (rows.length === 0) return;
  // A resumed run repeats the steps after its last checkpoint; the first value of a step is kept.
  await db.runMetric.createMany({ data: rows.map((r) => ({ runId, ...r })), skipDuplicates: true });
}

export async function addRunSamples(
  runId: string,
  rows: { step: number; prompt: string; response: string; score: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.runSample.createMany({ data: rows.map((r) => ({ runId, ...r, prompt: pgText(r.prompt), response: pgText(r.response) })) });
}

export async function appendRunLogs(
  runId: string,
  lines: { stream: string; line: string }[],
  maxLines: number = RUN_LOG_MAX_LINES,
): Promise<void> {
  if (lines.length === 0) return;
  await db.runLog.createMany({ data: lines.slice(-maxLines).map((l) => ({ runId, stream: l.stream, line: pgText(l.line.slice(0, 4000)) })) });
  await db.$executeRaw`
    DELETE FROM "RunLog"
     WHERE "runId" = ${runId}
       AND id < (SELECT id FROM "RunLog" WHERE "runId" = ${runId} ORDER BY id DESC OFFSET ${maxLines - 1} LIMIT 1)`;
}

export interface FinishOptions {
  lease: Lease;
  status: "SUCCEEDED" | "FAILED" | "CANCELLED";
  error?: string | null;
  stderrTail?: string | null;
  /** runs inside the same transaction as the status change, e.g. to register the model */
  onSuccess?: (tx: Tx, run: TrainingRun) => Promise<void>;
}

// Registering a run's outputs can write every item of a project (a SCORE run) in the finishing transaction.
const FINISH_TIMEOUT_MS = 120_000;

/** Ends the run if this worker still holds it. Returns false when the lease was lost meanwhile. */
export async function finishRun(options: FinishOptions): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const updated = await tx.trainingRun.updateMany({
      where: leaseWhere(options.lease),
      data: {
        status: options.status,
        finishedAt: new Date(),
        error: options.error ?? null,
        ...(options.stderrTail !== undefined ? { stderrTail: options.stderrTail } : {}),
        ...(options.status === "SUCCEEDED" ? { progress: 1 } : {}),
      },
    });
    if (updated.count === 0) return false;
    if (options.onSuccess) {
      const run = await tx.trainingRun.findUniqueOrThrow({ where: { id: options.lease.runId } });
      await options.onSuccess(tx, run);
    }
    if (options.status === "SUCCEEDED") await settleDependants(tx, options.lease.runId);
    else await failBlockedRuns(tx);
    return true;
  }, { timeout: FINISH_TIMEOUT_MS });
}

/**
 * A worker stopping on purpose hands its run back to the queue at once (instead of after the stale timeout); the
 * attempt it used is given back too, since nothing went wrong with the run.
 */
export async function releaseRun(lease: Lease, stderrTail?: string): Promise<boolean> {
  const updated = await db.trainingRun.updateMany({
    where: leaseWhere(lease),
    data: { status: "QUEUED", workerId: null, heartbeatAt: null, gpuIds: [], attempts: { decrement: 1 }, ...(stderrTail ? { stderrTail } : {}) },
  });
  return updated.count === 1;
}
