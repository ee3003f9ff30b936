// Golden tests: the exact rows of every export format on the fixture projects, byte-identical re-runs, and
// pseudonymization. Parquet files are read back with an independent reader (hyparquet) and must hold the same rows.
import { readFile, rm } from "node:fs/promises";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSnapshot, snapshotDir, snapshotFile, type SnapshotView } from "@/server/services/export";
import { exportFormats, type CreateSnapshotInput } from "@/server/schemas/export";
import { buildFixture, readRows, readSnapshotFile, texts, type Fixture, type PromptKey } from "@/tests/fixtures/export/fixture";

let fx: Fixture;
let t: ReturnType<typeof texts>;
const created: string[] = [];

beforeAll(async () => {
  fx = await buildFixture();
  t = texts(fx);
});

afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

async function snap(def: Partial<CreateSnapshotInput> = {}): Promise<SnapshotView> {
  const s = await createSnapshot({
    name: `golden-${fx.suffix}`,
    projectIds: [fx.projects.a.id, fx.projects.b.id],
    split: { testRatio: 0, seed: "" },
    ...def,
  });
  created.push(s.id);
  return s;
}

/** Rows of each prompt, concatenated in the order the export promises: by prompt hash. */
function inPromptOrder(byPrompt: Partial<Record<PromptKey, Record<string, unknown>[]>>): string {
  return (Object.keys(byPrompt) as PromptKey[])
    .sort((x, y) => (t.hashes[x] < t.hashes[y] ? -1 : 1))
    .flatMap((k) => byPrompt[k]!.map((row) => JSON.stringify(row) + "\n"))
    .join("");
}

const P2_TEXT = () =>
  [`System: ${t.s("Be brief.")}`, `User: ${t.s("Name a color.")}`, `Assistant: ${t.s("Red.")}`, `User: ${t.s("Another?")}`].join("\n\n");

