// Self-Instruct with a registered policy as its generator, end to end: the real worker serves a real tiny policy
// with rlhf.serve on a loopback port, the in-process Self-Instruct code calls it like any endpoint, and the server is
// gone when the run ends. A random tiny model writes byte soup: what it yields may all be filtered, but every
// generated instruction must be accounted for (kept or filtered, by reason) and whatever is kept carries the policy
// as its provenance. A database of its own (a worker claims any queued run).
import { closeOwnDatabase } from "./own-database";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { addItems, upsertProject } from "@/prisma/seed/helpers";
import { cancelRun, enqueueRun, listRunLogs, listRunMetrics } from "@/server/services/runs/admin";
import { TRAINER_DIR } from "@/trainer/worker/process";
import { pythonWithTorch, runWorker, waitForStatus } from "./helpers";

const execFileAsync = promisify(execFile);
const dataDir = path.resolve(env.DATA_DIR);
const made: string[] = [];

afterAll(() => closeOwnDatabase(made));

/** A tiny policy directory under <DATA_DIR>/models, registered like any other. */
async function registerTinyPolicy(name: string) {
  const dir = path.join(dataDir, "models", `${name}-${Date.now()}`);
  made.push(dir);
  const script = `import torch, sys\nfrom rlhf import model\ntorch.manual_seed(0)\nmodel.save_tiny(model.TinyTransformer(model.TinyConfig(block_size=128, n_embd=32)), sys.argv[1])`;
  await execFileAsync(await pythonWithTorch(), ["-c", script, dir], { cwd: TRAINER_DIR, env: { ...process.env, PYTHONPATH: TRAINER_DIR } });
  return db.model.create({ data: { name, kind: "POLICY", backend: "tiny", path: dir } });
}

/** Runs the queue on a real worker until run `runId` ends; it must succeed. Returns the run's log lines. */
async function succeedsOnAWorker(runId: string): Promise<string[]> {
  const worker = runWorker({ gpuIds: [], dataDir });
  let done;
  try {
    done = await waitForStatus(runId, ["SUCCEEDED", "FAILED"], 180_000);
  } finally {
    await worker.stop();
  }
  const logs = (await listRunLogs({ runId })).map((l) => l.line);
  expect(done.error, logs.slice(-20).join("\n")).toBeNull();
  expect(done.status).toBe("SUCCEEDED");
  return logs;
}

describe("Self-Instruct from a registered policy", () => {
  it("serves the policy for the run, accounts for every instruction it wrote, keeps provenance, and stops the server", async () => {
    const policy = await registerTinyPolicy("tiny-teacher");
    const project = await upsertProject(db, { name: "si-from-policy", slug: `si-policy-${Date.now()}`, taskType: "DEMONSTRATION" });
    const seeds = [{ instruction: "Give three tips for staying healthy." }, { instruction: "Write a limerick about a programmer." }, { instruction: "Explain why the sky is blue." }];
    const run = await enqueueRun({
      input: { kind: "SELF_INSTRUCT", name: "bootstrap from policy", projectId: project.id, policyModelId: policy.id, config: { seed_tasks: seeds, target: 3, examples: 2, max_requests: 4, max_tokens: 64 } },
    });
    const logs = await succeedsOnAWorker(run.id);

    const ready = logs.find((l) => l.startsWith("policy server ready at http://127.0.0.1:"));
    expect(ready).toBeDefined();
    expect(logs.some((l) => l.startsWith("policy server stopped"))).toBe(true);
    // the server asked for its every request: 4 requests, each a 200 (the access log is the server's stderr)
    expect(logs.filter((l) => /POST \/v1\/chat\/completions HTTP\/1\.1" 200/.test(l))).toHaveLength(4);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(ready as string)?.[1] as string;
    await expect(fetch(`${url}/v1/models`)).rejects.toThrow();

    const metrics = await listRunMetrics({ runId: run.id });
    const last = (name: string) => metrics.filter((m) => m.name === name).at(-1)?.value ?? 0;
    expect(last("failed_requests")).toBe(0);
    const filtered = metrics.filter((m) => m.name.startsWith("filtered/")).map((m) => m.name);
    const filteredTotal = [...new Set(filtered)].reduce((sum, name) => sum + last(name), 0);
    expect(last("kept") + filteredTotal).toBe(last("generated"));
    expect(last("kept")).toBeLessThanOrEqual(3);

    const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true } });
    expect(items).toHaveLength(last("kept"));
    for (const item of items) expect(item.prompt.metadata).toMatchObject({ source: "self-instruct", model: "tiny-teacher", runId: run.id });
    expect(logs.some((l) => l.startsWith(`kept ${last("kept")} new instructions as items (${last("generated")} generated in 4 requests`))).toBe(true);
  }, 240_000);
});

