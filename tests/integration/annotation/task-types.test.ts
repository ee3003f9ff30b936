// Rating and demonstration projects end to end on the server: import → queue → submit → edit-last, with the
// database's own rules (plpgsql) writing what a judgement stores.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { importFile } from "@/server/services/import";
import { streamOf } from "../import/helpers";
import { callerFor, makeProject, makeUser, uid } from "../fixtures/annotation";

const base = { bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 900 };

describe("rating projects", () => {
  it("a judgement stores the thumbs and each criterion on its scale; off-scale values are refused by field", async () => {
    const u = await makeUser();
    const tag = uid();
    const { project } = await makeProject({
      taskType: "RATING",
      criteria: [{ key: "accuracy", label: "Accuracy", description: "", scale: { kind: "likert", points: 10 } }, { key: "safe", label: "Safe", description: "", scale: { kind: "binary", labels: ["No", "Yes"] } }] as never,
      items: [{ messages: [{ role: "user", content: `Rate ${tag}` }], candidates: [{ text: `Response ${tag}`, model: "m" }] }],
      members: [u.id],
    });
    const api = callerFor(u);
    const { item } = await api.annotation.next({ projectSlug: project.slug });
    expect(item?.candidates).toHaveLength(1);
    const cid = item!.candidates[0].id;
    const submit = (over: object) => api.annotation.submit({ submissionId: randomUUID(), assignmentId: item!.assignmentId, ranking: [[cid]], ...base, ...over });
    await expect(submit({ thumbs: true, ratings: { [cid]: { accuracy: 0, safe: 1 } } })).rejects.toMatchObject({ message: expect.stringContaining("ratings.") });
    await expect(submit({ ratings: { [cid]: { accuracy: 9, safe: 1 } } })).rejects.toMatchObject({ message: expect.stringContaining("thumbs up or down is required") });
    await expect(submit({ thumbs: true, ratings: { [cid]: { accuracy: 9 } } })).rejects.toMatchObject({ message: expect.stringContaining("rate every criterion") });
    await submit({ thumbs: false, ratings: { [cid]: { accuracy: 10, safe: 0 } } });
    const stored = await db.annotation.findFirstOrThrow({ where: { projectId: project.id } });
    expect(stored).toMatchObject({ thumbs: false, ratings: { [cid]: { accuracy: 10, safe: 0 } }, ranking: [[cid]] });
    expect(await db.comparison.count({ where: { annotationId: stored.id } })).toBe(0);
    expect((await db.item.findFirstOrThrow({ where: { projectId: project.id } })).status).toBe("COMPLETE");
    // edit-last through the same database function
    const last = await api.annotation.lastEditable({ projectSlug: project.slug });
    expect(last?.judgement.thumbs).toBe(false);
    await api.annotation.editLast({ annotationId: stored.id, ranking: [[cid]], ...base, thumbs: true, ratings: { [cid]: { accuracy: 8, safe: 1 } } });
    expect(await db.annotation.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ thumbs: true, ratings: { [cid]: { accuracy: 8, safe: 1 } } });
  });

  it("imports one item per response (JSONL, OpenAI chat, Alpaca) with gold thumbs, and scores gold by the thumbs", async () => {
    const u = await makeUser();
    const tag = uid();
    const { project } = await makeProject({ taskType: "RATING", items: [], members: [u.id], goldRate: 0.5 });
    const jsonl = [
      { prompt: `Q1 ${tag}`, candidates: [{ text: `A1 ${tag}` }, { text: `A2 ${tag}` }] },
      { prompt: `Q2 ${tag}`, candidates: [{ text: `Gold ${tag}` }], gold: { thumbs: false } },
    ].map((r) => JSON.stringify(r)).join("\n");
    expect((await importFile({ projectId: project.id, stream: streamOf(jsonl) })).counts).toMatchObject({ items: 3 });
    const chat = JSON.stringify({ messages: [{ role: "user", content: `Chat ${tag}` }, { role: "assistant", content: `Reply ${tag}` }] });
    expect((await importFile({ projectId: project.id, stream: streamOf(chat) })).counts).toMatchObject({ items: 1 });
    const alpaca = JSON.stringify({ instruction: `Translate ${tag}`, input: "bonjour", output: `hello ${tag}` });
    const a = await importFile({ projectId: project.id, stream: streamOf(alpaca) });
    expect(a.format).toBe("alpaca");
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { candidates: { include: { candidate: true } }, prompt: true } });
    expect(items).toHaveLength(5);
    for (const i of items) expect(i.candidates).toHaveLength(1);
    const alpacaItem = items.find((i) => i.candidates[0].candidate.text === `hello ${tag}`)!;
    expect(alpacaItem.prompt.messages).toEqual([{ role: "user", content: `Translate ${tag}\n\nbonjour` }]);
    const gold = items.find((i) => i.isGold)!;
    expect(gold.goldThumbs).toBe(false);

    // a gold item judged with the wrong thumbs counts as failed
    await db.project.update({ where: { id: project.id }, data: { goldRate: 0 } });
    await db.item.updateMany({ where: { projectId: project.id, isGold: false }, data: { status: "COMPLETE" } });
    await db.project.update({ where: { id: project.id }, data: { goldRate: 0.5 } });
    const api = callerFor(u);
    const { item } = await api.annotation.next({ projectSlug: project.slug });
    expect(item?.itemId).toBe(gold.id);
    await api.annotation.submit({ submissionId: randomUUID(), assignmentId: item!.assignmentId, ranking: [[item!.candidates[0].id]], ...base, thumbs: true });
    expect((await db.annotation.findFirstOrThrow({ where: { itemId: gold.id } })).goldCorrect).toBe(false);
  });

  it("refuses rows that do not fit a rating: no response, a ranking as gold", async () => {
    const { project } = await makeProject({ taskType: "RATING", items: [], members: [] });
    const bad = [JSON.stringify({ prompt: "no response" }), JSON.stringify({ prompt: "p", candidates: [{ text: "a" }], gold: { ranking: [[0]] } })].join("\n");
    await expect(importFile({ projectId: project.id, stream: streamOf(bad) })).rejects.toMatchObject({
      fieldErrors: [
        { line: 1, field: "candidates", message: "a RATING item needs the response to rate: at least 1 candidate" },
        { line: 2, field: "gold", message: expect.stringContaining('gold for a rating is {"thumbs": true|false}') },
      ],
    });
    expect(await db.item.count({ where: { projectId: project.id } })).toBe(0);
  });
});

