// Self-Instruct bootstrapping (Wang et al., 2022, github.com/yizhongw/self-instruct, bootstrap_instructions.py):
// ask a model to continue a numbered list of tasks whose first items are sampled from the seed tasks and from the
// instructions kept so far; split the answer into instructions; keep one only if it passes the paper's heuristics
// and its ROUGE-L with every seed and kept instruction is below 0.7. The kept instructions land as prompts of the
// chosen project, with their provenance in the prompt's metadata: in a demonstration project an item each, ready to
// be written; in a comparison or rating project the same endpoint first answers each one (`responses` times) and
// its answers become the item's candidates, as a generation run would make them (chunkCandidates).
//
// Heuristics, as in post_process_gpt3_response: whitespace collapsed; 3 words or fewer, or more than 150, out; tasks
// a text model cannot do (images, graphs, pictures, files, maps, drawing, plotting, "go to") out; "Write a program"
// out; starting with punctuation out; starting with a non-ASCII character out (the paper's "non-English", when the
// run asks for English). A request that still fails after the client's retries (429, 5xx, timeouts, malformed JSON)
// is counted and the run goes on; ten failures in a row stop it. Each round's kept instructions are written in one
// transaction: never half a batch.
import { AppError } from "@/server/errors";
import { findProject } from "@/server/services/projects";
import { pool, withTransaction } from "@/server/pg";
import type { SeedTask, SelfInstructCounts, SelfInstructOptions, FilterReason } from "@/server/schemas/self-instruct";
import { FILTER_REASONS } from "@/server/schemas/self-instruct";
import { resolveEndpoint, type ResolvedEndpoint } from "@/server/services/endpoints";
import { candidateHash, itemKey, promptHash, type Message } from "@/server/services/hashing";
import { chunkCandidates, singleResponse } from "@/server/services/import/items";
import { chatCompletion, defaultRetryPolicy, limiter, type RetryPolicy } from "@/server/services/openai-client";
import { pgText } from "@/server/services/pg-text";
import type { TaskType } from "@/server/generated/prisma/client";
import { seededRandom } from "@/server/services/analytics/random";
import { RougeIndex } from "@/server/services/rouge";

const UNSUITABLE = ["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to"];
const UNSUITABLE_RE = new RegExp(`\\b(?:${UNSUITABLE.join("|")})\\b`, "i");
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const MAX_FAILURES_IN_A_ROW = 10;

/** The paper's prompt: a numbered list of tasks, left open at the next number. */
export function bootstrapPrompt(examples: string[]): string {
  return `Come up with a series of tasks:\n\n${examples.map((e, i) => `${i + 1}. ${e}`).join("\n")}\n${examples.length + 1}.`;
}

/** A continuation of the numbered list as instructions (the paper splits on "\n<number>. "). */
export function splitInstructions(response: string): string[] {
  const body = response.replace(/^\s*\d+\s?\.\s*/, "");
  return body.split(/\n\s*\d+\s?\.\s/).map((s) => s.replace(/\s+/g, " ").trim());
}

/** Why the paper's heuristics drop an instruction, or null when it passes them. */
export function heuristicReason(instruction: string, englishOnly: boolean): FilterReason | null {
  if (instruction === "") return "empty";
  const words = instruction.split(" ").length;
  if (words <= 3) return "too_short";
  if (words > 150) return "too_long";
  if (UNSUITABLE_RE.test(instruction)) return "unsuitable_keyword";
  if (instruction.startsWith("Write a program")) return "program";
  if (PUNCTUATION.has(instruction[0])) return "punctuation";
  if (englishOnly && instruction.charCodeAt(0) > 127) return "non_english";
  return null;
}

function sample<T>(items: T[], k: number, random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < k && pool.length) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
  return out;
}

export interface KeptInstruction {
  instruction: string;
  /** ROUGE-L with the most similar seed or kept instruction at the time it was kept */
  closestRougeL: number;
  /** a comparison or rating project's responses to it, distinct and non-empty */
  responses?: string[];
}

/** Whether `responses` (a run's option) suits the project: none in a demonstration project, two or more to compare. */
export function selfInstructResponsesCheck(project: { name: string; taskType: TaskType }, responses: unknown): void {
  if (typeof responses !== "number") return;
  if (project.taskType === "DEMONSTRATION") {
    throw new AppError("BAD_REQUEST", `"${project.name}" is a demonstration project: its annotators write the answers, so leave responses empty`, [{ field: "config.responses", message: "only for comparison and rating projects" }]);
  }
  if (!singleResponse(project.taskType) && responses < 2) {
    throw new AppError("BAD_REQUEST", `"${project.name}" compares responses: each instruction needs at least 2`, [{ field: "config.responses", message: "at least 2 to compare" }]);
  }
}

