// The loop, measured: an arena (a blind pairwise project where two policies' responses to the same held-out prompts
// meet, its judgements feeding the project's Bradley-Terry leaderboard) and an iteration queued as one chain of runs
// that wait for each other (RunDependency; server/services/runs/queue.ts): REWARD → PPO, or DPO, then EVAL, then
// GENERATE into an arena. Later steps name the models earlier steps will register as `run:<id>`.
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { AppError, parseOrThrow } from "@/server/errors";
import { db } from "@/server/db";
import type { Project, TrainingRun } from "@/server/generated/prisma/client";
import { arenaInput, iterationInput, type ArenaInput, type IterationInput } from "@/server/schemas/loop";
import { projectSettingsSchema } from "@/server/schemas/project";
import { pendingModelPrefix } from "@/server/schemas/runs";
import type { LaunchRunInput } from "@/server/schemas/run-launch";
import * as audit from "@/server/services/audit";
import { activeRewardModel } from "@/server/services/models";
import * as projects from "@/server/services/projects";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import { unpublishSnapshot } from "@/server/services/artifacts";
import { cancelRun, enqueueRun } from "@/server/services/runs/admin";

const arenaGuidelines = [
  "Two models answered the same prompt. Pick the better response, or call it a tie when neither is better.",
  "",
  "The responses are shown in a random order and the models are not named: judge only what is written.",
].join("\n");

async function modelName(id: string, field: string): Promise<string> {
  if (id.startsWith(pendingModelPrefix)) {
    const run = await db.trainingRun.findUnique({ where: { id: id.slice(pendingModelPrefix.length) }, select: { name: true } });
    if (!run) throw new AppError("BAD_REQUEST", "run not found", [{ field, message: "no such run" }]);
    return run.name;
  }
  const model = await db.model.findUnique({ where: { id }, select: { name: true, kind: true } });
  if (!model || model.kind !== "POLICY") throw new AppError("BAD_REQUEST", "choose a registered policy", [{ field, message: "not a policy" }]);
  return model.name;
}

/**
 * A pairwise project (models not shown, ties allowed) and the GENERATE run that fills it: each item pairs a response
 * of the policy with one of the opponent for the same prompt; the annotation queue shows each assignment in a random
 * order. Its members are copied from `membersFromProjectId`, else from the snapshot's first project.
 */
export async function createArena(options: { input: ArenaInput; actorId: string; needs?: string[] }): Promise<{ project: Project; run: TrainingRun }> {
  const input = parseOrThrow(arenaInput, options.input, { what: "Invalid arena" });
  const [a, b] = await Promise.all([modelName(input.policyModelId, "policyModelId"), modelName(input.opponentModelId, "opponentModelId")]);
  const snapshot = await db.snapshot.findUnique({ where: { id: input.snapshotId }, select: { projectIds: true } });
  if (!snapshot) throw new AppError("BAD_REQUEST", "snapshot not found", [{ field: "snapshotId", message: "not found" }]);
  const membersFrom = input.membersFromProjectId ?? snapshot.projectIds[0];
  const suffix = randomBytes(3).toString("hex");
  const project = await projects.create({
    actorId: options.actorId,
    // the arena's own choices; every other setting is the schema's default (one place for defaults)
    settings: projectSettingsSchema.parse({
      name: (input.name ?? `Arena: ${a} vs ${b}`).slice(0, 120),
      slug: `arena-${suffix}-${Date.now().toString(36)}`,
      guidelines: arenaGuidelines,
      taskType: "PAIRWISE",
      criteria: [],
      allowTies: true,
      requireRationale: false,
      overlap: 1,
      leaseSeconds: 600,
      goldRate: 0,
      showModelNames: false,
      activeLearning: false,
      thumbs: false,
      editsAsPreference: false,
    }),
  });
  try {
    if (membersFrom) {
      const members = await db.projectMember.findMany({ where: { projectId: membersFrom }, select: { userId: true } });
      if (members.length > 0) await projects.setMembers({ actorId: options.actorId, projectId: project.id, userIds: members.map((m) => m.userId) });
    }
    const run = await enqueueRun({
      createdById: options.actorId,
      input: {
        kind: "GENERATE",
        name: `${project.name}: responses`.slice(0, 200),
        projectId: project.id,
        modelId: input.policyModelId,
        compareModelId: input.opponentModelId,
        snapshotId: input.snapshotId,
        config: { ...input.config, num_samples: input.numSamples },
        gpuCount: input.gpuCount,
        needs: options.needs ?? [],
      },
    });
    return { project, run };
  } catch (err) {
    // the project was only the arena's: without its run it would stay empty
    await db.project.delete({ where: { id: project.id } });
    throw err;
  }
}

