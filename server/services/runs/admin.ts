// The trainer queue as the admin pages see it: launch a run (each kind's inputs checked by its entry in kinds.ts),
// list runs with their queue positions, a run's metrics, logs and samples, cancel and retry. The worker's side of
// the queue (claim, heartbeat, finish) is queue.ts.
import type { z } from "zod";
import { AppError, parseOrThrow } from "@/server/errors";
import { db } from "@/server/db";
import * as audit from "@/server/services/audit";
import { MODEL_PATH_KEYS, modelPathProblem } from "@/server/services/model-paths";
import { pendingRuns, runKinds, type RunKindSpec } from "@/server/services/runs/kinds";
import { failBlockedRuns } from "@/server/services/runs/queue";
import { Prisma, type RunKind, type TrainingRun } from "@/server/generated/prisma/client";
import { serviceRunInput, type LaunchRunInput } from "@/server/schemas/run-launch";
import { listRunsInput, modelConfigKeys, pendingModelPrefix, runLogsInput, runMetricsInput } from "@/server/schemas/runs";

export type RunWithPosition = TrainingRun & {
  /** 1 = next to be claimed; null unless QUEUED */
  queuePosition: number | null;
  /** the runs this one needs, with their status (it waits while any has not SUCCEEDED) */
  needs: { id: string; name: string; kind: RunKind; status: TrainingRun["status"] }[];
};

/** The runs a launch needs: the ones asked for, and the ones whose future models it names (`run:<id>`). */
async function neededRuns(asked: string[], launched: { modelId?: string | null; config: Record<string, unknown> }): Promise<string[]> {
  const fromModels = pendingRuns(launched.modelId, ...modelConfigKeys.map((k) => (typeof launched.config[k] === "string" ? (launched.config[k] as string) : null)));
  const ids = [...new Set([...asked, ...fromModels])];
  if (ids.length === 0) return ids;
  const runs = await db.trainingRun.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, status: true } });
  const found = new Map(runs.map((r) => [r.id, r]));
  const problems = ids.flatMap((id, i) => {
    const run = found.get(id);
    if (!run) return [{ field: `needs.${i}`, message: `run ${id} not found` }];
    if (run.status === "FAILED" || run.status === "CANCELLED") return [{ field: `needs.${i}`, message: `run "${run.name}" ${run.status === "FAILED" ? "failed" : "was cancelled"}` }];
    return [];
  });
  if (problems.length > 0) throw new AppError("BAD_REQUEST", `a needed run cannot succeed: ${problems[0].message}`, problems);
  return ids;
}

/** Queues a run: its launch config checked against the trainer's config schema, its inputs by its kind's entry. */
export async function enqueueRun(options: { input: LaunchRunInput; createdById?: string | null }): Promise<TrainingRun> {
  const input = parseOrThrow(serviceRunInput, options.input, { what: "Invalid run" });
  const spec = runKinds[input.kind] as RunKindSpec<RunKind>;
  const launched = await spec.launch(input as never, { ...input.config });
  const config = launched.config;

  const pathErrors = MODEL_PATH_KEYS.flatMap((key) => {
    const value = config[key];
    const problem = typeof value === "string" && value !== "" ? modelPathProblem(value) : null;
    return problem ? [{ field: `config.${key}`, message: problem }] : [];
  });
  if (pathErrors.length > 0) throw new AppError("BAD_REQUEST", `${pathErrors[0].field} ${pathErrors[0].message}`, pathErrors);
  const needs = await neededRuns(input.needs, launched);

  return db.$transaction(async (tx) => {
    const run = await tx.trainingRun.create({
      data: {
        kind: input.kind,
        name: input.name,
        config: config as Prisma.InputJsonObject,
        snapshotId: launched.snapshotId ?? null,
        modelId: launched.modelId ?? null,
        projectId: launched.projectId ?? null,
        gpuCount: input.gpuCount,
        maxAttempts: input.maxAttempts,
        createdById: options.createdById ?? null,
        needs: { create: needs.map((needsId) => ({ needsId })) },
      },
    });
    await audit.record({ actorId: options.createdById ?? null, action: "run.launch", targetType: "run", targetId: run.id, after: { ...launchView(run), needs } }, tx);
    return run;
  });
}

/** What the audit log keeps of a run: its inputs, not its progress. */
function launchView(run: TrainingRun) {
  const { kind, name, config, snapshotId, modelId, projectId, gpuCount, maxAttempts } = run;
  return { kind, name, config, snapshotId, modelId, projectId, gpuCount, maxAttempts };
}

