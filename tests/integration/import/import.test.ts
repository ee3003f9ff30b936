import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { createImportJob, importFile, type ImportFileOptions } from "@/server/services/import";
import { countRows, fixture, itemsOf, makeProject, newTag, NOTHING, streamOf, takeFile } from "./helpers";

type Opts = Omit<ImportFileOptions, "projectId" | "stream">;

async function run(projectId: string, content: string | Buffer, opts: Opts = {}) {
  return importFile({ projectId, stream: streamOf(content), ...opts });
}

/** The AppError an import fails with (the test fails if it succeeds). */
async function failure(projectId: string, content: string | Buffer, opts: Opts = {}): Promise<AppError> {
  const err = await run(projectId, content, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const row = (tag: string, i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    prompt: `${tag} question ${i}`,
    candidates: [{ text: `${tag} answer ${i}a`, model: "m-a" }, { text: `${tag} answer ${i}b`, model: "m-b" }],
    ...extra,
  });

describe("formats", () => {
  it("imports the project's own JSONL with messages, models, metadata, priority and gold", async () => {
    const tag = newTag();
    const project = await makeProject();
    const summary = await run(project.id, fixture("project.jsonl", tag));
    expect(summary.format).toBe("jsonl");
    expect(summary.counts).toEqual({ prompts: 3, candidates: 6, items: 3, reusedPrompts: 0, reusedCandidates: 0, duplicateItems: 0, rejected: 0 });
    expect(await countRows(tag, project.id)).toEqual({ prompts: 3, candidates: 6, items: 3, itemCandidates: 6 });

    const items = await itemsOf(project.id);
    const capital = items.find((i) => i.texts.includes(`${tag} Paris.`));
    expect(capital).toMatchObject({
      messages: [{ role: "user", content: `${tag} What is the capital of France?` }],
      source: "geo",
      priority: 5,
      isGold: true,
      texts: [`${tag} Paris.`, `${tag} Lyon.`],
      models: ["model-a", "model-b"],
      gold: [[`${tag} Paris.`], [`${tag} Lyon.`]],
    });
    const prime = items.find((i) => i.texts.includes(`${tag} 7`));
    expect(prime?.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: `${tag} Name a prime number.` },
    ]);
    expect(prime?.promptMetadata).toEqual({ topic: "math" });
    expect(prime?.isGold).toBe(false);
    const lyon = await db.candidate.findFirstOrThrow({ where: { text: `${tag} Lyon.` } });
    expect(lyon.metadata).toEqual({ temperature: 0.7 });
  });

  it("imports TRL standard rows as items, and their preference as gold only when asked", async () => {
    const tag = newTag();
    const plain = await makeProject();
    const summary = await run(plain.id, fixture("trl-standard.jsonl", tag));
    expect(summary.format).toBe("trl");
    expect(await countRows(tag, plain.id)).toEqual({ prompts: 2, candidates: 4, items: 2, itemCandidates: 4 });
    expect((await itemsOf(plain.id)).every((i) => !i.isGold && i.gold === null)).toBe(true);

    const gold = await makeProject();
    await run(gold.id, fixture("trl-standard.jsonl", tag), { trlAsGold: true });
    const egg = (await itemsOf(gold.id)).find((i) => i.messages[0].content.includes("egg"));
    expect(egg).toMatchObject({
      isGold: true,
      gold: [[`${tag} Put it in boiling water for 9 minutes.`], [`${tag} Microwave it.`]],
    });
  });

  it("imports conversational TRL rows, with an explicit or an implicit prompt", async () => {
    const tag = newTag();
    const project = await makeProject();
    await run(project.id, fixture("trl-conversational.jsonl", tag));
    const items = await itemsOf(project.id);
    expect(items).toHaveLength(2);
    const wet = items.find((i) => i.messages[0].content.includes("wet"));
    expect(wet?.messages).toEqual([{ role: "user", content: `${tag} Is water wet?` }]);
    expect(wet?.texts.sort()).toEqual([`${tag} It makes things wet.`, `${tag} No.`]);
  });

  it("imports HH-RLHF transcripts: the shared prefix is the prompt, the final assistant turns the candidates", async () => {
    const tag = newTag();
    const project = await makeProject();
    const summary = await run(project.id, fixture("hh.jsonl", tag), { trlAsGold: true });
    expect(summary.format).toBe("hh");
    const joke = (await itemsOf(project.id)).find((i) => i.messages.length > 1);
    expect(joke?.messages).toEqual([
      { role: "user", content: `${tag} Hi` },
      { role: "assistant", content: `${tag} Hello! How can I help?` },
      { role: "user", content: `${tag} Tell me a joke.` },
    ]);
    expect(joke?.gold).toEqual([[`${tag} Why did the chicken cross the road?`], [`${tag} No.`]]);
  });

  it("groups OpenAI chat rows by prompt into items of the project's task type", async () => {
    const tag = newTag();
    const pairwise = await makeProject("PAIRWISE");
    const summary = await run(pairwise.id, fixture("openai.jsonl", tag));
    expect(summary.format).toBe("openai");
    // haiku has 3 responses → (1st, 2nd) and (3rd, 1st); entropy has 2 → one pair
    expect(summary.counts).toMatchObject({ prompts: 2, candidates: 5, items: 3 });
    const haiku = (await itemsOf(pairwise.id)).filter((i) => i.messages[0].content.includes("haiku")).map((i) => i.texts);
    expect(haiku).toEqual(
      expect.arrayContaining([
        [`${tag} Old pond, frog jumps in.`, `${tag} Autumn moon rises.`],
        [`${tag} Winter wind blows.`, `${tag} Old pond, frog jumps in.`],
      ]),
    );

    const ranking = await makeProject("RANKING");
    await run(ranking.id, fixture("openai.jsonl", tag));
    const sizes = (await itemsOf(ranking.id)).map((i) => i.texts.length).sort();
    expect(sizes).toEqual([2, 3]);
    expect((await countRows(tag, ranking.id)).prompts).toBe(2);
  });

  it("rejects an OpenAI prompt with a single response, naming its line", async () => {
    const tag = newTag();
    const project = await makeProject();
    const lonely = JSON.stringify({ messages: [{ role: "user", content: `${tag} alone` }, { role: "assistant", content: `${tag} yes` }] });
    const content = fixture("openai.jsonl", tag) + lonely + "\n";
    const err = await failure(project.id, content);
    expect(err.fieldErrors).toEqual([expect.objectContaining({ line: 6, field: "messages" })]);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);

    const skipped = await run(project.id, content, { skipInvalid: true });
    expect(skipped.counts).toMatchObject({ items: 3, rejected: 1 });
    expect(takeFile(skipped.rejectedLinesPath)).toBe(lonely + "\n");
  });

  it("imports CSV with quoted cells, multi-line prompts and empty trailing responses", async () => {
    const tag = newTag();
    const project = await makeProject("RANKING");
    const summary = await run(project.id, fixture("sample.csv", tag));
    expect(summary.format).toBe("csv");
    const items = await itemsOf(project.id);
    const cat = items.find((i) => i.messages[0].content.includes("cat"));
    expect(cat).toMatchObject({
      messages: [{ role: "user", content: `${tag} Translate "cat" to French` }],
      texts: [`${tag} chat`, `${tag} chien`],
      models: ["model-a", "model-b"],
      priority: 2,
    });
    const multi = items.find((i) => i.messages[0].content.includes("multi-line"));
    expect(multi?.messages[0].content).toBe(`${tag} A multi-line\nprompt`);
    expect(multi?.texts).toHaveLength(3);
  });

  it("reports a CSV row with a bad header or wrong column count", async () => {
    const tag = newTag();
    const project = await makeProject("RANKING");
    const badHeader = await failure(project.id, `prompt,answer_1,response_2\n${tag} q,a,b\n`);
    expect(badHeader.message).toMatch(/unknown column\(s\): answer_1/);
    const short = await failure(project.id, `prompt,response_1,response_2\n${tag} q,a,b\n${tag} q2,a\n`);
    expect(short.fieldErrors?.[0]).toMatchObject({ line: 3 });
    expect(short.fieldErrors?.[0].message).toMatch(/2 columns, the header has 3/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("writes rejected CSV rows under the file's header", async () => {
    const tag = newTag();
    const project = await makeProject("RANKING");
    const header = "prompt,response_1,response_2";
    const summary = await run(project.id, `${header}\n${tag} q,a,b\n${tag} q2,only,\n`, { format: "csv", skipInvalid: true });
    expect(summary.counts).toMatchObject({ items: 1, rejected: 1 });
    expect(takeFile(summary.rejectedLinesPath)).toBe(`${header}\n${tag} q2,only,\n`);
  });

  it("uses an explicit format instead of detecting one", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, fixture("hh.jsonl", tag), { format: "trl" });
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 1, field: "prompt" });
    expect(err.fieldErrors?.[0].message).toMatch(/use format hh/);
  });

  it("explains when no format can be detected", async () => {
    const project = await makeProject();
    const err = await failure(project.id, `{"question": "x", "answer": "y"}\n`);
    expect(err.message).toMatch(/Could not detect the format from line 1/);
  });
});

