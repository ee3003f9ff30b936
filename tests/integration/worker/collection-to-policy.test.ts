// Issue 13 with the collection pipeline, end to end on the real trainer: annotators write demonstrations, a snapshot
// of them trains a starting policy with SFT, and DPO on a pairwise project's judgements continues that policy,
// queued at the same time as the SFT run and waiting for it (`run:<id>`). Real Postgres, real worker, real PyTorch on
// tiny models; a database of its own (a worker claims any queued run).
import { closeOwnDatabase } from "./own-database";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { addItems, addMembers, upsertProject } from "@/prisma/seed/helpers";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import { enqueueRun, getRun, listRunMetrics } from "@/server/services/runs/admin";
import { makeUser, uid, workQueue } from "../fixtures/annotation";
import { pythonWithTorch, runWorker, waitForStatus } from "./helpers";
import { colourAsks, colours, judgedColourPairs } from "./colour-pairs";

const dataDir = path.resolve(env.DATA_DIR);
const made: string[] = [];

afterAll(() => closeOwnDatabase(made));

describe("demonstrations → SFT → DPO", () => {
  it("a policy made from people's demonstrations is what DPO on their judgements continues, each with its lineage", async () => {
    await pythonWithTorch();
    const tag = uid();
    const annotator = await makeUser("ANNOTATOR");
    const admin = await makeUser("ADMIN");

    // 1. demonstrations: the annotator writes the ideal answer to each prompt
    const demos = await upsertProject(db, { name: `demos ${tag}`, slug: `demos-${tag}`, taskType: "DEMONSTRATION" });
    await addMembers(db, demos.id, [annotator.id]);
    const asks = colourAsks(tag);
    await addItems(db, demos.id, asks.map((content) => ({ messages: [{ role: "user" as const, content }], candidates: [] })));
    let written = 0;
    await workQueue(demos.slug, annotator, (item) => {
      const served = item as unknown as { messages: { content: string }[] };
      const colour = colours.find((c) => served.messages[0].content.includes(` ${c} `)) ?? "?";
      written++;
      return { ranking: [], demonstration: `The colour is ${colour}.` };
    });
    expect(written).toBe(30);
    const sftSnap = await createSnapshot({ name: `demos ${tag}`, projectIds: [demos.id], format: "sft-conversational", split: { testRatio: 0.2, seed: "" }, createdById: admin.id });
    made.push(snapshotDir(sftSnap.id));
    expect((sftSnap.rowCounts.train ?? 0) + (sftSnap.rowCounts.test ?? 0)).toBe(30);

    // 2. judgements on a pairwise project: the answer that names the asked colour beats the one that names another
    const pairs = await judgedColourPairs({ name: `pairs ${tag}`, slug: `pairs-${tag}`, asks, annotator });
    const dpoSnap = await createSnapshot({ name: `pairs ${tag}`, projectIds: [pairs.id], format: "trl-conversational", split: { testRatio: 0.2, seed: "" }, createdById: admin.id });
    made.push(snapshotDir(dpoSnap.id));
    expect((dpoSnap.rowCounts.train ?? 0) + (dpoSnap.rowCounts.test ?? 0)).toBe(30);

    // 3. both queued at once with the settings a user gets without touching a field: DPO names the policy SFT will
    // register and waits for it
    const sft = await enqueueRun({ createdById: admin.id, input: { kind: "SFT", name: `start ${tag}`, snapshotId: sftSnap.id, config: {} } });
    const dpo = await enqueueRun({ createdById: admin.id, input: { kind: "DPO", name: `dpo ${tag}`, snapshotId: dpoSnap.id, policyModelId: `run:${sft.id}`, config: {} } });
    expect((await getRun({ id: dpo.id })).needs.map((n) => n.id)).toEqual([sft.id]);
    made.push(path.join(dataDir, "runs", sft.id), path.join(dataDir, "runs", dpo.id));

    const worker = runWorker({ gpuIds: [], dataDir });
    try {
      const done = await waitForStatus(dpo.id, ["SUCCEEDED", "FAILED"], 240_000);
      expect(done.error, worker.lines.join("\n")).toBeNull();
    } finally {
      await worker.stop();
    }
    expect((await getRun({ id: sft.id })).status).toBe("SUCCEEDED");

    const start = await db.model.findFirstOrThrow({ where: { runId: sft.id } });
    expect(start).toMatchObject({ kind: "POLICY", backend: "tiny", snapshotId: sftSnap.id, parentId: null, baseModel: "tiny (from scratch)" });
    const next = await db.model.findFirstOrThrow({ where: { runId: dpo.id } });
    expect(next).toMatchObject({ kind: "POLICY", parentId: start.id, snapshotId: dpoSnap.id });
    // the DPO run was rewired to the registered model before it started
    expect(((await getRun({ id: dpo.id })).config as Record<string, unknown>).policy_model_id).toBe(start.id);

    // lineage on disk: each model names the snapshot (and its files' hash) it learnt from, and its method
    const sftMeta = JSON.parse(await readFile(path.join(start.path, "rlhf_meta.json"), "utf8"));
    const dpoMeta = JSON.parse(await readFile(path.join(next.path, "rlhf_meta.json"), "utf8"));
    expect(sftMeta).toMatchObject({ method: "sft", snapshot_id: sftSnap.id });
    expect(dpoMeta).toMatchObject({ method: "dpo", snapshot_id: dpoSnap.id });
    expect(sftMeta.snapshot_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(dpoMeta.snapshot_sha256).toMatch(/^[0-9a-f]{64}$/);

    // charts with more than one point, under TRL's names
    const sftMetrics = await listRunMetrics({ runId: sft.id });
    const sftLoss = sftMetrics.filter((m) => m.name === "loss");
    expect(sftLoss.length).toBeGreaterThan(1);
    expect(sftMetrics.some((m) => m.name === "eval_loss")).toBe(true);
    const names = new Set((await listRunMetrics({ runId: dpo.id })).map((m) => m.name));
    for (const n of ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected"]) expect(names).toContain(n);
  }, 300_000);
});