async function withQueueState(runs: TrainingRun[]): Promise<RunWithPosition[]> {
  const positions = await queuePositions(runs);
  const deps = await db.runDependency.findMany({
    where: { runId: { in: runs.map((r) => r.id) } },
    select: { runId: true, needs: { select: { id: true, name: true, kind: true, status: true } } },
    orderBy: { needs: { createdAt: "asc" } },
  });
  const needs = new Map<string, RunWithPosition["needs"]>();
  for (const d of deps) needs.set(d.runId, [...(needs.get(d.runId) ?? []), d.needs]);
  return runs.map((r) => ({ ...r, queuePosition: positions.get(r.id) ?? null, needs: needs.get(r.id) ?? [] }));
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
    where: { status: input.status, kind: input.kind, projectId: input.projectId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  return withQueueState(runs);
}

export async function getRun(options: { id: string }): Promise<RunWithPosition> {
  const run = await db.trainingRun.findUnique({ where: { id: options.id } });
  if (!run) throw new AppError("NOT_FOUND", "run not found");
  return (await withQueueState([run]))[0];
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
    // the runs waiting for a cancelled run cannot start; a RUNNING one's dependants follow when it has stopped
    if (queued.count === 1) await failBlockedRuns(tx);
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
 *
 * The runs that were failed because they needed this one (they never started) are queued again too, down the
 * chain, each waiting for the retry instead and naming the model it will register (`run:<new id>`), and a loop
 * iteration that listed the old runs lists the new ones: retrying the failed middle step of a chain resumes it.
 */
export async function retryRun(options: { id: string; createdById?: string | null }): Promise<TrainingRun> {
  const run = await db.trainingRun.findUnique({ where: { id: options.id }, include: { needs: { select: { needsId: true } } } });
  if (!run) throw new AppError("NOT_FOUND", "run not found");
  if (run.status === "QUEUED" || run.status === "RUNNING") {
    throw new AppError("CONFLICT", "the run is still queued or running; cancel it first");
  }
  return db.$transaction(async (tx) => {
    // old id → new id, for the needs and the `run:<id>` references of the dependants queued again
    const renamed = new Map<string, string>();
    const rewire = (ref: string | null) => (ref?.startsWith(pendingModelPrefix) && renamed.has(ref.slice(pendingModelPrefix.length)) ? `${pendingModelPrefix}${renamed.get(ref.slice(pendingModelPrefix.length))}` : ref);
    const again = async (old: typeof run, dependant: boolean) => {
      const config = { ...(old.config as Record<string, unknown>) };
      for (const key of modelConfigKeys) if (typeof config[key] === "string") config[key] = rewire(config[key] as string);
      const retry = await tx.trainingRun.create({
        data: {
          kind: old.kind,
          name: /\(retry\)$/.test(old.name) ? old.name : `${old.name} (retry)`,
          config: config as Prisma.InputJsonValue,
          snapshotId: old.snapshotId,
          modelId: rewire(old.modelId),
          projectId: old.projectId,
          gpuCount: old.gpuCount,
          maxAttempts: old.maxAttempts,
          createdById: options.createdById ?? old.createdById,
          // a retry waits for what the run waited for (a failed need fails it again, with the reason)
          needs: { create: old.needs.map(({ needsId }) => ({ needsId: renamed.get(needsId) ?? needsId })) },
        },
      });
      renamed.set(old.id, retry.id);
      await tx.$executeRaw`UPDATE "LoopIteration" SET "runIds" = array_replace("runIds", ${old.id}, ${retry.id}) WHERE ${old.id} = ANY("runIds")`;
      await audit.record(
        {
          actorId: options.createdById ?? null,
          action: "run.retry",
          targetType: "run",
          targetId: retry.id,
          before: { retryOf: old.id, status: old.status, ...(dependant ? { becauseOfRetryOf: run.id } : {}) },
          after: launchView(retry),
        },
        tx,
      );
      return retry;
    };
    const retry = await again(run, false);
    // breadth-first down the chain: a dependant is queued again after every run it needs that is queued again
    for (let frontier = [run.id], depth = 0; frontier.length > 0 && depth < 100; depth++) {
      const blocked = await tx.trainingRun.findMany({
        where: { status: "FAILED", startedAt: null, needs: { some: { needsId: { in: frontier } } } },
        include: { needs: { select: { needsId: true } } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      frontier = [];
      for (const dependant of blocked) {
        if (renamed.has(dependant.id)) continue;
        await again(dependant, true);
        frontier.push(dependant.id);
      }
    }
    await failBlockedRuns(tx);
    return retry;
  });
}
