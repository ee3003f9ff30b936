// Shared set-up for the worker tests: a data dir, snapshots written by the real `rlhf.synthetic`, in-process
// workers, and polling helpers.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { db } from "@/server/db";
import { TRAINER_DIR } from "@/trainer/worker/process";
import { findPython } from "@/trainer/worker/python";
import { startWorker, type WorkerOptions } from "@/trainer/worker/worker";

const execFileAsync = promisify(execFile);

export const FAKE_TRAINER_DIR = path.resolve(__dirname, "../../fixtures/worker");

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function pythonWithTorch(): Promise<string> {
  const found = await findPython({ pathVar: process.env.PATH });
  if (!found.ok) throw new Error(found.message);
  return found.python;
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

/** A SUCCEEDED snapshot whose train/test files are the synthetic hidden-rule preferences. */
export async function seedSyntheticSnapshot(dataDir: string, opts: { pairs: number; testPairs: number }) {
  const snapshot = await db.snapshot.create({
    data: { name: `synthetic ${Date.now()}-${Math.random()}`, version: 1, definition: {}, salt: "s", status: "SUCCEEDED" },
  });
  const dir = path.join(dataDir, "snapshots", snapshot.id);
  await execFileAsync(await pythonWithTorch(), ["-m", "rlhf.synthetic", "--out", dir, "--pairs", String(opts.pairs), "--test-pairs", String(opts.testPairs)], {
    cwd: TRAINER_DIR,
    env: { ...process.env, PYTHONPATH: TRAINER_DIR },
  });
  const files = [];
  for (const split of ["train", "test"]) {
    const name = `${split}.jsonl`;
    const file = path.join(dir, name);
    files.push({ name, split, bytes: (await stat(file)).size, sha256: await sha256(file), rows: opts.pairs });
  }
  return db.snapshot.update({ where: { id: snapshot.id }, data: { files, finishedAt: new Date() } });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitForStatus(runId: string, statuses: string[], timeoutMs = 30_000) {
  return waitFor(`run ${runId} to be ${statuses.join("/")}`, async () => {
    const run = await db.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    return statuses.includes(run.status) ? run : null;
  }, timeoutMs);
}

export interface RunningWorker {
  stop(): Promise<void>;
  lines: string[];
}

export function runWorker(options: Omit<WorkerOptions, "signal">): RunningWorker {
  const controller = new AbortController();
  const lines: string[] = [];
  const done = startWorker({
    pollMs: 100,
    heartbeatSeconds: 1,
    staleSeconds: 60,
    killGraceMs: 2000,
    log: (line) => lines.push(line),
    ...options,
    signal: controller.signal,
  });
  return {
    lines,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function readPid(file: string): Promise<number> {
  return waitFor(`pid file ${file}`, async () => {
    try {
      const text = (await readFile(file, "utf8")).trim();
      return text ? Number(text) : null;
    } catch {
      return null;
    }
  });
}

export interface Record {
  run_dir: string;
  pid: number;
  time: number;
  cuda: string | null;
  what: "start" | "end";
  step: number;
  /** the names of the trainer's environment variables */
  env: string[];
}

export async function readRecords(file: string): Promise<Record[]> {
  try {
    return (await readFile(file, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record);
  } catch {
    return [];
  }
}
