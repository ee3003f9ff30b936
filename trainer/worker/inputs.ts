// Before a run starts, the worker turns its database inputs into the files and paths the Python trainer reads (each
// kind's `stage` in server/services/runs/kinds.ts) and writes the trainer's config.json into the run's directory
// <DATA_DIR>/runs/<runId>/ (the same on every attempt, which is what makes resume work).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/server/errors";
import type { TrainingRun } from "@/server/generated/prisma/client";
import { inputOnlyConfigKeys, runKindModule } from "@/server/schemas/runs";
import { MODEL_PATH_KEYS, modelPathProblemOnDisk, modelRoots } from "@/server/services/model-paths";
import { runDir } from "@/server/services/runs/inputs";
import { runKinds } from "@/server/services/runs/kinds";

export interface PreparedRun {
  runDir: string;
  configPath: string;
  /** what the Python trainer is given: the launch config plus the staged inputs */
  config: Record<string, unknown>;
  module: string;
}

export async function prepareRun(options: { run: TrainingRun; resume: boolean; dataDir: string }): Promise<PreparedRun> {
  const { run } = options;
  const module = runKindModule[run.kind];
  if (module === null) throw new AppError("PRECONDITION_FAILED", `a ${run.kind} run is run by the worker itself, not by a trainer module`);
  const dir = runDir(options.dataDir, run.id);
  await mkdir(dir, { recursive: true });
  const config: Record<string, unknown> = { ...(run.config as Record<string, unknown>) };
  for (const key of inputOnlyConfigKeys) delete config[key];
  config.output_dir = dir;
  config.resume = options.resume;
  await runKinds[run.kind].stage({ run, dir, dataDir: options.dataDir, config });

  // the launch checked the paths as written; here they are checked where the trainer will read them
  const roots = modelRoots(options.dataDir);
  // the registry paths the worker staged are checked too: reward model, an evaluation's reference, an arena's second policy
  for (const key of [...MODEL_PATH_KEYS, "reward_model_path", "reference_path", "compare_policy_path"]) {
    const value = config[key];
    if (typeof value !== "string" || value === "") continue;
    const problem = await modelPathProblemOnDisk(value, roots);
    if (problem) throw new AppError("PRECONDITION_FAILED", `${key} ${value} ${problem}`);
  }

  const configPath = path.join(dir, "config.json");
  await writeFile(configPath, JSON.stringify(config, null, 2), "utf8");
  return { runDir: dir, configPath, config, module };
}
