// An AI judge's verdicts in the exports (RLAIF): on their own as TRL pairs, mixed with the people's under a `source`
// column, in the raw format; refused where they cannot go (a format with nothing of a verdict in it, an aggregation
// that would mix votes, a run without verdicts on the projects). The published TRL layout keeps its exact fields
// unless the snapshot mixes the two.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { createSnapshot, snapshotDir, type CreateSnapshotOptions } from "@/server/services/export";
import { readRows, readSnapshotFile } from "@/tests/fixtures/export/fixture";
import { makeProject, makeUser, uid, workQueue } from "../fixtures/annotation";

const created: string[] = [];
let tag: string;
let projectId: string;
let runId: string;

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

// Three pairwise prompts; the annotator prefers "Good" on all three. The judge agrees on the first, prefers "Poor"
// on the second and has no verdict on the third (its requests failed).
beforeAll(async () => {
  tag = uid();
  const annotator = await makeUser("ANNOTATOR");
  const item = (k: string) => ({ messages: [{ role: "user" as const, content: `Prompt ${k} ${tag}` }], candidates: [{ text: `Good ${k} ${tag}`, model: "alpha" }, { text: `Poor ${k} ${tag}`, model: "beta" }] });
  const p = await makeProject({ taskType: "PAIRWISE", items: [item("one"), item("two"), item("three")], members: [annotator.id] });
  projectId = p.project.id;
  await workQueue(p.project.slug, annotator, (served) => {
    const good = served.candidates.find((c) => c.text.startsWith("Good"))!;
    const poor = served.candidates.find((c) => c.text.startsWith("Poor"))!;
    return { ranking: [[good.id], [poor.id]], strength: "BETTER" };
  });
  const run = await db.trainingRun.create({ data: { kind: "JUDGE", name: `judge ${tag}`, projectId, status: "SUCCEEDED", config: {} } });
  runId = run.id;
  const items = await db.item.findMany({ where: { projectId }, include: { prompt: true, candidates: { include: { candidate: true } } } });
  for (const it of items) {
    const k = (it.prompt.messages as { content: string }[])[0].content.split(" ")[1];
    const good = it.candidates.find((c) => c.candidate.text.startsWith("Good"))!.candidateId;
    const poor = it.candidates.find((c) => c.candidate.text.startsWith("Poor"))!.candidateId;
    await db.suggestion.create({
      data: {
        runId, projectId, itemId: it.id, judge: "judge-7b",
        ranking: k === "three" ? undefined : k === "one" ? [[good], [poor]] : [[poor], [good]],
        strength: k === "three" ? null : "MUCH_BETTER",
        error: k === "three" ? "no verdict" : null,
      },
    });
  }
});

async function snap(def: Partial<CreateSnapshotOptions>) {
  const s = await createSnapshot({ name: `ai-labels-${tag}`, projectIds: [projectId], split: { testRatio: 0, seed: "" }, ...def });
  created.push(s.id);
  return s;
}
const pairOf = (r: Record<string, unknown>) => `${String(r.chosen).split(" ")[0]}>${String(r.rejected).split(" ")[0]} ${String(r.prompt).split(" ")[1]}`;

describe("an AI judge's labels in the exports", () => {
  it("labels ai: the judge's verdicts alone, as TRL pairs in the published layout, with the card saying so", async () => {
    const s = await snap({ labels: "ai", judgeRunId: runId });
    const rows = await readRows(s.id, "train.jsonl");
    expect(rows.map(pairOf).sort()).toEqual(["Good>Poor one", "Poor>Good two"]);
    expect(Object.keys(rows[0]).sort()).toEqual(["chosen", "margin", "prompt", "prompt_id", "rejected"]);
    expect(rows.every((r) => r.margin === 3)).toBe(true);
    const card = await readSnapshotFile(s.id, "README.md");
    expect(card).toContain("Labels: AI feedback (RLAIF) only");
    expect(card).toContain(runId);
  });

  it("labels both: every judgement its own row, each with its source", async () => {
    const s = await snap({ labels: "both", judgeRunId: runId });
    const rows = await readRows(s.id, "train.jsonl");
    expect(rows.map((r) => `${r.source} ${pairOf(r)}`).sort()).toEqual([
      "ai Good>Poor one",
      "ai Poor>Good two",
      "human Good>Poor one",
      "human Good>Poor three",
      "human Good>Poor two",
    ]);
    // and by default nothing of the judge is in a snapshot: the people's three pairs, no source column
    const people = await readRows((await snap({})).id, "train.jsonl");
    expect(people).toHaveLength(3);
    expect(people.every((r) => !("source" in r))).toBe(true);
  });

  it("raw: the judge's verdicts as judgements of their own, its pseudonym as the annotator", async () => {
    const rows = await readRows((await snap({ labels: "both", judgeRunId: runId, format: "raw" })).id, "train.jsonl");
    expect(rows).toHaveLength(5);
    const ai = rows.filter((r) => r.source === "ai");
    expect(ai).toHaveLength(2);
    expect(new Set(ai.map((r) => r.annotator)).size).toBe(1);
    expect(ai[0]).toMatchObject({ rationale: "", time_spent_ms: 0, strength: "MUCH_BETTER" });
    expect(rows.filter((r) => r.source === "human").every((r) => r.annotator !== ai[0].annotator)).toBe(true);
  });

  it("refuses what cannot hold a judge's labels, by field, and writes nothing", async () => {
    const before = await db.snapshot.count();
    const fieldOf = async (def: Partial<CreateSnapshotOptions>) => {
      const err = await snap(def).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).fieldErrors?.map((f) => f.field);
    };
    expect(await fieldOf({ labels: "ai" })).toEqual(["judgeRunId"]);
    expect(await fieldOf({ labels: "ai", judgeRunId: runId, format: "sft" })).toEqual(["format"]);
    expect(await fieldOf({ labels: "both", judgeRunId: runId, aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } })).toEqual(["aggregation.policy"]);
    expect(await fieldOf({ labels: "ai", judgeRunId: "no-such-run" })).toEqual(["judgeRunId"]);
    expect(await db.snapshot.count()).toBe(before);
  });
});
