// The loop on the queue: runs that wait for other runs, evaluations, arenas and base models. Real Postgres; the EVAL
// test runs the real trainer on tiny models. A database of its own (a claim takes any queued run); every test leaves
// no run queued behind it.
import { dropOwnDatabase } from "./own-database";
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { AppError } from "@/server/errors";
import { addItems, addMembers, upsertProject } from "@/prisma/seed/helpers";
import { cancelRun, enqueueRun, getRun, retryRun } from "@/server/services/runs/admin";
import { claimRun, finishRun, type ClaimedRun } from "@/server/services/runs/queue";
import { runKinds } from "@/server/services/runs/kinds";
import { registerBaseModel, registerPolicy, registerRewardModel } from "@/server/services/models";
import { createArena, listEvalResults, queueIteration } from "@/server/services/loop";
import { ingestGenerations, readGeneratedFile } from "@/server/services/generation";
import { projectAnalytics } from "@/server/services/analytics";
import { promptHash } from "@/server/services/hashing";
import { isTestPrompt } from "@/server/services/export";
import { TRAINER_DIR } from "@/trainer/worker/process";
import { makeUser, uid, workQueue } from "../fixtures/annotation";
import { pythonWithTorch, runWorker, seedSyntheticSnapshot, tempDir, waitForStatus } from "./helpers";

const execFileAsync = promisify(execFile);

let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir("loop-it-");
});

afterEach(async () => {
  await db.trainingRun.updateMany({ where: { status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "CANCELLED", cancelRequested: true } });
});

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
  await dropOwnDatabase();
  await rm(dataDir, { recursive: true, force: true });
});

async function snapshot(files: { name: string; split: string }[] = [{ name: "train.jsonl", split: "train" }, { name: "test.jsonl", split: "test" }]) {
  return db.snapshot.create({ data: { name: `snap ${uid()}`, version: 1, definition: {}, salt: "s", status: "SUCCEEDED", files } });
}

async function policy(name = `policy ${uid()}`) {
  return db.model.create({ data: { name, kind: "POLICY", backend: "tiny", path: path.join(dataDir, "models", uid()) } });
}

const claim = () => claimRun({ workerId: "w1", host: "test", freeGpuIds: [], cpuFree: true, staleSeconds: 60 });

async function claimed(): Promise<ClaimedRun> {
  const c = await claim();
  if (!c) throw new Error("nothing was claimable");
  return c;
}

async function errorOf(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("the call was accepted");
}

const rewardRun = (name: string, snapshotId: string, needs: string[] = []) =>
  enqueueRun({ input: { kind: "REWARD", name, snapshotId, config: {}, needs } });

