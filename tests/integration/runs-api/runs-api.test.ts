// The admin procedures behind the runs, models and endpoints pages. No worker runs here, so queued runs stay queued.
// A database of its own: queue positions count every queued run, so no other test file may enqueue into it.
import { ownDatabaseUrl, dropOwnDatabase } from "../worker/own-database";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { AppError } from "@/server/errors";
import { callerFor, makeProject, makeUser, pairItems } from "../fixtures/annotation";

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
  await dropOwnDatabase();
});

/** The fields a rejected call names, whether zod (input schema) or a service (AppError) refused it. */
async function fieldsOf(call: Promise<unknown>): Promise<string[]> {
  try {
    await call;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ZodError) return cause.issues.map((i) => i.path.join("."));
    if (cause instanceof AppError) return (cause.fieldErrors ?? []).map((f) => f.field);
    throw err;
  }
  throw new Error("the call was accepted");
}

async function readySnapshot(definition: Record<string, string> = {}, rowCounts: Record<string, number> = {}) {
  return db.snapshot.create({
    data: { name: `snap ${Math.random()}`, version: 1, definition, rowCounts, salt: "s", status: "SUCCEEDED", files: [{ name: "train.jsonl", split: "train" }] },
  });
}

/** The message of a rejected call (the service's AppError). */
async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the call was accepted");
}

