// The trainer queue and worker end to end: real Postgres, real child processes. The file has a database of its own
// (own-database.ts); its tests run one at a time and each drains the runs it enqueues, since a worker claims any
// queued run.
import { dropOwnDatabase } from "./own-database";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { addItems, upsertProject } from "@/prisma/seed/helpers";
import { cancelRun, enqueueRun, getRun, listRunLogs, listRunMetrics, listRuns, retryRun } from "@/server/services/runs/admin";
import { claimRun } from "@/server/services/runs/queue";
import { saveEndpoint } from "@/server/services/endpoints";
import { rmHumanAgreement } from "@/server/services/models";
import { TRAINER_DIR } from "@/trainer/worker/process";
import { NO_PYTHON_MESSAGE } from "@/trainer/worker/python";
import { startFakeOpenAI } from "../generation/openai-server";
import {
  alive,
  FAKE_TRAINER_DIR,
  pythonWithTorch,
  readPid,
  readRecords,
  runWorker,
  seedSyntheticSnapshot,
  tempDir,
  waitFor,
  waitForStatus,
} from "./helpers";

const execFileAsync = promisify(execFile);

let dataDir: string;
let snapshotId: string;
/** the reward model trained by the first test, reused by the PPO → generation loop */
let rewardModelId: string | null = null;

beforeAll(async () => {
  dataDir = await tempDir("worker-it-");
  snapshotId = (await seedSyntheticSnapshot(dataDir, { pairs: 160, testPairs: 40 })).id;
});

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
  await dropOwnDatabase();
  await rm(dataDir, { recursive: true, force: true });
});

/** A (fake) model directory under the worker's <DATA_DIR>/models, where model directories may be. */
async function modelDir(name: string): Promise<string> {
  const dir = path.join(dataDir, "models", name);
  await mkdir(dir, { recursive: true });
  return dir;
}

const fake = (config: Record<string, unknown>, extra: { gpuCount?: number; name?: string; maxAttempts?: number } = {}) =>
  enqueueRun({ input: { kind: "REWARD", name: extra.name ?? "fake", snapshotId, config, gpuCount: extra.gpuCount ?? 0, maxAttempts: extra.maxAttempts } });

describe("reward-model run with the real trainer", () => {
  it("goes queued → running → succeeded with metrics, checkpoints and a registered model", async () => {
    const run = await enqueueRun({
      input: {
        kind: "REWARD",
        name: "tiny rm",
        snapshotId,
        config: { backend: "tiny", epochs: 1, batch_size: 8, max_length: 64, logging_steps: 5, save_steps: 10, n_layer: 1, n_head: 2, n_embd: 32 },
      },
    });
    expect(run.status).toBe("QUEUED");
    expect((await getRun({ id: run.id })).queuePosition).toBe(1);

    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      const running = await waitForStatus(run.id, ["RUNNING", "SUCCEEDED"]);
      expect(running.attempts).toBe(1);
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"], 60_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("SUCCEEDED");
      expect(done.progress).toBe(1);
      expect(done.checkpointPath).toMatch(/checkpoints\/step-\d+$/);
      expect(done.gpuIds).toEqual([]);

      const metrics = await listRunMetrics({ runId: run.id });
      const names = new Set(metrics.map((m) => m.name));
      for (const name of ["loss", "accuracy", "margin", "mean_reward", "learning_rate", "num_tokens", "eval_accuracy", "eval_loss"]) {
        expect(names, name).toContain(name);
      }
      expect(metrics.filter((m) => m.name === "loss").length).toBeGreaterThanOrEqual(3);

      const model = await db.model.findFirstOrThrow({ where: { runId: run.id } });
      expect(model).toMatchObject({ kind: "REWARD", backend: "tiny", snapshotId, name: "tiny rm" });
      expect(existsSync(model.path)).toBe(true);
      expect((model.metrics as Record<string, number>).eval_accuracy).toBeGreaterThan(0);
      rewardModelId = model.id;

      const logs = await listRunLogs({ runId: run.id });
      expect(logs.some((l) => l.stream === "worker" && l.line.includes("-m rlhf.reward"))).toBe(true);
      expect((await getRun({ id: run.id })).queuePosition).toBeNull();
    } finally {
      await worker.stop();
    }
  });
});

