// Before a run starts, the worker turns its database inputs into files and paths the Python trainer reads:
// snapshot splits, a prompts file, model directories from the registry, and the run's output dir
// <DATA_DIR>/runs/<runId>/ (the same on every attempt, which is what makes resume work).
import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { AppError } from "@/server/errors";
import { db } from "@/server/db";
import type { TrainingRun } from "@/server/generated/prisma/client";
import { inputOnlyConfigKeys } from "@/server/schemas/runs";
import { projectPrompts, type PromptRow } from "@/server/services/generation";
import { MODEL_PATH_KEYS, modelPathProblemOnDisk, modelRoots } from "@/server/services/model-paths";

export const trainerModule = { REWARD: "rlhf.reward", PPO: "rlhf.ppo", GENERATE: "rlhf.generate" } as const;

export interface PreparedRun {
  runDir: string;
  configPath: string;
  /** what the Python trainer is given: the launch config plus the materialized inputs */
  config: Record<string, unknown>;
  module: string;
}

interface SnapshotFile {
  name: string;
  split: string;
  sha256?: string;
}

export function runDir(dataDir: string, runId: string): string {
  return path.resolve(dataDir, "runs", runId);
}

async function snapshotSplits(dataDir: string, snapshotId: string) {
  const snapshot = await db.snapshot.findUnique({ where: { id: snapshotId } });
  if (!snapshot) throw new AppError("PRECONDITION_FAILED", `snapshot ${snapshotId} no longer exists`);
  if (snapshot.status !== "SUCCEEDED") throw new AppError("PRECONDITION_FAILED", `snapshot "${snapshot.name}" is not ready`);
  const files = (Array.isArray(snapshot.files) ? snapshot.files : []) as unknown as SnapshotFile[];
  const pick = (split: string) => files.find((f) => f.split === split && /\.jsonl(\.gz)?$/.test(f.name));
  const train = pick("train");
  if (!train) {
    throw new AppError("PRECONDITION_FAILED", `snapshot "${snapshot.name}" v${snapshot.version} has no JSONL train split: export it as JSONL to train on it`);
  }
  const test = pick("test");
  const dir = path.resolve(dataDir, "snapshots", snapshot.id);
  return {
    snapshot,
    train: path.join(dir, train.name),
    test: test ? path.join(dir, test.name) : null,
    sha256: train.sha256 ?? null,
  };
}

/** The distinct prompts of a snapshot's train split, in file order. */
async function snapshotPrompts(file: string): Promise<{ prompt_id: string | number; prompt: unknown }[]> {
  const seen = new Set<string>();
  const out: { prompt_id: string | number; prompt: unknown }[] = [];
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { prompt?: unknown; prompt_id?: string | number };
    const key = row.prompt_id !== undefined ? `id:${row.prompt_id}` : `p:${JSON.stringify(row.prompt)}`;
    if (seen.has(key) || row.prompt === undefined) continue;
    seen.add(key);
    out.push({ prompt_id: row.prompt_id ?? out.length + 1, prompt: row.prompt });
  }
  return out;
}

async function writeJsonl(file: string, rows: unknown[]): Promise<void> {
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n", "utf8");
}

async function registeredModel(id: string, kind: "REWARD" | "POLICY", role: string) {
  const model = await db.model.findUnique({ where: { id } });
  if (!model || model.kind !== kind) throw new AppError("PRECONDITION_FAILED", `the ${role} (${id}) is not in the model registry`);
  return model;
}

function promptRows(prompts: PromptRow[]) {
  return prompts.map((p) => ({ prompt_id: p.id, prompt: p.messages }));
}

export async function prepareRun(options: { run: TrainingRun; resume: boolean; dataDir: string }): Promise<PreparedRun> {
  const { run } = options;
  const dir = runDir(options.dataDir, run.id);
  await mkdir(dir, { recursive: true });
  const config: Record<string, unknown> = { ...(run.config as Record<string, unknown>) };
  for (const key of inputOnlyConfigKeys) delete config[key];
  const launch = run.config as Record<string, unknown>;
  config.output_dir = dir;
  config.resume = options.resume;

  if (run.kind === "REWARD") {
    if (!run.snapshotId) throw new AppError("PRECONDITION_FAILED", "a reward-model run needs a snapshot");
    const splits = await snapshotSplits(options.dataDir, run.snapshotId);
    config.train_file = splits.train;
    if (splits.test) config.test_file = splits.test;
    config.snapshot_id = splits.snapshot.id;
    if (splits.sha256) config.snapshot_sha256 = splits.sha256;
  } else if (run.kind === "PPO") {
    if (!run.modelId) throw new AppError("PRECONDITION_FAILED", "a PPO run needs a reward model");
    config.reward_model_path = (await registeredModel(run.modelId, "REWARD", "reward model")).path;
    if (typeof launch.policy_model_id === "string") {
      config.policy_path = (await registeredModel(launch.policy_model_id, "POLICY", "policy")).path;
    }
    let prompts: unknown[];
    if (run.projectId) {
      prompts = promptRows(await projectPrompts({ projectId: run.projectId }));
    } else {
      const splits = await snapshotSplits(options.dataDir, run.snapshotId as string);
      prompts = await snapshotPrompts(splits.train);
      config.snapshot_id = splits.snapshot.id;
      if (splits.sha256) config.snapshot_sha256 = splits.sha256;
    }
    if (prompts.length === 0) throw new AppError("PRECONDITION_FAILED", "no prompts to train on: the project has no items yet");
    config.prompts_file = path.join(dir, "prompts.jsonl");
    await writeJsonl(config.prompts_file as string, prompts);
  } else {
    if (!run.modelId || !run.projectId) throw new AppError("PRECONDITION_FAILED", "a generation run needs a policy and a project");
    const policy = await registeredModel(run.modelId, "POLICY", "policy");
    config.policy_path = policy.path;
    config.model_name ??= policy.name;
    config.output_file = path.join(dir, "generated.jsonl");
    const prompts = promptRows(await projectPrompts({ projectId: run.projectId }));
    if (prompts.length === 0) throw new AppError("PRECONDITION_FAILED", "the project has no prompts to answer yet");
    config.prompts_file = path.join(dir, "prompts.jsonl");
    await writeJsonl(config.prompts_file as string, prompts);
  }

  // the launch checked the paths as written; here they are checked where the trainer will read them
  const roots = modelRoots(options.dataDir);
  for (const key of [...MODEL_PATH_KEYS, "reward_model_path"]) {
    const value = config[key];
    if (typeof value !== "string" || value === "") continue;
    const problem = await modelPathProblemOnDisk(value, roots);
    if (problem) throw new AppError("PRECONDITION_FAILED", `${key} ${value} ${problem}`);
  }

  const configPath = path.join(dir, "config.json");
  await writeFile(configPath, JSON.stringify(config, null, 2), "utf8");
  return { runDir: dir, configPath, config, module: trainerModule[run.kind] };
}
