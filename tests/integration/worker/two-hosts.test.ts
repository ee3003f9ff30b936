// Issue 18, workers anywhere: two workers with their own DATA_DIRs (two hosts that share no disk), one database and
// one S3-compatible artifact store (s3rver, signatures checked). People's judgements become a snapshot on the web
// host; SFT runs on host A, the reward model on host B, PPO starts on A and is resumed on B from the checkpoint A
// uploaded, and generation from the PPO policy runs on A again. Each host fetches what it did not make from the
// store, checked against the registry's digests. Real Postgres, real PyTorch on tiny models.
import { closeOwnDatabase } from "./own-database";
import { closeOwnStore } from "./own-store";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { artifactStore } from "@/server/services/artifacts";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import { snapshotFileResponse } from "@/server/services/export/download";
import { enqueueRun, getRun } from "@/server/services/runs/admin";
import { makeUser, uid } from "../fixtures/annotation";
import { pythonWithTorch, runWorker, tempDir, waitFor, waitForStatus, type RunningWorker } from "./helpers";
import { colourAsks, judgedColourPairs } from "./colour-pairs";

const made: string[] = [];
afterAll(async () => {
  await closeOwnDatabase(made);
  await closeOwnStore();
});

async function onHost<T>(dataDir: string, work: (worker: RunningWorker) => Promise<T>): Promise<T> {
  const worker = runWorker({ gpuIds: [], dataDir });
  try {
    return await work(worker);
  } finally {
    await worker.stop();
  }
}

async function succeeds(runId: string, worker: RunningWorker, timeoutMs = 240_000) {
  const done = await waitForStatus(runId, ["SUCCEEDED", "FAILED", "CANCELLED"], timeoutMs);
  expect(done.error, worker.lines.join("\n")).toBeNull();
  expect(done.status).toBe("SUCCEEDED");
  return done;
}

async function logOf(runId: string): Promise<string> {
  const rows = await db.runLog.findMany({ where: { runId }, orderBy: { id: "asc" } });
  return rows.map((r) => `${r.stream}: ${r.line}`).join("\n");
}

const exists = (p: string) => stat(p).then(() => true, () => false);