describe("scoring run with the real scorer", () => {
  it("scores open and completed items on the queue, with progress, for active learning and the agreement figure", async () => {
    expect(rewardModelId, "the reward-model test must run first").not.toBeNull();
    const admin = await db.user.create({ data: { email: `scorer-${Date.now()}@example.com`, name: "judge", role: "ADMIN" } });
    const nonce = `${Date.now()}`;
    const project = await upsertProject(db, { name: "scored", slug: `scored-${nonce}` });
    await addItems(
      db,
      project.id,
      Array.from({ length: 6 }, (_, i) => ({ messages: [{ role: "user" as const, content: `About the sea (${nonce}-${i}).` }], candidates: [{ text: `blue sand ${i}` }, { text: `gold lake ${i}` }] })),
    );
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { candidates: { orderBy: { position: "asc" } } }, orderBy: { createdAt: "asc" } });
    // Half the items are judged and done: the gold answer chosen, as the synthetic rule says.
    for (const item of items.slice(0, 3)) {
      const [blue, gold] = item.candidates.map((c) => c.candidateId);
      await db.item.update({ where: { id: item.id }, data: { status: "COMPLETE" } });
      const annotation = await db.annotation.create({
        data: { submissionId: `${item.id}-s`, itemId: item.id, projectId: project.id, userId: admin.id, ranking: [[gold], [blue]], timeSpentMs: 1000 },
      });
      await db.comparison.create({
        data: { annotationId: annotation.id, projectId: project.id, itemId: item.id, promptId: item.promptId, userId: admin.id, chosenId: gold, rejectedId: blue, margin: 1 },
      });
    }
    const run = await enqueueRun({ input: { kind: "SCORE", name: "score scored", projectId: project.id, modelId: rewardModelId as string, config: { batch_size: 4 } } });
    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"], 60_000);
      expect(done.error).toBeNull();
      expect(done).toMatchObject({ status: "SUCCEEDED", progress: 1 });
    } finally {
      await worker.stop();
    }
    const scored = await db.item.findMany({ where: { projectId: project.id } });
    expect(scored.map((i) => i.status).sort()).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "OPEN", "OPEN", "OPEN"]);
    for (const item of scored) {
      const rm = item.rmScores as { modelId: string; scores: Record<string, number> };
      expect(rm.modelId).toBe(rewardModelId);
      const values = Object.values(rm.scores);
      expect(values).toHaveLength(2);
      expect(item.rmScoreGap).toBeCloseTo(Math.abs(values[0] - values[1]));
    }
    const metrics = await listRunMetrics({ runId: run.id, names: ["items_scored", "candidates_scored"] });
    expect(metrics.map((m) => [m.name, m.value])).toEqual([["candidates_scored", 12], ["items_scored", 6]]);
    await db.model.update({ where: { id: rewardModelId as string }, data: { active: true } });
    // the completed items' judgements now count towards the model's agreement with the annotators
    expect((await rmHumanAgreement({ projectId: project.id })).comparisons).toBe(3);
    const logs = await listRunLogs({ runId: run.id });
    expect(logs.some((l) => l.stream === "worker" && l.line.includes("-m rlhf.score"))).toBe(true);
  });
});

describe("the loop with the real trainer: reward model → PPO → generation into a project", () => {
  it("trains a policy against the reward model and lands its samples as new items", async () => {
    expect(rewardModelId, "the reward-model test must run first").not.toBeNull();
    // A starting policy that already writes answers: a short SFT on the synthetic completions.
    const snapDir = path.join(dataDir, "snapshots", snapshotId);
    const sftRows = (await readFile(path.join(snapDir, "sft.jsonl"), "utf8")).split("\n").slice(0, 96).join("\n");
    await writeFile(path.join(snapDir, "sft-small.jsonl"), sftRows + "\n");
    const sftDir = path.join(dataDir, "models", "sft");
    await writeFile(path.join(dataDir, "sft.json"), JSON.stringify({ output_dir: sftDir, train_file: path.join(snapDir, "sft-small.jsonl"), batch_size: 16, max_length: 64, n_layer: 1, n_embd: 32, n_head: 2 }));
    await execFileAsync(await pythonWithTorch(), ["-m", "rlhf.sft", "--config", path.join(dataDir, "sft.json")], { cwd: TRAINER_DIR, env: { ...process.env, PYTHONPATH: TRAINER_DIR } });
    const sft = await db.model.create({ data: { name: "tiny-sft", kind: "POLICY", backend: "tiny", baseModel: "tiny", path: path.join(sftDir, "model") } });

    const nonce = `${Date.now()}`;
    const project = await upsertProject(db, { name: "loop", slug: `loop-${nonce}` });
    await addItems(
      db,
      project.id,
      Array.from({ length: 4 }, (_, i) => ({ messages: [{ role: "user" as const, content: `Say something about the sea (${nonce}-${i}).` }], candidates: [{ text: "blue" }, { text: "gold" }] })),
    );
    const ppo = await enqueueRun({
      input: {
        kind: "PPO",
        name: "tiny ppo",
        modelId: rewardModelId as string,
        projectId: project.id,
        policyModelId: sft.id,
        config: { total_episodes: 16, batch_size: 8, ppo_epochs: 1, max_new_tokens: 12, num_sample_events: 2 },
      },
    });
    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      const done = await waitForStatus(ppo.id, ["SUCCEEDED", "FAILED"], 120_000);
      expect(done.error).toBeNull();
      const names = new Set((await listRunMetrics({ runId: ppo.id })).map((m) => m.name));
      for (const name of ["objective/kl", "objective/scores", "objective/rlhf_reward", "loss/policy_avg", "loss/value_avg"]) expect(names, name).toContain(name);
      expect((await db.runSample.count({ where: { runId: ppo.id } }))).toBeGreaterThan(0);
      const policy = await db.model.findFirstOrThrow({ where: { runId: ppo.id } });
      expect(policy).toMatchObject({ kind: "POLICY", rewardModelId, parentId: sft.id, name: "tiny ppo" });

      const gen = await enqueueRun({ input: { kind: "GENERATE", name: "sample tiny ppo", modelId: policy.id, projectId: project.id, config: { num_samples: 3, max_new_tokens: 16, temperature: 1.0 } } });
      const generated = await waitForStatus(gen.id, ["SUCCEEDED", "FAILED"], 120_000);
      expect(generated.error).toBeNull();
      const candidates = await db.candidate.findMany({ where: { runId: gen.id } });
      expect(candidates.length).toBeGreaterThanOrEqual(4);
      expect(candidates.every((c) => c.model === "tiny ppo")).toBe(true);
      const items = await db.item.count({ where: { projectId: project.id, candidates: { some: { candidate: { runId: gen.id } } } } });
      expect(items).toBeGreaterThanOrEqual(4);
    } finally {
      await worker.stop();
    }
  });
});

