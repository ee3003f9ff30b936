// Judgements marked "both bad", from submits through the annotation API, in the exports: the preference formats
// leave their pairs out by default (`bothBad: drop`, the published layouts exactly) or keep them with a `both_bad`
// column (`keep`); KTO labels every response of one undesirable; SFT never takes a completion from one; the dataset
// card says what was done and how many there were.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSnapshot, snapshotDir, type CreateSnapshotOptions, type SnapshotView } from "@/server/services/export";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { readRows, readSnapshotFile } from "@/tests/fixtures/export/fixture";
import { makeProject, makeUser, uid, workQueue } from "../fixtures/annotation";

const created: string[] = [];
let tag: string;
let projectId: string;

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

// Three pairwise prompts judged by two annotators, who both prefer the "good" answer:
// - mixed: the first annotator marks both bad, the second does not;
// - fine: nobody marks both bad;
// - awful: both annotators mark both bad.
beforeAll(async () => {
  tag = uid();
  const [u1, u2] = await Promise.all([makeUser("ANNOTATOR"), makeUser("ANNOTATOR")]);
  const item = (k: string, other: string) => ({
    messages: [{ role: "user" as const, content: `Prompt ${k} ${tag}` }],
    candidates: [
      { text: `Good ${k} ${tag}`, model: "alpha" },
      { text: `Poor ${k} ${tag}`, model: other },
    ],
  });
  const p = await makeProject({ taskType: "PAIRWISE", overlap: 2, items: [item("mixed", "beta"), item("fine", "beta"), item("awful", "gamma")], members: [u1.id, u2.id] });
  projectId = p.project.id;
  for (const [who, u] of [u1, u2].entries()) {
    await workQueue(p.project.slug, u, (served) => {
      const k = served.messages[0].content.split(" ")[1];
      const good = served.candidates.find((c) => c.text.startsWith("Good"))!;
      const poor = served.candidates.find((c) => c.text.startsWith("Poor"))!;
      return { ranking: [[good.id], [poor.id]], strength: "BETTER", bothBad: k === "awful" || (k === "mixed" && who === 0) };
    });
  }
});

async function snap(def: Partial<CreateSnapshotOptions>): Promise<SnapshotView> {
  const s = await createSnapshot({ name: `both-bad-${tag}`, projectIds: [projectId], split: { testRatio: 0, seed: "" }, ...def });
  created.push(s.id);
  return s;
}

async function rows(def: Partial<CreateSnapshotInput>) {
  return readRows((await snap(def)).id, "train.jsonl");
}

const prompt = (k: string) => `Prompt ${k} ${tag}`;
const good = (k: string) => `Good ${k} ${tag}`;
const poor = (k: string) => `Poor ${k} ${tag}`;

