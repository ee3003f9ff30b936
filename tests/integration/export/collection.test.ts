// Exports of ratings and demonstrations, from judgements made through the annotation API: SFT (TRL prompt-completion,
// conversational and messages layouts), KTO (TRL unpaired preference), the improvements as preference pairs (TRL),
// and items with no candidate (a demonstration written from scratch) in every format.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { exportFormats } from "@/server/schemas/export";
import { readRows } from "@/tests/fixtures/export/fixture";
import { makeProject, makeUser, uid, workQueue } from "../fixtures/annotation";

const created: string[] = [];
let tag: string;
let rating: { id: string };
let demo: { id: string };

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

/** Every user in turn works the queue to its end; `judge` also learns which of them answers. */
async function judgeAll(slug: string, users: Parameters<typeof workQueue>[1][], judge: (item: Parameters<Parameters<typeof workQueue>[2]>[0], who: number) => object) {
  for (const [who, u] of users.entries()) await workQueue(slug, u, (item) => ({ timeSpentMs: 500, ...judge(item, who) }));
}

beforeAll(async () => {
  tag = uid();
  const [u1, u2] = await Promise.all([makeUser("ANNOTATOR"), makeUser("ANNOTATOR")]);
  const users = [u1, u2] as never[];
  const r = await makeProject({
    taskType: "RATING",
    overlap: 2,
    criteria: [{ key: "quality", label: "Quality", description: "", scale: { kind: "likert", points: 7 } }] as never,
    items: ["good", "bad", "split"].map((k) => ({ messages: [{ role: "user" as const, content: `Rate ${k} ${tag}` }], candidates: [{ text: `Answer ${k} ${tag}`, model: "m" }] })),
    members: [u1.id, u2.id],
  });
  rating = r.project;
  // "good": both thumbs up; "bad": both down; "split": one each, quality 6 and 3
  await judgeAll(r.project.slug, users, (item, who) => {
    const k = item.messages[0].content.split(" ")[1];
    const up = k === "good" || (k === "split" && who === 0);
    return { ranking: [[item.candidates[0].id]], thumbs: up, ratings: { [item.candidates[0].id]: { quality: up ? 6 : 3 } } };
  });
  const d = await makeProject({
    taskType: "DEMONSTRATION",
    editsAsPreference: true,
    items: [
      { messages: [{ role: "user" as const, content: `Write ${tag}` }], candidates: [] },
      { messages: [{ role: "user" as const, content: `Improve ${tag}` }], candidates: [{ text: `Draft ${tag}`, model: "m" }] },
    ],
    members: [u1.id],
  });
  demo = d.project;
  await judgeAll(d.project.slug, [u1] as never[], (item) =>
    item.candidates.length ? { ranking: [], demonstration: `Improved ${tag}`, demonstrationFrom: item.candidates[0].id } : { ranking: [], demonstration: `Written\nby hand ${tag}` },
  );
});

async function rows(def: Partial<CreateSnapshotInput> & { projectIds: string[] }) {
  const s = await createSnapshot({ name: `collection-${tag}`, split: { testRatio: 0, seed: "" }, ...def });
  created.push(s.id);
  expect(s.status).toBe("SUCCEEDED");
  return readRows(s.id, "train.jsonl");
}

const byCompletion = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.completion ?? a.messages).localeCompare(String(b.completion ?? b.messages));