/** The step a launch error came from, in its message and its fields (config.ppo.lr, …). */
function inStep(err: unknown, step: string, key: string): unknown {
  if (!(err instanceof AppError)) return err;
  const fields = err.fieldErrors?.map((f) => ({ ...f, field: f.field.startsWith("config.") ? `config.${key}.${f.field.slice(7)}` : f.field }));
  return new AppError(err.code, `${step}: ${err.message}`, fields);
}

/**
 * The project's judgements as they are now, as the next version of its loop snapshot ("loop <slug>" v1, v2, …):
 * TRL pairs in JSONL, every export default but the held-out share. Refused, naming the field, when it would leave the
 * trainer nothing to learn from or the evaluation no held-out prompt, before any run is queued.
 */
async function buildSnapshot(options: { project: { id: string; slug: string }; testRatio: number; actorId: string }) {
  const snapshot = await createSnapshot({
    name: `loop ${options.project.slug}`.slice(0, 100),
    projectIds: [options.project.id],
    split: { testRatio: options.testRatio, seed: "" },
    format: "trl",
    createdById: options.actorId,
  });
  const rows = snapshot.rowCounts;
  const label = `snapshot "${snapshot.name}" v${snapshot.version}`;
  const refuse = async (message: string, field: string, hint: string) => {
    // built only for this iteration, and of no use to any other: not left behind as an empty version
    await rm(snapshotDir(snapshot.id), { recursive: true, force: true });
    await unpublishSnapshot(snapshot.id, snapshot.files);
    await db.snapshot.delete({ where: { id: snapshot.id } });
    return new AppError("BAD_REQUEST", `${label}: ${message}`, [{ field, message: hint }]);
  };
  if (!rows.train) throw await refuse("the project has no preference pairs to train on yet", "snapshotId", "no judged pairs: collect judgements first");
  if (!rows.test) throw await refuse(`no prompt was held out for the evaluation (${rows.train} train rows)`, "testRatio", "hold out more prompts, or collect more");
  return snapshot;
}

/**
 * One turn of the loop as a chain of runs, queued at once: each waits for the one before it, and a failure fails
 * the rest with the reason. A step whose launch is refused cancels the steps already queued.
 */
