// The AI judge against a local server that speaks the OpenAI chat protocol: verdicts parsed in both orders, position
// bias turned into ties, failures recorded and asked again on resume, launch refusals by field, the judge panel's
// figures against people on the same items, and a reward model's scores as suggestions.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { saveEndpoint } from "@/server/services/endpoints";
import { enqueueRun } from "@/server/services/runs/admin";
import { runJudge } from "@/server/services/judge/run";
import { judgeAnalytics } from "@/server/services/judge/analytics";
import { rewardModelSuggestions } from "@/server/services/judge/reward-model";
import { judgeRunConfig } from "@/server/schemas/judge";
import { AppError } from "@/server/errors";
import { browse } from "@/server/services/review/browse";
import { nextInQueue } from "@/server/services/review/queue";
import { browseFiltersSchema } from "@/server/schemas/review";
import { makeProject, makeUser, pairItems, rankItems, uid, workQueue } from "../fixtures/annotation";
import { startFakeOpenAI, type ChatBody, type FakeServer } from "../generation/openai-server";

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const fast = { timeoutMs: 2000, maxRetries: 2, baseBackoffMs: 5, maxBackoffMs: 20 };

/** The answer texts the judge was shown, in the order shown. */
function shown(body: ChatBody): string[] {
  const user = body.messages.find((m) => m.role === "user")?.content ?? "";
  return [...user.matchAll(/<\|The Start of Assistant [A-I]'s Answer\|>\n([\s\S]*?)\n<\|The End of Assistant/g)].map((m) => m[1]);
}
const question = (body: ChatBody) => body.messages.find((m) => m.role === "user")?.content ?? "";

/** A JUDGE run row nobody else's worker can claim (the tests call the run itself). */
async function judgeRun(projectId: string, endpointId: string) {
  return db.trainingRun.create({ data: { kind: "JUDGE", name: `judge ${uid()}`, projectId, status: "RUNNING", config: { endpoint_id: endpointId } } });
}

describe("an AI judge on a pairwise project", () => {
  it("asks in both orders, ties where the orders disagree, records what failed, and is compared with the people", async () => {
    const tag = uid();
    const [ann1, ann2] = [await makeUser("ANNOTATOR"), await makeUser("ANNOTATOR")];
    const { project } = await makeProject({ items: pairItems(6, tag), members: [ann1.id, ann2.id], overlap: 2, guidelines: "Prefer the correct sum." });
    // the judge prefers "The answer is …" (model-a); on item 3 it always picks the first shown (position bias); on
    // item 4 it never gives a verdict in the format; the very first request gets a 500 and is retried
    server = await startFakeOpenAI((i, body) => {
      if (i === 0) return { kind: "status", status: 500 };
      if (question(body).includes(`${tag}-3:`)) return { kind: "ok", texts: ["Both fine, A reads better. [[A>>B]]"] };
      if (question(body).includes(`${tag}-4:`)) return { kind: "ok", texts: ["I cannot decide between them."] };
      const [a] = shown(body);
      return { kind: "ok", texts: [a.startsWith("The answer is") ? "A is right. [[A>B]]" : "B is right. [[B>A]]"] };
    });
    const endpoint = await saveEndpoint({ input: { name: `judge ${tag}`, baseUrl: server.url, model: "judge-7b", concurrency: 2 } });
    const run = await judgeRun(project.id, endpoint.id);
    const progress: number[] = [];
    const counts = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({}), retryPolicy: fast, onProgress: (c) => void progress.push(c.judged + c.failed) });

    expect(counts).toMatchObject({ total: 6, judged: 5, failed: 1, inconsistent: 1, requests: 12 });
    expect(progress.at(-1)).toBe(6);
    // what the judge was told: the project's guidelines, the question, the answers in the two orders
    const first = server.requests[1].body;
    expect(first.messages[0].content).toContain("[[A>>B]]");
    expect(question(first)).toContain("Prefer the correct sum.");
    expect(first.temperature).toBe(0);
    const forItem0 = server.requests.slice(1).filter((r) => question(r.body).includes(`${tag}-0:`)).map((r) => shown(r.body));
    expect(forItem0).toHaveLength(2);
    expect(forItem0[1]).toEqual([...forItem0[0]].reverse());

    const suggestions = await db.suggestion.findMany({ where: { runId: run.id }, include: { item: { include: { prompt: true, candidates: { include: { candidate: true } } } } } });
    expect(suggestions).toHaveLength(6);
    const byQuestion = (k: number) => suggestions.find((s) => (s.item.prompt.messages as { content: string }[])[0].content.includes(`${tag}-${k}:`))!;
    const modelOf = (s: (typeof suggestions)[number], id: string) => s.item.candidates.find((c) => c.candidateId === id)!.candidate.model;
    const s0 = byQuestion(0);
    expect((s0.ranking as string[][]).map((g) => g.map((id) => modelOf(s0, id)))).toEqual([["model-a"], ["model-b"]]);
    expect(s0).toMatchObject({ strength: "BETTER", consistent: true, judge: "judge-7b", error: null });
    expect((s0.answers as { raw: string }[]).map((a) => a.raw)).toEqual(expect.arrayContaining(["A is right. [[A>B]]", "B is right. [[B>A]]"]));
    expect(byQuestion(3)).toMatchObject({ strength: "TIE", consistent: false });
    expect((byQuestion(3).ranking as string[][])).toHaveLength(1);
    expect(byQuestion(4)).toMatchObject({ ranking: null, error: "no verdict in the judge's answers" });
    // nothing of this is a human vote
    expect(await db.annotation.count({ where: { projectId: project.id } })).toBe(0);

    // the people: annotator 1 always prefers model-a; annotator 2 too, except on item 0
    const judge = (user: string) => (item: { candidates: { id: string; text: string }[]; messages: { content: string }[] }) => {
      const wantB = user === ann2.id && item.messages[0].content.includes(`${tag}-0:`);
      const better = item.candidates.find((c) => c.text.startsWith("The answer is") !== wantB)!;
      const worse = item.candidates.find((c) => c !== better)!;
      return { ranking: [[better.id], [worse.id]], strength: "BETTER" };
    };
    await workQueue(project.slug, ann1, judge(ann1.id));
    await workQueue(project.slug, ann2, judge(ann2.id));

    const figures = await judgeAnalytics({ projectId: project.id, bootstrapRounds: 0 });
    expect(figures.source).toMatchObject({ runId: run.id, judge: "judge-7b", source: "endpoint", suggestions: 6, withVerdict: 5 });
    // 5 items with a verdict × 2 people: item 0 splits them, item 3's tie agrees with nobody
    expect(figures.overall).toEqual({ pairs: 10, agreement: 0.7, decidedPairs: 8, decidedAgreement: 0.875 });
    expect(figures.humans).toEqual({ pairs: 5, agreement: 0.8, decidedPairs: 5, decidedAgreement: 0.8 });
    expect(figures.byAnnotator.map((a) => [a.userId, a.agreement])).toEqual(expect.arrayContaining([[ann1.id, 0.8], [ann2.id, 0.6]]));
    expect(figures.byModel.map((m) => m.model)).toEqual(["model-a", "model-b"]);
    // 4 of 5 items gave the same verdict in both orders; the first shown won 6 of the 10 decided answers
    expect(figures.positionBias).toEqual({ comparedTwice: 5, consistency: 0.8, decidedAnswers: 10, firstShownWinRate: 0.6 });
    expect(figures.leaderboard.map((r) => [r.model, r.wins, r.ties, r.losses])).toEqual([["model-a", 4, 1, 0], ["model-b", 0, 1, 4]]);

    // the data browser and the review queue find the judgements the judge disagrees with: annotator 2 on item 0,
    // and both on item 3 (the judge's tie); none on item 4, which it gave no verdict on
    const disagreeing = await browse({ projectId: project.id, filters: browseFiltersSchema.parse({ judgeDisagree: "yes" }), limit: 50 });
    expect(disagreeing.rows).toHaveLength(3);
    expect(disagreeing.rows.every((r) => r.judgeDisagrees)).toBe(true);
    const reviewer = await makeUser("ADMIN");
    await db.project.update({ where: { id: project.id }, data: { reviewSampleRate: 0, reviewFlagged: false, reviewFailedGold: false, reviewDisagreeing: false } });
    expect((await nextInQueue({ projectId: project.id, reviewerId: reviewer.id, skip: [] })).waiting).toBe(0);
    await db.project.update({ where: { id: project.id }, data: { reviewJudgeDisagreeing: true } });
    expect((await nextInQueue({ projectId: project.id, reviewerId: reviewer.id, skip: [] })).waiting).toBe(3);
    // each judgement records that suggestions were hidden when it was made (the project's default)
    expect(await db.annotation.count({ where: { projectId: project.id, suggestionMode: "HIDDEN" } })).toBe(12);
  });

  it("goes on where it stopped: a restarted run asks only what it has no verdict for, max_items bounding the run", async () => {
    const tag = uid();
    const { project } = await makeProject({ items: pairItems(5, tag), members: [] });
    let broken = true;
    server = await startFakeOpenAI(() => (broken ? { kind: "status", status: 503 } : { kind: "ok", texts: ["[[A=B]]"] }));
    const endpoint = await saveEndpoint({ input: { name: `judge ${tag}`, baseUrl: server.url, model: "judge", concurrency: 1 } });
    const run = await judgeRun(project.id, endpoint.id);
    broken = false;
    const first = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({ max_items: 2 }), retryPolicy: fast });
    expect(first).toMatchObject({ total: 2, judged: 2 });
    expect(server.requests).toHaveLength(4);
    // the endpoint goes down: every request fails; the items are recorded as failed, the run goes on
    broken = true;
    const second = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({ max_items: 4 }), retryPolicy: { ...fast, maxRetries: 0 } });
    expect(second).toMatchObject({ total: 4, judged: 2, failed: 2 });
    expect(await db.suggestion.count({ where: { runId: run.id, error: { contains: "server error 503" } } })).toBe(2);
    // back up: the failed items are asked again, the judged ones are not
    broken = false;
    const before = server.requests.length;
    const third = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({}), retryPolicy: fast });
    expect(third).toMatchObject({ total: 5, judged: 5, failed: 0 });
    expect(server.requests.length - before).toBe(6);
    expect(await db.suggestion.count({ where: { runId: run.id, error: null } })).toBe(5);
  });

  it("stops after ten items in a row without an answer, saying why", async () => {
    const { project } = await makeProject({ items: pairItems(12), members: [] });
    server = await startFakeOpenAI(() => ({ kind: "status", status: 401, body: '{"error":{"message":"bad key"}}' }));
    const endpoint = await saveEndpoint({ input: { name: `judge ${uid()}`, baseUrl: server.url, model: "judge", concurrency: 4 } });
    const run = await judgeRun(project.id, endpoint.id);
    await expect(runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({}), retryPolicy: fast })).rejects.toThrow(/12 items in a row got no verdict; last error: .*HTTP 401 \(check the API key\): bad key/);
  });
});