describe("exports of ratings and demonstrations", () => {
  it("sft: every demonstration (written and improved) and the responses most thumbs liked, in TRL's prompt-completion layout", async () => {
    const got = await rows({ projectIds: [rating.id, demo.id], format: "sft" });
    expect(got.map(({ prompt, completion }) => ({ prompt, completion })).sort(byCompletion)).toEqual(
      [
        { prompt: `Rate good ${tag}`, completion: `Answer good ${tag}` },
        { prompt: `Improve ${tag}`, completion: `Improved ${tag}` },
        { prompt: `Write ${tag}`, completion: `Written\nby hand ${tag}` },
      ].sort(byCompletion),
    );
    for (const r of got) expect(Object.keys(r)).toEqual(["prompt_id", "prompt", "completion"]);
    const conv = await rows({ projectIds: [demo.id], format: "sft-conversational" });
    const json = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(json(conv.map((r) => [r.prompt, r.completion]))).toEqual(
      json([
        [[{ role: "user", content: `Improve ${tag}` }], [{ role: "assistant", content: `Improved ${tag}` }]],
        [[{ role: "user", content: `Write ${tag}` }], [{ role: "assistant", content: `Written\nby hand ${tag}` }]],
      ]),
    );
    const messages = await rows({ projectIds: [demo.id], format: "sft-messages" });
    expect(messages.map((r) => r.messages)).toContainEqual([{ role: "user", content: `Write ${tag}` }, { role: "assistant", content: `Written\nby hand ${tag}` }]);
  });

  it("kto: ratings labelled by their thumbs (one row each with policy all, by majority otherwise); improvements as desirable/undesirable", async () => {
    const all = await rows({ projectIds: [rating.id], format: "kto" });
    const pick = (rs: Record<string, unknown>[]) => rs.map((r) => `${String(r.completion).split(" ")[1]}:${r.label}`).sort();
    expect(pick(all)).toEqual(["bad:false", "bad:false", "good:true", "good:true", "split:false", "split:true"]);
    const majority = await rows({ projectIds: [rating.id], format: "kto", aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } });
    expect(pick(majority)).toEqual(["bad:false", "good:true"]);
    const demos = await rows({ projectIds: [demo.id], format: "kto" });
    expect(demos.map((r) => [r.completion, r.label]).sort()).toEqual([[`Draft ${tag}`, false], [`Improved ${tag}`, true], [`Written\nby hand ${tag}`, true]].sort());
    for (const r of demos) expect(typeof r.label).toBe("boolean");
  });

  it("kto without thumbs: the mean criterion rating against the definition's threshold", async () => {
    const u = await makeUser("ANNOTATOR");
    const { project } = await makeProject({
      taskType: "RATING",
      thumbs: false,
      criteria: [{ key: "a", label: "A", description: "", scale: { kind: "likert", points: 7 } }, { key: "b", label: "B", description: "", scale: { kind: "likert", points: 7 } }] as never,
      items: [6, 3].map((q) => ({ messages: [{ role: "user" as const, content: `Q${q} ${tag}` }], candidates: [{ text: `R${q} ${tag}`, model: "m" }] })),
      members: [u.id],
    });
    // means 5.5 (6 and 5) and 3 (3 and 3)
    await judgeAll(project.slug, [u] as never[], (item) => {
      const q = Number(item.candidates[0].text[1]);
      return { ranking: [[item.candidates[0].id]], ratings: { [item.candidates[0].id]: { a: q, b: q === 6 ? 5 : 3 } } };
    });
    const labels = async (ktoThreshold: number) => (await rows({ projectIds: [project.id], format: "kto", ktoThreshold })).map((r) => `${r.completion}:${r.label}`).sort();
    expect(await labels(5)).toEqual([`R3 ${tag}:false`, `R6 ${tag}:true`]);
    expect(await labels(6)).toEqual([`R3 ${tag}:false`, `R6 ${tag}:false`]);
    expect(await labels(3)).toEqual([`R3 ${tag}:true`, `R6 ${tag}:true`]);
  });

  it("trl: an improvement stored as edited ≻ original is a preference pair; a written demonstration is none", async () => {
    const got = await rows({ projectIds: [demo.id], format: "trl" });
    expect(got.map((r) => [r.prompt, r.chosen, r.rejected])).toEqual([[`Improve ${tag}`, `Improved ${tag}`, `Draft ${tag}`]]);
    // the general path writes the same bytes as the direct one
    const general = await rows({ projectIds: [demo.id], format: "trl", aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } });
    expect(general.map((r) => [r.chosen, r.rejected])).toEqual([[`Improved ${tag}`, `Draft ${tag}`]]);
  });

  it("every format exports a project whose items have no candidate, and raw keeps the written text", async () => {
    for (const format of exportFormats) await rows({ projectIds: [demo.id], format });
    const raw = await rows({ projectIds: [demo.id], format: "raw" });
    const written = raw.find((r) => r.demonstration === `Written\nby hand ${tag}`);
    const improved = raw.find((r) => r.demonstration === `Improved ${tag}`);
    expect(written?.candidates).toEqual([]);
    expect(improved?.candidates).toEqual([expect.objectContaining({ response: `Draft ${tag}` })]);
    expect(improved?.demonstration_from).toBe((improved?.candidates as { candidate_id: string }[])[0].candidate_id);
  });
});
