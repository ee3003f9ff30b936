// Self-Instruct against a local server that speaks the OpenAI chat protocol: the paper's prompt, its heuristics and
// its ROUGE-L filter, the kept instructions as prompts of a demonstration project, and a run that survives a
// misbehaving endpoint without writing half a batch.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { saveEndpoint } from "@/server/services/endpoints";
import { bootstrapPrompt, heuristicReason, selfInstruct, splitInstructions } from "@/server/services/self-instruct";
import { selfInstructOptionsSchema } from "@/server/schemas/self-instruct";
import { makeProject, uid } from "../fixtures/annotation";
import { startFakeOpenAI, type FakeServer } from "./openai-server";

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const fast = { timeoutMs: 2000, maxRetries: 2, baseBackoffMs: 5, maxBackoffMs: 20 };

const SEEDS = [
  { instruction: "Give three tips for staying healthy." },
  { instruction: "Translate the sentence into French.", input: "The cat sleeps.", output: "Le chat dort." },
  { instruction: "Summarize the paragraph in one sentence." },
  { instruction: "Write a limerick about a programmer." },
  { instruction: "List five countries in South America." },
  { instruction: "Explain why the sky is blue to a child." },
];

describe("Self-Instruct, the paper's rules", () => {
  it("prompts with a numbered list left open, splits the continuation on the numbers", () => {
    expect(bootstrapPrompt(["A task here", "Another task"])).toBe("Come up with a series of tasks:\n\n1. A task here\n2. Another task\n3.");
    expect(splitInstructions(" Name a fruit that is yellow.\n4. Write  a  short\n   poem about autumn leaves.\n5. Add two numbers")).toEqual([
      "Name a fruit that is yellow.",
      "Write a short poem about autumn leaves.",
      "Add two numbers",
    ]);
  });

  it("drops what the heuristics drop, and says why", () => {
    expect(heuristicReason("Add two numbers", true)).toBe("too_short");
    expect(heuristicReason(Array.from({ length: 151 }, () => "word").join(" "), true)).toBe("too_long");
    expect(heuristicReason("Describe the image shown below in detail.", true)).toBe("unsuitable_keyword");
    expect(heuristicReason("Plot the data points on a chart", true)).toBe("unsuitable_keyword");
    expect(heuristicReason("Write a program that sorts a list of numbers.", true)).toBe("program");
    expect(heuristicReason("- Make a list of chores for the weekend.", true)).toBe("punctuation");
    expect(heuristicReason("Écris un poème sur la mer, s'il te plaît.", true)).toBe("non_english");
    expect(heuristicReason("Écris un poème sur la mer, s'il te plaît.", false)).toBeNull();
    expect(heuristicReason("Suggest a name for a bakery that sells bagels.", true)).toBeNull();
  });
});

