// Finding a Python that can import torch. On Debian the `python3` first on PATH is often a pyenv/venv
// interpreter without torch while /usr/bin/python3 has Debian's python3-torch, so both are tried in order.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { childEnv } from "@/trainer/worker/process";

const execFileAsync = promisify(execFile);

export const NO_PYTHON_MESSAGE = "no Python with PyTorch found: install python3-torch or set TRAINER_PYTHON";

export async function importsTorch(python: string): Promise<boolean> {
  try {
    // Importing torch takes 1–3 s on a cold cache; 60 s covers a slow shared disk.
    // the same environment a trainer gets: this is the first Python the worker starts
    await execFileAsync(python, ["-c", "import torch"], { timeout: 60_000, env: childEnv(process.env) as NodeJS.ProcessEnv });
    return true;
  } catch {
    return false;
  }
}

async function firstOnPath(name: string, pathVar: string | undefined): Promise<string | null> {
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

export interface FindPythonOptions {
  /** TRAINER_PYTHON: used as is when set (an explicit choice is not second-guessed, only checked). */
  trainerPython?: string;
  pathVar?: string;
  systemPython?: string;
}

export type FindPythonResult = { ok: true; python: string } | { ok: false; message: string };

// Importing torch takes seconds; a found interpreter is remembered for the life of the process. Failures are not,
// so installing torch (or setting TRAINER_PYTHON) takes effect at the next run without a restart.
const found = new Map<string, string>();

export async function findPython(options: FindPythonOptions): Promise<FindPythonResult> {
  const key = JSON.stringify([options.trainerPython, options.pathVar, options.systemPython]);
  const known = found.get(key);
  if (known) return { ok: true, python: known };
  const result = await search(options);
  if (result.ok) found.set(key, result.python);
  return result;
}

async function search(options: FindPythonOptions): Promise<FindPythonResult> {
  if (options.trainerPython) {
    if (await importsTorch(options.trainerPython)) return { ok: true, python: options.trainerPython };
    return { ok: false, message: `TRAINER_PYTHON=${options.trainerPython} cannot import torch. ${NO_PYTHON_MESSAGE}` };
  }
  const onPath = await firstOnPath("python3", options.pathVar);
  if (onPath && (await importsTorch(onPath))) return { ok: true, python: onPath };
  const system = options.systemPython ?? "/usr/bin/python3";
  if (system !== onPath && (await importsTorch(system))) return { ok: true, python: system };
  return { ok: false, message: NO_PYTHON_MESSAGE };
}
