// The trainer queue. The TrainingRun row itself is the job: status, queue position, attempts, lease (workerId +
// heartbeat) and progress live in one row, so the admin UI, the worker and the retry rules all read the same
// truth. That is why this is a `FOR UPDATE SKIP LOCKED` claim over TrainingRun rather than pg-boss: pg-boss would
// keep a second copy of each run (its own job table with its own state, retries and expiry) that must be kept in
// step with the run row — and it cannot express "claim the oldest run whose GPU count fits the GPUs free on this
// worker", which is the one query a GPU scheduler needs.
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
import { AppError } from "@/server/errors";
import { db, type Tx } from "@/server/db";
import { pool } from "@/server/pg";
import * as audit from "@/server/services/audit";
import { MODEL_PATH_KEYS, modelPathProblem } from "@/server/services/model-paths";
import { Prisma, type TrainingRun } from "@/server/generated/prisma/client";
import {
  enqueueRunInput,
  endpointGenerationConfig,
  listRunsInput,
  runLogsInput,
  runMetricsInput,
  type EnqueueRunInput,
} from "@/server/schemas/runs";
import type { z } from "zod";

export type RunWithPosition = TrainingRun & {
  /** 1 = next to be claimed; null unless QUEUED */
  queuePosition: number | null;
};

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

// ---------------------------------------------------------------------------------------------------------------
// admin side

export async function enqueueRun(options: { input: EnqueueRunInput; createdById?: string | null }): Promise<TrainingRun> {
  const parsed = enqueueRunInput.safeParse(options.input);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      "invalid run",
      parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
    );
  }
  const input = parsed.data;
  const config: Record<string, unknown> = { ...input.config };
  let snapshotId: string | null = null;
  let modelId: string | null = null;
  let projectId: string | null = null;

  if (input.kind === "REWARD") {
    snapshotId = (await requireSnapshot(input.snapshotId)).id;
  } else if (input.kind === "PPO") {
    const rm = await db.model.findUnique({ where: { id: input.modelId } });
    if (!rm || rm.kind !== "REWARD") throw new AppError("BAD_REQUEST", "choose a registered reward model", [{ field: "modelId", message: "not a reward model" }]);
    modelId = rm.id;
    if (!input.projectId && !input.snapshotId) {
      throw new AppError("BAD_REQUEST", "PPO needs prompts: choose a project or a snapshot", [{ field: "projectId", message: "required" }]);
    }
    if (input.projectId) projectId = (await requireProject(input.projectId)).id;
    if (input.snapshotId) snapshotId = (await requireSnapshot(input.snapshotId)).id;
    if (input.policyModelId) {
      const policy = await db.model.findUnique({ where: { id: input.policyModelId } });
      if (!policy || policy.kind !== "POLICY") throw new AppError("BAD_REQUEST", "choose a registered policy", [{ field: "policyModelId", message: "not a policy" }]);
      config.policy_model_id = policy.id;
      delete config.policy_path;
    } else if (typeof config.policy_path !== "string" || config.policy_path === "") {
      throw new AppError("BAD_REQUEST", "PPO needs a starting policy: choose one from the registry or give a model directory", [
        { field: "config.policy_path", message: "required without a registered policy" },
      ]);
    }
  } else {
    projectId = (await requireProject(input.projectId)).id;
    if (Boolean(input.modelId) === Boolean(input.endpointId)) {
      throw new AppError("BAD_REQUEST", "generate from either a registered policy or an endpoint", [{ field: "modelId", message: "choose exactly one source" }]);
    }
    if (input.modelId) {
      const policy = await db.model.findUnique({ where: { id: input.modelId } });
      if (!policy || policy.kind !== "POLICY") throw new AppError("BAD_REQUEST", "choose a registered policy", [{ field: "modelId", message: "not a policy" }]);
      modelId = policy.id;
    } else {
      const endpoint = await db.endpoint.findUnique({ where: { id: input.endpointId } });
      if (!endpoint) throw new AppError("BAD_REQUEST", "endpoint not found", [{ field: "endpointId", message: "not found" }]);
      const settings = endpointGenerationConfig.strict().safeParse(input.config);
      if (!settings.success) {
        throw new AppError("BAD_REQUEST", "invalid generation settings", settings.error.issues.map((i) => ({ field: `config.${i.path.join(".")}`, message: i.message })));
      }
      Object.assign(config, settings.data, { endpoint_id: endpoint.id });
      if (input.gpuCount > 0) throw new AppError("BAD_REQUEST", "endpoint generation needs no GPU", [{ field: "gpuCount", message: "must be 0" }]);
    }
  }

  const pathErrors = MODEL_PATH_KEYS.flatMap((key) => {
    const value = config[key];
    const problem = typeof value === "string" && value !== "" ? modelPathProblem(value) : null;
    return problem ? [{ field: `config.${key}`, message: problem }] : [];
  });
  if (pathErrors.length > 0) throw new AppError("BAD_REQUEST", `${pathErrors[0].field} ${pathErrors[0].message}`, pathErrors);

  return db.$transaction(async (tx) => {
    const run = await tx.trainingRun.create({
      data: {
        kind: input.kind,
        name: input.name,
        config: config as Prisma.InputJsonObject,
        snapshotId,
        modelId,
        projectId,
        gpuCount: input.gpuCount,
        maxAttempts: input.maxAttempts,
        createdById: options.createdById ?? null,
      },
    });
    await audit.record({ actorId: options.createdById ?? null, action: "run.launch", targetType: "run", targetId: run.id, after: launchView(run) }, tx);
    return run;
  });
}