describe("input hygiene", () => {
  it("accepts a BOM, CRLF line ends and empty lines, and keeps counting lines across them", async () => {
    const tag = newTag();
    const project = await makeProject();
    const good = `\ufeff${row(tag, 1)}\r\n\r\n   \r\n${row(tag, 2)}\r\n`;
    expect((await run(project.id, good)).counts.items).toBe(2);

    const other = await makeProject();
    const err = await failure(other.id, `\ufeff${row(tag, 3)}\r\n\r\n{"prompt": 1}\r\n`);
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 3 });
  });

  it("says the file looks truncated when the last line is cut off", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = `${row(tag, 1)}\n${row(tag, 2)}\n${row(tag, 3).slice(0, 40)}`;
    const err = await failure(project.id, content);
    expect(err.fieldErrors).toEqual([expect.objectContaining({ line: 3 })]);
    expect(err.fieldErrors?.[0].message).toMatch(/looks truncated/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("names the line with invalid UTF-8", async () => {
    const tag = newTag();
    const project = await makeProject();
    const bad = Buffer.concat([Buffer.from(`${row(tag, 1)}\n{"prompt": "caf`), Buffer.from([0xe9]), Buffer.from(`"}\n${row(tag, 3)}\n`)]);
    const err = await failure(project.id, bad);
    expect(err.fieldErrors).toHaveLength(1);
    expect(err.fieldErrors?.[0].line).toBe(2);
    expect(err.fieldErrors?.[0].message).toMatch(/line 2 is not valid UTF-8 \(first bad byte at column 16\)/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("refuses a UTF-16 file with a clear message", async () => {
    const project = await makeProject();
    const err = await failure(project.id, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(row("x", 1), "utf16le")]));
    expect(err.message).toMatch(/UTF-16/);
  });

  it("names a line over the maximum line length", async () => {
    const tag = newTag();
    const project = await makeProject();
    const long = row(tag, 2, { metadata: { pad: "x".repeat(500) } });
    const err = await failure(project.id, `${row(tag, 1)}\n${long}\n${row(tag, 3)}\n`, { limits: { maxLineBytes: 300 } });
    expect(err.fieldErrors).toEqual([expect.objectContaining({ line: 2 })]);
    expect(err.fieldErrors?.[0].message).toMatch(/line 2 is longer than the maximum line length of 300 bytes/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("stops at the maximum upload size and writes nothing", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = Array.from({ length: 20 }, (_, i) => row(tag, i)).join("\n") + "\n";
    const err = await failure(project.id, content, { limits: { maxBytes: 1000 } });
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toMatch(/larger than the maximum import size of 1000 bytes/);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
    const job = await db.importJob.findFirstOrThrow({ where: { projectId: project.id } });
    expect(job.status).toBe("FAILED");
  });

  it("refuses an empty file", async () => {
    const project = await makeProject();
    const err = await failure(project.id, "\n\r\n  \n");
    expect(err.message).toMatch(/empty/);
  });

  it("refuses text PostgreSQL cannot store (NUL) with the line and field", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, `${row(tag, 1)}\n${JSON.stringify({ prompt: `${tag} q`, candidates: [{ text: "a\u0000" }, { text: "b" }] })}\n`);
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 2, field: "candidates.0" });
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });
});