describe("run.launch", () => {
  it("refuses a bad learning rate, an unknown snapshot and an hf run without a model, naming the field", async () => {
    expect(process.env.DATABASE_URL).toBe(ownDatabaseUrl);
    const api = callerFor(await makeUser("ADMIN"));
    const snapshot = await readySnapshot();
    const base = { kind: "REWARD" as const, name: "rm", snapshotId: snapshot.id };

    expect(await fieldsOf(api.run.launch({ ...base, config: { backend: "tiny", lr: 5 } }))).toEqual(["config.lr"]);
    expect(await fieldsOf(api.run.launch({ ...base, config: { lr: 0 } }))).toEqual(["config.lr"]);
    expect(await fieldsOf(api.run.launch({ ...base, config: { epochs: 1.5, batch_size: 0 } }))).toEqual(["config.epochs", "config.batch_size"]);
    expect(await fieldsOf(api.run.launch({ ...base, config: { backend: "hf", lr: 1e-5 } }))).toEqual(["config.model_path"]);
    expect(await fieldsOf(api.run.launch({ ...base, snapshotId: "no-such-snapshot", config: { lr: 1e-3 } }))).toEqual(["snapshotId"]);
    expect(await fieldsOf(api.run.launch({ ...base, gpuCount: -1 }))).toEqual(["gpuCount"]);
    // a setting the trainer does not have is refused at the launch, not by the worker minutes later
    const refused = await api.run.launch({ kind: "SFT", name: "sft", snapshotId: snapshot.id, config: { steps: 2, epochs: 1 } }).catch((err: { cause?: unknown }) => err.cause);
    expect(refused instanceof ZodError && refused.issues.map((i) => [i.path.join("."), i.message])).toEqual([["config.steps", '"steps" is not a setting of SFT runs (trainer/README.md lists them)']]);
    expect(await fieldsOf(api.run.launch({ kind: "SFT", name: "sft", snapshotId: snapshot.id, config: { steps: 2, learning_rate: 1e-3 } }))).toEqual(["config.steps", "config.learning_rate"]);
    expect(await fieldsOf(api.run.launch({ kind: "GENERATE", name: "gen", modelId: "x", projectId: "y", config: { max_prompts: 3, top_k: 5 } }))).toEqual(["config.top_k"]);
    expect(await fieldsOf(api.run.launch({ kind: "PPO", name: "ppo", modelId: "x", projectId: "y", config: { kl_coef: -0.1, batch_size: 10, num_mini_batches: 4 } }))).toEqual([
      "config.kl_coef",
      "config.num_mini_batches",
    ]);
    // DPO: the snapshot's pairs and a starting policy; beta above 0, label smoothing below 0.5
    expect(await fieldsOf(api.run.launch({ kind: "DPO", name: "dpo", snapshotId: snapshot.id, config: { beta: 0, label_smoothing: 0.5, policy_path: path.resolve(".data/models/sft") } }))).toEqual([
      "config.beta",
      "config.label_smoothing",
    ]);
    expect(await fieldsOf(api.run.launch({ kind: "DPO", name: "dpo", snapshotId: snapshot.id }))).toEqual(["config.policy_path"]);
    expect(await fieldsOf(api.run.launch({ kind: "DPO", name: "dpo", snapshotId: snapshot.id, policyModelId: "no-such-policy" }))).toEqual(["policyModelId"]);
    expect(await db.trainingRun.count()).toBe(0);

    const run = await api.run.launch({ ...base, config: { backend: "tiny", lr: 3e-3, epochs: 1, batch_size: 16, max_length: 96 }, gpuCount: 0 });
    expect(run).toMatchObject({ status: "QUEUED", kind: "REWARD", snapshotId: snapshot.id, config: { lr: 3e-3, max_length: 96 } });
    // keys the Python trainer knows but the form does not show pass through to it
    const extra = await api.run.launch({ ...base, name: "rm2", config: { center_rewards_coef: 0.01 } });
    expect(extra.config).toEqual({ center_rewards_coef: 0.01 });
    await db.trainingRun.deleteMany({});
  });

  it("queues Self-Instruct from a registered endpoint, with every option checked, responses only where a project can use them", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const { project: demos } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const { project: pairwise } = await makeProject({ taskType: "PAIRWISE", items: [], members: [] });
    const endpoint = await api.endpoint.create({ name: `teacher ${Math.random()}`, baseUrl: "http://127.0.0.1:9/v1", model: "teacher" });
    const seeds = [{ instruction: "Give three tips for staying healthy." }, { instruction: "Translate the sentence into French.", input: "The cat sleeps." }];
    const base = { kind: "SELF_INSTRUCT" as const, name: "si", projectId: demos.id, endpointId: endpoint.id };

    // a demonstration project's annotators write the answers; a pairwise one needs two to compare
    expect(await fieldsOf(api.run.launch({ ...base, config: { seed_tasks: seeds, target: 10, responses: 2 } }))).toEqual(["config.responses"]);
    expect(await fieldsOf(api.run.launch({ ...base, projectId: pairwise.id, config: { seed_tasks: seeds, target: 10, responses: 1 } }))).toEqual(["config.responses"]);
    expect(await fieldsOf(api.run.launch({ ...base, projectId: "no-such-project", config: { seed_tasks: seeds, target: 10 } }))).toEqual(["projectId"]);
    expect(await fieldsOf(api.run.launch({ ...base, endpointId: "no-such-endpoint", config: { seed_tasks: seeds, target: 10 } }))).toEqual(["endpointId"]);
    expect(await fieldsOf(api.run.launch({ ...base, gpuCount: 1, config: { seed_tasks: seeds, target: 10 } }))).toEqual(["gpuCount"]);
    expect(await fieldsOf(api.run.launch({ ...base, config: { seed_tasks: [], target: 0, max_rouge_l: 2 } }))).toEqual(["config.seed_tasks", "config.target", "config.max_rouge_l"]);
    expect(await fieldsOf(api.run.launch({ ...base, config: { seed_tasks: [{ instruction: "" }], target: 5 } }))).toEqual(["config.seed_tasks.0.instruction"]);
    // the trainer's options do not apply: the run is the worker's own
    expect(await fieldsOf(api.run.launch({ ...base, config: { seed_tasks: seeds, target: 5, lr: 0.1 } }))).toEqual(["config"]);
    expect(await db.trainingRun.count()).toBe(0);

    const run = await api.run.launch({ ...base, config: { seed_tasks: seeds, target: 25, temperature: 0.9 } });
    // stored with the defaults filled in, so the run page shows every option it ran with
    expect(run).toMatchObject({ kind: "SELF_INSTRUCT", status: "QUEUED", projectId: demos.id, gpuCount: 0 });
    expect(run.config).toMatchObject({ seed_tasks: seeds, target: 25, temperature: 0.9, examples: 8, max_rouge_l: 0.7, english_only: true, endpoint_id: endpoint.id });
    expect((await api.run.list({ kind: "SELF_INSTRUCT", projectId: demos.id })).map((r) => r.id)).toEqual([run.id]);
    expect(await api.run.list({ projectId: pairwise.id })).toEqual([]);
    const answered = await api.run.launch({ ...base, projectId: pairwise.id, config: { seed_tasks: seeds, target: 5 } });
    expect(answered.config).toMatchObject({ response_temperature: 0.7, response_max_tokens: 512 });
    await db.trainingRun.deleteMany({});
  });

  it("takes an endpoint or a registered policy as the generator of Self-Instruct and the AI judge: exactly one, a policy that is registered", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const { project: demos } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const { project: pairwise } = await makeProject({ taskType: "PAIRWISE", items: [], members: [] });
    const endpoint = await api.endpoint.create({ name: `gen ${Math.random()}`, baseUrl: "http://127.0.0.1:9/v1", model: "teacher" });
    const policy = await db.model.create({ data: { name: "tiny-teacher", kind: "POLICY", backend: "tiny", path: path.resolve(".data/models/tiny-teacher") } });
    const rm = await db.model.create({ data: { name: "rm-not-a-generator", kind: "REWARD", backend: "tiny", path: path.resolve(".data/models/rm-gen") } });
    const config = { seed_tasks: [{ instruction: "Give three tips for staying healthy." }], target: 5 };
    const si = { kind: "SELF_INSTRUCT" as const, name: "si", projectId: demos.id, config };
    const judge = { kind: "JUDGE" as const, name: "judge", projectId: pairwise.id, config: {} };
    const messageOf = async (call: Promise<unknown>) => {
      const cause = await call.then(() => null, (err: unknown) => (err as { cause?: unknown }).cause);
      return cause instanceof ZodError ? cause.issues.map((i) => `${i.path.join(".")}: ${i.message}`) : cause instanceof AppError ? (cause.fieldErrors ?? []).map((f) => `${f.field}: ${f.message}`) : cause;
    };

    for (const base of [si, judge]) {
      expect(await messageOf(api.run.launch({ ...base }))).toEqual(["endpointId: choose either an endpoint or a registered policy"]);
      expect(await messageOf(api.run.launch({ ...base, endpointId: endpoint.id, policyModelId: policy.id }))).toEqual(["endpointId: choose either an endpoint or a registered policy, not both"]);
      expect(await messageOf(api.run.launch({ ...base, policyModelId: "no-such-model" }))).toEqual(["policyModelId: not a policy"]);
      expect(await messageOf(api.run.launch({ ...base, policyModelId: rm.id }))).toEqual(["policyModelId: not a policy"]);
      expect(await fieldsOf(api.run.launch({ ...base, policyModelId: policy.id, gpuCount: 2 }))).toEqual(["gpuCount"]);
    }
    expect(await db.trainingRun.count()).toBe(0);

    const fromPolicy = await api.run.launch({ ...si, policyModelId: policy.id });
    expect(fromPolicy.config).toMatchObject({ policy_model_id: policy.id, target: 5 });
    expect(fromPolicy.config).not.toHaveProperty("endpoint_id");
    const judgedByPolicy = await api.run.launch({ ...judge, policyModelId: policy.id, gpuCount: 1 });
    expect(judgedByPolicy).toMatchObject({ gpuCount: 1, config: { policy_model_id: policy.id } });
    const fromEndpoint = await api.run.launch({ ...si, endpointId: endpoint.id });
    expect(fromEndpoint.config).toMatchObject({ endpoint_id: endpoint.id });
    expect(fromEndpoint.config).not.toHaveProperty("policy_model_id");

    // roles as for every launch: an annotator cannot queue one
    await expect(callerFor(await makeUser("ANNOTATOR")).run.launch({ ...si, policyModelId: policy.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await db.trainingRun.deleteMany({});
    await db.model.deleteMany({ where: { id: { in: [policy.id, rm.id] } } });
  });

  it("checks GRPO and RLOO launches like PPO's, with their own fields, and queues them with their inputs", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const snapshot = await readySnapshot();
    const rm = await db.model.create({ data: { name: "rm-online", kind: "REWARD", backend: "tiny", path: path.resolve(".data/models/rm-online") } });
    const sft = await db.model.create({ data: { name: "sft-online", kind: "POLICY", backend: "tiny", path: path.resolve(".data/models/sft-online") } });
    const admin = await makeUser("ADMIN");
    const { project } = await makeProject({ items: pairItems(2), members: [admin.id] });
    for (const kind of ["GRPO", "RLOO"] as const) {
      const base = { kind, name: `${kind} v1`, modelId: rm.id, policyModelId: sft.id };
      // the estimator is k1 or k3; a clip range below 1
      expect(await fieldsOf(api.run.launch({ ...base, projectId: project.id, config: { epsilon: 1.5, kl_estimator: "k2" } }))).toEqual([
        "config.kl_estimator",
        "config.epsilon",
      ]);
      // a batch of whole groups: 64 completions (the tiny default) in groups of 5 cannot be; the adaptive controller
      // (the default) needs a β above 0
      expect(await fieldsOf(api.run.launch({ ...base, projectId: project.id, config: { num_generations: 5, beta: 0 } }))).toEqual([
        "config.batch_size",
        "config.beta",
      ]);
      expect(await fieldsOf(api.run.launch({ ...base, projectId: project.id, config: { num_generations: 1 } }))).toEqual(["config.num_generations"]);
      // the worker fills in the reward model and the prompts
      expect(await fieldsOf(api.run.launch({ ...base, projectId: project.id, config: { reward_model_path: "/m", prompts_file: "/p.jsonl" } }))).toEqual([
        "config.reward_model_path",
        "config.prompts_file",
      ]);
      // prompts from a project or a snapshot; a reward model, not a policy, scores the completions
      expect(await fieldsOf(api.run.launch(base))).toEqual(["projectId"]);
      expect(await fieldsOf(api.run.launch({ ...base, modelId: sft.id, projectId: project.id }))).toEqual(["modelId"]);
      expect(await fieldsOf(api.run.launch({ ...base, snapshotId: "no-such-snapshot" }))).toEqual(["snapshotId"]);
      expect(await fieldsOf(api.run.launch({ ...base, policyModelId: undefined, projectId: project.id }))).toEqual(["config.policy_path"]);
      expect(await fieldsOf(api.run.launch({ ...base, policyModelId: rm.id, projectId: project.id }))).toEqual(["policyModelId"]);
    }
    expect(await db.trainingRun.count()).toBe(0);

    // beta 0 is fine with a fixed coefficient
    const grpo = await api.run.launch({ kind: "GRPO", name: "grpo v1", modelId: rm.id, policyModelId: sft.id, projectId: project.id, config: { num_generations: 8, batch_size: 64, beta: 0, kl_controller: "fixed" } });
    expect(grpo).toMatchObject({ kind: "GRPO", status: "QUEUED", modelId: rm.id, projectId: project.id, snapshotId: null, config: { num_generations: 8, beta: 0, policy_model_id: sft.id } });
    const rloo = await api.run.launch({ kind: "RLOO", name: "rloo v1", modelId: rm.id, snapshotId: snapshot.id, config: { policy_path: sft.path, kl_target: 3 } });
    expect(rloo).toMatchObject({ kind: "RLOO", modelId: rm.id, projectId: null, snapshotId: snapshot.id, config: { policy_path: sft.path, kl_target: 3 } });
    expect((await api.run.list({ kind: "RLOO" })).map((r) => r.id)).toEqual([rloo.id]);
    await db.trainingRun.deleteMany({});
  });

  it("is for admins only", async () => {
    const annotator = callerFor(await makeUser("ANNOTATOR"));
    const snapshot = await readySnapshot();
    await expect(annotator.run.launch({ kind: "REWARD", name: "x", snapshotId: snapshot.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(annotator.run.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(annotator.endpoint.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(null).model.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("run.launch of the offline methods (SFT, KTO) and the snapshots each kind reads", () => {
  it("reads only the formats its trainer reads, refuses an empty train split, and starts from the registry or a base model", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const sft = await readySnapshot({ format: "sft-conversational", fileType: "jsonl" }, { train: 40, test: 0 });
    const kto = await readySnapshot({ format: "kto", fileType: "jsonl" }, { train: 40, test: 4 });
    const pairs = await readySnapshot({ format: "trl-conversational", fileType: "jsonl" }, { train: 40, test: 4 });

    // demonstrations are no preference pairs, and unpaired rows no demonstrations
    for (const [kind, snapshot, reads] of [
      ["REWARD", sft, "trl, trl-conversational"],
      ["DPO", kto, "trl, trl-conversational"],
      ["SFT", kto, "sft, sft-conversational, sft-messages, trl, trl-conversational"],
      ["KTO", sft, "kto, trl, trl-conversational"],
    ] as const) {
      const input = { kind, name: "x", snapshotId: snapshot.id, config: kind === "SFT" || kind === "REWARD" ? {} : { policy_path: path.resolve(".data/models/sft") } };
      expect(await fieldsOf(api.run.launch(input as never))).toEqual(["snapshotId"]);
      expect(await messageOf(api.run.launch(input as never))).toContain(`reads ${reads}`);
    }
    const empty = await readySnapshot({ format: "sft" }, { train: 0, test: 0 });
    expect(await messageOf(api.run.launch({ kind: "SFT", name: "x", snapshotId: empty.id }))).toMatch(/has no train rows/);
    const parquet = await readySnapshot({ format: "sft", fileType: "parquet" }, { train: 5 });
    expect(await fieldsOf(api.run.launch({ kind: "SFT", name: "x", snapshotId: parquet.id }))).toEqual(["snapshotId"]);

    // SFT with the defaults: a new tiny model; hf needs a base model directory or a registered policy
    const fresh = await api.run.launch({ kind: "SFT", name: "sft tiny", snapshotId: sft.id });
    expect(fresh).toMatchObject({ kind: "SFT", status: "QUEUED", snapshotId: sft.id, config: {} });
    expect(await fieldsOf(api.run.launch({ kind: "SFT", name: "x", snapshotId: sft.id, config: { backend: "hf" } }))).toEqual(["config.model_path"]);
    // a preference snapshot's chosen responses train SFT too
    expect((await api.run.launch({ kind: "SFT", name: "sft pairs", snapshotId: pairs.id, config: { epochs: 2, packing: true } })).config).toEqual({ epochs: 2, packing: true });
    expect(await fieldsOf(api.run.launch({ kind: "SFT", name: "x", snapshotId: sft.id, config: { train_file: "/x" } }))).toEqual(["config.train_file"]);

    // continuing a registered policy: kept as policy_model_id (the worker stages its path), in its own backend
    const policy = await db.model.create({ data: { name: "sft-start", kind: "POLICY", backend: "tiny", path: "/m/sft-start" } });
    const more = await api.run.launch({ kind: "SFT", name: "sft more", snapshotId: sft.id, policyModelId: policy.id, config: { lr: 1e-3 } });
    expect(more.config).toEqual({ lr: 1e-3, policy_model_id: policy.id });
    expect(await fieldsOf(api.run.launch({ kind: "SFT", name: "x", snapshotId: sft.id, policyModelId: policy.id, config: { backend: "hf" } }))).toEqual(["policyModelId"]);
    expect(await fieldsOf(api.run.launch({ kind: "DPO", name: "x", snapshotId: pairs.id, policyModelId: policy.id, config: { backend: "hf" } }))).toEqual(["policyModelId"]);

    // KTO: a starting policy, at least two examples per batch, TRL's weights above 0, a known class-balance choice
    expect(await fieldsOf(api.run.launch({ kind: "KTO", name: "x", snapshotId: kto.id }))).toEqual(["config.policy_path"]);
    expect(
      await fieldsOf(api.run.launch({ kind: "KTO", name: "x", snapshotId: kto.id, policyModelId: policy.id, config: { batch_size: 1, desirable_weight: 0, class_balance: "fix" } })),
    ).toEqual(["config.desirable_weight", "config.class_balance", "config.batch_size"]);
    const ktoRun = await api.run.launch({ kind: "KTO", name: "kto", snapshotId: pairs.id, policyModelId: policy.id, config: { undesirable_weight: 1.5 } });
    expect(ktoRun).toMatchObject({ kind: "KTO", config: { undesirable_weight: 1.5, policy_model_id: policy.id } });
    // DPO's tie and weighting choices are the trainer's
    expect(await fieldsOf(api.run.launch({ kind: "DPO", name: "x", snapshotId: pairs.id, policyModelId: policy.id, config: { ties: "ignore", pair_weighting: "strength" } }))).toEqual([
      "config.pair_weighting",
      "config.ties",
    ]);
    await db.trainingRun.deleteMany({});
  });
});

describe("queue, cancel and retry", () => {
  it("lists queued runs with their queue position; cancelling one moves the others up; retry queues a copy last", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const snapshot = await readySnapshot();
    const launched = [];
    for (const name of ["first", "second", "third"]) launched.push(await api.run.launch({ kind: "REWARD", name, snapshotId: snapshot.id }));
    const position = async () => new Map((await api.run.list()).map((r) => [r.name, r.queuePosition]));
    expect(Object.fromEntries(await position())).toEqual({ first: 1, second: 2, third: 3 });
    expect((await api.run.list()).map((r) => r.name)).toEqual(["third", "second", "first"]);

    const cancelled = await api.run.cancel({ id: launched[1].id });
    expect(cancelled.status).toBe("CANCELLED");
    expect(Object.fromEntries(await position())).toEqual({ first: 1, second: null, third: 2 });
    expect((await api.run.get({ id: launched[2].id })).queuePosition).toBe(2);
    await expect(api.run.cancel({ id: launched[1].id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(api.run.retry({ id: launched[0].id })).rejects.toMatchObject({ code: "CONFLICT" });

    const again = await api.run.retry({ id: launched[1].id });
    expect(again).toMatchObject({ name: "second (retry)", status: "QUEUED", snapshotId: snapshot.id });
    expect((await api.run.get({ id: again.id })).queuePosition).toBe(3);
    expect((await api.run.list({ status: "CANCELLED" })).map((r) => r.id)).toEqual([launched[1].id]);
    await db.trainingRun.deleteMany({});
  });

  it("shows a run's metrics in step order and its samples per step", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const run = await api.run.launch({ kind: "REWARD", name: "with metrics", snapshotId: (await readySnapshot()).id });
    await db.runMetric.createMany({
      data: [
        { runId: run.id, step: 20, name: "loss", value: 0.4 },
        { runId: run.id, step: 10, name: "loss", value: 0.6 },
        { runId: run.id, step: 10, name: "accuracy", value: 0.7 },
      ],
    });
    await db.runSample.createMany({ data: [{ runId: run.id, step: 1, prompt: "p", response: "r1", score: 1 }, { runId: run.id, step: 2, prompt: "p", response: "r2", score: 2 }] });
    expect(await api.run.metrics({ runId: run.id, names: ["loss"] })).toEqual([
      { step: 10, name: "loss", value: 0.6 },
      { step: 20, name: "loss", value: 0.4 },
    ]);
    expect((await api.run.metrics({ runId: run.id, afterStep: 10 })).map((m) => m.step)).toEqual([20]);
    expect((await api.run.samples({ runId: run.id, step: 2 })).map((s) => s.response)).toEqual(["r2"]);
    await db.trainingRun.deleteMany({});
  });
});

describe("model registry", () => {
  it("keeps one active model per kind", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const rm = (name: string) => db.model.create({ data: { name, kind: "REWARD", backend: "tiny", path: `/m/${name}` } });
    const [a, b] = [await rm("rm-a"), await rm("rm-b")];
    const policy = await db.model.create({ data: { name: "pol", kind: "POLICY", backend: "tiny", path: "/m/pol", active: true } });
    await api.model.setActive({ id: a.id });
    expect((await api.model.list({ kind: "REWARD" })).filter((m) => m.active).map((m) => m.name)).toEqual(["rm-a"]);
    await api.model.setActive({ id: b.id });
    const all = await api.model.list();
    expect(all.filter((m) => m.active).map((m) => m.name).sort()).toEqual(["pol", "rm-b"]);
    expect(all.find((m) => m.id === policy.id)?.active).toBe(true);
    await expect(api.model.setActive({ id: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reports the active reward model's agreement with human judgements, and asks for one when none is active", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    await db.model.updateMany({ data: { active: false } });
    const { project, itemIds } = await makeProject({ items: pairItems(4), members: [admin.id] });
    expect(await api.model.agreement({ projectId: project.id })).toEqual({ modelId: null, comparisons: 0, agreement: null });
    await expect(api.run.launch({ kind: "SCORE", name: "score", projectId: project.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: /no active reward model/ });

    const rm = await db.model.create({ data: { name: "judge", kind: "REWARD", backend: "tiny", path: "/m/judge", active: true } });
    // The human preferred the first candidate on every item; the model agrees on three of four.
    for (const [i, itemId] of itemIds.entries()) {
      const links = await db.itemCandidate.findMany({ where: { itemId }, orderBy: { position: "asc" } });
      const [first, second] = links.map((l) => l.candidateId);
      const item = await db.item.update({
        where: { id: itemId },
        data: { rmScores: { modelId: rm.id, scores: { [first]: i < 3 ? 1 : -1, [second]: 0 } } },
      });
      const annotation = await db.annotation.create({
        data: { submissionId: `${itemId}-s`, itemId, projectId: project.id, userId: admin.id, ranking: [[first], [second]], timeSpentMs: 1000 },
      });
      await db.comparison.create({
        data: { annotationId: annotation.id, projectId: project.id, itemId, promptId: item.promptId, userId: admin.id, chosenId: first, rejectedId: second, margin: 1 },
      });
    }
    expect(await api.model.agreement({ projectId: project.id })).toEqual({ modelId: rm.id, comparisons: 4, agreement: 0.75 });

    // Scoring is a run on the queue: by the active reward model unless another is chosen, which must be a reward model.
    const scoring = await api.run.launch({ kind: "SCORE", name: "score", projectId: project.id });
    expect(scoring).toMatchObject({ kind: "SCORE", status: "QUEUED", projectId: project.id, modelId: rm.id, gpuCount: 0 });
    const policy = await db.model.create({ data: { name: "not-a-judge", kind: "POLICY", backend: "tiny", path: "/m/p" } });
    expect(await fieldsOf(api.run.launch({ kind: "SCORE", name: "score", projectId: project.id, modelId: policy.id }))).toEqual(["modelId"]);
    expect(await fieldsOf(api.run.launch({ kind: "SCORE", name: "score", projectId: "no-such-project" }))).toEqual(["projectId"]);
    await db.trainingRun.deleteMany({});
  });
});

describe("endpoints", () => {
  it("stores the API key encrypted and never returns it", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const secret = "sk-test-DO-NOT-LEAK-1234567890";
    const created = await api.endpoint.create({ name: `vllm ${Math.random()}`, baseUrl: "http://127.0.0.1:8000/v1", model: "llama", apiKey: secret, concurrency: 8 });
    expect(created).toMatchObject({ model: "llama", concurrency: 8, hasApiKey: true });
    expect(JSON.stringify(created)).not.toContain(secret);
    const listed = await api.endpoint.list();
    expect(listed.map((e) => e.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.every((e) => !("apiKeyEncrypted" in e) && !("apiKey" in e))).toBe(true);
    const stored = await db.endpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.apiKeyEncrypted).toBeTruthy();
    expect(stored.apiKeyEncrypted).not.toContain(secret);

    const keyless = await api.endpoint.create({ name: `ollama ${Math.random()}`, baseUrl: "http://127.0.0.1:11434/v1", model: "qwen" });
    expect(keyless.hasApiKey).toBe(false);
    expect(await fieldsOf(api.endpoint.create({ name: "bad", baseUrl: "ftp://x", model: "m" }))).toEqual(["baseUrl"]);
    await expect(api.endpoint.create({ name: keyless.name, baseUrl: "http://127.0.0.1:1/v1", model: "m" })).rejects.toMatchObject({ code: "CONFLICT" });

    await api.endpoint.delete({ id: created.id });
    expect((await api.endpoint.list()).map((e) => e.id)).not.toContain(created.id);
    await expect(api.endpoint.delete({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("model directories at launch", () => {
  it("must lie under the model folders, named per field", async () => {
    const api = callerFor(await makeUser("ADMIN"));
    const rm = await db.model.create({ data: { name: `rm-paths ${Math.random()}`, kind: "REWARD", backend: "tiny", path: path.resolve(".data/runs/x/model") } });
    const { project } = await makeProject({ items: pairItems(1), members: [] });
    const ppo = (config: Record<string, unknown>) => api.run.launch({ kind: "PPO", name: "paths", modelId: rm.id, projectId: project.id, config });
    expect(await fieldsOf(ppo({ policy_path: "/etc" }))).toEqual(["config.policy_path"]);
    expect(await fieldsOf(ppo({ policy_path: "models/sft" }))).toEqual(["config.policy_path"]);
    expect(await fieldsOf(ppo({ policy_path: path.resolve(".data/models/sft"), value_model_path: "/root/.ssh" }))).toEqual(["config.value_model_path"]);
    const snapshot = await readySnapshot();
    expect(await fieldsOf(api.run.launch({ kind: "REWARD", name: "paths", snapshotId: snapshot.id, config: { backend: "hf", model_path: "/home/someone/llama" } }))).toEqual(["config.model_path"]);
    await expect(ppo({ policy_path: "/etc" })).rejects.toThrow(/^config\.policy_path must be under one of the model folders: .*\.data\/runs, .*\.data\/models/);
    const ok = await ppo({ policy_path: path.resolve(".data/models/sft") });
    await api.run.cancel({ id: ok.id });
  });
});

describe("audit log", () => {
  it("records run launch, cancel and retry, model activation, endpoint create and delete, with who did it", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const entries = async (targetType: string) =>
      (await api.audit.list({ limit: 50, actorId: admin.id, targetType })).rows.map((r) => ({ action: r.action, targetId: r.targetId, before: r.before, after: r.after })).reverse();

    const run = await api.run.launch({ kind: "REWARD", name: "audited", snapshotId: (await readySnapshot()).id, config: { lr: 1e-3 } });
    await api.run.cancel({ id: run.id });
    const retry = await api.run.retry({ id: run.id });
    expect(await entries("run")).toEqual([
      { action: "run.launch", targetId: run.id, before: null, after: expect.objectContaining({ kind: "REWARD", name: "audited", config: { lr: 1e-3 } }) },
      { action: "run.cancel", targetId: run.id, before: { status: "QUEUED" }, after: { status: "CANCELLED", cancelRequested: true } },
      { action: "run.retry", targetId: retry.id, before: { retryOf: run.id, status: "CANCELLED" }, after: expect.objectContaining({ name: "audited (retry)" }) },
    ]);
    await api.run.cancel({ id: retry.id });

    const rm = await db.model.create({ data: { name: "audited rm", kind: "REWARD", backend: "tiny", path: "/m/audited" } });
    await api.model.setActive({ id: rm.id });
    expect(await entries("model")).toEqual([
      { action: "model.activate", targetId: rm.id, before: { kind: "REWARD", active: expect.toSatisfy((v) => v === null || typeof v === "object") }, after: { kind: "REWARD", active: { id: rm.id, name: "audited rm" } } },
    ]);

    const secret = "sk-audit-DO-NOT-LEAK-0987654321";
    const endpoint = await api.endpoint.create({ name: `audited ${Math.random()}`, baseUrl: "http://127.0.0.1:8000/v1", model: "llama", apiKey: secret });
    await api.endpoint.delete({ id: endpoint.id });
    const logged = await entries("endpoint");
    expect(logged).toEqual([
      { action: "endpoint.create", targetId: endpoint.id, before: null, after: expect.objectContaining({ name: endpoint.name, baseUrl: "http://127.0.0.1:8000/v1", hasApiKey: true }) },
      { action: "endpoint.delete", targetId: endpoint.id, before: expect.objectContaining({ name: endpoint.name }), after: null },
    ]);
    expect(JSON.stringify(logged)).not.toContain(secret);
  });
});
