// The run kinds as one table. For each kind: the launch inputs it checks (and the run columns they fill), the inputs
// it stages as files for its Python module, and what a succeeded run registers. The module and its config schema
// (the module's config dataclass, exported to server/schemas/trainer-config.json) are named in
// server/schemas/runs.ts (runKindModule) and read by server/schemas/run-launch.ts. A new kind is one entry here, its
// launch variant and module in server/schemas/runs.ts, and its Python file under trainer/rlhf/ (listed in
// rlhf/schema.py).
import path from "node:path";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError, parseOrThrow } from "@/server/errors";
import { findProject } from "@/server/services/projects";
import { db, type Tx } from "@/server/db";
import type { Model, ModelKind, RunKind, TrainingRun } from "@/server/generated/prisma/client";
import type { LaunchRunOutput } from "@/server/schemas/run-launch";
import type { ExportFormat } from "@/server/schemas/export";
import { endpointGenerationConfig, pendingModelPrefix, trainingFormats } from "@/server/schemas/runs";
import { judgeRunConfig } from "@/server/schemas/judge";
import { selfInstructRunConfig } from "@/server/schemas/self-instruct";
import { templateError } from "@/server/services/judge/verdict";
import { rewardModelSuggestions } from "@/server/services/judge/reward-model";
import { selfInstructResponsesCheck } from "@/server/services/self-instruct";
import { activeRewardModel, applyRmScores, registerPolicy, registerRewardModel, type DoneReport } from "@/server/services/models";
import { appendRunLogs } from "@/server/services/runs/queue";
import {
  projectPromptRows,
  projectScoreRows,
  registeredModel,
  snapshotPromptRows,
  snapshotPrompts,
  snapshotSplitFile,
  snapshotSplits,
  writeJsonl,
} from "@/server/services/runs/inputs";

/** What a launch resolves into: the run's input columns and its config (with the input-only keys added). */
export interface LaunchedInputs {
  snapshotId?: string | null;
  modelId?: string | null;
  projectId?: string | null;
  config: Record<string, unknown>;
}

/** The kind of model a run kind registers when it succeeds (null: it registers none). */
export function registersModelKind(kind: RunKind): ModelKind | null {
  if (!runKinds[kind].producesModel) return null;
  return kind === "REWARD" ? "REWARD" : "POLICY";
}

export interface StageContext {
  run: TrainingRun;
  /** the run's directory, <DATA_DIR>/runs/<runId> */
  dir: string;
  dataDir: string;
  /** what the trainer is given, filled in by stage: the launch config plus the staged files and paths */
  config: Record<string, unknown>;
}

export interface RegisterContext {
  tx: Tx;
  run: TrainingRun;
  done: Partial<DoneReport> & { metrics: Record<string, number> };
  /** the config the trainer was given (its staged paths included) */
  config: Record<string, unknown>;
}

