// Generated responses landing in a project (items follow the task type, nothing twice), endpoint generation with
// its concurrency limit and failure handling, endpoints' keys at rest, and the reward model's agreement with humans.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { addItems, upsertProject, upsertUser } from "@/prisma/seed/helpers";
import { listEndpoints, saveEndpoint } from "@/server/services/endpoints";
import { generateFromEndpoint, ingestGenerations } from "@/server/services/generation";
import { rmHumanAgreement, setActiveModel, smallestGap } from "@/server/services/models";
import { decryptSecret } from "@/server/services/secrets";
import { startFakeOpenAI, type FakeServer } from "./openai-server";

const fast = { timeoutMs: 2000, maxRetries: 2, baseBackoffMs: 10, maxBackoffMs: 100 };
let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2)}`;

async function projectWithPrompts(taskType: "PAIRWISE" | "RANKING", count: number) {
  const tag = unique();
  const project = await upsertProject(db, { name: `gen ${tag}`, slug: `gen-${tag}`, taskType });
  await addItems(
    db,
    project.id,
    Array.from({ length: count }, (_, i) => ({ messages: [{ role: "user" as const, content: `prompt ${i} ${tag}` }], candidates: [{ text: "seed a" }, { text: "seed b" }] })),
  );
  const prompts = await db.item.findMany({ where: { projectId: project.id }, orderBy: { createdAt: "asc" }, select: { promptId: true } });
  return { project, promptIds: prompts.map((p) => p.promptId) };
}

describe("ingesting generations", () => {
  it("makes pairs for a PAIRWISE project (an odd last response pairs with the first) and adds nothing twice", async () => {
    const { project, promptIds } = await projectWithPrompts("PAIRWISE", 1);
    const texts = ["r1", "r2", "r3", "r2", ""]; // a duplicate and an empty response are dropped
    const first = await ingestGenerations({ projectId: project.id, runId: null, model: "m", groups: [{ promptId: promptIds[0], texts }] });
    expect(first).toEqual({ prompts: 1, candidates: 3, items: 2, skippedPrompts: 0 });
    const items = await db.item.findMany({
      where: { projectId: project.id, candidates: { some: { candidate: { model: "m" } } } },
      include: { candidates: { include: { candidate: true }, orderBy: { position: "asc" } } },
    });
    expect(items.map((i) => i.candidates.map((c) => c.candidate.text)).sort()).toEqual([
      ["r1", "r2"],
      ["r3", "r1"],
    ]);
    const again = await ingestGenerations({ projectId: project.id, runId: null, model: "m", groups: [{ promptId: promptIds[0], texts }] });
    expect(again).toMatchObject({ candidates: 0, items: 0 });
  });

  it("makes one ranking item of up to 9 responses for a RANKING project, balanced groups beyond", async () => {
    const { project, promptIds } = await projectWithPrompts("RANKING", 2);
    const result = await ingestGenerations({
      projectId: project.id,
      runId: null,
      model: "m",
      groups: [
        { promptId: promptIds[0], texts: Array.from({ length: 4 }, (_, i) => `four ${i}`) },
        { promptId: promptIds[1], texts: Array.from({ length: 11 }, (_, i) => `eleven ${i}`) },
      ],
    });
    expect(result).toEqual({ prompts: 2, candidates: 15, items: 3, skippedPrompts: 0 });
    const sizes = await db.item.findMany({
      where: { projectId: project.id, candidates: { some: { candidate: { model: "m" } } } },
      select: { promptId: true, _count: { select: { candidates: true } } },
    });
    expect(sizes.filter((s) => s.promptId === promptIds[0]).map((s) => s._count.candidates)).toEqual([4]);
    expect(sizes.filter((s) => s.promptId === promptIds[1]).map((s) => s._count.candidates).sort()).toEqual([5, 6]);
  });

  it("skips a prompt whose responses are all the same and refuses an unknown prompt", async () => {
    const { project, promptIds } = await projectWithPrompts("PAIRWISE", 1);
    expect(await ingestGenerations({ projectId: project.id, runId: null, model: "m", groups: [{ promptId: promptIds[0], texts: ["same", "same"] }] })).toMatchObject({
      items: 0,
      skippedPrompts: 1,
    });
    await expect(ingestGenerations({ projectId: project.id, runId: null, model: "m", groups: [{ promptId: "nope", texts: ["a", "b"] }] })).rejects.toThrow(/unknown prompt: nope/);
  });
});

describe("generation from an endpoint", () => {
  it("answers every prompt with at most `concurrency` requests in flight and reports progress", async () => {
    server = await startFakeOpenAI(undefined, 50);
    const endpoint = await saveEndpoint({ input: { name: `ep ${unique()}`, baseUrl: server.url, model: "gpt-local", concurrency: 2 } });
    const { project } = await projectWithPrompts("PAIRWISE", 6);
    const progress: number[] = [];
    const result = await generateFromEndpoint({
      projectId: project.id,
      runId: null,
      endpointId: endpoint.id,
      n: 2,
      temperature: 0.9,
      maxTokens: 32,
      retryPolicy: fast,
      onProgress: (done, total) => void progress.push(done / total),
    });
    expect(result).toEqual({ prompts: 6, candidates: 12, items: 6, skippedPrompts: 0 });
    expect(server.requests).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
    expect(progress.at(-1)).toBe(1);
    expect(server.requests.every((r) => r.body.temperature === 0.9 && r.body.model === "gpt-local")).toBe(true);
  });

  it("stops at the first request that fails for good, keeping what was already added", async () => {
    server = await startFakeOpenAI((i) => (i === 2 ? { kind: "status", status: 400, body: '{"error": {"message": "context length exceeded"}}' } : { kind: "ok" }));
    const endpoint = await saveEndpoint({ input: { name: `ep ${unique()}`, baseUrl: server.url, model: "m", concurrency: 1 } });
    const { project } = await projectWithPrompts("PAIRWISE", 5);
    await expect(
      generateFromEndpoint({ projectId: project.id, runId: null, endpointId: endpoint.id, n: 2, temperature: 1, maxTokens: 8, retryPolicy: fast }),
    ).rejects.toThrow(/HTTP 400: context length exceeded/);
    expect(server.requests).toHaveLength(3);
    expect(await db.item.count({ where: { projectId: project.id, candidates: { some: { candidate: { model: "m" } } } } })).toBe(2);
  });

  it("stores the API key encrypted and never returns it", async () => {
    const saved = await saveEndpoint({ input: { name: `ep ${unique()}`, baseUrl: "http://127.0.0.1:9/v1", model: "m", apiKey: "sk-live-123" } });
    expect(saved).toMatchObject({ hasApiKey: true });
    expect(JSON.stringify(saved)).not.toContain("sk-live-123");
    expect(JSON.stringify(await listEndpoints())).not.toContain("sk-live-123");
    const row = await db.endpoint.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row.apiKeyEncrypted).not.toContain("sk-live-123");
    expect(decryptSecret(row.apiKeyEncrypted as string, `endpoint:${saved.id}:apiKey`)).toBe("sk-live-123");
    // Saving again without a key keeps the stored one.
    await saveEndpoint({ id: saved.id, input: { name: saved.name, baseUrl: saved.baseUrl, model: "m2" } });
    expect(decryptSecret((await db.endpoint.findUniqueOrThrow({ where: { id: saved.id } })).apiKeyEncrypted as string, `endpoint:${saved.id}:apiKey`)).toBe("sk-live-123");
    await expect(saveEndpoint({ input: { name: saved.name, baseUrl: "ftp://x", model: "m" } })).rejects.toThrow(/invalid endpoint/);
  });
});

describe("reward model in the loop", () => {
  it("agreement is the share of human comparisons where the active reward model prefers the chosen candidate", async () => {
    const { project } = await projectWithPrompts("PAIRWISE", 3);
    const user = await upsertUser(db, { email: `rater-${unique()}@x.test`, name: "r", role: "ANNOTATOR" });
    const rm = await db.model.create({ data: { name: "rm-agree", kind: "REWARD", backend: "tiny", path: "/x" } });
    const other = await db.model.create({ data: { name: "rm-other", kind: "REWARD", backend: "tiny", path: "/y" } });
    await setActiveModel({ id: other.id });
    await setActiveModel({ id: rm.id });
    expect((await db.model.findUniqueOrThrow({ where: { id: other.id } })).active).toBe(false);

    const items = await db.item.findMany({ where: { projectId: project.id }, include: { candidates: true }, orderBy: { createdAt: "asc" } });
    // Human choices: the first candidate every time. The model agrees on items 0 and 1, disagrees on item 2.
    const modelPrefersFirst = [true, true, false];
    for (const [i, item] of items.entries()) {
      const [a, b] = item.candidates.map((c) => c.candidateId);
      const scores = modelPrefersFirst[i] ? { [a]: 1.5, [b]: 0.2 } : { [a]: -1, [b]: 0.5 };
      await db.item.update({ where: { id: item.id }, data: { rmScores: { modelId: rm.id, scores }, rmScoreGap: smallestGap(Object.values(scores)) } });
      const annotation = await db.annotation.create({
        data: { submissionId: unique(), itemId: item.id, projectId: project.id, userId: user.id, ranking: [[a], [b]], timeSpentMs: 1000 },
      });
      await db.comparison.create({
        data: { annotationId: annotation.id, projectId: project.id, itemId: item.id, promptId: item.promptId, userId: user.id, chosenId: a, rejectedId: b, margin: 1 },
      });
    }
    const agreement = await rmHumanAgreement({ projectId: project.id });
    expect(agreement.modelId).toBe(rm.id);
    expect(agreement.comparisons).toBe(3);
    expect(agreement.agreement).toBeCloseTo(2 / 3);

    // Scores from a model that is not the active one do not count.
    await setActiveModel({ id: other.id });
    expect(await rmHumanAgreement({ projectId: project.id })).toEqual({ modelId: other.id, comparisons: 0, agreement: null });
  });

  it("the score gap is the smallest distance between any two candidates", () => {
    expect(smallestGap([0.9, -1, 0.5])).toBeCloseTo(0.4);
    expect(smallestGap([1])).toBeNull();
  });
});