/** The loopback URL the run's policy server announced, from the run's log (null until it is ready). */
async function servedUrl(runId: string): Promise<string | null> {
  const ready = (await listRunLogs({ runId })).map((l) => l.line).find((l) => l.startsWith("policy server ready at http://127.0.0.1:"));
  return ready ? (/at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(ready)?.[1] ?? null) : null;
}

describe("an AI judge from a registered policy", () => {
  it("asks the served policy about every item, in both orders, and accounts for each item; the server is gone after", async () => {
    const policy = await registerTinyPolicy("tiny-judge");
    const project = await upsertProject(db, { name: "judged-by-policy", slug: `judge-policy-${Date.now()}` });
    await addItems(db, project.id, Array.from({ length: 3 }, (_, i) => ({
      messages: [{ role: "user" as const, content: `Question ${i}` }],
      candidates: [{ text: `First ${i}`, model: "m1" }, { text: `Second ${i}`, model: "m2" }],
    })));
    const run = await enqueueRun({ input: { kind: "JUDGE", name: "judge from policy", projectId: project.id, policyModelId: policy.id, config: { max_tokens: 32 } } });
    const logs = await succeedsOnAWorker(run.id);
    // byte soup holds no verdict: each item is counted as failed, none is lost, and no request failed
    const metrics = await listRunMetrics({ runId: run.id });
    const last = (name: string) => metrics.filter((m) => m.name === name).at(-1)?.value ?? -1;
    expect(last("judged") + last("failed")).toBe(3);
    expect(last("failed_requests")).toBe(0);
    expect(logs.filter((l) => /POST \/v1\/chat\/completions HTTP\/1\.1" 200/.test(l))).toHaveLength(last("requests"));
    expect(last("requests")).toBe(6);
    // each item is stored with what the policy answered, under the policy's name (a verdict or none)
    const suggestions = await db.suggestion.findMany({ where: { runId: run.id } });
    expect(suggestions).toHaveLength(3);
    expect(suggestions.every((s) => s.judge === "tiny-judge" && (s.answers as unknown[]).length === 2)).toBe(true);
    expect(logs.some((l) => l.startsWith("policy server stopped"))).toBe(true);
    const url = await servedUrl(run.id);
    await expect(fetch(`${url}/v1/models`)).rejects.toThrow();
  }, 240_000);
});

describe("cancelling a run that is using a served policy", () => {
  it("stops the run and its policy server", async () => {
    const policy = await registerTinyPolicy("tiny-cancelled");
    const project = await upsertProject(db, { name: "si-cancelled", slug: `si-cancel-${Date.now()}`, taskType: "DEMONSTRATION" });
    const seeds = [{ instruction: "Give three tips for staying healthy." }, { instruction: "Explain why the sky is blue." }];
    const run = await enqueueRun({
      input: { kind: "SELF_INSTRUCT", name: "long bootstrap", projectId: project.id, policyModelId: policy.id, config: { seed_tasks: seeds, target: 500, examples: 2, max_requests: 1000, max_tokens: 64 } },
    });
    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      let url: string | null = null;
      for (let i = 0; i < 600 && !url; i++) {
        url = await servedUrl(run.id);
        if (!url) await new Promise((r) => setTimeout(r, 200));
      }
      expect(url, "the policy server never became ready").not.toBeNull();
      expect((await fetch(`${url}/v1/models`)).status).toBe(200);
      await cancelRun({ id: run.id });
      const done = await waitForStatus(run.id, ["CANCELLED", "SUCCEEDED", "FAILED"], 60_000);
      expect(done.status).toBe("CANCELLED");
      const logs = (await listRunLogs({ runId: run.id })).map((l) => l.line);
      expect(logs.some((l) => l.startsWith("policy server stopped"))).toBe(true);
      await expect(fetch(`${url}/v1/models`)).rejects.toThrow();
    } finally {
      await worker.stop();
    }
  }, 240_000);
});