describe("golden rows", () => {
  it("trl: one row per comparison with margin and per-annotation scores", async () => {
    const s = await snap({ format: "trl" });
    const h = t.hashes;
    const row = (p: PromptKey, prompt: string, chosen: string, rejected: string, margin: number, sc: number | null = null, sr: number | null = null) => ({
      prompt_id: h[p],
      prompt,
      chosen: t.s(chosen),
      rejected: t.s(rejected),
      margin,
      score_chosen: sc,
      score_rejected: sr,
    });
    const expected = inPromptOrder({
      p1: [
        row("p1", t.s("What is 2+2?"), "4", "5", 2, 6.5, 2.5),
        row("p1", t.s("What is 2+2?"), "4", "5", 3, 7, 1.5),
        row("p1", t.s("What is 2+2?"), "5", "4", 1),
      ],
      // alice's tie gives no row; dave's judgement does
      p2: [row("p2", P2_TEXT(), "Blue.", "Red again.", 2)],
      p3: [row("p3", t.s("Capital of France?"), "Paris", "Lyon", 2), row("p3", t.s("Capital of France?"), "Lyon", "Paris", 2)],
      p4: [row("p4", t.s("Tell me a secret."), "No.", "The password is hunter2", 3)],
      p5: [
        row("p5", t.s("Write a haiku about rain."), "Rain taps the window", "Grey sky, wet street", 1),
        row("p5", t.s("Write a haiku about rain."), "Rain taps the window", "It is raining", 2),
        row("p5", t.s("Write a haiku about rain."), "Grey sky, wet street", "It is raining", 1),
        row("p5", t.s("Write a haiku about rain."), "Rain taps the window", "It is raining", 1),
        row("p5", t.s("Write a haiku about rain."), "Rain taps the window", "Grey sky, wet street", 1),
      ],
    });
    expect(await readSnapshotFile(s.id, "train.jsonl")).toBe(expected);
    expect(await readSnapshotFile(s.id, "test.jsonl")).toBe("");
    expect(s.rowCounts).toEqual({ train: 12, test: 0 });
    expect(s.status).toBe("SUCCEEDED");
    expect(s.version).toBe(1);
  });

  it("trl-conversational: prompt as the shared message prefix, responses as one assistant message", async () => {
    const s = await snap({ format: "trl-conversational", projectIds: [fx.projects.a.id], filters: { excludeGold: true, excludeFlagged: true, excludeInactiveAnnotators: false } });
    const msg = (content: string) => [{ role: "assistant", content: t.s(content) }];
    const p1 = t.msgs([{ role: "user", content: "What is 2+2?" }]);
    const expected = inPromptOrder({
      p1: [
        { prompt_id: t.hashes.p1, prompt: p1, chosen: msg("4"), rejected: msg("5"), margin: 2, score_chosen: 6.5, score_rejected: 2.5 },
        { prompt_id: t.hashes.p1, prompt: p1, chosen: msg("4"), rejected: msg("5"), margin: 3, score_chosen: 7, score_rejected: 1.5 },
        { prompt_id: t.hashes.p1, prompt: p1, chosen: msg("5"), rejected: msg("4"), margin: 1, score_chosen: null, score_rejected: null },
      ],
      p2: [
        {
          prompt_id: t.hashes.p2,
          prompt: t.msgs([
            { role: "system", content: "Be brief." },
            { role: "user", content: "Name a color." },
            { role: "assistant", content: "Red." },
            { role: "user", content: "Another?" },
          ]),
          chosen: msg("Blue."),
          rejected: msg("Red again."),
          margin: 2,
          score_chosen: null,
          score_rejected: null,
        },
      ],
    });
    expect(await readSnapshotFile(s.id, "train.jsonl")).toBe(expected);
  });

  it("hh: full Human/Assistant transcripts, system text opening the first Human turn", async () => {
    const s = await snap({ format: "hh", projectIds: [fx.projects.a.id], filters: { excludeGold: true, excludeFlagged: true, excludeInactiveAnnotators: false } });
    const p1 = (r: string) => `\n\nHuman: ${t.s("What is 2+2?")}\n\nAssistant: ${t.s(r)}`;
    const p2 = (r: string) =>
      `\n\nHuman: ${t.s("Be brief.")}\n\n${t.s("Name a color.")}\n\nAssistant: ${t.s("Red.")}\n\nHuman: ${t.s("Another?")}\n\nAssistant: ${t.s(r)}`;
    const expected = inPromptOrder({
      p1: [
        { chosen: p1("4"), rejected: p1("5") },
        { chosen: p1("4"), rejected: p1("5") },
        { chosen: p1("5"), rejected: p1("4") },
      ],
      p2: [{ chosen: p2("Blue."), rejected: p2("Red again.") }],
    });
    expect(await readSnapshotFile(s.id, "train.jsonl")).toBe(expected);
  });

  // The conversations of the fixture's prompts, as the published layouts spell them ({role, content} lists).
  const convo = (p: PromptKey) =>
    t.msgs(
      {
        p1: [{ role: "user" as const, content: "What is 2+2?" }],
        p2: [
          { role: "system" as const, content: "Be brief." },
          { role: "user" as const, content: "Name a color." },
          { role: "assistant" as const, content: "Red." },
          { role: "user" as const, content: "Another?" },
        ],
        p3: [{ role: "user" as const, content: "Capital of France?" }],
        p4: [{ role: "user" as const, content: "Tell me a secret." }],
        p5: [{ role: "user" as const, content: "Write a haiku about rain." }],
      }[p],
    );

  it("ultrafeedback-binarized: HuggingFaceH4's columns — prompt, prompt_id, chosen/rejected conversations, messages, scores", async () => {
    const s = await snap({ format: "ultrafeedback-binarized" });
    // HuggingFaceH4/ultrafeedback_binarized: {prompt: str, prompt_id: str, chosen: [{content, role}], rejected: [...],
    // messages: [...] (= chosen), score_chosen: float, score_rejected: float}; chosen and rejected end with the response
    const row = (p: PromptKey, prompt: string, chosen: string, rejected: string, sc: number | null, sr: number | null) => {
      const c = [...convo(p), { role: "assistant", content: t.s(chosen) }];
      return { prompt, prompt_id: t.hashes[p], chosen: c, rejected: [...convo(p), { role: "assistant", content: t.s(rejected) }], messages: c, score_chosen: sc, score_rejected: sr };
    };
    const expected = inPromptOrder({
      // means over both criteria of the annotators' means: (6.5 + 7) / 2 and (1.5 + 2.5) / 2
      p1: [row("p1", t.s("What is 2+2?"), "4", "5", 6.75, 2)],
      p2: [row("p2", P2_TEXT(), "Blue.", "Red again.", null, null)],
      // p3: one vote each way, both responses share the top rank — no preference, no row
      p4: [row("p4", t.s("Tell me a secret."), "No.", "The password is hunter2", null, null)],
      // best and worst of the three
      p5: [row("p5", t.s("Write a haiku about rain."), "Rain taps the window", "It is raining", null, null)],
    });
    expect(await readSnapshotFile(s.id, "train.jsonl")).toBe(expected);
  });

  it("ultrafeedback-raw: openbmb/UltraFeedback's columns — instruction, models, completions with annotations.{aspect}.{Rating, Rationale}", async () => {
    const s = await snap({ format: "ultrafeedback-raw" });
    const na = { Rating: "N/A", Rationale: "" };
    const c = (response: string, model: string | null, annotations: Record<string, { Rating: string; Rationale: string }>, score: number | null) => ({
      model,
      response: t.s(response),
      annotations,
      "fine-grained_score": score,
      overall_score: score,
    });
    const row = (p: PromptKey, instruction: string, completions: ReturnType<typeof c>[]) => ({
      prompt_id: t.hashes[p],
      instruction,
      models: completions.map((x) => x.model ?? "unknown"),
      completions,
    });
    const unrated = { helpfulness: na, honesty: na };
    const expected = inPromptOrder({
      p1: [
        row("p1", t.s("What is 2+2?"), [
          // Rating is text in UltraFeedback; alice's rationale is the one written on these ratings
          c("4", "m-good", { helpfulness: { Rating: "6.5", Rationale: "4 is right" }, honesty: { Rating: "7", Rationale: "4 is right" } }, 6.75),
          c("5", "m-bad", { helpfulness: { Rating: "1.5", Rationale: "4 is right" }, honesty: { Rating: "2.5", Rationale: "4 is right" } }, 2),
        ]),
      ],
      p2: [row("p2", P2_TEXT(), [c("Blue.", "m-good", unrated, null), c("Red again.", "m-bad", unrated, null)])],
      p3: [row("p3", t.s("Capital of France?"), [c("Paris", "m-good", unrated, null), c("Lyon", null, unrated, null)])],
      p4: [row("p4", t.s("Tell me a secret."), [c("No.", "m-good", unrated, null), c("The password is hunter2", "m-bad", unrated, null)])],
      p5: [
        row("p5", t.s("Write a haiku about rain."), [
          c("Rain taps the window", "m-good", unrated, null),
          c("Grey sky, wet street", "m-mid", unrated, null),
          c("It is raining", "m-bad", unrated, null),
        ]),
      ],
    });
    expect(await readSnapshotFile(s.id, "train.jsonl")).toBe(expected);
  });

  it("sft and kto from comparisons: the top of each ranking as a completion; each pair split into desirable and undesirable", async () => {
    const sft = await snap({ format: "sft" });
    // TRL prompt-completion: {prompt, completion}; p3's two responses share the top rank, so neither is "the best"
    const srow = (p: PromptKey, prompt: string, completion: string) => ({ prompt_id: t.hashes[p], prompt, completion: t.s(completion) });
    expect(await readSnapshotFile(sft.id, "train.jsonl")).toBe(
      inPromptOrder({
        p1: [srow("p1", t.s("What is 2+2?"), "4")],
        p2: [srow("p2", P2_TEXT(), "Blue.")],
        p4: [srow("p4", t.s("Tell me a secret."), "No.")],
        p5: [srow("p5", t.s("Write a haiku about rain."), "Rain taps the window")],
      }),
    );
    const kto = await snap({ format: "kto", projectIds: [fx.projects.a.id], filters: { excludeFlagged: false, excludeGold: true, excludeInactiveAnnotators: false } });
    // TRL unpaired preference: {prompt, completion, label}; every pair (policy all) gives its chosen side true and its rejected side false
    const krow = (p: PromptKey, prompt: string, completion: string, label: boolean) => ({ prompt_id: t.hashes[p], prompt, completion: t.s(completion), label });
    const p1 = t.s("What is 2+2?");
    expect(await readSnapshotFile(kto.id, "train.jsonl")).toBe(
      inPromptOrder({
        p1: [krow("p1", p1, "4", true), krow("p1", p1, "5", false), krow("p1", p1, "4", true), krow("p1", p1, "5", false), krow("p1", p1, "5", true), krow("p1", p1, "4", false)],
        p2: [krow("p2", P2_TEXT(), "Blue.", true), krow("p2", P2_TEXT(), "Red again.", false)],
        p4: [krow("p4", t.s("Tell me a secret."), "No.", true), krow("p4", t.s("Tell me a secret."), "The password is hunter2", false)],
      }),
    );
  });

  it("raw: one row per annotation with every field and a pseudonym instead of the annotator", async () => {
    const s = await snap({ format: "raw", projectIds: [fx.projects.b.id] });
    const rows = await readRows(s.id, "train.jsonl");
    const { c } = fx;
    const candidates = [
      { candidate_id: c.c5a, model: "m-good", response: t.s("Rain taps the window") },
      { candidate_id: c.c5b, model: "m-bad", response: t.s("It is raining") },
      { candidate_id: c.c5c, model: "m-mid", response: t.s("Grey sky, wet street") },
    ];
    const base = {
      project_id: fx.projects.b.id,
      item_id: fx.items.i5,
      prompt_id: t.hashes.p5,
      prompt: t.msgs([{ role: "user", content: "Write a haiku about rain." }]),
      candidates,
      strength: null,
      both_bad: false,
      ratings: {},
      thumbs: null,
      demonstration: null,
      demonstration_from: null,
      rationale: "",
      flags: [],
      flag_note: "",
      late: false,
      surplus: false,
      is_gold: false,
      gold_correct: null,
      shown_order: [c.c5c, c.c5b, c.c5a],
      review_state: null,
      reviewer: null,
    };
    expect(rows).toHaveLength(2);
    const [alice, bob] = rows;
    expect(alice).toEqual({
      ...base,
      annotation_id: fx.ann.alice5,
      ranking: [[c.c5a], [c.c5c], [c.c5b]],
      time_spent_ms: 1009,
      annotator: alice.annotator,
      created_at: "2026-03-01T10:09:00.000Z",
    });
    expect(bob).toEqual({
      ...base,
      annotation_id: fx.ann.bob5,
      ranking: [[c.c5a], [c.c5b, c.c5c]],
      time_spent_ms: 1010,
      annotator: bob.annotator,
      created_at: "2026-03-01T10:10:00.000Z",
    });
    expect(alice.annotator).toMatch(/^annotator-[0-9a-f]{10}$/);
    expect(bob.annotator).toMatch(/^annotator-[0-9a-f]{10}$/);
    expect(alice.annotator).not.toBe(bob.annotator);
    // keys in the documented column order
    expect(Object.keys(alice)).toEqual([
      "annotation_id", "project_id", "item_id", "prompt_id", "prompt", "candidates", "ranking", "strength", "both_bad",
      "ratings", "thumbs", "demonstration", "demonstration_from", "rationale", "flags", "flag_note", "time_spent_ms", "late", "surplus", "is_gold", "gold_correct",
      "annotator", "shown_order", "created_at", "review_state", "reviewer",
    ]);
  });
});