describe("all-or-nothing and skip invalid lines", () => {
  const mixed = (tag: string) =>
    [
      row(tag, 1),
      `{"prompt": "${tag} broken", "candidates": [`,
      row(tag, 3),
      JSON.stringify({ prompt: `${tag} q4`, candidates: [{ text: `${tag} only one` }] }),
      JSON.stringify({ prompt: [{ role: "robot", content: "x" }], candidates: [{ text: "a" }, { text: "b" }] }),
      row(tag, 6),
    ].join("\n") + "\n";

  it("writes nothing when any line is invalid, and reports each one by line and field", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, mixed(tag));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/^3 invalid lines .*nothing was imported/);
    expect(err.fieldErrors).toEqual([
      expect.objectContaining({ line: 2, field: "" }),
      expect.objectContaining({ line: 4, field: "candidates", message: "a PAIRWISE item needs at least 2 candidates to compare (the row has 1)" }),
      expect.objectContaining({ line: 5, field: "prompt.0.role" }),
    ]);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
    const job = await db.importJob.findFirstOrThrow({ where: { projectId: project.id } });
    expect(job).toMatchObject({ status: "FAILED", errorCount: 3 });
  });

  it("with skipInvalid writes the valid lines and keeps the rejected ones, unchanged, in a file", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = mixed(tag);
    const summary = await run(project.id, content, { skipInvalid: true });
    expect(summary.counts).toMatchObject({ items: 3, prompts: 3, rejected: 3 });
    expect(summary.errorCount).toBe(3);
    expect(await countRows(tag, project.id)).toEqual({ prompts: 3, candidates: 6, items: 3, itemCandidates: 6 });
    const lines = content.split("\n");
    expect(takeFile(summary.rejectedLinesPath)).toBe([lines[1], lines[3], lines[4]].join("\n") + "\n");
    const job = await db.importJob.findUniqueOrThrow({ where: { id: summary.jobId } });
    expect(job).toMatchObject({ status: "SUCCEEDED", rejectedLines: summary.rejectedLinesPath, errorCount: 3 });
  });

  it("keeps the first 100 errors and counts them all", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = [row(tag, 0), ...Array.from({ length: 150 }, () => "not json")].join("\n") + "\n";
    const err = await failure(project.id, content);
    expect(err.fieldErrors).toHaveLength(100);
    expect(err.fieldErrors?.[99].line).toBe(101);
    expect(err.message).toMatch(/^150 invalid lines \(150 errors\)/);
    const job = await db.importJob.findFirstOrThrow({ where: { projectId: project.id } });
    expect(job.errorCount).toBe(150);
    expect(job.errors as unknown[]).toHaveLength(100);
  });
});