describe("failures", () => {
  it("records the trainer's error, exit code and stderr tail; garbage on stdout is logged, not fatal", async () => {
    const ok = await fake({ steps: 3, garbage: true });
    const bad = await fake({ steps: 2, fail_code: 2, fail_message: "config field 'lr' must be >= 0.0, got -1" });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      const okRun = await waitForStatus(ok.id, ["SUCCEEDED", "FAILED"]);
      expect(okRun.status).toBe("SUCCEEDED");
      const protocolLines = (await listRunLogs({ runId: ok.id })).filter((l) => l.stream === "protocol");
      expect(protocolLines.map((l) => l.line).join("\n")).toMatch(/ignored stdout line \(not JSON\): this is not json/);
      expect(protocolLines.some((l) => l.line.includes("step"))).toBe(true);
      // the fake reports "bad": null in every step; non-finite values are dropped
      expect((await listRunMetrics({ runId: ok.id })).some((m) => m.name === "bad")).toBe(false);

      const badRun = await waitForStatus(bad.id, ["SUCCEEDED", "FAILED"]);
      expect(badRun.status).toBe("FAILED");
      expect(badRun.error).toBe("config field 'lr' must be >= 0.0, got -1 (trainer exited with code 2)");
      expect(badRun.stderrTail).toContain("RuntimeError: boom");
      expect(badRun.attempts).toBe(1);
      expect(await db.model.count({ where: { runId: bad.id } })).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it("fails the run with the install hint when no Python has torch", async () => {
    const run = await fake({ steps: 1 });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR, pythonSearch: { pathVar: "", systemPython: "/nonexistent/python3" } });
    try {
      const failed = await waitForStatus(run.id, ["FAILED", "SUCCEEDED"]);
      expect(failed.error).toBe(NO_PYTHON_MESSAGE);
    } finally {
      await worker.stop();
    }
  });

  it("a run whose workers keep dying is failed with the reason once out of attempts", async () => {
    const run = await fake({ steps: 1 }, { maxAttempts: 2 });
    // What a second dead worker leaves behind: RUNNING, last of its attempts, heartbeat long gone.
    await db.trainingRun.update({
      where: { id: run.id },
      data: { status: "RUNNING", attempts: 2, workerId: "dead", host: "gpu-7", heartbeatAt: new Date(Date.now() - 3600_000) },
    });
    expect(await claimRun({ workerId: "w", host: "h", freeGpuIds: [], cpuFree: true, staleSeconds: 60 })).toBeNull();
    const failed = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("the worker running it (gpu-7) stopped responding on attempt 2 of 2; no attempts left");
  });
});

describe("launching", () => {
  it("refuses runs a worker could not start, naming the field", async () => {
    const fieldOf = (p: Promise<unknown>) => p.then(() => null, (e: { fieldErrors?: { field: string; message: string }[] }) => e.fieldErrors?.map((f) => f.field));
    expect(await fieldOf(enqueueRun({ input: { kind: "REWARD", name: "x", snapshotId: "missing" } }))).toEqual(["snapshotId"]);
    const pending = await db.snapshot.create({ data: { name: `pending ${Date.now()}`, version: 1, definition: {}, salt: "s" } });
    await expect(enqueueRun({ input: { kind: "REWARD", name: "x", snapshotId: pending.id } })).rejects.toThrow(/is not ready \(pending\)/);
    expect(await fieldOf(enqueueRun({ input: { kind: "REWARD", name: "x", snapshotId, config: { output_dir: "/tmp/elsewhere" } } }))).toEqual(["config.output_dir"]);
    expect(await fieldOf(enqueueRun({ input: { kind: "REWARD", name: " ", snapshotId } }))).toEqual(["name"]);

    const rm = await db.model.create({ data: { name: "rm-launch", kind: "REWARD", backend: "tiny", path: "/m" } });
    const project = await upsertProject(db, { name: "launch", slug: `launch-${Date.now()}` });
    expect(await fieldOf(enqueueRun({ input: { kind: "PPO", name: "p", modelId: rm.id, projectId: project.id } }))).toEqual(["config.policy_path"]);
    expect(await fieldOf(enqueueRun({ input: { kind: "PPO", name: "p", modelId: rm.id, config: { policy_path: "/p" } } }))).toEqual(["projectId"]);
    expect(await fieldOf(enqueueRun({ input: { kind: "GENERATE", name: "g", projectId: project.id } }))).toEqual(["modelId"]);
    expect(await db.trainingRun.count({ where: { status: "QUEUED" } })).toBe(0);
  });
});

describe("cancel and retry", () => {
  it("cancels a queued run at once and stops a running run's whole process tree", async () => {
    const queued = await fake({ steps: 1 });
    expect((await cancelRun({ id: queued.id })).status).toBe("CANCELLED");
    await expect(cancelRun({ id: queued.id })).rejects.toThrow(/already been cancelled/);

    const run = await fake({ steps: 100_000, step_seconds: 0.05, spawn_child: true });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      await waitForStatus(run.id, ["RUNNING"]);
      const dir = path.join(dataDir, "runs", run.id);
      const trainerPid = await readPid(path.join(dir, "trainer.pid"));
      const childPid = await readPid(path.join(dir, "child.pid"));
      expect(alive(trainerPid) && alive(childPid)).toBe(true);
      await waitFor("a metric", async () => (await listRunMetrics({ runId: run.id })).length > 0);

      const t0 = Date.now();
      await cancelRun({ id: run.id });
      const cancelled = await waitForStatus(run.id, ["CANCELLED", "FAILED", "SUCCEEDED"]);
      expect(cancelled.status).toBe("CANCELLED");
      expect(Date.now() - t0).toBeLessThan(5000);
      await waitFor("the process tree to be gone", async () => !alive(trainerPid) && !alive(childPid), 5000);
    } finally {
      await worker.stop();
    }

    const retry = await retryRun({ id: run.id });
    expect(retry).toMatchObject({ status: "QUEUED", kind: "REWARD", snapshotId, name: "fake (retry)", attempts: 0 });
    expect(retry.config).toEqual(run.config);
    await cancelRun({ id: retry.id });
  });
});