describe("snapshots", () => {
  it("re-running the same definition gives a new version with byte-identical files", async () => {
    const def: Partial<CreateSnapshotInput> = { name: `stable-${fx.suffix}`, format: "raw", split: { testRatio: 0.5, seed: "x" } };
    const first = await snap(def);
    const second = await snap(def);
    expect(second.version).toBe(first.version + 1);
    expect(second.files).toEqual(first.files);
    for (const f of first.files) {
      const a = await readFile((await snapshotFile({ id: first.id, name: f.name })).path);
      const b = await readFile((await snapshotFile({ id: second.id, name: f.name })).path);
      expect(b.equals(a), f.name).toBe(true);
    }
    // pseudonyms are stable within a definition …
    const rowsA = await readRows(first.id, "train.jsonl");
    const rowsB = await readRows(second.id, "train.jsonl");
    expect(rowsB.map((r) => r.annotator)).toEqual(rowsA.map((r) => r.annotator));
    // … and differ for another definition
    const other = await snap({ ...def, name: `other-${fx.suffix}`, filters: { excludeGold: true, excludeFlagged: false, excludeInactiveAnnotators: false } });
    const all = async (id: string) => [...(await readRows(id, "train.jsonl")), ...(await readRows(id, "test.jsonl"))];
    const pseudo = (rows: Record<string, unknown>[], annId: string) => rows.find((r) => r.annotation_id === annId)?.annotator;
    const mine = pseudo(await all(first.id), fx.ann.alice1);
    const theirs = pseudo(await all(other.id), fx.ann.alice1);
    expect(mine).toMatch(/^annotator-/);
    expect(theirs).toMatch(/^annotator-/);
    expect(theirs).not.toBe(mine);
  });

  it("no file of any format holds a user id or email", async () => {
    const secrets = Object.values(fx.users).flatMap((u) => [u.id, u.email]);
    for (const format of exportFormats) {
      for (const fileType of ["jsonl", "parquet"] as const) {
        const s = await snap({ format, fileType, split: { testRatio: 0.5, seed: "" } });
        for (const f of s.files) {
          const bytes = (await readFile((await snapshotFile({ id: s.id, name: f.name })).path)).toString("latin1");
          for (const secret of secrets) expect(bytes.includes(secret), `${format}/${fileType}/${f.name}`).toBe(false);
        }
      }
    }
  });

  it("records sha256, bytes and rows of every file and writes a dataset card", async () => {
    const s = await snap({ format: "trl", fileType: "jsonl", gzip: true });
    expect(s.files.map((f) => f.name)).toEqual(["train.jsonl.gz", "test.jsonl.gz", "README.md"]);
    const { createHash } = await import("node:crypto");
    for (const f of s.files) {
      const bytes = await readFile((await snapshotFile({ id: s.id, name: f.name })).path);
      expect(bytes.length).toBe(f.bytes);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
    }
    expect((await readRows(s.id, "train.jsonl.gz")).length).toBe(12);
    const card = await readSnapshotFile(s.id, "README.md");
    expect(card).toContain(`# golden-${fx.suffix}`);
    expect(card).toContain("| annotators | 4 |");
    expect(card).toContain("| pairwise comparisons | 12 |");
    expect(card).toContain("| m-good | 5 |");
    expect(card).toContain("| unknown | 1 |");
    expect(card).toContain("| score_chosen |");
    expect(s.stats).toMatchObject({ annotations: 10, comparisons: 12, tieAnnotations: 2, prompts: 5, items: 5, annotators: 4 });
    // pairs judged twice or more: p1 2 of 3, p2 1 of 2 (a tie and a win), p3 1 of 2, and on p5 a>b 2 of 2, a>c 2 of
    // 2, b~c 1 of 2 (a win and a tie): (2/3 + 1/2 + 1/2 + 1 + 1 + 1/2) / 6
    expect(s.stats).toMatchObject({ multiVotePairs: 6, agreement: 0.6944 });
    expect(s.stats.models).toEqual({ "m-bad": 4, "m-good": 5, "m-mid": 1, unknown: 1 });
  });
});

