// Shared by bench/train.ts, bench/ppo.ts, bench/grpo.ts and bench/dpo.ts: runs `python3 -m rlhf.bench <which>` in trainer/ with the Python the
// worker would use (TRAINER_PYTHON, else the first python3 on PATH that imports torch, else /usr/bin/python3),
// passes its progress lines (stderr) through, and returns the JSON object it prints last on stdout.
import { spawn } from "node:child_process";
import path from "node:path";
import { env } from "@/server/env";
import { findPython } from "@/trainer/worker/python";

export async function runPythonBench(which: "reward" | "ppo" | "grpo" | "dpo"): Promise<unknown> {
  // PATH is the OS's, not an app setting, so it is read here as the worker reads it.
  const found = await findPython({ trainerPython: env.TRAINER_PYTHON, pathVar: process.env.PATH });
  if (!found.ok) throw new Error(found.message);
  console.log(`python: ${found.python}`);
  const child = spawn(found.python, ["-m", "rlhf.bench", which], {
    cwd: path.join(process.cwd(), "trainer"),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`python -m rlhf.bench ${which} exited with ${code}`);
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as unknown;
}