describe("a Self-Instruct run", () => {
  it("keeps new instructions as items of a demonstration project, filters by reason, and survives 429, 500 and bad JSON", async () => {
    const tag = uid();
    // request 0: a good list with every kind of reject; 1: 429 then ok on retry; 2: malformed JSON three times
    // (fails for good, counted, the run goes on); then good lists
    // six new tasks sharing no words with each other or the seeds, two per good answer
    const fresh = [
      ["Suggest a name for a bakery that sells bagels.", "Describe how volcanoes erupt underwater."],
      ["Compose an email declining a meeting politely.", "Compare jazz with blues rhythmically."],
      ["Recommend board games suitable for families.", "Outline steps when changing car tyres."],
    ];
    let n = 0;
    server = await startFakeOpenAI((i) => {
      if (i === 1) return { kind: "status", status: 429, headers: { "retry-after": "0" } };
      if (i >= 3 && i <= 5) return { kind: "raw", body: "{not json" };
      const [a, b] = fresh[n++ % fresh.length];
      return {
        kind: "ok",
        texts: [
          [
            ` ${a}`,
            "10. Give three tips for staying healthy.",
            `11. Describe the picture of ${tag} in detail.`,
            "12. Add two numbers",
            `13. Write a program that prints ${tag} forever and ever.`,
            `14. ${b}`,
          ].join("\n"),
        ],
      };
    });
    const endpoint = await saveEndpoint({ input: { name: `si ${tag}`, baseUrl: server.url, model: "teacher", concurrency: 1 } });
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const progress: number[] = [];
    const { counts, kept } = await selfInstruct({
      projectId: project.id,
      runId: null,
      endpointId: endpoint.id,
      seeds: SEEDS,
      options: selfInstructOptionsSchema.parse({ target: 6, seed: 1 }),
      retryPolicy: fast,
      onProgress: (c) => void progress.push(c.kept),
    });
    expect(counts.kept).toBe(6);
    expect(kept.map((k) => k.instruction)).toEqual(fresh.flat());
    expect(counts.filtered).toMatchObject({ similar: 3, unsuitable_keyword: 3, too_short: 3, program: 3 });
    expect(counts.failedRequests).toBe(1);
    expect(counts.lastError).toMatch(/JSON|json/);
    expect(progress.at(-1)).toBe(6);
    // the paper's prompt with 8 examples (6 seeds, no generated ones yet on the first request)
    const first = server.requests[0].body.messages[0].content;
    expect(first.startsWith("Come up with a series of tasks:\n\n1. ")).toBe(true);
    expect(first.endsWith("\n7.")).toBe(true);
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true, candidates: true } });
    expect(items).toHaveLength(6);
    for (const it of items) {
      expect(it.candidates).toEqual([]);
      expect(it.prompt.source).toBe("self-instruct");
      expect(it.prompt.metadata).toMatchObject({ source: "self-instruct", model: "teacher" });
    }
    // later requests show kept instructions among the examples (2 of the 8)
    const last = server.requests.at(-1)!.body.messages[0].content;
    expect(fresh.flat().filter((f) => last.includes(f))).toHaveLength(2);
    // a second run against the same project keeps none of the same again
    const again = await selfInstruct({ projectId: project.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: selfInstructOptionsSchema.parse({ target: 2, maxRequests: 3 }), retryPolicy: fast });
    expect(again.counts.kept).toBe(0);
    expect(await db.item.count({ where: { projectId: project.id } })).toBe(6);
  });

  it("answers each kept instruction in a pairwise project: the responses become an item to compare, or the instruction is dropped as unanswered", async () => {
    const tasks = [
      "Suggest a name for a bakery that sells bagels.",
      "Describe how volcanoes erupt underwater.",
      "Compose an email declining a meeting politely.",
    ];
    server = await startFakeOpenAI((i, body) => {
      const asked = body.messages[0].content;
      if (asked.startsWith("Come up with a series of tasks")) return { kind: "ok", texts: [` ${tasks[0]}\n2. ${tasks[1]}\n3. ${tasks[2]}`] };
      // the second task gets two equal answers (nothing to compare), the third fails for good
      if (asked === tasks[1]) return { kind: "ok", texts: ["Magma meets water.", "Magma meets water."] };
      if (asked === tasks[2]) return { kind: "status", status: 500 };
      return { kind: "ok", texts: [`A: ${asked}`, `B: ${asked}`] };
    });
    const endpoint = await saveEndpoint({ input: { name: `si ${uid()}`, baseUrl: server.url, model: "teacher", concurrency: 1 } });
    const { project } = await makeProject({ taskType: "PAIRWISE", items: [], members: [] });
    const { counts } = await selfInstruct({ projectId: project.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: selfInstructOptionsSchema.parse({ target: 3, maxRequests: 1 }), retryPolicy: fast });
    expect(counts).toMatchObject({ kept: 1, generated: 3, requests: 1, responseRequests: 3, failedRequests: 1 });
    expect(counts.filtered.unanswered).toBe(2);
    // the answering request asks the instruction alone, for 2 responses
    const answering = server.requests.filter((r) => r.body.messages[0].content === tasks[0]);
    expect(answering).toHaveLength(1);
    expect(answering[0].body.n).toBe(2);
    const items = await db.item.findMany({ where: { projectId: project.id }, include: { prompt: true, candidates: { include: { candidate: true }, orderBy: { position: "asc" } } } });
    expect(items).toHaveLength(1);
    expect(items[0].prompt.messages).toEqual([{ role: "user", content: tasks[0] }]);
    expect(items[0].candidates.map((c) => c.candidate.text)).toEqual([`A: ${tasks[0]}`, `B: ${tasks[0]}`]);
    expect(items[0].candidates.map((c) => c.candidate.model)).toEqual(["teacher", "teacher"]);
  });

  it("makes one ranking item of four answers, one rating item per answer, and refuses responses a project cannot use", async () => {
    const task = "Recommend board games suitable for families.";
    server = await startFakeOpenAI((i, body) =>
      body.messages[0].content.startsWith("Come up with") ? { kind: "ok", texts: [` ${task}`] } : { kind: "ok" },
    );
    const endpoint = await saveEndpoint({ input: { name: `si ${uid()}`, baseUrl: server.url, model: "teacher", concurrency: 1 } });
    const opts = (extra: Record<string, unknown> = {}) => selfInstructOptionsSchema.parse({ target: 1, maxRequests: 1, ...extra });
    const { project: ranking } = await makeProject({ taskType: "RANKING", items: [], members: [] });
    await selfInstruct({ projectId: ranking.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: opts(), retryPolicy: fast });
    const rankingItems = await db.item.findMany({ where: { projectId: ranking.id }, include: { candidates: true } });
    expect(rankingItems.map((it) => it.candidates.length)).toEqual([4]);
    const { project: rating } = await makeProject({ taskType: "RATING", items: [], members: [] });
    await selfInstruct({ projectId: rating.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: opts({ responses: 3 }), retryPolicy: fast });
    const ratingItems = await db.item.findMany({ where: { projectId: rating.id }, include: { candidates: true } });
    expect(ratingItems.map((it) => it.candidates.length)).toEqual([1, 1, 1]);

    const { project: pairwise } = await makeProject({ taskType: "PAIRWISE", items: [], members: [] });
    await expect(selfInstruct({ projectId: pairwise.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: opts({ responses: 1 }), retryPolicy: fast })).rejects.toMatchObject({
      message: expect.stringContaining("needs at least 2"),
    });
    const { project: demo } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    await expect(selfInstruct({ projectId: demo.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: opts({ responses: 2 }), retryPolicy: fast })).rejects.toMatchObject({
      message: expect.stringContaining("annotators write the answers"),
    });
    expect(await db.item.count({ where: { projectId: { in: [pairwise.id, demo.id] } } })).toBe(0);
  });

  it("stops after ten failures in a row, having written nothing", async () => {
    server = await startFakeOpenAI(() => ({ kind: "status", status: 503 }));
    const endpoint = await saveEndpoint({ input: { name: `si ${uid()}`, baseUrl: server.url, model: "m", concurrency: 2 } });
    const { project } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    await expect(selfInstruct({ projectId: project.id, runId: null, endpointId: endpoint.id, seeds: SEEDS, options: selfInstructOptionsSchema.parse({ target: 3 }), retryPolicy: fast })).rejects.toMatchObject({
      message: expect.stringContaining("failed 10 requests in a row"),
    });
    expect(await db.item.count({ where: { projectId: project.id } })).toBe(0);
  });
});