describe("an AI judge on ranking and rating projects", () => {
  it("ranks by letters, averages the places where the two orders disagree", async () => {
    const tag = uid();
    const { project } = await makeProject({ taskType: "RANKING", items: rankItems(2, 3, tag), members: [] });
    // item 0: the judge ranks by the answer's number, highest first, in both orders (consistent);
    // item 1: always "A>B>C" whatever is shown (the reversed order makes it disagree with itself)
    server = await startFakeOpenAI((_, body) => {
      if (question(body).includes(`${tag}-1`)) return { kind: "ok", texts: ["[[A>B>C]]"] };
      const texts = shown(body);
      const order = texts.map((t, k) => ({ k, n: Number(/Answer (\d)/.exec(t)![1]) })).sort((x, y) => y.n - x.n);
      return { kind: "ok", texts: [`[[${order.map((o) => "ABC"[o.k]).join(" > ")}]]`] };
    });
    const endpoint = await saveEndpoint({ input: { name: `judge ${tag}`, baseUrl: server.url, model: "judge", concurrency: 2 } });
    const run = await judgeRun(project.id, endpoint.id);
    const counts = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({}), retryPolicy: fast });
    expect(counts).toMatchObject({ judged: 2, inconsistent: 1 });
    const suggestions = await db.suggestion.findMany({ where: { runId: run.id }, include: { item: { include: { prompt: true, candidates: { include: { candidate: true }, orderBy: { position: "asc" } } } } } });
    const textOf = (s: (typeof suggestions)[number]) => (s.ranking as string[][]).map((g) => g.map((id) => s.item.candidates.find((c) => c.candidateId === id)!.candidate.text.slice(0, 8)));
    const consistent = suggestions.find((s) => s.consistent)!;
    expect(textOf(consistent)).toEqual([["Answer 2"], ["Answer 1"], ["Answer 0"]]);
    // A>B>C on [x, y, z] and on [z, y, x]: every place averages to 1, all three tie
    const biased = suggestions.find((s) => s.consistent === false)!;
    expect((biased.ranking as string[][])).toHaveLength(1);
    expect((biased.ranking as string[][])[0]).toHaveLength(3);
  });

  it("rates a single response once, per criterion on its scale, with thumbs", async () => {
    const { project } = await makeProject({
      taskType: "RATING",
      thumbs: true,
      criteria: [{ key: "helpfulness", label: "Helpfulness", description: "does it help" }],
      items: [{ messages: [{ role: "user", content: "Say hi" }], candidates: [{ text: "Hi!", model: "m" }] }, { messages: [{ role: "user", content: "Say bye" }], candidates: [{ text: "Bye.", model: "m" }] }],
      members: [],
    });
    // "Say bye" gets a value off the 7-point scale: no verdict
    server = await startFakeOpenAI((_, body) => ({ kind: "ok", texts: [question(body).includes("Say hi") ? "Fine.\n[[helpfulness=6]]\n[[thumbs=up]]" : "[[helpfulness=9]]\n[[thumbs=down]]"] }));
    const endpoint = await saveEndpoint({ input: { name: `judge ${uid()}`, baseUrl: server.url, model: "judge", concurrency: 1 } });
    const run = await judgeRun(project.id, endpoint.id);
    const counts = await runJudge({ runId: run.id, projectId: project.id, endpointId: endpoint.id, config: judgeRunConfig.parse({}), retryPolicy: fast });
    expect(counts).toMatchObject({ judged: 1, failed: 1, requests: 2 });
    expect(question(server.requests[0].body)).toContain("- helpfulness: Helpfulness (does it help), 1 to 7");
    const hi = await db.suggestion.findFirstOrThrow({ where: { runId: run.id, error: null }, include: { item: { include: { candidates: true } } } });
    expect(hi).toMatchObject({ thumbs: true, consistent: null, ratings: { [hi.item.candidates[0].candidateId]: { helpfulness: 6 } } });
  });
});