describe("run dependencies", () => {
  it("a run waits in QUEUED while a run it needs has not succeeded, and is claimed once it has", async () => {
    const snap = await snapshot();
    const a = await rewardRun(`a ${uid()}`, snap.id);
    const b = await rewardRun(`b ${uid()}`, snap.id, [a.id]);
    expect((await getRun({ id: b.id })).needs).toEqual([{ id: a.id, name: a.name, kind: "REWARD", status: "QUEUED" }]);

    const first = await claimed();
    expect(first.run.id).toBe(a.id);
    // b is older than nothing else, yet it is not claimable while a runs
    expect(await claim()).toBeNull();
    expect((await getRun({ id: b.id })).status).toBe("QUEUED");

    expect(await finishRun({ lease: first.lease, status: "SUCCEEDED" })).toBe(true);
    const second = await claimed();
    expect(second.run.id).toBe(b.id);
    await finishRun({ lease: second.lease, status: "SUCCEEDED" });
  });

  it("a run that names the model a needed run will register (run:<id>) gets that model when it succeeds", async () => {
    const snap = await snapshot();
    const start = await policy();
    const rm = await rewardRun(`rm ${uid()}`, snap.id);
    const ppo = await enqueueRun({ input: { kind: "PPO", name: `ppo ${uid()}`, modelId: `run:${rm.id}`, snapshotId: snap.id, policyModelId: start.id } });
    const evaluation = await enqueueRun({
      input: { kind: "EVAL", name: `eval ${uid()}`, modelId: `run:${ppo.id}`, referenceModelId: start.id, rewardModelId: `run:${rm.id}`, snapshotId: snap.id },
    });
    // the needs come from the references themselves
    expect((await getRun({ id: ppo.id })).needs.map((n) => n.id)).toEqual([rm.id]);
    expect((await getRun({ id: evaluation.id })).needs.map((n) => n.id).sort()).toEqual([rm.id, ppo.id].sort());
    expect(ppo.modelId).toBe(`run:${rm.id}`);

    const c = await claimed();
    expect(c.run.id).toBe(rm.id);
    await finishRun({ lease: c.lease, status: "SUCCEEDED", onSuccess: (tx, run) => registerRewardModel(tx, run, { modelPath: path.join(dataDir, "runs", rm.id, "model"), metrics: {} }).then(() => undefined) });
    const model = await db.model.findFirstOrThrow({ where: { runId: rm.id } });
    expect((await getRun({ id: ppo.id })).modelId).toBe(model.id);
    const evalRun = await getRun({ id: evaluation.id });
    expect((evalRun.config as Record<string, unknown>).reward_model_id).toBe(model.id);
    expect(evalRun.modelId).toBe(`run:${ppo.id}`);

    // the evaluation still waits for the PPO run
    const next = await claimed();
    expect(next.run.id).toBe(ppo.id);
    expect(await claim()).toBeNull();
  });

  it("a failed need fails the runs waiting for it, and theirs, naming the run and its reason", async () => {
    const snap = await snapshot();
    const a = await rewardRun(`rm ${uid()}`, snap.id);
    const b = await rewardRun(`b ${uid()}`, snap.id, [a.id]);
    const c = await rewardRun(`c ${uid()}`, snap.id, [b.id]);
    const run = await claimed();
    await finishRun({ lease: run.lease, status: "FAILED", error: "test.jsonl: no preference rows" });
    const [fb, fc] = await Promise.all([getRun({ id: b.id }), getRun({ id: c.id })]);
    expect(fb.status).toBe("FAILED");
    expect(fb.error).toBe(`needs run "${a.name}", which failed: test.jsonl: no preference rows`);
    expect(fc.status).toBe("FAILED");
    expect(fc.error).toBe(`needs run "${b.name}", which failed: needs run "${a.name}", which failed: test.jsonl: no preference rows`);
    expect(await claim()).toBeNull();

    // a new run cannot need it either
    const refused = await errorOf(rewardRun(`d ${uid()}`, snap.id, [a.id]));
    expect(refused.fieldErrors).toEqual([{ field: "needs.0", message: `run "${a.name}" failed` }]);
  });

  it("cancelling a queued need fails the runs waiting for it at once", async () => {
    const snap = await snapshot();
    const a = await rewardRun(`a ${uid()}`, snap.id);
    const b = await rewardRun(`b ${uid()}`, snap.id, [a.id]);
    await cancelRun({ id: a.id });
    const fb = await getRun({ id: b.id });
    expect(fb.status).toBe("FAILED");
    expect(fb.error).toBe(`needs run "${a.name}", which was cancelled`);
  });

  it("refuses a model reference to a run that produces another kind of model, or to no run", async () => {
    const snap = await snapshot();
    const rm = await rewardRun(`rm ${uid()}`, snap.id);
    const wrong = await errorOf(enqueueRun({ input: { kind: "DPO", name: "dpo", snapshotId: snap.id, policyModelId: `run:${rm.id}` } }));
    expect(wrong.message).toBe(`run "${rm.name}" (REWARD) does not produce a policy`);
    expect(wrong.fieldErrors?.[0].field).toBe("policyModelId");
    const missing = await errorOf(enqueueRun({ input: { kind: "REWARD", name: "r", snapshotId: snap.id, needs: ["nope"] } }));
    expect(missing.fieldErrors).toEqual([{ field: "needs.0", message: "run nope not found" }]);
  });
});

