// The trainer worker: claims runs that fit its free GPU/CPU slots, runs each one (the Python trainer as a child
// process, or an endpoint generation in-process), streams what the trainer reports into the database, keeps the
// run's lease alive with heartbeats, and stops the process tree on cancel.
//
// Stopping (SIGINT/SIGTERM, or the `signal` given to startWorker): the worker stops claiming, stops its running
// trainers (SIGTERM to each process group, SIGKILL after the grace period) and hands their runs back to the queue
// at once, keeping their attempt count. Another worker (or this one, restarted) resumes them from their last
// checkpoint. Waiting for runs to finish instead could take hours and would block a deploy or a reboot.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { endpointGenerationConfig } from "@/server/schemas/runs";
import { generateFromEndpoint, ingestGenerations, readGeneratedFile } from "@/server/services/generation";
import { selfInstruct } from "@/server/services/self-instruct";
import { selfInstructRunOptions } from "@/server/schemas/self-instruct";
import { judgeRunConfig } from "@/server/schemas/judge";
import { runJudge } from "@/server/services/judge/run";
import type { ResolvedEndpoint } from "@/server/services/endpoints";
import { modelPathProblemOnDisk, modelRoots } from "@/server/services/model-paths";
import { keyUnder, publishCheckpoint, publishModelDir, stageCheckpoint } from "@/server/services/artifacts";
import { runDir } from "@/server/services/runs/inputs";
import { runKinds } from "@/server/services/runs/kinds";
import {
  addRunSamples,
  appendRunLogs,
  claimRun,
  finishRun,
  heartbeatRun,
  recordRunMetrics,
  releaseRun,
  setRunCheckpoint,
  STDERR_TAIL_BYTES,
  updateRunProgress,
  type ClaimedRun,
  type Lease,
} from "@/server/services/runs/queue";
import type { TrainingRun } from "@/server/generated/prisma/client";
import { detectGpus, SlotPool } from "@/trainer/worker/gpus";
import { prepareRun } from "@/trainer/worker/inputs";
import { spawnTrainer, TailBuffer, TRAINER_DIR, trainerArgv, trainerEnv, type ExitStatus, type TrainerProcess } from "@/trainer/worker/process";
import { finiteMetrics, type ParsedLine } from "@/trainer/worker/protocol";
import { findPython, type FindPythonOptions } from "@/trainer/worker/python";
import { withServedPolicy } from "@/trainer/worker/served-policy";

export interface WorkerOptions {
  signal: AbortSignal;
  workerId?: string;
  host?: string;
  /** GPU ids this worker owns; default TRAINER_GPUS, else nvidia-smi */
  gpuIds?: string[];
  pollMs?: number;
  heartbeatSeconds?: number;
  staleSeconds?: number;
  dataDir?: string;
  /** where to look for a Python with torch; default TRAINER_PYTHON, then PATH, then /usr/bin/python3 */
  pythonSearch?: FindPythonOptions;
  /** the directory holding the `rlhf` Python package; default trainer/ */
  trainerDir?: string;
  /** between SIGTERM and SIGKILL when stopping a trainer */
  killGraceMs?: number;
  log?: (line: string) => void;
}

type StopReason = "cancel" | "lost" | "shutdown";

interface ActiveRun {
  runId: string;
  stop(reason: StopReason): void;
  done: Promise<void>;
}

interface Context {
  workerId: string;
  host: string;
  heartbeatMs: number;
  dataDir: string;
  killGraceMs: number;
  trainerDir: string;
  log: (line: string) => void;
  python: () => Promise<{ ok: true; python: string } | { ok: false; message: string }>;
}

const FLUSH_MS = 500;
const METRIC_BATCH = 500;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Buffers what a run reports and writes it in order, in batches, without ever throwing into the caller. */
class RunSink {
  private metrics: { step: number; name: string; value: number }[] = [];
  private samples: { step: number; prompt: string; response: string; score: number }[] = [];
  private logs: { stream: string; line: string }[] = [];
  private progress: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  /** the first failure of a write that the run's outcome depends on (ingesting generations) */
  fatal: string | null = null;