describe("launching an AI judge", () => {
  const launch = (input: Record<string, unknown>) => enqueueRun({ input: { kind: "JUDGE", name: "judge", ...input } as never });
  const fieldOf = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).fieldErrors?.map((f) => f.field);
  };

  it("refuses a demonstration project, a template without its placeholders, a GPU and unknown settings, by field", async () => {
    const endpoint = await saveEndpoint({ input: { name: `judge ${uid()}`, baseUrl: "http://127.0.0.1:9", model: "judge" } });
    const { project: demos } = await makeProject({ taskType: "DEMONSTRATION", items: [], members: [] });
    const { project: pairs } = await makeProject({ items: pairItems(1), members: [] });
    expect(await fieldOf(launch({ projectId: demos.id, endpointId: endpoint.id, config: {} }))).toEqual(["projectId"]);
    expect(await fieldOf(launch({ projectId: pairs.id, endpointId: endpoint.id, config: { template: "Which is better? {{answer_a}}" } }))).toEqual(["config.template"]);
    expect(await fieldOf(launch({ projectId: pairs.id, endpointId: endpoint.id, gpuCount: 1, config: {} }))).toEqual(["gpuCount"]);
    expect(await fieldOf(launch({ projectId: pairs.id, endpointId: endpoint.id, config: { swapp: false } }))).toEqual(["config"]);
    expect(await fieldOf(launch({ projectId: pairs.id, endpointId: "nope", config: {} }))).toEqual(["endpointId"]);
    const run = await launch({ projectId: pairs.id, endpointId: endpoint.id, config: { max_items: 10, template: "Q: {{question}}\nA: {{answer_a}}\nB: {{answer_b}}" } });
    expect(run.config).toMatchObject({ swap: true, temperature: 0, max_items: 10, endpoint_id: endpoint.id });
    await db.trainingRun.delete({ where: { id: run.id } });
  });
});