describe("duplicates", () => {
  it("re-importing the same file creates nothing new", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = fixture("project.jsonl", tag);
    await run(project.id, content);
    const again = await run(project.id, content);
    expect(again.counts).toEqual({ prompts: 0, candidates: 0, items: 0, reusedPrompts: 3, reusedCandidates: 6, duplicateItems: 3, rejected: 0 });
    expect(await countRows(tag, project.id)).toEqual({ prompts: 3, candidates: 6, items: 3, itemCandidates: 6 });
  });

  it("reuses prompts and candidates across projects and within a file", async () => {
    const tag = newTag();
    const first = await makeProject();
    await run(first.id, fixture("project.jsonl", tag));
    const second = await makeProject();
    const s = await run(second.id, fixture("project.jsonl", tag));
    expect(s.counts).toMatchObject({ prompts: 0, candidates: 0, items: 3, reusedPrompts: 3, reusedCandidates: 6 });
    expect((await countRows(tag, second.id)).prompts).toBe(3);

    // the same prompt with candidate A twice (A vs B, A vs C) and a repeated line
    const third = await makeProject();
    const ab = JSON.stringify({ prompt: `${tag} shared`, candidates: [{ text: `${tag} A` }, { text: `${tag} B` }] });
    const ac = JSON.stringify({ prompt: `${tag} shared`, candidates: [{ text: `${tag} A` }, { text: `${tag} C` }] });
    const t = await run(third.id, [ab, ac, ab].join("\n"));
    expect(t.counts).toMatchObject({ prompts: 1, candidates: 3, items: 2, duplicateItems: 1 });
    expect(await db.candidate.count({ where: { text: `${tag} A` } })).toBe(1);
  });
});