describe("workers that die or stop", () => {
  it("a worker killed with SIGKILL takes its trainer down; another resumes the run from its checkpoint", async () => {
    const run = await fake({ steps: 60, step_seconds: 0.1, checkpoint_every: 5, record_file: path.join(dataDir, "kill.jsonl") });
    const child = spawn(process.execPath, ["--import", "tsx", path.join(FAKE_TRAINER_DIR, "run-worker.ts"), FAKE_TRAINER_DIR, dataDir, "doomed"], {
      // TRAINER_PYTHON spares the child the interpreter search (seconds on a loaded machine).
      env: { ...process.env, TRAINER_GPUS: "none", TRAINER_HEARTBEAT_SECONDS: "1", TRAINER_POLL_MS: "100", TRAINER_PYTHON: await pythonWithTorch() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    let second: ReturnType<typeof runWorker> | null = null;
    try {
      const withCheckpoint = await waitFor("a checkpoint", async () => {
        const r = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
        return r.checkpointPath ? r : null;
      }, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; worker output:\n${output}`);
      });
      expect(withCheckpoint.workerId).toBe("doomed");
      const trainerPid = await readPid(path.join(dataDir, "runs", run.id, "trainer.pid"));
      child.kill("SIGKILL");
      // guard.py sees the worker's pipe close and kills the trainer's process group.
      await waitFor("the orphaned trainer to die", async () => !alive(trainerPid), 10_000);

      second = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR, workerId: "rescuer", staleSeconds: 3 });
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"], 30_000);
      expect(done.status).toBe("SUCCEEDED");
      expect(done.attempts).toBe(2);
      expect(done.workerId).toBe("rescuer");

      const starts = (await readRecords(path.join(dataDir, "kill.jsonl"))).filter((r) => r.what === "start");
      expect(starts).toHaveLength(2);
      expect(starts[0].step).toBe(0);
      const resumedAt = starts[1].step;
      expect(resumedAt).toBeGreaterThanOrEqual(5);
      // No gap in the charts: the steps up to the checkpoint were stored before it was recorded, and the
      // resumed process reported every step after it.
      const steps = new Set((await listRunMetrics({ runId: run.id, names: ["loss"] })).map((m) => m.step));
      const checkpointStep = Number(/step-0*(\d+)$/.exec(withCheckpoint.checkpointPath ?? "")?.[1]);
      for (let step = 1; step <= checkpointStep; step++) expect(steps.has(step), `step ${step}`).toBe(true);
      for (let step = resumedAt + 1; step <= 60; step++) expect(steps.has(step), `step ${step}`).toBe(true);
    } finally {
      child.kill("SIGKILL");
      await second?.stop();
    }
  });

  it("a worker stopping gracefully hands its run back at once, keeping the attempt, and the run resumes", async () => {
    const run = await fake({ steps: 40, step_seconds: 0.1, checkpoint_every: 5, record_file: path.join(dataDir, "graceful.jsonl") });
    const first = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    await waitFor("a checkpoint", async () => (await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } })).checkpointPath);
    await first.stop();
    const released = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(released).toMatchObject({ status: "QUEUED", attempts: 0, workerId: null });
    expect((await getRun({ id: run.id })).queuePosition).toBe(1);

    const second = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
      expect(done).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
      const starts = (await readRecords(path.join(dataDir, "graceful.jsonl"))).filter((r) => r.what === "start");
      expect(starts.map((s) => s.step > 0)).toEqual([false, true]);
    } finally {
      await second.stop();
    }
  });
});

describe("claiming", () => {
  it("two workers never run the same run", async () => {
    const record = path.join(dataDir, "two.jsonl");
    const runs = [];
    for (let i = 0; i < 8; i++) runs.push(await fake({ steps: 3, step_seconds: 0.05, record_file: record }));
    const a = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR, workerId: "A" });
    const b = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR, workerId: "B" });
    try {
      for (const run of runs) await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const finished = await db.trainingRun.findMany({ where: { id: { in: runs.map((r) => r.id) } } });
    expect(finished.every((r) => r.status === "SUCCEEDED" && r.attempts === 1)).toBe(true);
    expect(new Set(finished.map((r) => r.workerId))).toEqual(new Set(["A", "B"]));
    const starts = (await readRecords(record)).filter((r) => r.what === "start");
    expect(starts).toHaveLength(8);
    expect(new Set(starts.map((s) => s.run_dir)).size).toBe(8);

    // The claim itself under contention: 12 concurrent claims for one run, exactly one wins.
    const one = await fake({ steps: 1 });
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimRun({ workerId: `racer-${i}`, host: "h", freeGpuIds: [], cpuFree: true, staleSeconds: 60 })),
    );
    const winners = claims.filter((c) => c?.run.id === one.id);
    expect(winners).toHaveLength(1);
    // A RUNNING run with a fresh heartbeat is not claimable by anyone else.
    expect(await claimRun({ workerId: "late", host: "h", freeGpuIds: [], cpuFree: true, staleSeconds: 60 })).toBeNull();
    await db.trainingRun.update({ where: { id: one.id }, data: { status: "CANCELLED" } });
  });

  it("claims only runs whose GPU count fits the free GPUs, oldest first, and assigns those GPUs", async () => {
    const big = await fake({ steps: 1 }, { gpuCount: 2, name: "big" });
    const small = await fake({ steps: 1 }, { gpuCount: 1, name: "small" });
    const cpu = await fake({ steps: 1 }, { name: "cpu" });
    expect((await listRuns({ status: "QUEUED" })).map((r) => [r.name, r.queuePosition])).toEqual([
      ["cpu", 3],
      ["small", 2],
      ["big", 1],
    ]);
    const args = { host: "h", staleSeconds: 60 };
    // One free GPU and a busy CPU slot: the 2-GPU run must wait, the 1-GPU run behind it goes.
    const first = await claimRun({ ...args, workerId: "g", freeGpuIds: ["3"], cpuFree: false });
    expect(first?.run.id).toBe(small.id);
    expect(first?.run.gpuIds).toEqual(["3"]);
    expect(await claimRun({ ...args, workerId: "g", freeGpuIds: ["4"], cpuFree: false })).toBeNull();
    const second = await claimRun({ ...args, workerId: "g", freeGpuIds: ["4", "5", "6"], cpuFree: false });
    expect(second?.run.id).toBe(big.id);
    expect(second?.run.gpuIds).toEqual(["4", "5"]);
    const third = await claimRun({ ...args, workerId: "g", freeGpuIds: [], cpuFree: true });
    expect(third?.run.id).toBe(cpu.id);
    await db.trainingRun.updateMany({ where: { id: { in: [big.id, small.id, cpu.id] } }, data: { status: "CANCELLED" } });
  });

  it("runs at most one run per GPU with a fake GPU list, pinned through CUDA_VISIBLE_DEVICES", async () => {
    const record = path.join(dataDir, "gpus.jsonl");
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await fake({ steps: 4, step_seconds: 0.1, record_file: record }, { gpuCount: 1 }));
    const worker = runWorker({ gpuIds: ["0", "1"], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      for (const run of runs) await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
    } finally {
      await worker.stop();
    }
    const records = await readRecords(record);
    const byRun = new Map<string, { start: number; end: number; cuda: string | null }>();
    for (const r of records) {
      const entry = byRun.get(r.run_dir) ?? { start: 0, end: 0, cuda: r.cuda };
      if (r.what === "start") entry.start = r.time;
      else entry.end = r.time;
      byRun.set(r.run_dir, entry);
    }
    const intervals = [...byRun.values()];
    expect(intervals).toHaveLength(6);
    expect(new Set(intervals.map((i) => i.cuda))).toEqual(new Set(["0", "1"]));
    for (const a of intervals) {
      for (const b of intervals) {
        if (a === b || a.cuda !== b.cuda) continue;
        expect(a.end <= b.start || b.end <= a.start, "two runs overlapped on one GPU").toBe(true);
      }
    }
    // Both GPUs were used at the same time at some point: the worker does use its slots in parallel.
    const overlaps = intervals.some((a) => intervals.some((b) => a.cuda !== b.cuda && a.start < b.end && b.start < a.end));
    expect(overlaps).toBe(true);
  });
});

describe("PPO and generation runs", () => {
  it("a PPO run records samples and registers a policy with its lineage", async () => {
    const rm = await db.model.create({ data: { name: "rm", kind: "REWARD", backend: "tiny", path: await modelDir("rm"), snapshotId } });
    const parent = await db.model.create({ data: { name: "sft", kind: "POLICY", backend: "tiny", baseModel: "tiny-sft", path: await modelDir("sft") } });
    const project = await upsertProject(db, { name: "ppo prompts", slug: `ppo-${Date.now()}` });
    await addItems(db, project.id, [{ messages: [{ role: "user", content: "2+2?" }], candidates: [{ text: "4" }, { text: "5" }] }]);
    const run = await enqueueRun({ input: { kind: "PPO", name: "policy v1", modelId: rm.id, projectId: project.id, policyModelId: parent.id, config: { steps: 2 } } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
      expect(done.error).toBeNull();
    } finally {
      await worker.stop();
    }
    const config = JSON.parse(await readFile(path.join(dataDir, "runs", run.id, "config.json"), "utf8"));
    expect(config).toMatchObject({ reward_model_path: rm.path, policy_path: parent.path, steps: 2 });
    expect(config.policy_model_id).toBeUndefined();
    expect(await db.runSample.findMany({ where: { runId: run.id } })).toMatchObject([{ prompt: "2+2=", response: "4", score: 1.5 }]);
    const policy = await db.model.findFirstOrThrow({ where: { runId: run.id } });
    expect(policy).toMatchObject({ kind: "POLICY", rewardModelId: rm.id, parentId: parent.id, baseModel: "tiny-sft" });
  });

  it("GRPO and RLOO runs take PPO's inputs (a snapshot's prompts or a project's), record samples and register a policy", async () => {
    const rm = await db.model.create({ data: { name: "rm-online", kind: "REWARD", backend: "tiny", path: await modelDir("rm-online"), snapshotId } });
    const parent = await db.model.create({ data: { name: "sft-online", kind: "POLICY", backend: "tiny", baseModel: "tiny-sft", path: await modelDir("sft-online") } });
    const project = await upsertProject(db, { name: "rloo prompts", slug: `rloo-${Date.now()}` });
    await addItems(db, project.id, [{ messages: [{ role: "user", content: "2+2?" }], candidates: [{ text: "4" }, { text: "5" }] }]);
    const grpo = await enqueueRun({ input: { kind: "GRPO", name: "grpo v1", modelId: rm.id, snapshotId, policyModelId: parent.id, config: { steps: 2, num_generations: 8 } } });
    const rloo = await enqueueRun({ input: { kind: "RLOO", name: "rloo v1", modelId: rm.id, projectId: project.id, policyModelId: parent.id, config: { steps: 2 } } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      for (const run of [grpo, rloo]) expect((await waitForStatus(run.id, ["SUCCEEDED", "FAILED"])).error).toBeNull();
    } finally {
      await worker.stop();
    }
    const configOf = async (id: string) => JSON.parse(await readFile(path.join(dataDir, "runs", id, "config.json"), "utf8"));
    const grpoConfig = await configOf(grpo.id);
    expect(grpoConfig).toMatchObject({ reward_model_path: rm.path, policy_path: parent.path, snapshot_id: snapshotId, num_generations: 8 });
    expect(grpoConfig.snapshot_sha256).toMatch(/^[0-9a-f]{64}$/);
    // the snapshot's prompts, one row per prompt
    const prompts = (await readFile(grpoConfig.prompts_file, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(prompts.length).toBeGreaterThan(10);
    expect(new Set(prompts.map((p) => p.prompt_id)).size).toBe(prompts.length);
    const rlooConfig = await configOf(rloo.id);
    expect(rlooConfig.snapshot_id).toBeUndefined();
    expect((await readFile(rlooConfig.prompts_file, "utf8")).trim().split("\n")).toHaveLength(1);
    for (const run of [grpo, rloo]) {
      expect(await db.runSample.findMany({ where: { runId: run.id } })).toMatchObject([{ prompt: "2+2=", response: "4", score: 1.5 }]);
      const policy = await db.model.findFirstOrThrow({ where: { runId: run.id } });
      expect(policy).toMatchObject({ kind: "POLICY", name: run.name, rewardModelId: rm.id, parentId: parent.id, baseModel: "tiny-sft" });
    }
  });

  it("a DPO run trains on the snapshot from a registered policy and registers the new policy with its lineage", async () => {
    const parent = await db.model.create({ data: { name: "sft-dpo", kind: "POLICY", backend: "tiny", baseModel: "tiny-sft", path: await modelDir("sft-dpo") } });
    const run = await enqueueRun({ input: { kind: "DPO", name: "dpo v1", snapshotId, policyModelId: parent.id, config: { steps: 2, beta: 0.2 } } });
    expect(run).toMatchObject({ snapshotId, modelId: null, config: { policy_model_id: parent.id, beta: 0.2 } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
      expect(done.error).toBeNull();
    } finally {
      await worker.stop();
    }
    const config = JSON.parse(await readFile(path.join(dataDir, "runs", run.id, "config.json"), "utf8"));
    expect(config).toMatchObject({ policy_path: parent.path, snapshot_id: snapshotId, beta: 0.2 });
    expect(config.train_file).toMatch(new RegExp(`snapshots/${snapshotId}/train\\.jsonl$`));
    expect(config.test_file).toMatch(/test\.jsonl$/);
    expect(config.policy_model_id).toBeUndefined();
    const policy = await db.model.findFirstOrThrow({ where: { runId: run.id } });
    expect(policy).toMatchObject({ kind: "POLICY", name: "dpo v1", parentId: parent.id, rewardModelId: null, snapshotId, baseModel: "tiny-sft" });
  });

  it("an SFT run continues a registered policy; an empty test split and the ties the snapshot dropped are said in its log", async () => {
    const parent = await db.model.create({ data: { name: "sft-base", kind: "POLICY", backend: "tiny", baseModel: "tiny-base", path: await modelDir("sft-base") } });
    const seeded = await seedSyntheticSnapshot(dataDir, { pairs: 20, testPairs: 4 });
    const files = (seeded.files as { split: string; rows: number }[]).map((f) => (f.split === "test" ? { ...f, rows: 0 } : f));
    const snapshot = await db.snapshot.update({
      where: { id: seeded.id },
      data: { files, definition: { format: "sft-conversational", aggregation: { ties: "drop" } }, stats: { tieAnnotations: 3 }, rowCounts: { train: 20, test: 0 } },
    });
    const run = await enqueueRun({ input: { kind: "SFT", name: "sft v2", snapshotId: snapshot.id, policyModelId: parent.id, config: { steps: 2 } } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      expect((await waitForStatus(run.id, ["SUCCEEDED", "FAILED"])).error).toBeNull();
    } finally {
      await worker.stop();
    }
    const config = JSON.parse(await readFile(path.join(dataDir, "runs", run.id, "config.json"), "utf8"));
    expect(config).toMatchObject({ model_path: parent.path, snapshot_id: snapshot.id });
    expect(config.train_file).toMatch(/train\.jsonl$/);
    expect(config.test_file).toBeUndefined();
    const logs = (await db.runLog.findMany({ where: { runId: run.id } })).map((l) => l.line).join("\n");
    expect(logs).toContain("the snapshot's test split is empty: training without evaluation");
    expect(logs).toContain("the snapshot left out the tied pairs of 3 judgement(s) (ties: drop)");
    const policy = await db.model.findFirstOrThrow({ where: { runId: run.id } });
    expect(policy).toMatchObject({ kind: "POLICY", name: "sft v2", parentId: parent.id, snapshotId: snapshot.id, baseModel: "tiny-base" });
  });

  it("a KTO run stages its starting policy and the snapshot's splits", async () => {
    const parent = await db.model.create({ data: { name: "kto-base", kind: "POLICY", backend: "tiny", path: await modelDir("kto-base") } });
    const run = await enqueueRun({ input: { kind: "KTO", name: "kto v1", snapshotId, policyModelId: parent.id, config: { steps: 2, beta: 0.2 } } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      expect((await waitForStatus(run.id, ["SUCCEEDED", "FAILED"])).error).toBeNull();
    } finally {
      await worker.stop();
    }
    const config = JSON.parse(await readFile(path.join(dataDir, "runs", run.id, "config.json"), "utf8"));
    expect(config).toMatchObject({ policy_path: parent.path, beta: 0.2 });
    expect(config.test_file).toMatch(/test\.jsonl$/);
    expect(await db.model.findFirstOrThrow({ where: { runId: run.id } })).toMatchObject({ kind: "POLICY", parentId: parent.id });
  });

  it("generation from a registered policy lands new items in the project, tagged with model and run", async () => {
    const policy = await db.model.create({ data: { name: "policy-gen", kind: "POLICY", backend: "tiny", path: await modelDir("p") } });
    const project = await upsertProject(db, { name: "gen", slug: `gen-${Date.now()}` });
    // Prompts are shared by content across projects: unique ones keep this test independent of earlier runs.
    const nonce = `${Date.now()}-${Math.random()}`;
    await addItems(db, project.id, [
      { messages: [{ role: "user", content: `first? ${nonce}` }], candidates: [{ text: "a" }, { text: "b" }] },
      { messages: [{ role: "user", content: `second? ${nonce}` }], candidates: [{ text: "c" }, { text: "d" }] },
    ]);
    const run = await enqueueRun({ input: { kind: "GENERATE", name: "gen run", modelId: policy.id, projectId: project.id, config: { steps: 1 } } });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      expect((await waitForStatus(run.id, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
    } finally {
      await worker.stop();
    }
    const candidates = await db.candidate.findMany({ where: { runId: run.id } });
    expect(candidates).toHaveLength(4);
    expect(candidates.every((c) => c.model === "policy-gen")).toBe(true);
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { candidates: true } });
    expect(items).toHaveLength(4);
    expect(items.every((i) => i.candidates.length === 2)).toBe(true);
    expect(await db.model.count({ where: { runId: run.id } })).toBe(0);
  });

  it("generation from an OpenAI-compatible endpoint runs on the queue with progress", async () => {
    const server = await startFakeOpenAI();
    try {
      const endpoint = await saveEndpoint({ input: { name: `local-${Date.now()}`, baseUrl: server.url, model: "served-model", apiKey: "sk-x", concurrency: 2 } });
      const project = await upsertProject(db, { name: "gen-endpoint", slug: `gen-ep-${Date.now()}`, taskType: "RANKING" });
      await addItems(
        db,
        project.id,
        Array.from({ length: 5 }, (_, i) => ({ messages: [{ role: "user" as const, content: `question ${i} ${Date.now()}` }], candidates: [{ text: "x" }, { text: "y" }] })),
      );
      const run = await enqueueRun({ input: { kind: "GENERATE", name: "endpoint gen", endpointId: endpoint.id, projectId: project.id, config: { num_samples: 3 } } });
      const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
      try {
        const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
        expect(done.error).toBeNull();
        expect(done.progress).toBe(1);
      } finally {
        await worker.stop();
      }
      expect(server.requests).toHaveLength(5);
      expect(server.requests.every((r) => r.auth === "Bearer sk-x" && r.body.n === 3)).toBe(true);
      const newItems = await db.item.findMany({ where: { projectId: project.id, candidates: { some: { candidate: { runId: run.id } } } }, include: { candidates: true } });
      expect(newItems).toHaveLength(5);
      expect(newItems.every((i) => i.candidates.length === 3)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe("Self-Instruct on the queue", () => {
  it("runs in the worker against the endpoint: items round by round, charts of kept and filtered, progress to the target", async () => {
    const tasks = [
      "Suggest a name for a bakery that sells bagels.",
      "Describe how volcanoes erupt underwater.",
      "Compose an email declining a meeting politely.",
      "Compare jazz with blues rhythmically.",
    ];
    let n = 0;
    // each answer: one new task, one near-copy of a seed (filtered as similar), one too short
    const server = await startFakeOpenAI(() => ({ kind: "ok", texts: [` ${tasks[n++ % tasks.length]}\n10. Give three tips for staying very healthy.\n11. Add numbers`] }));
    try {
      const endpoint = await saveEndpoint({ input: { name: `si-${Date.now()}`, baseUrl: server.url, model: "teacher", concurrency: 1 } });
      const project = await upsertProject(db, { name: "si-demos", slug: `si-${Date.now()}`, taskType: "DEMONSTRATION" });
      const seeds = [{ instruction: "Give three tips for staying healthy." }, { instruction: "Write a limerick about a programmer." }];
      const run = await enqueueRun({ input: { kind: "SELF_INSTRUCT", name: "bootstrap", projectId: project.id, endpointId: endpoint.id, config: { seed_tasks: seeds, target: 3, examples: 2 } } });
      const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
      try {
        const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
        expect(done.error).toBeNull();
        expect(done.status).toBe("SUCCEEDED");
        expect(done.progress).toBe(1);
      } finally {
        await worker.stop();
      }
      const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true, candidates: true } });
      expect(items.map((i) => (i.prompt.messages as { content: string }[])[0].content).sort()).toEqual(tasks.slice(0, 3).sort());
      expect(items.every((i) => i.candidates.length === 0 && (i.prompt.metadata as { runId?: string }).runId === run.id)).toBe(true);
      const metrics = await listRunMetrics({ runId: run.id });
      const last = (name: string) => metrics.filter((m) => m.name === name).at(-1)?.value;
      expect(last("kept")).toBe(3);
      // the third answer is not read past the instruction that reached the target
      expect(last("filtered/similar")).toBe(2);
      expect(last("filtered/too_short")).toBe(2);
      expect(new Set(metrics.filter((m) => m.name === "kept").map((m) => m.step)).size).toBe(3);
      const logs = (await listRunLogs({ runId: run.id })).map((l) => l.line).join("\n");
      expect(logs).toContain("kept 3 new instructions as items");
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

describe("an AI judge on the queue", () => {
  it("runs in the worker against the endpoint: suggestions for every item, counts charted, progress to the end", async () => {
    const server = await startFakeOpenAI(() => ({ kind: "ok", texts: ["A explains better. [[A>B]]"] }));
    try {
      const endpoint = await saveEndpoint({ input: { name: `judge-${Date.now()}`, baseUrl: server.url, model: "judge-7b", concurrency: 2 } });
      const project = await upsertProject(db, { name: "judged", slug: `judged-${Date.now()}` });
      await addItems(db, project.id, Array.from({ length: 3 }, (_, i) => ({
        messages: [{ role: "user" as const, content: `Question ${i}` }],
        candidates: [{ text: `First ${i}`, model: "m1" }, { text: `Second ${i}`, model: "m2" }],
      })));
      const run = await enqueueRun({ input: { kind: "JUDGE", name: "judge", projectId: project.id, endpointId: endpoint.id, config: {} } });
      const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
      try {
        const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
        expect(done.error).toBeNull();
        expect(done.status).toBe("SUCCEEDED");
        expect(done.progress).toBe(1);
      } finally {
        await worker.stop();
      }
      // always "A" whatever is shown first: both orders disagree on every item, so every suggestion is a tie
      const suggestions = await db.suggestion.findMany({ where: { runId: run.id } });
      expect(suggestions).toHaveLength(3);
      expect(suggestions.every((s) => s.consistent === false && s.strength === "TIE")).toBe(true);
      expect(server.requests).toHaveLength(6);
      const metrics = await listRunMetrics({ runId: run.id });
      expect(metrics.filter((m) => m.name === "inconsistent").at(-1)?.value).toBe(3);
      const logs = (await listRunLogs({ runId: run.id })).map((l) => l.line).join("\n");
      expect(logs).toContain("judged 3 of 3 items in 6 requests; the two orders disagreed on 3");
    } finally {
      await server.close();
    }
  });
});

describe("what a trainer may touch", () => {
  it("gets the worker's process and torch settings, none of its secrets or other variables", async () => {
    const record = path.join(dataDir, "env.jsonl");
    const run = await fake({ steps: 1, record_file: record });
    const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
    try {
      expect((await waitForStatus(run.id, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
    } finally {
      await worker.stop();
    }
    const [start] = (await readRecords(record)).filter((r) => r.what === "start");
    expect(start.env).toEqual(expect.arrayContaining(["PATH", "PYTHONPATH", "PYTHONUNBUFFERED", "CUDA_VISIBLE_DEVICES"]));
    // the worker has these (the test database, Vitest's own); the trainer must not
    expect(process.env.DATABASE_URL).toBeTruthy();
    expect(start.env.filter((name) => name === "DATABASE_URL" || name.startsWith("VITEST") || name === "NODE_ENV")).toEqual([]);
  });

  it("refuses a registered model directory outside the model folders before the trainer starts", async () => {
    const outside = await tempDir("outside-models-");
    const link = path.join(dataDir, "models", "looks-inside");
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(outside, link);
    const project = await upsertProject(db, { name: "paths", slug: `paths-${Date.now()}` });
    await addItems(db, project.id, [{ messages: [{ role: "user", content: `paths ${Date.now()}` }], candidates: [{ text: "a" }, { text: "b" }] }]);
    const policy = await db.model.create({ data: { name: "policy-ok", kind: "POLICY", backend: "tiny", path: await modelDir("policy-ok") } });
    const cases = [
      { path: link, error: /^reward_model_path .*looks-inside leads \(through a symlink\) to .*outside-models-.*, outside the model folders: / },
      { path: "/etc", error: /^reward_model_path \/etc must be under one of the model folders: .*\/runs, .*\/models \(TRAINER_MODEL_ROOTS adds folders\)$/ },
      { path: path.join(dataDir, "models", "missing"), error: /^reward_model_path .*missing does not exist on this host$/ },
    ];
    for (const c of cases) {
      const rewardModel = await db.model.create({ data: { name: `rm ${c.path}`, kind: "REWARD", backend: "tiny", path: c.path } });
      const run = await enqueueRun({ input: { kind: "PPO", name: "ppo paths", modelId: rewardModel.id, projectId: project.id, policyModelId: policy.id, config: { steps: 1 } } });
      const worker = runWorker({ gpuIds: [], dataDir, trainerDir: FAKE_TRAINER_DIR });
      try {
        const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"]);
        expect(done.status).toBe("FAILED");
        expect(done.error).toMatch(c.error);
      } finally {
        await worker.stop();
      }
      expect(existsSync(path.join(dataDir, "runs", run.id, "trainer.pid")), "the trainer must not have started").toBe(false);
    }
    await rm(outside, { recursive: true, force: true });
  });
});