export async function queueIteration(options: { input: IterationInput; actorId: string }) {
  const input = parseOrThrow(iterationInput, options.input, { what: "Invalid iteration" });
  const project = await db.project.findUnique({ where: { id: input.projectId }, select: { id: true, slug: true } });
  if (!project) throw new AppError("BAD_REQUEST", "project not found", [{ field: "projectId", message: "not found" }]);
  const snapshotId = input.snapshotId ?? (await buildSnapshot({ project, testRatio: input.testRatio, actorId: options.actorId })).id;
  const queued: TrainingRun[] = [];
  const launch = async (step: string, key: string, launchInput: LaunchRunInput) => {
    try {
      const run = await enqueueRun({ input: launchInput, createdById: options.actorId });
      queued.push(run);
      return run;
    } catch (err) {
      throw inStep(err, step, key);
    }
  };
  const common = { gpuCount: input.gpuCount };
  const ref = (run: TrainingRun) => `${pendingModelPrefix}${run.id}`;
  let arenaProjectId: string | null = null;
  try {
    let policy: TrainingRun;
    let judge: string;
    if (input.method === "REWARD") {
      const rm = await launch("reward model", "reward", { kind: "REWARD", name: `${input.name}: reward model`, snapshotId, config: input.config.reward, ...common });
      policy = await launch("PPO", "ppo", {
        kind: "PPO",
        name: `${input.name}: PPO`,
        modelId: ref(rm),
        snapshotId,
        policyModelId: input.policyModelId,
        config: input.config.ppo,
        ...common,
      });
      judge = input.rewardModelId ?? ref(rm);
    } else {
      policy = await launch("DPO", "dpo", { kind: "DPO", name: `${input.name}: DPO`, snapshotId, policyModelId: input.policyModelId, config: input.config.dpo, ...common });
      const active = input.rewardModelId ?? (await activeRewardModel())?.id;
      if (!active) throw new AppError("BAD_REQUEST", "evaluation: choose the reward model that judges it, or mark one active", [{ field: "rewardModelId", message: "required without an active reward model" }]);
      judge = active;
    }
    await launch("evaluation", "eval", {
      kind: "EVAL",
      name: `${input.name}: eval`,
      modelId: ref(policy),
      referenceModelId: input.policyModelId,
      rewardModelId: judge,
      snapshotId,
      config: input.config.eval,
      ...common,
    });
    if (input.arena) {
      try {
        const arena = await createArena({
          actorId: options.actorId,
          input: { policyModelId: ref(policy), opponentModelId: input.policyModelId, snapshotId, membersFromProjectId: input.projectId, name: `Arena: ${input.name}`, gpuCount: input.gpuCount, config: input.config.generate },
        });
        queued.push(arena.run);
        arenaProjectId = arena.project.id;
      } catch (err) {
        throw inStep(err, "arena", "generate");
      }
    }
  } catch (err) {
    for (const run of queued.reverse()) await cancelRun({ id: run.id, actorId: options.actorId }).catch(() => undefined);
    throw err;
  }
  return db.$transaction(async (tx) => {
    const iteration = await tx.loopIteration.create({
      data: {
        projectId: input.projectId,
        name: input.name,
        method: input.method,
        snapshotId,
        startPolicyId: input.policyModelId,
        runIds: queued.map((r) => r.id),
        arenaProjectId,
        createdById: options.actorId,
      },
    });
    await audit.record({ actorId: options.actorId, action: "loop.queue", targetType: "project", targetId: input.projectId, after: iteration }, tx);
    return iteration;
  });
}

/** A project's iterations, newest first, each with its runs, the models they registered and its evaluation. */
export async function listIterations(options: { projectId: string }) {
  const iterations = await db.loopIteration.findMany({ where: { projectId: options.projectId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  const runIds = iterations.flatMap((i) => i.runIds);
  const runs = await db.trainingRun.findMany({
    where: { id: { in: runIds } },
    select: {
      id: true, kind: true, name: true, status: true, error: true, progress: true, projectId: true,
      models: { select: { id: true, name: true, kind: true, metrics: true } },
      evalResult: true,
    },
  });
  const byId = new Map(runs.map((r) => [r.id, r]));
  const policyIds = [...new Set(iterations.map((i) => i.startPolicyId))];
  const starts = new Map((await db.model.findMany({ where: { id: { in: policyIds } }, select: { id: true, name: true } })).map((m) => [m.id, m.name]));
  return iterations.map((it) => ({
    ...it,
    startPolicyName: starts.get(it.startPolicyId) ?? null,
    runs: it.runIds.flatMap((id) => {
      const run = byId.get(id);
      return run ? [run] : [];
    }),
  }));
}

/** Every evaluation, newest first: the model page's table and chart. */
export async function listEvalResults(options: { modelId?: string } = {}) {
  return db.evalResult.findMany({
    where: options.modelId ? { OR: [{ policyModelId: options.modelId }, { referenceModelId: options.modelId }] } : {},
    orderBy: [{ createdAt: "desc" }, { runId: "desc" }],
    take: 500,
    include: { run: { select: { id: true, name: true, config: true } } },
  });
}