/** What the audit log keeps of a run: its inputs, not its progress. */
function launchView(run: TrainingRun) {
  const { kind, name, config, snapshotId, modelId, projectId, gpuCount, maxAttempts } = run;
  return { kind, name, config, snapshotId, modelId, projectId, gpuCount, maxAttempts };
}

async function requireSnapshot(id: string) {
  const snapshot = await db.snapshot.findUnique({ where: { id } });
  if (!snapshot) throw new AppError("BAD_REQUEST", "snapshot not found", [{ field: "snapshotId", message: "not found" }]);
  if (snapshot.status !== "SUCCEEDED") {
    throw new AppError("BAD_REQUEST", `snapshot "${snapshot.name}" v${snapshot.version} is not ready (${snapshot.status.toLowerCase()})`, [{ field: "snapshotId", message: "not ready" }]);
  }
  return snapshot;
}

async function requireProject(id: string) {
  const project = await db.project.findUnique({ where: { id } });
  if (!project) throw new AppError("BAD_REQUEST", "project not found", [{ field: "projectId", message: "not found" }]);
  return project;
}

async function queuePositions(runs: TrainingRun[]): Promise<Map<string, number>> {
  const queued = runs.filter((r) => r.status === "QUEUED").map((r) => r.id);
  if (queued.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: string; ahead: bigint }[]>`
    SELECT r.id,
           (SELECT count(*) FROM "TrainingRun" q
             WHERE q.status = 'QUEUED' AND (q."createdAt", q.id) < (r."createdAt", r.id)) AS ahead
      FROM "TrainingRun" r
     WHERE r.id = ANY(${queued})`;
  return new Map(rows.map((r) => [r.id, Number(r.ahead) + 1]));
}