describe("task types", () => {
  const five = (tag: string, k: number, gold?: number[][]) =>
    JSON.stringify({
      prompt: `${tag} many`,
      candidates: Array.from({ length: k }, (_, i) => ({ text: `${tag} c${i}` })),
      ...(gold ? { gold: { ranking: gold } } : {}),
    });

  it("PAIRWISE: more than 2 candidates is an error unless split into pairs (gold follows)", async () => {
    const tag = newTag();
    const project = await makeProject("PAIRWISE");
    const content = five(tag, 3, [[2], [0, 1]]) + "\n";
    const err = await failure(project.id, content);
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 1, field: "candidates" });
    expect(err.fieldErrors?.[0].message).toMatch(/exactly 2 candidates.*split candidates/);

    const summary = await run(project.id, content, { splitCandidates: true });
    expect(summary.counts.items).toBe(2);
    const items = await itemsOf(project.id);
    expect(items.map((i) => i.texts)).toEqual(
      expect.arrayContaining([[`${tag} c0`, `${tag} c1`], [`${tag} c2`, `${tag} c0`]]),
    );
    expect(items.find((i) => i.texts.includes(`${tag} c2`))?.gold).toEqual([[`${tag} c2`], [`${tag} c0`]]);
    expect(items.find((i) => i.texts.includes(`${tag} c1`))?.gold).toEqual([[`${tag} c0`, `${tag} c1`]]);
  });

  it("RANKING: up to 9 candidates per item, ties in gold; 10 is an error unless split", async () => {
    const tag = newTag();
    const project = await makeProject("RANKING");
    await run(project.id, five(tag, 9, [[8], [0, 1, 2, 3, 4, 5, 6, 7]]));
    const [nine] = await itemsOf(project.id);
    expect(nine.texts).toHaveLength(9);
    expect(nine.gold?.[1]).toHaveLength(8);

    const other = await makeProject("RANKING");
    const err = await failure(other.id, five(tag, 10));
    expect(err.fieldErrors?.[0].message).toMatch(/at most 9 candidates/);
    await run(other.id, five(tag, 10), { splitCandidates: true });
    expect((await itemsOf(other.id)).map((i) => i.texts.length)).toEqual([5, 5]);
  });

  it("checks that a gold ranking lists every candidate once", async () => {
    const tag = newTag();
    const project = await makeProject("RANKING");
    const err = await failure(project.id, five(tag, 3, [[0], [1]]));
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 1, field: "gold.ranking" });
  });

  it("refuses duplicate candidate texts within a row", async () => {
    const tag = newTag();
    const project = await makeProject();
    const err = await failure(project.id, JSON.stringify({ prompt: `${tag} q`, candidates: [{ text: "same" }, { text: "same" }] }));
    expect(err.fieldErrors?.[0]).toMatchObject({ line: 1, field: "candidates.1.text" });
  });
});