describe("demonstration projects", () => {
  it("writes a response to a prompt without candidates; nothing written is refused", async () => {
    const u = await makeUser();
    const tag = uid();
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [u.id] });
    const s = await importFile({ projectId: project.id, stream: streamOf(JSON.stringify({ prompt: `Write a haiku ${tag}` })) });
    expect(s.counts).toMatchObject({ items: 1, candidates: 0 });
    const api = callerFor(u);
    const { item } = await api.annotation.next({ projectSlug: project.slug });
    expect(item?.candidates).toEqual([]);
    const submit = (over: object) => api.annotation.submit({ submissionId: randomUUID(), assignmentId: item!.assignmentId, ranking: [], ...base, ...over });
    await expect(submit({ demonstration: "  " })).rejects.toMatchObject({ message: expect.stringContaining("write the response") });
    await expect(submit({ demonstration: "x", demonstrationFrom: "c1" })).rejects.toMatchObject({ message: expect.stringContaining("no response to start from") });
    await submit({ demonstration: "Old pond\nfrog leaps in\nwater's sound" });
    expect(await db.annotation.findFirstOrThrow({ where: { projectId: project.id } })).toMatchObject({ demonstration: "Old pond\nfrog leaps in\nwater's sound", demonstrationFrom: null, ranking: [] });
  });

  for (const editsAsPreference of [false, true]) {
    it(`improving a response keeps both texts${editsAsPreference ? " and stores edited ≻ original as a comparison, also after an edit" : ", with no comparison"}`, async () => {
      const u = await makeUser();
      const tag = uid();
      const { project, itemIds } = await makeProject({
        taskType: "DEMONSTRATION",
        editsAsPreference,
        items: [{ messages: [{ role: "user", content: `Fix ${tag}` }], candidates: [{ text: `Teh answr ${tag}`, model: "m" }] }],
        members: [u.id],
      });
      const api = callerFor(u);
      const { item } = await api.annotation.next({ projectSlug: project.slug });
      const from = item!.candidates[0].id;
      await api.annotation.submit({ submissionId: randomUUID(), assignmentId: item!.assignmentId, ranking: [], ...base, demonstration: `The answer ${tag}`, demonstrationFrom: from });
      const n = await db.annotation.findFirstOrThrow({ where: { itemId: itemIds[0] } });
      expect(n).toMatchObject({ demonstration: `The answer ${tag}`, demonstrationFrom: from });
      const comparisons = await db.comparison.findMany({ where: { annotationId: n.id } });
      if (!editsAsPreference) return expect(comparisons).toEqual([]);
      expect(comparisons).toHaveLength(1);
      expect(comparisons[0].rejectedId).toBe(from);
      const edited = await db.candidate.findUniqueOrThrow({ where: { id: comparisons[0].chosenId } });
      expect(edited).toMatchObject({ text: `The answer ${tag}`, model: "human edit" });
      // the improved response is not a candidate of the item: the item still shows the one response
      expect(await db.itemCandidate.count({ where: { itemId: itemIds[0] } })).toBe(1);
      // an edit rewrites the comparison; an edit back to the original text leaves none
      await api.annotation.editLast({ annotationId: n.id, ranking: [], ...base, demonstration: `The answer, ${tag}!`, demonstrationFrom: from });
      const after = await db.comparison.findMany({ where: { annotationId: n.id } });
      expect(after).toHaveLength(1);
      expect((await db.candidate.findUniqueOrThrow({ where: { id: after[0].chosenId } })).text).toBe(`The answer, ${tag}!`);
      await api.annotation.editLast({ annotationId: n.id, ranking: [], ...base, demonstration: `Teh answr ${tag}`, demonstrationFrom: from });
      expect(await db.comparison.count({ where: { annotationId: n.id } })).toBe(0);
    });
  }

  it("a project refuses gold; an import refuses gold rows", async () => {
    const admin = await makeUser("ADMIN");
    await expect(callerFor(admin).project.create({ name: "Demo", slug: `d-${uid()}`, taskType: "DEMONSTRATION", goldRate: 0.1 })).rejects.toMatchObject({ message: expect.stringContaining("no gold") });
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    await expect(importFile({ projectId: project.id, stream: streamOf(JSON.stringify({ prompt: "p", candidates: [{ text: "a" }], gold: { thumbs: true } })) })).rejects.toMatchObject({
      fieldErrors: [{ line: 1, field: "gold", message: expect.stringContaining("no gold") }],
    });
  });
});