export async function listRuns(options: z.input<typeof listRunsInput> = {}): Promise<RunWithPosition[]> {
  const input = listRunsInput.parse(options);
  const runs = await db.trainingRun.findMany({
    where: { status: input.status, kind: input.kind },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  const positions = await queuePositions(runs);
  return runs.map((r) => ({ ...r, queuePosition: positions.get(r.id) ?? null }));
}

export async function getRun(options: { id: string }): Promise<RunWithPosition> {
  const run = await db.trainingRun.findUnique({ where: { id: options.id } });
  if (!run) throw new AppError("NOT_FOUND", "run not found");
  const positions = await queuePositions([run]);
  return { ...run, queuePosition: positions.get(run.id) ?? null };
}

export async function listRunMetrics(options: z.input<typeof runMetricsInput>) {
  const input = runMetricsInput.parse(options);
  return db.runMetric.findMany({
    where: {
      runId: input.runId,
      ...(input.names ? { name: { in: input.names } } : {}),
      ...(input.afterStep !== undefined ? { step: { gt: input.afterStep } } : {}),
    },
    orderBy: [{ step: "asc" }, { name: "asc" }],
    select: { step: true, name: true, value: true },
  });
}

export async function listRunLogs(options: z.input<typeof runLogsInput>) {
  const input = runLogsInput.parse(options);
  const rows = await db.runLog.findMany({
    where: { runId: input.runId, ...(input.afterId ? { id: { gt: BigInt(input.afterId) } } : {}) },
    orderBy: { id: "asc" },
    take: input.limit,
  });
  return rows.map((r) => ({ id: r.id.toString(), stream: r.stream, line: r.line, createdAt: r.createdAt }));
}

export async function listRunSamples(options: { runId: string; step?: number }) {
  return db.runSample.findMany({
    where: { runId: options.runId, ...(options.step !== undefined ? { step: options.step } : {}) },
    orderBy: [{ step: "asc" }, { id: "asc" }],
    take: 2000,
  });
}

/** QUEUED runs are cancelled at once; a RUNNING run is flagged and its worker stops the process tree. */
export async function cancelRun(options: { id: string; actorId?: string | null }): Promise<TrainingRun> {
  return db.$transaction(async (tx) => {
    const now = new Date();
    const queued = await tx.trainingRun.updateMany({
      where: { id: options.id, status: "QUEUED" },
      data: { status: "CANCELLED", cancelRequested: true, finishedAt: now },
    });
    if (queued.count === 0) {
      const running = await tx.trainingRun.updateMany({
        where: { id: options.id, status: "RUNNING" },
        data: { cancelRequested: true },
      });
      if (running.count === 0) {
        const run = await tx.trainingRun.findUnique({ where: { id: options.id } });
        if (!run) throw new AppError("NOT_FOUND", "run not found");
        throw new AppError("CONFLICT", `the run has already ${run.status === "CANCELLED" ? "been cancelled" : "finished"}`);
      }
    }
    const run = await tx.trainingRun.findUniqueOrThrow({ where: { id: options.id } });
    await audit.record(
      {
        actorId: options.actorId ?? null,
        action: "run.cancel",
        targetType: "run",
        targetId: run.id,
        before: { status: queued.count === 1 ? "QUEUED" : "RUNNING" },
        after: { status: run.status, cancelRequested: true },
      },
      tx,
    );
    return run;
  });
}

/**
 * A finished run (failed or cancelled; succeeded too, to train again) is never reopened: retry creates a new run
 * with the same inputs and config, so each attempt keeps its own metrics, logs and error for comparison.
 */
export async function retryRun(options: { id: string; createdById?: string | null }): Promise<TrainingRun> {
  const run = await db.trainingRun.findUnique({ where: { id: options.id } });
  if (!run) throw new AppError("NOT_FOUND", "run not found");
  if (run.status === "QUEUED" || run.status === "RUNNING") {
    throw new AppError("CONFLICT", "the run is still queued or running; cancel it first");
  }
  return db.$transaction(async (tx) => {
    const retry = await tx.trainingRun.create({
      data: {
        kind: run.kind,
        name: /\(retry\)$/.test(run.name) ? run.name : `${run.name} (retry)`,
        config: run.config as Prisma.InputJsonValue,
        snapshotId: run.snapshotId,
        modelId: run.modelId,
        projectId: run.projectId,
        gpuCount: run.gpuCount,
        maxAttempts: run.maxAttempts,
        createdById: options.createdById ?? run.createdById,
      },
    });
    await audit.record(
      { actorId: options.createdById ?? null, action: "run.retry", targetType: "run", targetId: retry.id, before: { retryOf: run.id, status: run.status }, after: launchView(retry) },
      tx,
    );
    return retry;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// worker side

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
  return cancelled + failed;
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

/** PostgreSQL text cannot hold NUL; model output (a byte-level policy, an endpoint) sometimes does. */
export function pgText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
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
    return true;
  });
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