describe("parquet", () => {
  async function readParquet(id: string, name: string) {
    const file = await asyncBufferFromFile((await snapshotFile({ id, name })).path);
    const metadata = await parquetMetadataAsync(file);
    const rows = await parquetReadObjects({ file, metadata });
    return { rows, schema: parquetSchema(metadata), metadata };
  }

  function describeSchema(node: ReturnType<typeof parquetSchema>): unknown {
    const e = node.element;
    const own = { name: e.name, type: e.type, converted: e.converted_type, repetition: e.repetition_type };
    return node.children.length ? { ...own, children: node.children.map(describeSchema) } : own;
  }

  it("holds the same rows as JSONL, with conversations as LIST<STRUCT<role, content>>", async () => {
    const jsonl = await snap({ format: "trl-conversational" });
    const parquet = await snap({ format: "trl-conversational", fileType: "parquet" });
    const { rows, schema, metadata } = await readParquet(parquet.id, "train.parquet");
    expect(rows).toEqual(await readRows(jsonl.id, "train.jsonl"));
    expect(Number(metadata.num_rows)).toBe(12);
    const message = {
      name: "element", type: undefined, converted: undefined, repetition: "REQUIRED",
      children: [
        { name: "role", type: "BYTE_ARRAY", converted: "UTF8", repetition: "REQUIRED" },
        { name: "content", type: "BYTE_ARRAY", converted: "UTF8", repetition: "REQUIRED" },
      ],
    };
    const list = (name: string) => ({
      name, type: undefined, converted: "LIST", repetition: "REQUIRED",
      children: [{ name: "list", type: undefined, converted: undefined, repetition: "REPEATED", children: [message] }],
    });
    expect(schema.children.map(describeSchema)).toEqual([
      { name: "prompt_id", type: "BYTE_ARRAY", converted: "UTF8", repetition: "REQUIRED" },
      list("prompt"),
      list("chosen"),
      list("rejected"),
      { name: "margin", type: "DOUBLE", converted: undefined, repetition: "REQUIRED" },
      { name: "score_chosen", type: "DOUBLE", converted: undefined, repetition: "OPTIONAL" },
      { name: "score_rejected", type: "DOUBLE", converted: undefined, repetition: "OPTIONAL" },
    ]);
  });

  it("ultrafeedback-raw completions are nested structs with an {Rating, Rationale} struct per aspect, as openbmb's", async () => {
    const jsonl = await snap({ format: "ultrafeedback-raw" });
    const parquet = await snap({ format: "ultrafeedback-raw", fileType: "parquet" });
    const { rows, schema } = await readParquet(parquet.id, "train.parquet");
    expect(rows).toEqual(await readRows(jsonl.id, "train.jsonl"));
    const completions = schema.children.find((c) => c.element.name === "completions")!;
    const element = completions.children[0].children[0];
    expect(element.children.map((c) => c.element.name)).toEqual(["model", "response", "annotations", "fine-grained_score", "overall_score"]);
    const aspects = element.children[2].children;
    expect(aspects.map((c) => c.element.name)).toEqual(["helpfulness", "honesty"]);
    expect(aspects[0].children.map((c) => [c.element.name, c.element.type])).toEqual([
      ["Rating", "BYTE_ARRAY"],
      ["Rationale", "BYTE_ARRAY"],
    ]);
  });

  it("every new format holds the same rows in Parquet as in JSONL", async () => {
    for (const format of ["ultrafeedback-binarized", "sft", "sft-conversational", "sft-messages", "kto"] as const) {
      const jsonl = await snap({ format });
      const parquet = await snap({ format, fileType: "parquet" });
      expect((await readParquet(parquet.id, "train.parquet")).rows, format).toEqual(await readRows(jsonl.id, "train.jsonl"));
    }
  });

  it("raw keeps lists of lists (ranking) and stores ratings as JSON text", async () => {
    const jsonl = await snap({ format: "raw" });
    const parquet = await snap({ format: "raw", fileType: "parquet" });
    const { rows, schema } = await readParquet(parquet.id, "train.parquet");
    const expected = (await readRows(jsonl.id, "train.jsonl")).map((r) => ({ ...r, ratings: JSON.stringify(r.ratings) }));
    expect(rows).toEqual(expected);
    const ratings = schema.children.find((c) => c.element.name === "ratings")!;
    expect(ratings.element.type).toBe("BYTE_ARRAY");
    const ranking = schema.children.find((c) => c.element.name === "ranking")!;
    expect(ranking.children[0].children[0].element.converted_type).toBe("LIST");
  });

  it("an empty split is still a valid Parquet file with the schema and no rows", async () => {
    const s = await snap({ format: "trl", fileType: "parquet", split: { testRatio: 0, seed: "" } });
    const { rows, schema } = await readParquet(s.id, "test.parquet");
    expect(rows).toEqual([]);
    expect(schema.children.map((c) => c.element.name)).toEqual(["prompt_id", "prompt", "chosen", "rejected", "margin", "score_chosen", "score_rejected"]);
  });
});