describe("a reward model as a judge", () => {
  it("ranks each comparison item by score, with a strength from the score gap", async () => {
    const { project, itemIds } = await makeProject({ items: pairItems(2), members: [] });
    const items = await db.item.findMany({ where: { id: { in: itemIds } }, include: { candidates: { orderBy: { position: "asc" } } } });
    const scores = new Map<string, number>();
    const [x, y] = items;
    scores.set(x.candidates[0].candidateId, 0.1).set(x.candidates[1].candidateId, 3.5);
    scores.set(y.candidates[0].candidateId, 1.0).set(y.candidates[1].candidateId, 0.5);
    const run = await db.trainingRun.create({ data: { kind: "SCORE", name: `score ${randomUUID()}`, projectId: project.id, status: "RUNNING", config: {} } });
    expect(await db.$transaction((tx) => rewardModelSuggestions(tx, { runId: run.id, projectId: project.id, judge: "rm-v1", scores }))).toBe(2);
    const byItem = new Map((await db.suggestion.findMany({ where: { runId: run.id } })).map((s) => [s.itemId, s]));
    expect(byItem.get(x.id)).toMatchObject({ ranking: [[x.candidates[1].candidateId], [x.candidates[0].candidateId]], strength: "MUCH_BETTER", judge: "rm-v1" });
    expect(byItem.get(y.id)).toMatchObject({ ranking: [[y.candidates[0].candidateId], [y.candidates[1].candidateId]], strength: "SLIGHTLY_BETTER" });
    const figures = await judgeAnalytics({ projectId: project.id, runId: run.id, bootstrapRounds: 0 });
    expect(figures.source).toMatchObject({ source: "reward_model", judge: "rm-v1" });
  });
});