describe("EVAL launch", () => {
  it("needs a snapshot with a test split, and a reward model (chosen or active)", async () => {
    const [p, ref] = [await policy(), await policy()];
    const trainOnly = await snapshot([{ name: "train.jsonl", split: "train" }]);
    await db.model.updateMany({ where: { kind: "REWARD" }, data: { active: false } });
    const rm = await db.model.create({ data: { name: "judge", kind: "REWARD", backend: "tiny", path: path.join(dataDir, "models", "judge") } });
    const noTest = await errorOf(enqueueRun({ input: { kind: "EVAL", name: "e", modelId: p.id, referenceModelId: ref.id, rewardModelId: rm.id, snapshotId: trainOnly.id } }));
    expect(noTest.fieldErrors).toEqual([{ field: "snapshotId", message: "no test split" }]);
    expect(noTest.message).toMatch(/has no JSONL test split: held-out prompts need one/);

    const snap = await snapshot();
    const noJudge = await errorOf(enqueueRun({ input: { kind: "EVAL", name: "e", modelId: p.id, referenceModelId: ref.id, snapshotId: snap.id } }));
    expect(noJudge.fieldErrors?.[0].field).toBe("rewardModelId");
    const notPolicy = await errorOf(enqueueRun({ input: { kind: "EVAL", name: "e", modelId: rm.id, referenceModelId: ref.id, rewardModelId: rm.id, snapshotId: snap.id } }));
    expect(notPolicy.fieldErrors).toEqual([{ field: "modelId", message: "not a policy" }]);
    const badConfig = await errorOf(enqueueRun({ input: { kind: "EVAL", name: "e", modelId: p.id, referenceModelId: ref.id, rewardModelId: rm.id, snapshotId: snap.id, config: { num_samples: 0 } } }));
    expect(badConfig.fieldErrors?.[0].field).toBe("config.num_samples");

    await db.model.update({ where: { id: rm.id }, data: { active: true } });
    const run = await enqueueRun({ input: { kind: "EVAL", name: "e", modelId: p.id, referenceModelId: ref.id, snapshotId: snap.id } });
    expect(run).toMatchObject({ modelId: p.id, snapshotId: snap.id });
    expect(run.config).toMatchObject({ reference_model_id: ref.id, reward_model_id: rm.id });
  });
});