/** Responses each kept instruction needs in a project of this type: none for demonstrations. */
export function responsesFor(taskType: TaskType, asked: number | undefined): number {
  if (taskType === "DEMONSTRATION") return 0;
  const least = singleResponse(taskType) ? 1 : 2;
  return Math.max(least, asked ?? (taskType === "PAIRWISE" ? 2 : taskType === "RANKING" ? 4 : 1));
}

export interface SelfInstructRun {
  projectId: string;
  runId: string | null;
  endpointId?: string;
  /** instead of endpointId: an endpoint outside the registry (a policy the worker serves) */
  endpoint?: ResolvedEndpoint;
  seeds: SeedTask[];
  options: SelfInstructOptions;
  retryPolicy?: RetryPolicy;
  signal?: AbortSignal;
  onProgress?: (counts: SelfInstructCounts) => Promise<void> | void;
}

/**
 * Writes a round's kept instructions as prompts and items of the project, with their responses as the items'
 * candidates when they have some, in one transaction: a round lands whole or not at all.
 */
async function store(run: SelfInstructRun, model: string, taskType: TaskType, kept: KeptInstruction[]): Promise<void> {
  if (kept.length === 0) return;
  await withTransaction(async (client) => {
    for (const k of kept) {
      const messages: Message[] = [{ role: "user", content: k.instruction }];
      const hash = promptHash(messages);
      const metadata = { source: "self-instruct", model, closestRougeL: Math.round(k.closestRougeL * 1e4) / 1e4, ...(run.runId ? { runId: run.runId } : {}) };
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO "Prompt" (id, messages, metadata, source, "contentHash") VALUES (gen_random_uuid()::text, $1, $2, 'self-instruct', $3)
         ON CONFLICT ("contentHash") DO UPDATE SET "contentHash" = EXCLUDED."contentHash" RETURNING id`,
        [JSON.stringify(messages), JSON.stringify(metadata), hash],
      );
      const promptId = rows[0].id;
      const responses = k.responses ?? [];
      if (responses.length === 0) {
        await client.query(
          `INSERT INTO "Item" (id, "projectId", "promptId", "itemKey") VALUES (gen_random_uuid()::text, $1, $2, $3)
           ON CONFLICT ("projectId", "itemKey") DO NOTHING`,
          [run.projectId, promptId, itemKey(hash, [])],
        );
        continue;
      }
      const hashes = responses.map(candidateHash);
      await client.query(
        `INSERT INTO "Candidate" (id, "promptId", text, model, metadata, "contentHash", "runId")
         SELECT gen_random_uuid()::text, $1, t.text, $2, $3, t.hash, $4 FROM unnest($5::text[], $6::text[]) AS t(text, hash)
         ON CONFLICT ("promptId", "contentHash") DO NOTHING`,
        [promptId, model, JSON.stringify({ source: "self-instruct", ...(run.runId ? { runId: run.runId } : {}) }), run.runId, responses, hashes],
      );
      const { rows: candidates } = await client.query<{ id: string; contentHash: string }>(
        `SELECT id, "contentHash" FROM "Candidate" WHERE "promptId" = $1 AND "contentHash" = ANY($2::text[])`,
        [promptId, hashes],
      );
      const byHash = new Map(candidates.map((c) => [c.contentHash, c.id]));
      for (const members of chunkCandidates(hashes.length, taskType)) {
        const memberHashes = members.map((i) => hashes[i]);
        const { rows: item } = await client.query<{ id: string }>(
          `INSERT INTO "Item" (id, "projectId", "promptId", "itemKey") VALUES (gen_random_uuid()::text, $1, $2, $3)
           ON CONFLICT ("projectId", "itemKey") DO NOTHING RETURNING id`,
          [run.projectId, promptId, itemKey(hash, memberHashes)],
        );
        if (!item[0]) continue;
        await client.query(
          `INSERT INTO "ItemCandidate" ("itemId", "candidateId", position) SELECT $1, c, p - 1 FROM unnest($2::text[]) WITH ORDINALITY AS t(c, p)`,
          [item[0].id, memberHashes.map((h) => byHash.get(h))],
        );
      }
    }
  });
}

export async function selfInstruct(run: SelfInstructRun): Promise<{ counts: SelfInstructCounts; kept: KeptInstruction[] }> {
  const o = run.options;
  if (run.seeds.length === 0) throw new AppError("BAD_REQUEST", "Self-Instruct needs at least one seed task.", [{ field: "seeds", message: "no seed tasks" }]);
  const project = await findProject(run.projectId);
  selfInstructResponsesCheck(project, o.responses);
  const responses = responsesFor(project.taskType, o.responses);
  const needed = singleResponse(project.taskType) ? 1 : 2;
  const { config, concurrency } = await resolveEndpoint(run);
  const random = seededRandom(o.seed);
  const index = new RougeIndex();
  const seedInstructions = run.seeds.map((s) => s.instruction.replace(/\s+/g, " ").trim());
  for (const s of seedInstructions) index.add(s);
  // what the project already asks counts as kept: a re-run does not add near-copies of it
  const { rows: existing } = await pool().query<{ text: string; run_id: string | null }>(
    `SELECT p.messages -> -1 ->> 'content' AS text, p.metadata ->> 'runId' AS run_id FROM "Prompt" p
      WHERE p.id IN (SELECT "promptId" FROM "Item" WHERE "projectId" = $1)`,
    [run.projectId],
  );
  for (const e of existing) if (e.text) index.add(e.text);
  // a queued run started again (its worker died) goes on from what its earlier attempts kept: the target is the run's
  const keptBefore: KeptInstruction[] = run.runId ? existing.filter((e) => e.text && e.run_id === run.runId).map((e) => ({ instruction: e.text, closestRougeL: 0 })) : [];

  const counts: SelfInstructCounts = { requests: 0, responseRequests: 0, failedRequests: 0, generated: 0, kept: keptBefore.length, filtered: Object.fromEntries(FILTER_REASONS.map((r) => [r, 0])) as SelfInstructCounts["filtered"], lastError: null };
  const kept: KeptInstruction[] = [...keptBefore];
  const maxRequests = o.maxRequests ?? Math.max(20, o.target * 2);
  const run1 = limiter(concurrency);
  let failuresInARow = 0;

  while (counts.kept < o.target && counts.requests < maxRequests) {
    run.signal?.throwIfAborted();
    const round = Math.min(concurrency, maxRequests - counts.requests);
    const prompts = Array.from({ length: round }, () => {
      const generated = sample(kept.map((k) => k.instruction), Math.min(o.generatedExamples, kept.length), random);
      const seeds = sample(seedInstructions, o.examples - generated.length, random);
      return bootstrapPrompt(sample([...seeds, ...generated], seeds.length + generated.length, random));
    });
    counts.requests += round;
    const answers = await Promise.all(
      prompts.map((p) =>
        run1(() => chatCompletion(config, { messages: [{ role: "user", content: p }], n: 1, temperature: o.temperature, maxTokens: o.maxTokens, signal: run.signal }, run.retryPolicy ?? defaultRetryPolicy))
          .then((texts) => ({ ok: true as const, text: texts[0] ?? "" }))
          .catch((err: unknown) => {
            if (run.signal?.aborted) throw err;
            return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
          }),
      ),
    );
    const batch: KeptInstruction[] = [];
    for (const a of answers) {
      if (!a.ok) {
        counts.failedRequests++;
        counts.lastError = a.error;
        failuresInARow++;
        continue;
      }
      failuresInARow = 0;
      for (const instruction of splitInstructions(a.text)) {
        if (counts.kept + batch.length >= o.target) break;
        counts.generated++;
        const reason = heuristicReason(instruction, o.englishOnly);
        if (reason) {
          counts.filtered[reason]++;
          continue;
        }
        const closest = index.closest(instruction);
        if (closest && closest.score >= o.maxRougeL) {
          counts.filtered.similar++;
          continue;
        }
        index.add(instruction);
        batch.push({ instruction, closestRougeL: closest?.score ?? 0 });
      }
    }
    // a comparison or rating project: the endpoint answers each new instruction; one left without enough distinct
    // answers is dropped (counted as unanswered), never stored half-made
    let answered = batch;
    if (responses > 0 && batch.length > 0) {
      const replies = await Promise.all(
        batch.map((k) =>
          run1(() =>
            chatCompletion(config, { messages: [{ role: "user", content: k.instruction }], n: responses, temperature: o.responseTemperature, maxTokens: o.responseMaxTokens, signal: run.signal }, run.retryPolicy ?? defaultRetryPolicy),
          ).then(
            (texts) => [...new Set(texts.map(pgText).filter((t) => t.trim() !== ""))],
            (err: unknown) => {
              if (run.signal?.aborted) throw err;
              counts.failedRequests++;
              counts.lastError = err instanceof Error ? err.message : String(err);
              return [] as string[];
            },
          ),
        ),
      );
      counts.responseRequests += batch.length;
      answered = [];
      batch.forEach((k, i) => {
        if (replies[i].length >= needed) answered.push({ ...k, responses: replies[i] });
        else counts.filtered.unanswered++;
      });
    }
    await store(run, config.model, project.taskType, answered);
    kept.push(...answered);
    counts.kept += answered.length;
    await run.onProgress?.({ ...counts, filtered: { ...counts.filtered } });
    if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
      throw new AppError("SERVICE_UNAVAILABLE", `the endpoint failed ${failuresInARow} requests in a row (last: ${counts.lastError}); ${counts.kept} instructions kept before`);
    }
  }
  return { counts, kept };
}
