// Where model directories may be. A run's config names directories the trainer loads weights from (model_path,
// policy_path, value_model_path; the registry's paths for registered models), so without a limit an admin's launch
// form — or anyone who got hold of an admin session — could make a worker read any directory on its host. Model
// directories must lie under the model folders: <DATA_DIR>/runs (what runs produce), <DATA_DIR>/models (where to
// put models from elsewhere) and the folders in TRAINER_MODEL_ROOTS.
//
// Checked twice: when a run is launched, by the path as written (the web host may not see the worker's disks), and
// by the worker before it starts the trainer, with symlinks resolved on the disk the trainer will read.
import { realpath } from "node:fs/promises";
import path from "node:path";
import { env } from "@/server/env";

/** Launch-config keys that name a model directory (the worker adds reward_model_path from the registry). */
export const MODEL_PATH_KEYS = ["model_path", "policy_path", "value_model_path"] as const;

export function modelRoots(dataDir: string = env.DATA_DIR, extra: string[] = env.TRAINER_MODEL_ROOTS): string[] {
  return [path.resolve(dataDir, "runs"), path.resolve(dataDir, "models"), ...extra.map((r) => path.resolve(r))];
}

function inside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function rootsWords(roots: string[]): string {
  return `${roots.join(", ")} (TRAINER_MODEL_ROOTS adds folders)`;
}

/** Why `p` may not be used as a model directory, judged by the path as written; null when it may. */
export function modelPathProblem(p: string, roots: string[] = modelRoots()): string | null {
  if (!path.isAbsolute(p)) return `must be an absolute path, under one of the model folders: ${rootsWords(roots)}`;
  if (!roots.some((root) => inside(path.resolve(p), root))) return `must be under one of the model folders: ${rootsWords(roots)}`;
  return null;
}

/**
 * The same judgement on this host's disk: the directory must exist, and where its symlinks lead (resolved, as are
 * the roots') must still be under a model folder. Null when it may be used.
 */
export async function modelPathProblemOnDisk(p: string, roots: string[] = modelRoots()): Promise<string | null> {
  const lexical = modelPathProblem(p, roots);
  if (lexical) return lexical;
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    return "does not exist on this host";
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
  if (!realRoots.some((root) => root !== null && inside(real, root))) return `leads (through a symlink) to ${real}, outside the model folders: ${rootsWords(roots)}`;
  return null;
}