describe("arena", () => {
  it("pairs the new policy's response with the old one's on each held-out prompt, blind, and the judgements rank them", async () => {
    const admin = await makeUser("ADMIN");
    const annotator = await makeUser("ANNOTATOR");
    const tag = uid();
    const source = await upsertProject(db, { name: `source ${tag}`, slug: `source-${tag}` });
    await addMembers(db, source.id, [annotator.id]);
    const messages = Array.from({ length: 12 }, (_, i) => [{ role: "user" as const, content: `Arena prompt ${tag} ${i}` }]);
    await addItems(db, source.id, messages.map((m, i) => ({ messages: m, candidates: [{ text: `x ${i}` }, { text: `y ${i}` }] })));
    // the snapshot's test split names its prompts by content hash, as exports do; one is no longer in the database
    const snapDir = path.join(dataDir, "snapshots");
    const snap = await db.snapshot.create({
      data: { name: `arena ${tag}`, version: 1, definition: {}, salt: "s", status: "SUCCEEDED", projectIds: [source.id], files: [{ name: "train.jsonl", split: "train" }, { name: "test.jsonl", split: "test" }] },
    });
    await mkdir(path.join(snapDir, snap.id), { recursive: true });
    const rows = [...messages.map((m) => ({ prompt_id: promptHash(m), prompt: m, chosen: "a", rejected: "b" })), { prompt_id: "f".repeat(64), prompt: "gone", chosen: "a", rejected: "b" }];
    await writeFile(path.join(snapDir, snap.id, "test.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");

    const [next, old] = [await policy(`new ${tag}`), await policy(`old ${tag}`)];
    const { project, run } = await createArena({ actorId: admin.id, input: { policyModelId: next.id, opponentModelId: old.id, snapshotId: snap.id } });
    expect(project).toMatchObject({ taskType: "PAIRWISE", showModelNames: false, allowTies: true, name: `Arena: new ${tag} vs old ${tag}` });
    expect((await db.projectMember.findMany({ where: { projectId: project.id } })).map((m) => m.userId)).toEqual([annotator.id]);
    expect(run).toMatchObject({ kind: "GENERATE", projectId: project.id, modelId: next.id, snapshotId: snap.id });
    expect(run.config).toMatchObject({ compare_model_id: old.id, num_samples: 1 });

    // what the worker stages: both policies, distinct names, the snapshot's prompts as database prompts
    const dir = path.join(dataDir, "runs", run.id);
    await mkdir(dir, { recursive: true });
    const config: Record<string, unknown> = {};
    await runKinds.GENERATE.stage({ run, dir, dataDir, config });
    expect(config).toMatchObject({ policy_path: next.path, compare_policy_path: old.path, model_name: next.name, compare_model_name: old.name });
    const staged = (await readFile(config.prompts_file as string, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { prompt_id: string });
    const dbPrompts = await db.prompt.findMany({ where: { contentHash: { in: messages.map(promptHash) } }, select: { id: true } });
    expect(staged.map((r) => r.prompt_id).sort()).toEqual(dbPrompts.map((p) => p.id).sort());

    // what rlhf.generate writes for an arena: one response per prompt from each, tagged with its model
    const file = path.join(dir, "generated.jsonl");
    const out = staged.flatMap((r, i) => [
      { prompt_id: r.prompt_id, sample_index: 0, text: `new answer ${i}`, model: next.name },
      { prompt_id: r.prompt_id, sample_index: 0, text: i === 11 ? `new answer ${i}` : `old answer ${i}`, model: old.name },
    ]);
    await writeFile(file, out.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const result = await ingestGenerations({ projectId: project.id, runId: run.id, model: next.name, groups: await readGeneratedFile(file) });
    // the prompt both answered alike has nothing to compare
    expect(result).toMatchObject({ prompts: 12, items: 11, skippedPrompts: 1 });
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { candidates: { include: { candidate: true } } } });
    expect(items).toHaveLength(11);
    for (const item of items) expect(item.candidates.map((c) => c.candidate.model).sort()).toEqual([next.name, old.name].sort());

    // the annotator always prefers the new policy, wherever it is shown
    const firstShown: string[] = [];
    await workQueue(project.slug, annotator, (item) => {
      const served = item as unknown as { candidates: { id: string; text: string; model?: string | null }[] };
      expect(served.candidates.every((c) => !c.model)).toBe(true);
      firstShown.push(served.candidates[0].text.startsWith("new") ? "new" : "old");
      const [win, lose] = served.candidates[0].text.startsWith("new") ? served.candidates : [served.candidates[1], served.candidates[0]];
      return { ranking: [[win.id], [lose.id]], strength: "BETTER" };
    });
    expect(firstShown).toHaveLength(11);
    // shown order is randomised per assignment: with 11 items both sides come first (fails with p = 2 / 2^11)
    expect(new Set(firstShown).size).toBe(2);
    const analytics = await projectAnalytics({ projectId: project.id, bootstrapRounds: 50 });
    const board = analytics.leaderboard.rows.map((r) => [r.model, r.wins, r.losses]);
    expect(board).toEqual([[next.name, 11, 0], [old.name, 0, 11]]);
  });

  it("refuses a non-pairwise project, the same policy twice and one sample without a second policy", async () => {
    const snap = await snapshot();
    const [p, q] = [await policy(), await policy()];
    const ranking = await upsertProject(db, { name: "r", slug: `r-${uid()}`, taskType: "RANKING" });
    const notPairwise = await errorOf(enqueueRun({ input: { kind: "GENERATE", name: "g", projectId: ranking.id, modelId: p.id, compareModelId: q.id, snapshotId: snap.id } }));
    expect(notPairwise.fieldErrors).toEqual([{ field: "projectId", message: "must be a pairwise project" }]);
    const pairwise = await upsertProject(db, { name: "p", slug: `p-${uid()}` });
    const same = await errorOf(enqueueRun({ input: { kind: "GENERATE", name: "g", projectId: pairwise.id, modelId: p.id, compareModelId: p.id } }));
    expect(same.fieldErrors).toEqual([{ field: "compareModelId", message: "same as the policy" }]);
    const one = await errorOf(enqueueRun({ input: { kind: "GENERATE", name: "g", projectId: pairwise.id, modelId: p.id, config: { num_samples: 1 } } }));
    expect(one.fieldErrors).toEqual([{ field: "config.num_samples", message: "at least 2 without a second policy" }]);
  });
});

describe("an iteration queued from a project", () => {
  it("queues DPO → EVAL → arena generation as a chain, and a refused step cancels what was queued", async () => {
    const admin = await makeUser("ADMIN");
    const project = await upsertProject(db, { name: "loop", slug: `loop-${uid()}` });
    const snap = await snapshot();
    const start = await policy();
    const judge = await db.model.create({ data: { name: "judge", kind: "REWARD", backend: "tiny", path: path.join(dataDir, "models", "j") } });
    const it1 = await queueIteration({ actorId: admin.id, input: { projectId: project.id, name: "iter 1", snapshotId: snap.id, method: "DPO", policyModelId: start.id, rewardModelId: judge.id } });
    const runs = await Promise.all(it1.runIds.map((id) => getRun({ id })));
    expect(runs.map((r) => r.kind)).toEqual(["DPO", "EVAL", "GENERATE"]);
    const [dpo, evaluation, generate] = runs;
    expect(evaluation.modelId).toBe(`run:${dpo.id}`);
    expect(evaluation.needs.map((n) => n.id)).toEqual([dpo.id]);
    expect(generate.modelId).toBe(`run:${dpo.id}`);
    expect(generate.projectId).toBe(it1.arenaProjectId);
    expect(generate.config).toMatchObject({ compare_model_id: start.id });

    // a bad PPO setting: the reward-model step already queued is cancelled, nothing is left waiting
    const refused = await errorOf(
      queueIteration({ actorId: admin.id, input: { projectId: project.id, name: "iter 2", snapshotId: snap.id, method: "REWARD", policyModelId: start.id, config: { ppo: { lr: -1 } } } }),
    );
    expect(refused.message).toMatch(/^PPO: /);
    expect(refused.fieldErrors?.[0].field).toBe("config.ppo.lr");
    const rm = await db.trainingRun.findFirstOrThrow({ where: { name: "iter 2: reward model" } });
    expect(rm.status).toBe("CANCELLED");
    expect(await db.loopIteration.count({ where: { projectId: project.id } })).toBe(1);
  });
});

describe("an iteration that builds its own snapshot", () => {
  it("freezes the project's judgements as the next version of its loop snapshot, and refuses a project with nothing judged", async () => {
    const admin = await makeUser("ADMIN");
    const annotator = await makeUser("ANNOTATOR");
    const tag = uid();
    const project = await upsertProject(db, { name: `own ${tag}`, slug: `own-${tag}` });
    const start = await policy();
    const judge = await db.model.create({ data: { name: "judge", kind: "REWARD", backend: "tiny", path: path.join(dataDir, "models", "j2") } });
    const input = { projectId: project.id, method: "DPO" as const, policyModelId: start.id, rewardModelId: judge.id, arena: false, testRatio: 0.3 };

    const empty = await errorOf(queueIteration({ actorId: admin.id, input: { ...input, name: "too early" } }));
    expect(empty.message).toBe(`snapshot "loop own-${tag}" v1: the project has no preference pairs to train on yet`);
    expect(empty.fieldErrors).toEqual([{ field: "snapshotId", message: "no judged pairs: collect judgements first" }]);
    expect(await db.trainingRun.count({ where: { name: { startsWith: "too early" } } })).toBe(0);
    expect(await db.snapshot.count({ where: { name: `loop own-${tag}` } })).toBe(0);

    await addMembers(db, project.id, [annotator.id]);
    const ownPrompts = Array.from({ length: 30 }, (_, i) => [{ role: "user" as const, content: `Own prompt ${tag} ${i}` }]);
    // the split is by prompt hash: the prompts the iteration's 30% should hold out
    const heldOut = ownPrompts.filter((m) => isTestPrompt(promptHash(m), { testRatio: 0.3, seed: "" })).length;
    await addItems(db, project.id, ownPrompts.map((messages, i) => ({ messages, candidates: [{ text: `good ${i}` }, { text: `bad ${i}` }] })));
    await workQueue(project.slug, annotator, (item) => {
      const served = item as unknown as { candidates: { id: string; text: string }[] };
      const [win, lose] = served.candidates[0].text.startsWith("good") ? served.candidates : [served.candidates[1], served.candidates[0]];
      return { ranking: [[win.id], [lose.id]], strength: "BETTER" };
    });

    // a project of two judged prompts, both of which a 5% split puts in train (the split is by prompt hash)
    const tinyProject = async () => {
      const small = await upsertProject(db, { name: `small ${tag}`, slug: `small-${tag}` });
      await addMembers(db, small.id, [annotator.id]);
      const prompts = Array.from({ length: 20 }, (_, i) => [{ role: "user" as const, content: `Small prompt ${tag} ${i}` }])
        .filter((m) => !isTestPrompt(promptHash(m), { testRatio: 0.05, seed: "" }))
        .slice(0, 2);
      await addItems(db, small.id, prompts.map((messages, i) => ({ messages, candidates: [{ text: `good ${i}` }, { text: `bad ${i}` }] })));
      await workQueue(small.slug, annotator, (item) => {
        const served = item as unknown as { candidates: { id: string }[] };
        return { ranking: [[served.candidates[0].id], [served.candidates[1].id]], strength: "BETTER" };
      });
      return small;
    };

    const it1 = await queueIteration({ actorId: admin.id, input: { ...input, name: "first" } });
    const snap = await db.snapshot.findUniqueOrThrow({ where: { id: it1.snapshotId } });
    expect(snap).toMatchObject({ name: `loop own-${tag}`, version: 1, status: "SUCCEEDED", projectIds: [project.id] });
    const rows = snap.rowCounts as { train: number; test: number };
    expect(rows).toEqual({ train: 30 - heldOut, test: heldOut });
    const runs = await Promise.all(it1.runIds.map((id) => getRun({ id })));
    expect(runs.map((r) => [r.kind, r.snapshotId])).toEqual([["DPO", snap.id], ["EVAL", snap.id]]);

    const it2 = await queueIteration({ actorId: admin.id, input: { ...input, name: "second" } });
    const snap2 = await db.snapshot.findUniqueOrThrow({ where: { id: it2.snapshotId } });
    expect(snap2).toMatchObject({ name: snap.name, version: 2 });

    // holding out too little of a small project leaves the evaluation nothing: refused on the field, nothing queued
    const few = await errorOf(queueIteration({ actorId: admin.id, input: { ...input, name: "few", testRatio: 0.05, projectId: (await tinyProject()).id } }));
    expect(few.fieldErrors).toEqual([{ field: "testRatio", message: "hold out more prompts, or collect more" }]);
    expect(await db.trainingRun.count({ where: { name: { startsWith: "few" } } })).toBe(0);
  });
});

describe("retrying a step of a chain", () => {
  it("queues the steps that failed because of it again, waiting for the retry and naming its model, in the iteration", async () => {
    const admin = await makeUser("ADMIN");
    const project = await upsertProject(db, { name: "retry loop", slug: `retry-${uid()}` });
    const snap = await snapshot();
    const start = await policy();
    const judge = await db.model.create({ data: { name: "judge", kind: "REWARD", backend: "tiny", path: path.join(dataDir, "models", "j3") } });
    const iteration = await queueIteration({ actorId: admin.id, input: { projectId: project.id, name: "iter r", snapshotId: snap.id, method: "DPO", policyModelId: start.id, rewardModelId: judge.id } });
    const [dpoId, evalId, generateId] = iteration.runIds;

    const first = await claimed();
    expect(first.run.id).toBe(dpoId);
    await finishRun({ lease: first.lease, status: "FAILED", error: "CUDA out of memory" });
    expect((await getRun({ id: evalId })).error).toBe(`needs run "iter r: DPO", which failed: CUDA out of memory`);

    const retry = await retryRun({ id: dpoId, createdById: admin.id });
    const after = await db.loopIteration.findUniqueOrThrow({ where: { id: iteration.id } });
    expect(after.runIds[0]).toBe(retry.id);
    const [evalAgain, generateAgain] = await Promise.all(after.runIds.slice(1).map((id) => getRun({ id })));
    expect(after.runIds.slice(1)).not.toContain(evalId);
    expect(after.runIds.slice(1)).not.toContain(generateId);
    for (const r of [evalAgain, generateAgain]) {
      expect(r.status).toBe("QUEUED");
      expect(r.modelId).toBe(`run:${retry.id}`);
      expect(r.needs.map((n) => n.id)).toEqual([retry.id]);
    }
    expect(evalAgain).toMatchObject({ kind: "EVAL", name: "iter r: eval (retry)" });
    expect(generateAgain.projectId).toBe(iteration.arenaProjectId);
    // the old ones keep their failure for the record
    expect((await getRun({ id: evalId })).status).toBe("FAILED");

    // the retry succeeds: the chain goes on with the model it registered
    const second = await claimed();
    expect(second.run.id).toBe(retry.id);
    await finishRun({ lease: second.lease, status: "SUCCEEDED", onSuccess: (tx, run) => registerPolicy(tx, run, { modelPath: path.join(dataDir, "runs", retry.id, "model"), metrics: {} }).then(() => undefined) });
    const model = await db.model.findFirstOrThrow({ where: { runId: retry.id } });
    expect((await getRun({ id: evalAgain.id })).modelId).toBe(model.id);
    const next = await claimed();
    expect([evalAgain.id, generateAgain.id]).toContain(next.run.id);
  });
});

describe("base models", () => {
  it("registers a directory under a model folder, its tokenizer and chat template checked", async () => {
    const roots = [path.join(dataDir, "models")];
    const hf = path.join(dataDir, "models", `hf-${uid()}`);
    await mkdir(hf, { recursive: true });
    await writeFile(path.join(hf, "config.json"), JSON.stringify({ architectures: ["Qwen2ForCausalLM"], model_type: "qwen2" }));
    await writeFile(path.join(hf, "model.safetensors"), "");
    const noTokenizer = await errorOf(registerBaseModel({ actorId: null, roots, input: { name: "q", path: hf } }));
    expect(noTokenizer.fieldErrors).toEqual([{ field: "path", message: "no tokenizer (tokenizer.json, tokenizer.model or vocab.json)" }]);
    await writeFile(path.join(hf, "tokenizer.json"), "{}");
    await writeFile(path.join(hf, "tokenizer_config.json"), JSON.stringify({ eos_token: "</s>" }));
    const noTemplate = await errorOf(registerBaseModel({ actorId: null, roots, input: { name: "q", path: hf } }));
    expect(noTemplate.fieldErrors).toEqual([{ field: "allowNoChatTemplate", message: "no chat template" }]);
    const plain = await registerBaseModel({ actorId: null, roots, input: { name: "q plain", path: hf, allowNoChatTemplate: true } });
    expect(plain).toMatchObject({ kind: "POLICY", backend: "hf", baseModel: "Qwen2ForCausalLM", chatTemplate: false, runId: null });
    await writeFile(path.join(hf, "tokenizer_config.json"), JSON.stringify({ chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}" }));
    expect((await registerBaseModel({ actorId: null, roots, input: { name: "q chat", path: hf } })).chatTemplate).toBe(true);

    const outside = await errorOf(registerBaseModel({ actorId: null, roots, input: { name: "x", path: path.join(dataDir, "elsewhere") } }));
    expect(outside.fieldErrors?.[0]).toMatchObject({ field: "path" });
    expect(outside.fieldErrors?.[0].message).toMatch(/must be under one of the model folders/);
  });
});

describe("EVAL with the real trainer", () => {
  it("measures a policy against a reference and keeps the result per model", async () => {
    const python = await pythonWithTorch();
    const snap = await seedSyntheticSnapshot(dataDir, { pairs: 40, testPairs: 24 });
    const models = path.join(dataDir, "models");
    const [a, b, r] = ["pol-a", "pol-b", "rm"].map((n) => path.join(models, `${n}-${uid()}`));
    // two different untrained tiny policies and an untrained tiny reward model: enough to exercise every number
    await execFileAsync(python, ["-c", [
      "import sys, torch",
      "from rlhf import model as m",
      "torch.manual_seed(1); m.save_tiny(m.TinyTransformer(m.TinyConfig(n_embd=32, n_layer=1, n_head=2, block_size=128)), sys.argv[1])",
      "torch.manual_seed(2); m.save_tiny(m.TinyTransformer(m.TinyConfig(n_embd=32, n_layer=1, n_head=2, block_size=128)), sys.argv[2])",
      "torch.manual_seed(3); m.save_tiny(m.TinyTransformer(m.TinyConfig(n_embd=32, n_layer=1, n_head=2, block_size=128, head='value')), sys.argv[3])",
    ].join("\n"), a, b, r], { cwd: TRAINER_DIR, env: { ...process.env, PYTHONPATH: TRAINER_DIR } });
    const roots = [models];
    const policyA = await registerBaseModel({ actorId: null, roots, input: { name: "tiny a", path: a } });
    const policyB = await registerBaseModel({ actorId: null, roots, input: { name: "tiny b", path: b } });
    expect(policyA).toMatchObject({ backend: "tiny", chatTemplate: true });
    const rm = await db.model.create({ data: { name: "tiny judge", kind: "REWARD", backend: "tiny", path: r } });

    const run = await enqueueRun({
      input: { kind: "EVAL", name: "a vs b", modelId: policyA.id, referenceModelId: policyB.id, rewardModelId: rm.id, snapshotId: snap.id, config: { max_new_tokens: 16, bootstrap_samples: 200 } },
    });
    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      const done = await waitForStatus(run.id, ["SUCCEEDED", "FAILED"], 120_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("SUCCEEDED");
    } finally {
      await worker.stop();
    }
    const [result] = await listEvalResults({ modelId: policyA.id });
    expect(result).toMatchObject({ runId: run.id, policyModelId: policyA.id, referenceModelId: policyB.id, rewardModelId: rm.id, snapshotId: snap.id });
    expect(result.prompts).toBeGreaterThan(1);
    expect(result.pairs).toBe(result.prompts);
    expect(result.winRateLow).toBeLessThanOrEqual(result.winRate);
    expect(result.winRateHigh).toBeGreaterThanOrEqual(result.winRate);
    expect(result.kl).toBeGreaterThan(0);
    expect(result.lengthPolicy).toBeGreaterThan(0);
    // the reference's page lists it too
    expect((await listEvalResults({ modelId: policyB.id })).map((e) => e.runId)).toEqual([run.id]);
    const metrics = await db.runMetric.findMany({ where: { runId: run.id }, select: { name: true } });
    expect(metrics.map((m) => m.name)).toContain("win_rate");
  });
});