export interface RunKindSpec<K extends RunKind> {
  /** the trainer's `done` names a model directory, which must pass the model-folder check before it is registered */
  producesModel: boolean;
  /** checks the launch inputs against the database (admin side, before the run is queued) */
  launch(input: Extract<LaunchRunOutput, { kind: K }>, config: Record<string, unknown>): Promise<LaunchedInputs>;
  /** writes the files the trainer reads and adds their paths to the config (worker side, before the trainer starts) */
  stage(ctx: StageContext): Promise<void>;
  /** what a succeeded run leaves behind, in the transaction that marks it SUCCEEDED */
  register?(ctx: RegisterContext): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// launch-time lookups (BAD_REQUEST naming the field: the admin chose something that is not there)

/**
 * A ready snapshot the run can read: JSONL, in a format its trainer reads (`formats`), with a train split that has
 * rows. Refused here, naming snapshotId, rather than minutes later on a worker.
 */
async function requireSnapshot(id: string, formats?: readonly ExportFormat[], what = "this run") {
  const snapshot = await db.snapshot.findUnique({ where: { id } });
  if (!snapshot) throw new AppError("BAD_REQUEST", "snapshot not found", [{ field: "snapshotId", message: "not found" }]);
  const label = `snapshot "${snapshot.name}" v${snapshot.version}`;
  if (snapshot.status !== "SUCCEEDED") {
    throw new AppError("BAD_REQUEST", `${label} is not ready (${snapshot.status.toLowerCase()})`, [{ field: "snapshotId", message: "not ready" }]);
  }
  const definition = (snapshot.definition ?? {}) as { format?: ExportFormat; fileType?: string };
  const format = definition.format ?? "trl";
  if (formats && !formats.includes(format)) {
    const message = `${label} is in the ${format} format; ${what} reads ${formats.join(", ")}`;
    throw new AppError("BAD_REQUEST", message, [{ field: "snapshotId", message: `${format} snapshots cannot be read: export ${formats.join(", ")}` }]);
  }
  if (formats && definition.fileType === "parquet") {
    throw new AppError("BAD_REQUEST", `${label} is Parquet; the trainer reads JSONL`, [{ field: "snapshotId", message: "export it as JSONL" }]);
  }
  const rows = (snapshot.rowCounts ?? {}) as { train?: number };
  if (formats && rows.train === 0) {
    throw new AppError("BAD_REQUEST", `${label} has no train rows: nothing to train on`, [{ field: "snapshotId", message: "its train split is empty" }]);
  }
  return snapshot;
}

const modelWords: Record<ModelKind, { choose: string; not: string }> = {
  REWARD: { choose: "choose a registered reward model", not: "not a reward model" },
  POLICY: { choose: "choose a registered policy", not: "not a policy" },
};

async function requireModel(id: string, kind: ModelKind, field: string): Promise<Model> {
  const model = await db.model.findUnique({ where: { id } });
  if (!model || model.kind !== kind) throw new AppError("BAD_REQUEST", modelWords[kind].choose, [{ field, message: modelWords[kind].not }]);
  return model;
}

/**
 * A registered model, or `run:<runId>`: the model a queued or running run will register (the launch then needs that
 * run; see pendingModelPrefix). A reference to a run that already succeeded resolves to the model it registered.
 */
async function requireModelRef(id: string, kind: ModelKind, field: string): Promise<string> {
  if (!id.startsWith(pendingModelPrefix)) return (await requireModel(id, kind, field)).id;
  const runId = id.slice(pendingModelPrefix.length);
  const run = await db.trainingRun.findUnique({ where: { id: runId }, include: { models: { select: { id: true, kind: true } } } });
  if (!run) throw new AppError("BAD_REQUEST", `run ${runId} not found`, [{ field, message: "no such run" }]);
  if (registersModelKind(run.kind) !== kind) {
    throw new AppError("BAD_REQUEST", `run "${run.name}" (${run.kind}) does not produce ${kind === "REWARD" ? "a reward model" : "a policy"}`, [{ field, message: modelWords[kind].not }]);
  }
  if (run.status === "FAILED" || run.status === "CANCELLED") {
    throw new AppError("BAD_REQUEST", `run "${run.name}" ${run.status === "FAILED" ? "failed" : "was cancelled"}: it will register no model`, [{ field, message: "run did not succeed" }]);
  }
  if (run.status === "SUCCEEDED") {
    const model = run.models.find((m) => m.kind === kind);
    if (!model) throw new AppError("BAD_REQUEST", `run "${run.name}" registered no model`, [{ field, message: "no model" }]);
    return model.id;
  }
  return id;
}

/** The runs whose models the launch refers to before they exist: the launch needs them. */
export function pendingRuns(...ids: (string | null | undefined)[]): string[] {
  return ids.flatMap((id) => (id?.startsWith(pendingModelPrefix) ? [id.slice(pendingModelPrefix.length)] : []));
}

/** The prompts file's rows from a snapshot's held-out split: EVAL and arena generation answer these. */
function heldOutFile(snapshot: { name: string; version: number; files: unknown }, field: string, fallbackToTrain: boolean): void {
  if (snapshotSplitFile(snapshot, "test") || (fallbackToTrain && snapshotSplitFile(snapshot, "train"))) return;
  throw new AppError(
    "BAD_REQUEST",
    `snapshot "${snapshot.name}" v${snapshot.version} has no JSONL test split: held-out prompts need one (export it as JSONL with a test fraction)`,
    [{ field, message: "no test split" }],
  );
}

async function requireEndpoint(id: string) {
  const endpoint = await db.endpoint.findUnique({ where: { id } });
  if (!endpoint) throw new AppError("BAD_REQUEST", "endpoint not found", [{ field: "endpointId", message: "not found" }]);
  return endpoint;
}

async function stagePrompts(ctx: StageContext, prompts: unknown[], empty: string): Promise<void> {
  if (prompts.length === 0) throw new AppError("PRECONDITION_FAILED", empty);
  ctx.config.prompts_file = path.join(ctx.dir, "prompts.jsonl");
  await writeJsonl(ctx.config.prompts_file as string, prompts);
}

async function stageSnapshot(ctx: StageContext, snapshotId: string) {
  const splits = await snapshotSplits(ctx.dataDir, snapshotId);
  ctx.config.snapshot_id = splits.snapshot.id;
  if (splits.sha256) ctx.config.snapshot_sha256 = splits.sha256;
  return splits;
}

/**
 * The train split (and the test split, when it has rows) of a training run's snapshot, with what the run should
 * know in its log: an empty test split is left out (the run trains without eval_ metrics instead of failing on it),
 * and ties the snapshot dropped (`ties: drop`) are counted, since the trainer never sees them.
 */
async function stageTrainingSnapshot(ctx: StageContext, what: string): Promise<void> {
  if (!ctx.run.snapshotId) throw new AppError("PRECONDITION_FAILED", `${what} needs a snapshot`);
  const splits = await stageSnapshot(ctx, ctx.run.snapshotId);
  ctx.config.train_file = splits.train;
  const notes: string[] = [];
  if (splits.test && splits.testRows !== 0) ctx.config.test_file = splits.test;
  else if (splits.test) notes.push("the snapshot's test split is empty: training without evaluation (no eval_ metrics)");
  const definition = (splits.snapshot.definition ?? {}) as { aggregation?: { ties?: string } };
  const tieAnnotations = ((splits.snapshot.stats ?? {}) as { tieAnnotations?: number }).tieAnnotations ?? 0;
  if ((definition.aggregation?.ties ?? "drop") === "drop" && tieAnnotations > 0) {
    notes.push(`the snapshot left out the tied pairs of ${tieAnnotations} judgement(s) (ties: drop); export with ties: keep to train on them`);
  }
  if (notes.length > 0) await appendRunLogs(ctx.run.id, notes.map((line) => ({ stream: "worker", line })));
}

/**
 * Self-Instruct's and the AI judge's generator, kept in the config: an endpoint (endpoint_id; no GPU) or a registered
 * policy (policy_model_id; the worker serves it, on the CPU slot or one GPU). The schema saw exactly one of them.
 */
async function requireGenerator(input: { endpointId?: string; policyModelId?: string; gpuCount: number }, what: string): Promise<Record<string, string>> {
  if (input.policyModelId) {
    if (input.gpuCount > 1) throw new AppError("BAD_REQUEST", `${what} serves its policy on one device`, [{ field: "gpuCount", message: "0 (CPU) or 1" }]);
    return { policy_model_id: (await requireModel(input.policyModelId, "POLICY", "policyModelId")).id };
  }
  if (input.gpuCount > 0) throw new AppError("BAD_REQUEST", `${what} on an endpoint needs no GPU`, [{ field: "gpuCount", message: "must be 0" }]);
  return { endpoint_id: (await requireEndpoint(input.endpointId as string)).id };
}

/**
 * The policy a PPO, GRPO, RLOO, DPO or KTO run starts from: a registered one (kept as policy_model_id, its path staged by the worker)
 * or a model directory in config.policy_path.
 */
async function chooseStartingPolicy(kind: string, policyModelId: string | undefined, config: Record<string, unknown>) {
  if (policyModelId) {
    const { policy_path: _ignored, ...rest } = config;
    return { ...rest, policy_model_id: await requireStartingPolicy(policyModelId, config) };
  }
  if (typeof config.policy_path !== "string" || config.policy_path === "") {
    throw new AppError("BAD_REQUEST", `${kind} needs a starting policy: choose one from the registry or give a model directory`, [
      { field: "config.policy_path", message: "required without a registered policy" },
    ]);
  }
  return config;
}

/**
 * A registered policy to start from (or `run:<id>`, the one a queued run will register), in the run's backend (a tiny
 * policy cannot be loaded as hf, nor the reverse).
 */
async function requireStartingPolicy(id: string, config: Record<string, unknown>): Promise<string> {
  const ref = await requireModelRef(id, "POLICY", "policyModelId");
  if (ref.startsWith(pendingModelPrefix)) return ref;
  const policy = await requireModel(ref, "POLICY", "policyModelId");
  const backend = typeof config.backend === "string" ? config.backend : "tiny";
  if (policy.backend !== backend) {
    throw new AppError("BAD_REQUEST", `the policy "${policy.name}" is a ${policy.backend} model; the run's backend is ${backend}`, [
      { field: "policyModelId", message: `a ${policy.backend} model: choose the ${policy.backend} backend` },
    ]);
  }
  return policy.id;
}

async function stageStartingPolicy(ctx: StageContext): Promise<void> {
  const policyModelId = (ctx.run.config as Record<string, unknown>).policy_model_id;
  if (typeof policyModelId === "string") ctx.config.policy_path = (await registeredModel(policyModelId, "POLICY", "policy", ctx.dataDir)).path;
}

const scoreRow = z.object({ id: z.string(), score: z.number() });

// what rlhf.evaluate's `done` reports (trainer/rlhf/evaluate.py, summarize)
const evalMetrics = z.object({
  win_rate: z.number(),
  win_rate_ci_low: z.number(),
  win_rate_ci_high: z.number(),
  tie_rate: z.number(),
  "reward/policy": z.number(),
  "reward/reference": z.number(),
  kl: z.number(),
  "length/policy": z.number(),
  "length/reference": z.number(),
  prompts: z.number().int(),
  pairs: z.number().int(),
});

/**
 * Online RL (PPO, GRPO, RLOO): a starting policy (registered, or a model directory), a registered reward model, and
 * prompts from a project or a snapshot; a success registers the new policy with the reward model and its parent.
 */
function onlineRlKind<K extends "PPO" | "GRPO" | "RLOO">(kind: K): RunKindSpec<K> {
  return {
    producesModel: true,
    async launch(launched, config) {
      // the three launch variants have the same fields (server/schemas/runs.ts, onlineRl)
      const input = launched as Extract<LaunchRunOutput, { kind: "PPO" | "GRPO" | "RLOO" }>;
      const modelId = await requireModelRef(input.modelId, "REWARD", "modelId");
      if (!input.projectId && !input.snapshotId) {
        throw new AppError("BAD_REQUEST", `${kind} needs prompts: choose a project or a snapshot`, [{ field: "projectId", message: "required" }]);
      }
      const projectId = input.projectId ? (await findProject(input.projectId, { field: "projectId" })).id : null;
      const snapshotId = input.snapshotId ? (await requireSnapshot(input.snapshotId)).id : null;
      return { modelId, projectId, snapshotId, config: await chooseStartingPolicy(kind, input.policyModelId, config) };
    },
    async stage(ctx) {
      const { run } = ctx;
      if (!run.modelId) throw new AppError("PRECONDITION_FAILED", `a ${kind} run needs a reward model`);
      ctx.config.reward_model_path = (await registeredModel(run.modelId, "REWARD", "reward model", ctx.dataDir)).path;
      await stageStartingPolicy(ctx);
      const prompts = run.projectId
        ? await projectPromptRows(run.projectId)
        : await snapshotPrompts((await stageSnapshot(ctx, run.snapshotId as string)).train);
      await stagePrompts(ctx, prompts, "no prompts to train on: the project has no items yet");
    },
    async register({ tx, run, done }) {
      await registerPolicy(tx, run, { ...done, modelPath: done.modelPath as string });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the table

export const runKinds: { [K in RunKind]: RunKindSpec<K> } = {
  /** A reward model trained on a snapshot's preference pairs. */
  REWARD: {
    producesModel: true,
    async launch(input, config) {
      return { snapshotId: (await requireSnapshot(input.snapshotId, trainingFormats.REWARD, "a reward model")).id, config };
    },
    async stage(ctx) {
      await stageTrainingSnapshot(ctx, "a reward-model run");
    },
    async register({ tx, run, done }) {
      await registerRewardModel(tx, run, { ...done, modelPath: done.modelPath as string });
    },
  },

  /** PPO of a policy (registered, or a model directory) against a registered reward model, on a project's or a snapshot's prompts. */
  PPO: onlineRlKind("PPO"),
  /** GRPO: PPO's inputs; k completions per prompt, advantages relative to the group, no value model. */
  GRPO: onlineRlKind("GRPO"),
  /** RLOO: PPO's inputs; k completions per prompt, the leave-one-out baseline, the KL penalty in the reward. */
  RLOO: onlineRlKind("RLOO"),

  /** DPO of a policy (registered, or a model directory) directly on a snapshot's preference pairs. */
  DPO: {
    producesModel: true,
    async launch(input, config) {
      const snapshotId = (await requireSnapshot(input.snapshotId, trainingFormats.DPO, "DPO")).id;
      return { snapshotId, config: await chooseStartingPolicy("DPO", input.policyModelId, config) };
    },
    async stage(ctx) {
      await stageTrainingSnapshot(ctx, "a DPO run");
      await stageStartingPolicy(ctx);
    },
    async register({ tx, run, done }) {
      await registerPolicy(tx, run, { ...done, modelPath: done.modelPath as string });
    },
  },

  /**
   * Supervised fine-tuning on a snapshot's demonstrations (or a preference snapshot's chosen responses): how a team
   * makes its starting policy. From a registered policy, a base model directory (hf) or a new tiny model.
   */
  SFT: {
    producesModel: true,
    async launch(input, config) {
      const snapshotId = (await requireSnapshot(input.snapshotId, trainingFormats.SFT, "SFT")).id;
      if (!input.policyModelId) {
        if (config.backend === "hf" && (typeof config.model_path !== "string" || config.model_path === "")) {
          throw new AppError("BAD_REQUEST", "SFT on the hf backend starts from a base model directory or a registered policy", [
            { field: "config.model_path", message: "required without a registered policy" },
          ]);
        }
        return { snapshotId, config };
      }
      const { model_path: _ignored, ...rest } = config;
      return { snapshotId, config: { ...rest, policy_model_id: await requireStartingPolicy(input.policyModelId, config) } };
    },
    async stage(ctx) {
      await stageTrainingSnapshot(ctx, "an SFT run");
      const policyModelId = (ctx.run.config as Record<string, unknown>).policy_model_id;
      if (typeof policyModelId === "string") ctx.config.model_path = (await registeredModel(policyModelId, "POLICY", "policy", ctx.dataDir)).path;
    },
    async register({ tx, run, done }) {
      await registerPolicy(tx, run, { ...done, modelPath: done.modelPath as string });
    },
  },

  /** KTO of a policy (registered, or a model directory) on a snapshot's desirable and undesirable responses. */
  KTO: {
    producesModel: true,
    async launch(input, config) {
      const snapshotId = (await requireSnapshot(input.snapshotId, trainingFormats.KTO, "KTO")).id;
      return { snapshotId, config: await chooseStartingPolicy("KTO", input.policyModelId, config) };
    },
    async stage(ctx) {
      await stageTrainingSnapshot(ctx, "a KTO run");
      await stageStartingPolicy(ctx);
    },
    async register({ tx, run, done }) {
      await registerPolicy(tx, run, { ...done, modelPath: done.modelPath as string });
    },
  },

  /**
   * New candidates for a project's prompts, from a registered policy (rlhf.generate) or an OpenAI-compatible endpoint
   * (called by the worker itself). The new items land as the trainer reports its `generated` file, not at the end.
   */
  GENERATE: {
    producesModel: false,
    async launch(input, config) {
      const project = await findProject(input.projectId, { field: "projectId" });
      const projectId = project.id;
      if (Boolean(input.modelId) === Boolean(input.endpointId)) {
        throw new AppError("BAD_REQUEST", "generate from either a registered policy or an endpoint", [{ field: "modelId", message: "choose exactly one source" }]);
      }
      if (input.modelId) {
        const modelId = await requireModelRef(input.modelId, "POLICY", "modelId");
        let snapshotId: string | null = null;
        if (input.snapshotId) {
          const snapshot = await requireSnapshot(input.snapshotId);
          heldOutFile(snapshot, "snapshotId", true);
          snapshotId = snapshot.id;
        }
        if (!input.compareModelId) {
          if (typeof config.num_samples === "number" && config.num_samples < 2) {
            throw new AppError("BAD_REQUEST", "Samples per prompt must be at least 2 with one policy: an item compares two of its responses", [{ field: "config.num_samples", message: "at least 2 without a second policy" }]);
          }
          return { projectId, modelId, snapshotId, config };
        }
        if (project.taskType !== "PAIRWISE") {
          throw new AppError("BAD_REQUEST", `an arena pairs two policies' responses: project "${project.name}" is ${project.taskType.toLowerCase()}, not pairwise`, [{ field: "projectId", message: "must be a pairwise project" }]);
        }
        const compareModelId = await requireModelRef(input.compareModelId, "POLICY", "compareModelId");
        if (compareModelId === modelId) {
          throw new AppError("BAD_REQUEST", "an arena needs two different policies", [{ field: "compareModelId", message: "same as the policy" }]);
        }
        return { projectId, modelId, snapshotId, config: { ...config, compare_model_id: compareModelId } };
      }
      if (input.compareModelId || input.snapshotId) {
        throw new AppError("BAD_REQUEST", "endpoint generation answers the project's own prompts with one source", [{ field: input.compareModelId ? "compareModelId" : "snapshotId", message: "only with a registered policy" }]);
      }
      const endpoint = await requireEndpoint(input.endpointId as string);
      const settings = parseOrThrow(endpointGenerationConfig.strict(), input.config, { what: "Invalid generation settings", prefix: "config" });
      if (input.gpuCount > 0) throw new AppError("BAD_REQUEST", "endpoint generation needs no GPU", [{ field: "gpuCount", message: "must be 0" }]);
      return { projectId, config: { ...config, ...settings, endpoint_id: endpoint.id } };
    },
    async stage(ctx) {
      const { run } = ctx;
      if (!run.modelId || !run.projectId) throw new AppError("PRECONDITION_FAILED", "a generation run needs a policy and a project");
      const policy = await registeredModel(run.modelId, "POLICY", "policy", ctx.dataDir);
      ctx.config.policy_path = policy.path;
      ctx.config.model_name ??= policy.name;
      const compareId = (run.config as Record<string, unknown>).compare_model_id;
      if (typeof compareId === "string") {
        const other = await registeredModel(compareId, "POLICY", "second policy", ctx.dataDir);
        ctx.config.compare_policy_path = other.path;
        // the leaderboard tells models apart by name: two policies that share one get their ids added
        const [a, b] = other.name === policy.name ? [`${policy.name} (${policy.id})`, `${other.name} (${other.id})`] : [policy.name, other.name];
        ctx.config.model_name = a;
        ctx.config.compare_model_name = b;
      }
      ctx.config.output_file = path.join(ctx.dir, "generated.jsonl");
      if (run.snapshotId) {
        const splits = await stageSnapshot(ctx, run.snapshotId);
        await stagePrompts(ctx, await snapshotPromptRows(splits.test ?? splits.train), "none of the snapshot's prompts are in the database any more");
      } else {
        await stagePrompts(ctx, await projectPromptRows(run.projectId), "the project has no prompts to answer yet");
      }
    },
  },

  /**
   * A reward model (the active one unless chosen) scores every item of a project, open or completed: the scores
   * order the queue by uncertainty (active learning) and measure the model against the annotators.
   */
  SCORE: {
    producesModel: false,
    async launch(input, config) {
      const projectId = (await findProject(input.projectId, { field: "projectId" })).id;
      const model = input.modelId ? await requireModel(input.modelId, "REWARD", "modelId") : await activeRewardModel();
      if (!model) throw new AppError("PRECONDITION_FAILED", "no active reward model: mark one active in the model registry");
      return { projectId, modelId: model.id, config };
    },
    async stage(ctx) {
      const { run } = ctx;
      if (!run.modelId || !run.projectId) throw new AppError("PRECONDITION_FAILED", "a scoring run needs a reward model and a project");
      ctx.config.model_path = (await registeredModel(run.modelId, "REWARD", "reward model", ctx.dataDir)).path;
      const rows = await projectScoreRows(run.projectId);
      if (rows.length === 0) throw new AppError("PRECONDITION_FAILED", "the project has no items to score yet");
      ctx.config.input_file = path.join(ctx.dir, "candidates.jsonl");
      ctx.config.output_file = path.join(ctx.dir, "scores.jsonl");
      await writeJsonl(ctx.config.input_file as string, rows);
    },
    async register({ tx, run, config }) {
      const scores = new Map<string, number>();
      for (const line of (await readFile(config.output_file as string, "utf8")).split("\n")) {
        if (!line.trim()) continue;
        const parsed = scoreRow.safeParse(JSON.parse(line));
        if (!parsed.success) throw new AppError("INTERNAL_SERVER_ERROR", `the scorer wrote an unexpected row: ${line.slice(0, 200)}`);
        scores.set(parsed.data.id, parsed.data.score);
      }
      const scored = await applyRmScores(tx, { projectId: run.projectId as string, modelId: run.modelId as string, scores });
      // the reward model as a judge: its ranking of each comparison item, beside any endpoint judge's
      const model = await tx.model.findUnique({ where: { id: run.modelId as string }, select: { name: true } });
      await rewardModelSuggestions(tx, { runId: run.id, projectId: run.projectId as string, judge: model?.name ?? run.name, scores });
      // what the run page and the analytics page's button report
      await tx.runMetric.createMany({
        data: [
          { runId: run.id, step: 0, name: "items_scored", value: scored.items },
          { runId: run.id, step: 0, name: "candidates_scored", value: scored.candidates },
        ],
        skipDuplicates: true,
      });
    },
  },

  /**
   * Self-Instruct bootstrapping: new instructions from seed tasks, written by an OpenAI-compatible endpoint and kept
   * when they pass the paper's filters, become items of the project: to be written in a demonstration project, or
   * answered by the endpoint first in a comparison or rating project (server/services/self-instruct.ts).
   * The worker runs it itself, like endpoint generation; its config (options and seed tasks) was checked by the
   * launch input (selfInstructRunConfig).
   */
  SELF_INSTRUCT: {
    producesModel: false,
    async launch(input, config) {
      const project = await findProject(input.projectId, { field: "projectId" });
      selfInstructResponsesCheck(project, (config as { responses?: unknown }).responses);
      // stored with its defaults filled in, so the run page shows every option the run used
      return { projectId: project.id, config: { ...selfInstructRunConfig.parse(config), ...(await requireGenerator(input, "Self-Instruct")) } };
    },
    async stage() {
      throw new AppError("PRECONDITION_FAILED", "a Self-Instruct run has nothing to stage: the worker runs it itself");
    },
  },

  /**
   * An AI judge: an OpenAI-compatible endpoint judges the project's items, each comparison asked twice with the order
   * swapped, and its verdicts are kept as suggestions apart from the annotations (server/services/judge/). The
   * worker runs it itself; its config (templates, swap, limits) was checked by the launch input (judgeRunConfig),
   * and a replaced template must keep the placeholders of the project's task type.
   */
  JUDGE: {
    producesModel: false,
    async launch(input, config) {
      const project = await findProject(input.projectId, { field: "projectId" });
      if (project.taskType === "DEMONSTRATION") {
        throw new AppError("BAD_REQUEST", `"${project.name}" is a demonstration project: its annotators write answers, there is nothing to judge`, [{ field: "projectId", message: "choose a comparison or rating project" }]);
      }
      const settings = judgeRunConfig.parse(config);
      const problem = settings.template === undefined ? null : templateError(project.taskType, settings.template);
      if (problem) throw new AppError("BAD_REQUEST", `Invalid judge template: ${problem}`, [{ field: "config.template", message: problem }]);
      return { projectId: project.id, config: { ...settings, ...(await requireGenerator(input, "an AI judge")) } };
    },
    async stage() {
      throw new AppError("PRECONDITION_FAILED", "an AI judge run has nothing to stage: the worker runs it itself");
    },
  },

  /**
   * A policy against a reference policy on a snapshot's held-out prompts (its test split), judged by a reward model
   * (the active one unless chosen): win-rate with a bootstrap interval, rewards, KL, lengths — kept as an EvalResult
   * that the model page compares across runs.
   */
  EVAL: {
    producesModel: false,
    async launch(input, config) {
      const modelId = await requireModelRef(input.modelId, "POLICY", "modelId");
      const referenceId = await requireModelRef(input.referenceModelId, "POLICY", "referenceModelId");
      const rewardId = input.rewardModelId ? await requireModelRef(input.rewardModelId, "REWARD", "rewardModelId") : (await activeRewardModel())?.id;
      if (!rewardId) {
        throw new AppError("PRECONDITION_FAILED", "no active reward model: choose one, or mark one active in the model registry", [{ field: "rewardModelId", message: "required without an active reward model" }]);
      }
      const snapshot = await requireSnapshot(input.snapshotId);
      heldOutFile(snapshot, "snapshotId", false);
      return { modelId, snapshotId: snapshot.id, config: { ...config, reference_model_id: referenceId, reward_model_id: rewardId } };
    },
    async stage(ctx) {
      const { run } = ctx;
      const config = run.config as Record<string, unknown>;
      if (!run.modelId || !run.snapshotId) throw new AppError("PRECONDITION_FAILED", "an evaluation needs a policy and a snapshot");
      ctx.config.policy_path = (await registeredModel(run.modelId, "POLICY", "policy", ctx.dataDir)).path;
      ctx.config.reference_path = (await registeredModel(String(config.reference_model_id), "POLICY", "reference policy", ctx.dataDir)).path;
      ctx.config.reward_model_path = (await registeredModel(String(config.reward_model_id), "REWARD", "reward model", ctx.dataDir)).path;
      const splits = await stageSnapshot(ctx, run.snapshotId);
      if (!splits.test) throw new AppError("PRECONDITION_FAILED", `snapshot "${splits.snapshot.name}" has no test split to evaluate on`);
      await stagePrompts(ctx, await snapshotPrompts(splits.test), "the snapshot's test split has no prompts");
      ctx.config.output_file = path.join(ctx.dir, "pairs.jsonl");
    },
    async register({ tx, run, done }) {
      const config = run.config as Record<string, unknown>;
      const m = parseOrThrow(evalMetrics, done.metrics, { what: "The evaluation reported incomplete metrics" });
      await tx.evalResult.create({
        data: {
          runId: run.id,
          policyModelId: run.modelId as string,
          referenceModelId: String(config.reference_model_id),
          rewardModelId: String(config.reward_model_id),
          snapshotId: run.snapshotId,
          winRate: m.win_rate,
          winRateLow: m.win_rate_ci_low,
          winRateHigh: m.win_rate_ci_high,
          tieRate: m.tie_rate,
          rewardPolicy: m["reward/policy"],
          rewardReference: m["reward/reference"],
          kl: m.kl,
          lengthPolicy: m["length/policy"],
          lengthReference: m["length/reference"],
          prompts: m.prompts,
          pairs: m.pairs,
        },
      });
    },
  },
};
