// A registered policy served as an OpenAI-compatible endpoint for the length of one run (trainer/rlhf/serve.py), so
// Self-Instruct and the AI judge, which call endpoints, can use a policy. The server is a child process like a
// trainer (own process group behind guard.py, the trainer's environment), bound to a free loopback port, and is
// always stopped when the run's work ends, however it ends.
import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/server/errors";
import type { TrainingRun } from "@/server/generated/prisma/client";
import type { ResolvedEndpoint } from "@/server/services/endpoints";
import { modelPathProblemOnDisk, modelRoots } from "@/server/services/model-paths";
import { registeredModel, runDir } from "@/server/services/runs/inputs";
import { spawnTrainer, trainerArgv, trainerEnv, type TrainerProcess } from "@/trainer/worker/process";

export interface ServeContext {
  dataDir: string;
  trainerDir: string;
  killGraceMs: number;
  python: () => Promise<{ ok: true; python: string } | { ok: false; message: string }>;
  /** the run's log */
  line: (stream: string, line: string) => void;
  signal: AbortSignal;
}

/** Loading torch and a model takes seconds; an hf model on a slow disk, minutes. */
const READY_TIMEOUT_MS = 10 * 60_000;

/** Runs `work` against the policy `policyModelId` served on 127.0.0.1; the server is stopped when `work` settles. */
export async function withServedPolicy<T>(run: TrainingRun, policyModelId: string, ctx: ServeContext, work: (endpoint: ResolvedEndpoint) => Promise<T>): Promise<T> {
  const policy = await registeredModel(policyModelId, "POLICY", "policy", ctx.dataDir);
  const problem = await modelPathProblemOnDisk(policy.path, modelRoots(ctx.dataDir));
  if (problem) throw new AppError("PRECONDITION_FAILED", `the policy "${policy.name}" at ${policy.path} ${problem}`);
  const python = await ctx.python();
  if (!python.ok) throw new AppError("PRECONDITION_FAILED", python.message);
  const dir = runDir(ctx.dataDir, run.id);
  await mkdir(dir, { recursive: true });
  const configPath = path.join(dir, "serve.json");
  await writeFile(configPath, JSON.stringify({ policy_path: policy.path, port: 0, model_name: policy.name, backend: policy.backend }, null, 2), "utf8");
  const argv = trainerArgv({ python: python.python, module: "rlhf.serve", configPath, gpuIds: [] });
  ctx.line("worker", `serving the policy "${policy.name}": $ ${argv.join(" ")}  (CUDA_VISIBLE_DEVICES=${run.gpuIds.join(",")})`);

  let ready: (port: number) => void = () => undefined;
  let failed: (err: Error) => void = () => undefined;
  const serving = new Promise<number>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  let lastError: string | null = null;
  const proc: TrainerProcess = spawnTrainer({
    argv,
    env: trainerEnv(process.env, run.gpuIds, ctx.trainerDir),
    cwd: ctx.trainerDir,
    guardPython: python.python,
    onLine: (parsed) => {
      if (parsed.event === "serving") {
        ctx.line("worker", `policy server ready at ${parsed.url} (${parsed.device})`);
        ready(parsed.port);
      } else if (parsed.event === "error") {
        lastError = parsed.message;
        ctx.line("trainer", `error: ${parsed.message}`);
      } else if (parsed.event === "invalid") {
        ctx.line("protocol", `ignored stdout line (${parsed.reason}): ${parsed.line.slice(0, 1000)}`);
      }
    },
    // the access log and tracebacks: the run's log, not its stderr tail (which belongs to the run's own failure)
    onStderr: (line) => ctx.line("stderr", line),
  });
  void proc.exited.then(
    (status) => failed(new AppError("SERVICE_UNAVAILABLE", `the policy server ${lastError ? `failed: ${lastError}` : `exited (${status.code ?? status.signal})`}`)),
    (err: unknown) => failed(err instanceof Error ? err : new Error(String(err))),
  );
  const timer = setTimeout(() => failed(new AppError("SERVICE_UNAVAILABLE", `the policy server was not ready within ${READY_TIMEOUT_MS / 60_000} minutes`)), READY_TIMEOUT_MS);
  const onAbort = () => failed(ctx.signal.reason instanceof Error ? ctx.signal.reason : new AppError("CONFLICT", "run stopped"));
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const port = await serving;
    clearTimeout(timer);
    return await work({
      name: policy.name,
      // one model on one device answers one request at a time (serve.py): more in flight would only queue there
      concurrency: 1,
      // loopback, which endpoints may not reach unless the admin allows it: this one address, the worker's own child
      config: { baseUrl: `http://127.0.0.1:${port}/v1`, model: policy.name, apiKey: null, network: { allowPrivate: false, allowedHosts: ["127.0.0.1"] } },
    });
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
    const status = await proc.stop(ctx.killGraceMs);
    ctx.line("worker", `policy server stopped (${status.code !== null ? `exit ${status.code}` : status.signal})`);
  }
}