describe("both-bad judgements in the exports", () => {
  it("trl: dropped by default, the published columns exactly; kept with a both_bad column on request", async () => {
    const dropped = await rows({ format: "trl" });
    expect(dropped.map((r) => Object.keys(r))).toEqual(Array(3).fill(["prompt_id", "prompt", "chosen", "rejected", "margin"]));
    expect(dropped.map((r) => r.prompt).sort()).toEqual([prompt("fine"), prompt("fine"), prompt("mixed")]);
    // the direct path (a SQL condition) and the general one (withoutBothBad) write the same bytes
    const direct = await snap({ format: "trl" });
    const general = await snap({ format: "trl", generalPath: true });
    expect(await readSnapshotFile(direct.id, "train.jsonl")).toBe(await readSnapshotFile(general.id, "train.jsonl"));

    const kept = await rows({ format: "trl", bothBad: "keep" });
    expect(kept.map((r) => Object.keys(r))).toEqual(Array(6).fill(["prompt_id", "prompt", "chosen", "rejected", "margin", "both_bad"]));
    expect(kept.filter((r) => r.both_bad).map((r) => r.prompt).sort()).toEqual([prompt("awful"), prompt("awful"), prompt("mixed")]);
    expect(kept.filter((r) => !r.both_bad).map((r) => r.prompt).sort()).toEqual([prompt("fine"), prompt("fine"), prompt("mixed")]);
  });

  it("hh: the same, on the HH-RLHF layout", async () => {
    const dropped = await rows({ format: "hh" });
    expect(dropped.map((r) => Object.keys(r))).toEqual(Array(3).fill(["chosen", "rejected"]));
    expect(dropped.some((r) => String(r.chosen).includes(prompt("awful")))).toBe(false);
    const kept = await rows({ format: "hh", bothBad: "keep" });
    expect(kept.map((r) => Object.keys(r))).toEqual(Array(6).fill(["chosen", "rejected", "both_bad"]));
    expect(kept.filter((r) => r.both_bad).map((r) => r.chosen)).toEqual(expect.arrayContaining([`\n\nHuman: ${prompt("awful")}\n\nAssistant: ${good("awful")}`]));
  });

  it("majority: a kept pair is flagged when any vote behind it came from a both-bad judgement", async () => {
    const kept = await rows({ format: "trl", bothBad: "keep", aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } });
    expect(kept.map((r) => [r.prompt, r.both_bad]).sort()).toEqual([[prompt("awful"), true], [prompt("fine"), false], [prompt("mixed"), true]]);
    const dropped = await rows({ format: "trl", aggregation: { policy: "majority", ties: "drop", minAgreement: 0 } });
    expect(dropped.map((r) => r.prompt).sort()).toEqual([prompt("fine"), prompt("mixed")]);
  });

  it("kto: both responses of a both-bad judgement are undesirable, never one desirable", async () => {
    const labelled = await rows({ format: "kto" });
    expect(new Set(labelled.map((r) => Object.keys(r).join()))).toEqual(new Set(["prompt_id,prompt,completion,label"]));
    const of = (text: string) => labelled.filter((r) => r.completion === text).map((r) => r.label).sort();
    expect(of(good("awful"))).toEqual([false, false]);
    expect(of(poor("awful"))).toEqual([false, false]);
    // mixed: the second annotator's pair (good desirable, poor not), the first one's both-bad judgement (both not)
    expect(of(good("mixed"))).toEqual([false, true]);
    expect(of(poor("mixed"))).toEqual([false, false]);
    expect(of(good("fine"))).toEqual([true, true]);

    const kept = await rows({ format: "kto", bothBad: "keep" });
    expect(new Set(kept.map((r) => Object.keys(r).join()))).toEqual(new Set(["prompt_id,prompt,completion,label,both_bad"]));
    expect(kept.filter((r) => r.both_bad).map((r) => r.label)).toEqual(Array(6).fill(false));
    expect(kept.filter((r) => !r.both_bad)).toHaveLength(6);
  });

  it("sft: no completion comes from a both-bad judgement, whatever the option", async () => {
    for (const bothBad of ["drop", "keep"] as const) {
      const sft = await rows({ format: "sft", bothBad });
      expect(sft.map((r) => r.completion).sort()).toEqual([good("fine"), good("mixed")]);
    }
  });

  it("the dataset card states the option and how many judgements and comparisons it concerned", async () => {
    const drop = await readSnapshotFile((await snap({ format: "trl" })).id, "README.md");
    expect(drop).toContain("Both bad (`bothBad: drop`): 3 judgement(s) marked every response bad (3 pairwise comparison(s)), left out; no row comes from them.");
    expect(drop).toContain("| annotations marked both bad | 3 |");
    expect(drop).not.toContain("| both_bad |");
    const keep = await readSnapshotFile((await snap({ format: "hh", bothBad: "keep" })).id, "README.md");
    expect(keep).toContain("Both bad (`bothBad: keep`): 3 judgement(s) marked every response bad (3 pairwise comparison(s)), kept; the `both_bad` column marks the rows they are behind.");
    expect(keep).toMatch(/^\| both_bad \| bool \| /m);
    const kto = await readSnapshotFile((await snap({ format: "kto" })).id, "README.md");
    expect(kto).toContain("each response they judged is a row labelled undesirable.");
  });
});