describe("instruction datasets", () => {
  it("a Super-NaturalInstructions task file (pretty-printed, as in the repository) becomes one item per instance", async () => {
    const tag = uid();
    const task = {
      Contributors: ["Someone"],
      Source: ["quoref"],
      URL: ["https://example.org"],
      Categories: ["Question Answering"],
      Definition: [`In this task, you answer the question about the passage ${tag}.`],
      "Positive Examples": [{ input: "Passage: x. Question: y?", output: "z", explanation: "because" }],
      "Negative Examples": [],
      Instances: [
        { id: `task001-${tag}-1`, input: "Passage: The sky is blue.\nQuestion: What colour is the sky?", output: ["Blue", "blue"] },
        { id: `task001-${tag}-2`, input: "Passage: Water boils at 100 C.\nQuestion: When does water boil?", output: ["At 100 C"] },
        { id: `task001-${tag}-3`, input: "   ", output: ["x"] },
      ],
    };
    const file = JSON.stringify(task, null, 4);
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const bad = await importFile({ projectId: project.id, stream: streamOf(file) }).catch((e: unknown) => e);
    // the empty instance is reported by the line of its id, and nothing is written
    const badLine = file.split("\n").findIndex((l) => l.includes(`task001-${tag}-3`)) + 1;
    expect(bad).toMatchObject({ fieldErrors: [{ line: badLine, field: "Instances.2.input", message: "must not be empty" }] });
    expect(await db.item.count({ where: { projectId: project.id } })).toBe(0);
    const ok = await importFile({ projectId: project.id, stream: streamOf(file), skipInvalid: true, rejectedPath: `/tmp/sni-${tag}.rejected.jsonl` });
    expect(ok.format).toBe("sni");
    // each reference output is a response to improve: "Blue", "blue" and "At 100 C"
    expect(ok.counts).toMatchObject({ items: 3, rejected: 1 });
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true, candidates: { include: { candidate: true } } } });
    const prompts = new Set(items.map((i) => (i.prompt.messages as { content: string }[])[0].content));
    expect(prompts).toEqual(new Set([
      `In this task, you answer the question about the passage ${tag}.\n\nPassage: The sky is blue.\nQuestion: What colour is the sky?`,
      `In this task, you answer the question about the passage ${tag}.\n\nPassage: Water boils at 100 C.\nQuestion: When does water boil?`,
    ]));
    expect(items[0].prompt.source).toBe("quoref");
    rmSync(ok.rejectedLinesPath!);
  });
});