describe("job and progress", () => {
  it("records progress and the final counts on the ImportJob, reusing one made beforehand", async () => {
    const tag = newTag();
    const project = await makeProject();
    const content = Array.from({ length: 300 }, (_, i) => row(tag, i)).join("\n") + "\n";
    const job = await createImportJob({ projectId: project.id, fileName: "rows.jsonl", bytesTotal: Buffer.byteLength(content) });
    const seen: number[] = [];
    const summary = await importFile({
      projectId: project.id,
      stream: streamOf(content, 512),
      jobId: job.id,
      fileName: "rows.jsonl",
      bytesTotal: Buffer.byteLength(content),
      onProgress: (p) => seen.push(p.bytesRead),
    });
    expect(summary.jobId).toBe(job.id);
    expect(seen.at(-1)).toBe(Buffer.byteLength(content));
    const stored = await db.importJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(stored).toMatchObject({ status: "SUCCEEDED", format: "jsonl", linesRead: 300, fileName: "rows.jsonl" });
    expect(Number(stored.bytesRead)).toBe(Buffer.byteLength(content));
    expect(stored.counts).toMatchObject({ prompts: 300, candidates: 600, items: 300 });
    expect(stored.finishedAt).not.toBeNull();

    await expect(importFile({ projectId: project.id, stream: streamOf(content), jobId: job.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses to import into an archived project", async () => {
    const project = await makeProject();
    await db.project.update({ where: { id: project.id }, data: { archived: true } });
    await expect(run(project.id, row("x", 1))).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("near-duplicate prompts", () => {
  it("leaves out rows whose prompt is within ROUGE-L 0.7 of a different prompt (existing or earlier in the file), reports them by line, keeps the same prompt again", async () => {
    const project = await makeProject("PAIRWISE");
    const tag = newTag();
    const row = (prompt: string, a: string, b: string) => JSON.stringify({ prompt, candidates: [{ text: `${a} ${tag}` }, { text: `${b} ${tag}` }] });
    await run(project.id, row(`Give three tips for staying healthy ${tag}`, "a", "b"));
    const summary = await run(
      project.id,
      [
        // the same prompt again: adds an item, not a near-duplicate
        row(`Give three tips for staying healthy ${tag}`, "c", "d"),
        // one word more than an existing prompt: ROUGE-L 0.93
        row(`Give me three tips for staying healthy ${tag}`, "e", "f"),
        row(`Translate this sentence into German please ${tag}`, "g", "h"),
        // near the previous line of the same file
        row(`Translate this sentence into German ${tag}`, "i", "j"),
        row(`Name the largest planet of the solar system ${tag}`, "k", "l"),
      ].join("\n"),
      { skipNearDuplicates: true },
    );
    expect(summary.status).toBe("SUCCEEDED");
    expect(summary.counts).toMatchObject({ items: 3, nearDuplicates: 2, rejected: 0 });
    expect(summary.errors).toEqual([
      { line: 2, field: "prompt", message: expect.stringMatching(/^near-duplicate \(ROUGE-L 0\.9\d\) of the prompt "Give three tips for staying healthy/) },
      { line: 4, field: "prompt", message: expect.stringMatching(/^near-duplicate \(ROUGE-L 0\.\d\d\) of the prompt "Translate this sentence into German please/) },
    ]);
    expect(takeFile(summary.rejectedLinesPath).split("\n").filter(Boolean).map((l) => JSON.parse(l).prompt)).toEqual([
      `Give me three tips for staying healthy ${tag}`,
      `Translate this sentence into German ${tag}`,
    ]);
  });
});