  constructor(
    private readonly lease: Lease,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
  }

  metric(step: number, values: Record<string, number>): void {
    for (const [name, value] of Object.entries(values)) this.metrics.push({ step, name, value });
    if (this.metrics.length >= METRIC_BATCH) void this.flush();
  }

  sample(row: { step: number; prompt: string; response: string; score: number }): void {
    this.samples.push(row);
  }

  line(stream: string, line: string): void {
    this.logs.push({ stream, line });
  }

  setProgress(value: number): void {
    this.progress = value;
  }

  /** Runs `task` after everything queued before it; a failure is logged (and kept when `critical`). */
  then(task: () => Promise<void>, critical = false): Promise<void> {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.log(`run ${this.lease.runId}: ${message(err)}`);
      if (critical && this.fatal === null) this.fatal = message(err);
    });
    return this.chain;
  }

  flush(): Promise<void> {
    const metrics = this.metrics.splice(0);
    const samples = this.samples.splice(0);
    const logs = this.logs.splice(0);
    const progress = this.progress;
    this.progress = null;
    if (!metrics.length && !samples.length && !logs.length && progress === null) return this.chain;
    return this.then(async () => {
      await recordRunMetrics(this.lease.runId, metrics);
      await addRunSamples(this.lease.runId, samples);
      await appendRunLogs(this.lease.runId, logs);
      if (progress !== null) await updateRunProgress(this.lease, progress);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

export async function startWorker(options: WorkerOptions): Promise<void> {
  const { signal } = options;
  const log = options.log ?? ((line: string) => process.stdout.write(`[worker] ${line}\n`));
  const host = options.host ?? env.TRAINER_HOST ?? os.hostname();
  const workerId = options.workerId ?? `${host}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const gpuIds = options.gpuIds ?? (await detectGpus(env.TRAINER_GPUS));
  const slots = new SlotPool(gpuIds);
  const staleSeconds = options.staleSeconds ?? env.TRAINER_STALE_SECONDS;
  const heartbeatSeconds = options.heartbeatSeconds ?? env.TRAINER_HEARTBEAT_SECONDS;
  if (staleSeconds < 2 * heartbeatSeconds) {
    // Otherwise one slow heartbeat would let another worker take over a healthy run.
    throw new Error(`TRAINER_STALE_SECONDS (${staleSeconds}) must be at least twice TRAINER_HEARTBEAT_SECONDS (${heartbeatSeconds})`);
  }
  const pollMs = options.pollMs ?? env.TRAINER_POLL_MS;
  // PATH is the interpreter search path, not app configuration, hence read here rather than in server/env.ts.
  const pythonSearch = options.pythonSearch ?? { trainerPython: env.TRAINER_PYTHON, pathVar: process.env.PATH };
  const ctx: Context = {
    workerId,
    host,
    heartbeatMs: heartbeatSeconds * 1000,
    dataDir: options.dataDir ?? env.DATA_DIR,
    killGraceMs: options.killGraceMs ?? 10_000,
    trainerDir: options.trainerDir ?? TRAINER_DIR,
    log,
    python: () => findPython(pythonSearch),
  };
  log(`${workerId} started: ${gpuIds.length ? `GPUs ${gpuIds.join(",")}` : "no GPU"} + 1 CPU slot`);

  const active = new Map<string, ActiveRun>();
  let wake: () => void = () => undefined;
  while (!signal.aborted) {
    try {
      while (!signal.aborted && slots.hasFreeSlot()) {
        const claimed = await claimRun({ workerId, host, freeGpuIds: slots.freeGpuIds(), cpuFree: slots.cpuFree(), staleSeconds });
        if (!claimed) break;
        const ids = claimed.run.gpuIds;
        slots.acquire(ids);
        log(`claimed ${claimed.run.kind} run ${claimed.run.id} (attempt ${claimed.lease.attempt}${claimed.resume ? ", resuming" : ""}) on ${ids.length ? `GPU ${ids.join(",")}` : "CPU"}`);
        const handle = executeRun(claimed, ctx);
        active.set(claimed.run.id, handle);
        void handle.done.finally(() => {
          slots.release(ids);
          active.delete(claimed.run.id);
          wake();
        });
      }
    } catch (err) {
      log(`queue: ${message(err)}`);
    }
    const tick = new AbortController();
    wake = () => tick.abort();
    await sleep(pollMs, AbortSignal.any([signal, tick.signal]));
  }
  log(`stopping: handing ${active.size} running run(s) back to the queue`);
  for (const run of active.values()) run.stop("shutdown");
  await Promise.all([...active.values()].map((r) => r.done));
  log("stopped");
}

function executeRun(claimed: ClaimedRun, ctx: Context): ActiveRun {
  const { run, lease } = claimed;
  const sink = new RunSink(lease, ctx.log);
  let stopReason: StopReason | null = null;
  let proc: TrainerProcess | null = null;
  const abort = new AbortController();

  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    abort.abort(new AppError("CONFLICT", `run stopped (${reason})`));
    void proc?.stop(ctx.killGraceMs);
  };

  const heartbeat = setInterval(() => {
    heartbeatRun(lease).then(
      (hb) => {
        if (!hb.held) {
          ctx.log(`run ${run.id}: lease lost (another worker took it over); stopping its process`);
          stop("lost");
        } else if (hb.cancelRequested) {
          ctx.log(`run ${run.id}: cancel requested`);
          stop("cancel");
        }
      },
      (err: unknown) => ctx.log(`run ${run.id}: heartbeat failed: ${message(err)}`),
    );
  }, ctx.heartbeatMs);

  const done = (async () => {
    const stderr = new TailBuffer(STDERR_TAIL_BYTES);
    let outcome: Outcome;
    try {
      const endpointId = (run.config as Record<string, unknown>).endpoint_id;
      outcome =
        run.kind === "SELF_INSTRUCT"
          ? await withGenerator(run, ctx, sink, abort.signal, (endpoint) => runSelfInstruct(run, endpoint, sink, abort.signal))
          : run.kind === "JUDGE"
          ? await withGenerator(run, ctx, sink, abort.signal, (endpoint) => runJudgeRun(run, endpoint, sink, abort.signal))
          : run.kind === "GENERATE" && typeof endpointId === "string"
          ? await runEndpointGeneration(run, endpointId, sink, abort.signal)
          : await runTrainer(claimed, ctx, sink, stderr, (p) => {
              proc = p;
              if (stopReason) void p.stop(ctx.killGraceMs);
            });
    } catch (err) {
      outcome = { status: "FAILED", error: message(err) };
    }
    clearInterval(heartbeat);
    await sink.close();
    const tail = stderr.toString() || null;
    const reason = stopReason as StopReason | null;
    try {
      // Lost: another worker owns the run now and this one must not touch it.
      if (reason === "lost") return;
      if (outcome.status === "SUCCEEDED" && sink.fatal) outcome = { status: "FAILED", error: sink.fatal };
      // A run that finished just as a stop arrived keeps its result.
      if (outcome.status === "SUCCEEDED") {
        const { modelPath, storeKey, sha256, metrics, config } = outcome;
        const register = runKinds[run.kind].register;
        await finishRun({
          lease,
          status: "SUCCEEDED",
          stderrTail: tail,
          onSuccess: register && (async (tx, current) => register({ tx, run: current, done: { modelPath, storeKey, sha256, metrics: metrics ?? {} }, config: config ?? {} })),
        });
        ctx.log(`run ${run.id}: succeeded`);
      } else if (reason === "shutdown") {
        await releaseRun(lease, tail ?? undefined);
        ctx.log(`run ${run.id}: handed back to the queue`);
      } else if (reason === "cancel") {
        await finishRun({ lease, status: "CANCELLED", error: "cancelled", stderrTail: tail });
        ctx.log(`run ${run.id}: cancelled`);
      } else {
        await finishRun({ lease, status: "FAILED", error: outcome.error ?? "failed", stderrTail: tail });
        ctx.log(`run ${run.id}: failed: ${outcome.error}`);
      }
    } catch (err) {
      // The database is unreachable: the heartbeat stops with this function, so the run goes stale and is
      // picked up again (or failed once out of attempts) by whichever worker reaches the database next.
      ctx.log(`run ${run.id}: could not record the outcome: ${message(err)}`);
    }
  })();

  return { runId: run.id, stop, done };
}

type Outcome = {
  status: "SUCCEEDED" | "FAILED";
  error?: string;
  modelPath?: string;
  /** the model's key in the artifact store (null without one) and its directory digest */
  storeKey?: string | null;
  sha256?: string;
  metrics?: Record<string, number>;
  /** the config the trainer was given, staged paths included */
  config?: Record<string, unknown>;
};

async function runTrainer(
  claimed: ClaimedRun,
  ctx: Context,
  sink: RunSink,
  stderr: TailBuffer,
  started: (p: TrainerProcess) => void,
): Promise<Outcome> {
  const { run, lease, resume } = claimed;
  const python = await ctx.python();
  if (!python.ok) return { status: "FAILED", error: python.message };
  // a run resumed on another host than the one that checkpointed it gets its checkpoint from the artifact store
  if (resume) {
    const staged = await stageCheckpoint(run.id, run.checkpointPath, runDir(ctx.dataDir, run.id));
    if (staged) sink.line("worker", `resuming from ${run.checkpointPath}, fetched from the artifact store into ${staged}`);
  }
  const prepared = await prepareRun({ run, resume, dataDir: ctx.dataDir });
  let lastCheckpoint = run.checkpointPath;
  const argv = trainerArgv({ python: python.python, module: prepared.module, configPath: prepared.configPath, gpuIds: run.gpuIds });
  sink.line("worker", `$ ${argv.join(" ")}  (CUDA_VISIBLE_DEVICES=${run.gpuIds.join(",")})`);

  let done: { modelPath?: string; metrics: Record<string, number> } | null = null;
  let errorMessage: string | null = null;
  const onLine = (parsed: ParsedLine) => {
    switch (parsed.event) {
      case "metric":
        sink.metric(parsed.step, finiteMetrics(parsed.metrics));
        break;
      case "start":
        sink.line("trainer", `start: ${JSON.stringify(parsed)}`);
        break;
      case "progress":
        if (parsed.total_steps > 0) sink.setProgress(parsed.step / parsed.total_steps);
        break;
      case "checkpoint":
        // The metrics up to the checkpoint go in first: a resumed run replays only the steps after it. With an
        // artifact store the checkpoint is uploaded before it is recorded, so a resume elsewhere finds all of it
        // (one the trainer pruned while it went up is not recorded: the next one will be).
        void sink.flush();
        void sink.then(async () => {
          await publishCheckpoint(run.id, parsed.path, lastCheckpoint, () => setRunCheckpoint(lease, parsed.path));
          lastCheckpoint = parsed.path;
        });
        sink.line("trainer", `checkpoint at step ${parsed.step}: ${parsed.path}`);
        break;
      case "sample":
        sink.sample({ step: parsed.step, prompt: parsed.prompt, response: parsed.response, score: parsed.score ?? Number.NaN });
        break;
      case "generated":
        void sink.then(() => ingestFile(run, parsed.path, sink), true);
        break;
      case "done":
        done = { modelPath: parsed.model_path, metrics: finiteMetrics(parsed.metrics ?? {}) };
        break;
      case "log":
        sink.line("trainer", parsed.level ? `[${parsed.level}] ${parsed.message}` : parsed.message);
        break;
      case "error":
        errorMessage ??= parsed.message;
        sink.line("trainer", `error: ${parsed.message}`);
        break;
      case "invalid":
        sink.line("protocol", `ignored stdout line (${parsed.reason}): ${parsed.line.slice(0, 1000)}`);
        break;
    }
  };
  const proc = spawnTrainer({
    argv,
    // The trainer gets the worker's CUDA/NCCL/torch/HF settings and its own variables, never its secrets.
    env: trainerEnv(process.env, run.gpuIds, ctx.trainerDir),
    cwd: ctx.trainerDir,
    guardPython: python.python,
    onLine,
    onStderr: (line) => {
      stderr.push(line);
      sink.line("stderr", line);
    },
  });
  started(proc);
  const status: ExitStatus = await proc.exited;
  await sink.flush();
  const finished = done as { modelPath?: string; metrics: Record<string, number> } | null;
  if (status.code === 0 && finished) {
    if (runKinds[run.kind].producesModel) {
      if (!finished.modelPath) return { status: "FAILED", error: "the trainer reported done without a model_path" };
      // what is registered must pass the same check as what is launched
      const problem = await modelPathProblemOnDisk(finished.modelPath, modelRoots(ctx.dataDir));
      if (problem) return { status: "FAILED", error: `the trainer reported its model at ${finished.modelPath}, which ${problem}` };
      // its digest always; with an artifact store, uploaded (under its place in the run's directory) before the run
      // is marked SUCCEEDED, so a registered model is always complete in the store
      const relative = keyUnder(prepared.runDir, finished.modelPath);
      if (!relative) return { status: "FAILED", error: `the trainer reported its model at ${finished.modelPath}, outside the run's directory ${prepared.runDir}` };
      const started = Date.now();
      const stored = await publishModelDir({ dir: finished.modelPath, dataDir: ctx.dataDir, key: `runs/${run.id}/${relative}` });
      if (stored.storeKey) sink.line("worker", `uploaded the model to the artifact store as ${stored.storeKey} (sha256 ${stored.sha256}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { status: "SUCCEEDED", modelPath: finished.modelPath, ...stored, metrics: finished.metrics, config: prepared.config };
    }
    return { status: "SUCCEEDED", modelPath: finished.modelPath, metrics: finished.metrics, config: prepared.config };
  }
  const how = status.code !== null ? `exited with code ${status.code}` : `was killed by ${status.signal}`;
  if (status.code === 0) return { status: "FAILED", error: "the trainer exited without reporting done" };
  return { status: "FAILED", error: errorMessage ? `${errorMessage} (trainer ${how})` : `the trainer ${how}` };
}

async function ingestFile(run: TrainingRun, file: string, sink: RunSink): Promise<void> {
  if (!run.projectId) throw new AppError("PRECONDITION_FAILED", "generation run without a project");
  const groups = await readGeneratedFile(file);
  const policy = run.modelId ? await db.model.findUnique({ where: { id: run.modelId }, select: { name: true } }) : null;
  const result = await ingestGenerations({
    projectId: run.projectId,
    runId: run.id,
    model: policy?.name ?? run.name,
    groups,
  });
  sink.line("worker", `added ${result.candidates} candidates and ${result.items} items to the project`);
}

async function runEndpointGeneration(run: TrainingRun, endpointId: string, sink: RunSink, signal: AbortSignal): Promise<Outcome> {
  if (!run.projectId) return { status: "FAILED", error: "generation run without a project" };
  const settings = endpointGenerationConfig.parse(run.config);
  const result = await generateFromEndpoint({
    projectId: run.projectId,
    runId: run.id,
    endpointId,
    n: settings.num_samples,
    temperature: settings.temperature,
    maxTokens: settings.max_new_tokens,
    maxPrompts: settings.max_prompts,
    skipPromptsOfRun: true,
    signal,
    onProgress: (done, total) => sink.setProgress(done / total),
  });
  sink.line(
    "worker",
    `answered ${result.prompts} prompts: ${result.candidates} new candidates, ${result.items} new items` +
      (result.skippedPrompts ? `, ${result.skippedPrompts} prompts skipped (identical responses)` : ""),
  );
  return { status: "SUCCEEDED" };
}

/**
 * The endpoint a Self-Instruct or judge run calls: its registered endpoint, or its registered policy served on
 * loopback for as long as `work` runs (trainer/worker/served-policy.ts).
 */
async function withGenerator(run: TrainingRun, ctx: Context, sink: RunSink, signal: AbortSignal, work: (endpoint: Generator) => Promise<Outcome>): Promise<Outcome> {
  const config = run.config as Record<string, unknown>;
  if (typeof config.endpoint_id === "string") return work({ endpointId: config.endpoint_id });
  if (typeof config.policy_model_id !== "string") return { status: "FAILED", error: `a ${run.kind} run without an endpoint or a policy` };
  const line = (stream: string, text: string) => sink.line(stream, text);
  return withServedPolicy(run, config.policy_model_id, { ...ctx, line, signal }, (endpoint) => work({ endpoint }));
}

type Generator = { endpointId: string } | { endpoint: ResolvedEndpoint };

/** Self-Instruct against the run's endpoint, in-process: each round's counts are the run's metrics and progress. */
async function runSelfInstruct(run: TrainingRun, generator: Generator, sink: RunSink, signal: AbortSignal): Promise<Outcome> {
  const config = run.config as Record<string, unknown>;
  if (!run.projectId) return { status: "FAILED", error: "Self-Instruct run without a project" };
  const { endpoint_id: _endpoint, policy_model_id: _policy, ...settings } = config;
  const { seeds, options } = selfInstructRunOptions(settings);
  sink.line("worker", `Self-Instruct: ${seeds.length} seed tasks, keeping ${options.target} new instructions (ROUGE-L < ${options.maxRougeL})`);
  const { counts } = await selfInstruct({
    projectId: run.projectId,
    runId: run.id,
    ...generator,
    seeds,
    options,
    signal,
    onProgress: (c) => {
      const filtered = Object.fromEntries(Object.entries(c.filtered).map(([reason, n]) => [`filtered/${reason}`, n]));
      sink.metric(c.requests, { kept: c.kept, generated: c.generated, failed_requests: c.failedRequests, ...filtered });
      sink.setProgress(Math.min(1, c.kept / options.target));
    },
  });
  const filtered = Object.entries(counts.filtered).filter(([, n]) => n > 0).map(([reason, n]) => `${reason.replaceAll("_", " ")} ${n}`);
  sink.line(
    "worker",
    `kept ${counts.kept} new instructions as items (${counts.generated} generated in ${counts.requests} requests; filtered: ${filtered.join(", ") || "none"}` +
      (counts.failedRequests ? `; ${counts.failedRequests} failed requests, last: ${counts.lastError}` : "") + ")",
  );
  return { status: "SUCCEEDED", metrics: { kept: counts.kept, generated: counts.generated, requests: counts.requests } };
}

/** An AI judge against the run's endpoint, in-process: its counts are the run's metrics (one point per batch). */
async function runJudgeRun(run: TrainingRun, generator: Generator, sink: RunSink, signal: AbortSignal): Promise<Outcome> {
  const config = run.config as Record<string, unknown>;
  if (!run.projectId) return { status: "FAILED", error: "AI judge run without a project" };
  const { endpoint_id: _endpoint, policy_model_id: _policy, ...rest } = config;
  const settings = judgeRunConfig.parse(rest);
  let first = true;
  const counts = await runJudge({
    runId: run.id,
    projectId: run.projectId,
    ...generator,
    config: settings,
    signal,
    onProgress: (c) => {
      if (first) sink.line("worker", `AI judge: ${c.total} items to judge (${c.judged} judged before)${settings.swap ? ", each comparison in both orders" : ""}`);
      first = false;
      // one point per batch, at the items done so far (earlier attempts' included, so a restart continues the chart)
      sink.metric(c.judged + c.failed, { judged: c.judged, failed: c.failed, inconsistent: c.inconsistent, requests: c.requests, failed_requests: c.failedRequests });
      sink.setProgress(c.total === 0 ? 1 : (c.judged + c.failed) / c.total);
    },
  });
  sink.line(
    "worker",
    `judged ${counts.judged} of ${counts.total} items in ${counts.requests} requests` +
      (counts.inconsistent ? `; the two orders disagreed on ${counts.inconsistent}` : "") +
      (counts.failed ? `; ${counts.failed} without a verdict` : "") +
      (counts.failedRequests ? `; ${counts.failedRequests} failed requests, last: ${counts.lastError}` : ""),
  );
  return { status: "SUCCEEDED", metrics: { judged: counts.judged, failed: counts.failed, inconsistent: counts.inconsistent } };
}