describe("two workers on two hosts, one artifact store", () => {
  it("SFT on A, reward model on B, PPO started on A and resumed on B, generation on A: nothing assumes a shared disk", async () => {
    await pythonWithTorch();
    const store = artifactStore();
    expect(store?.location).toMatch(/^s3:\/\//);
    const hostA = await tempDir("rlhf-host-a-");
    const hostB = await tempDir("rlhf-host-b-");
    made.push(hostA, hostB);
    const tag = uid();
    const annotator = await makeUser("ANNOTATOR");
    const admin = await makeUser("ADMIN");

    // judgements on the web host: the answer that names the asked colour beats the one that names another
    const project = await judgedColourPairs({ name: `hosts ${tag}`, slug: `hosts-${tag}`, asks: colourAsks(tag), annotator });
    const snapshot = await createSnapshot({ name: `hosts ${tag}`, projectIds: [project.id], format: "trl-conversational", split: { testRatio: 0.2, seed: "" }, createdById: admin.id });
    made.push(snapshotDir(snapshot.id));
    // published before it was marked ready: every file is in the store at its recorded size
    for (const file of snapshot.files) expect(await store!.size(`snapshots/${snapshot.id}/${file.name}`), file.name).toBe(file.bytes);

    // a second web host behind the load balancer has no copy: it serves the download (and a byte range) from the store
    await rm(snapshotDir(snapshot.id), { recursive: true, force: true });
    const train = snapshot.files.find((f) => f.split === "train")!;
    const whole = await snapshotFileResponse({ id: snapshot.id, name: train.name, range: null, ifRange: null });
    const text = await whole.text();
    expect(whole.status).toBe(200);
    expect(Buffer.byteLength(text)).toBe(train.bytes);
    expect(JSON.parse(text.split("\n")[0])).toHaveProperty("chosen");
    const part = await snapshotFileResponse({ id: snapshot.id, name: train.name, range: "bytes=0-9", ifRange: null });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe(text.slice(0, 10));

    // host A: SFT on the chosen responses, from the snapshot it fetches
    const sft = await enqueueRun({ createdById: admin.id, input: { kind: "SFT", name: `start ${tag}`, snapshotId: snapshot.id, config: {} } });
    await onHost(hostA, (worker) => succeeds(sft.id, worker));
    const start = await db.model.findFirstOrThrow({ where: { runId: sft.id } });
    expect(start.storeKey).toBe(`runs/${sft.id}/${path.relative(path.join(hostA, "runs", sft.id), start.path)}`);
    expect(start.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await exists(path.join(hostA, "snapshots", snapshot.id, train.name))).toBe(true);

    // host B: the reward model; B had nothing of the snapshot before
    expect(await exists(path.join(hostB, "snapshots"))).toBe(false);
    const rm1 = await enqueueRun({ createdById: admin.id, input: { kind: "REWARD", name: `rm ${tag}`, snapshotId: snapshot.id, config: {} } });
    await onHost(hostB, (worker) => succeeds(rm1.id, worker));
    const rewardModel = await db.model.findFirstOrThrow({ where: { runId: rm1.id } });
    expect(rewardModel.storeKey).toMatch(new RegExp(`^runs/${rm1.id}/`));
    expect(JSON.parse(await readFile(path.join(hostB, "snapshots", snapshot.id, train.name), "utf8").then((t) => t.split("\n")[0]))).toHaveProperty("chosen");

    // host A starts PPO (the reward model comes from B through the store), checkpoints, and is shut down mid-run
    const ppo = await enqueueRun({
      createdById: admin.id,
      input: { kind: "PPO", name: `ppo ${tag}`, modelId: rewardModel.id, policyModelId: start.id, snapshotId: snapshot.id, config: { total_episodes: 256, batch_size: 8, save_steps: 2, max_new_tokens: 12 } },
    });
    await onHost(hostA, async () => {
      await waitFor("the PPO run's first recorded checkpoint", async () => (await db.trainingRun.findUniqueOrThrow({ where: { id: ppo.id } })).checkpointPath, 240_000);
    });
    const handedBack = await db.trainingRun.findUniqueOrThrow({ where: { id: ppo.id } });
    expect(handedBack.status).toBe("QUEUED");
    expect(handedBack.checkpointPath?.startsWith(hostA)).toBe(true);
    expect(await exists(path.join(hostA, ...rewardModel.storeKey!.split("/")))).toBe(true);

    // host B resumes it from A's checkpoint, fetching the SFT policy (made on A) too
    await onHost(hostB, (worker) => succeeds(ppo.id, worker));
    const log = await logOf(ppo.id);
    expect(log).toMatch(new RegExp(`resuming from .*${path.basename(handedBack.checkpointPath!)}, fetched from the artifact store into ${hostB}`));
    const resumedStart = log.split("\n").filter((l) => l.startsWith("trainer: start:")).at(-1)!;
    expect(JSON.parse(resumedStart.slice("trainer: start: ".length)).resumed_from_step).toBeGreaterThan(0);
    expect(await exists(path.join(hostB, ...start.storeKey!.split("/"), "model.pt"))).toBe(true);
    // the store keeps the run's latest checkpoint only, complete (its manifest there), and no longer A's
    const finished = await db.trainingRun.findUniqueOrThrow({ where: { id: ppo.id } });
    expect(path.basename(finished.checkpointPath!)).not.toBe(path.basename(handedBack.checkpointPath!));
    expect(await store!.size(`runs/${ppo.id}/checkpoints/${path.basename(finished.checkpointPath!)}/rlhf-manifest.json`)).toBeGreaterThan(0);
    expect(await store!.size(`runs/${ppo.id}/checkpoints/${path.basename(handedBack.checkpointPath!)}/rlhf-manifest.json`)).toBeNull();
    const policy = await db.model.findFirstOrThrow({ where: { runId: ppo.id } });
    expect(policy).toMatchObject({ parentId: start.id, rewardModelId: rewardModel.id });
    expect(policy.path.startsWith(hostB)).toBe(true);

    // host A generates new candidates from the policy B made: fetched, checked, loaded
    const before = await db.item.count({ where: { projectId: project.id } });
    const generate = await enqueueRun({ createdById: admin.id, input: { kind: "GENERATE", name: `gen ${tag}`, projectId: project.id, modelId: policy.id, config: { num_samples: 2, max_new_tokens: 12 } } });
    await onHost(hostA, (worker) => succeeds(generate.id, worker));
    expect(await db.item.count({ where: { projectId: project.id } })).toBeGreaterThan(before);
    const candidates = await db.candidate.count({ where: { model: policy.name } });
    expect(candidates).toBeGreaterThan(0);
    expect(await readdir(path.join(hostA, ...policy.storeKey!.split("/")))).toContain("model.pt");
    expect((await getRun({ id: generate.id })).status).toBe("SUCCEEDED");
  }, 600_000);
});
