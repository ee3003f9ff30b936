// Generation into a project: fresh responses (from a registered policy via the Python trainer, or from an
// OpenAI-compatible endpoint) become candidates and new items of a project, tagged with the model name and the run.
// Candidates and items are keyed by content (server/services/hashing.ts), so a re-run after a crash adds nothing
// twice, and items follow the project's task type exactly as the importer builds them (chunkCandidates).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { findProject } from "@/server/services/projects";
import { db } from "@/server/db";
import { Prisma, type TaskType } from "@/server/generated/prisma/client";
import { endpointConfig } from "@/server/services/endpoints";
import { candidateHash, itemKey, type Message } from "@/server/services/hashing";
import { pgText } from "@/server/services/pg-text";
import { chunkCandidates, singleResponse } from "@/server/services/import/items";
import { chatCompletion, limiter, type RetryPolicy, defaultRetryPolicy } from "@/server/services/openai-client";

export interface PromptRow {
  id: string;
  messages: Message[];
}

/**
 * The prompts a project's items ask, oldest first, each once. `exceptRunId` leaves out prompts that already have
 * candidates from that run, so a generation resumed after its worker stopped does not answer them twice.
 */
export async function projectPrompts(options: { projectId: string; limit?: number; exceptRunId?: string }): Promise<PromptRow[]> {
  const except = options.exceptRunId
    ? Prisma.sql`AND NOT EXISTS (SELECT 1 FROM "Candidate" c WHERE c."promptId" = p.id AND c."runId" = ${options.exceptRunId})`
    : Prisma.empty;
  return db.$queryRaw<PromptRow[]>`
    SELECT p.id, p.messages
      FROM "Prompt" p
      JOIN (SELECT "promptId", min("createdAt") AS first FROM "Item" WHERE "projectId" = ${options.projectId} GROUP BY "promptId") i
        ON i."promptId" = p.id
     WHERE true ${except}
     ORDER BY i.first, p.id
     LIMIT ${options.limit ?? 1_000_000}`;
}

export interface GeneratedGroup {
  promptId: string;
  texts: string[];
  /**
   * the model of each text, when the file names them; two models make an arena: response i of the first is paired
   * with response i of the second into one item (the annotation queue shows each assignment in a random order)
   */
  models?: string[];
}

export interface IngestResult {
  prompts: number;
  candidates: number;
  items: number;
  /** prompts whose responses were all identical or empty: nothing to compare */
  skippedPrompts: number;
}

/** Adds the responses of each prompt as candidates and new items of the project. */
export async function ingestGenerations(options: {
  projectId: string;
  runId: string | null;
  model: string;
  groups: GeneratedGroup[];
  onProgress?: (done: number, total: number) => Promise<void> | void;
}): Promise<IngestResult> {
  const project = await findProject(options.projectId);
  const result: IngestResult = { prompts: 0, candidates: 0, items: 0, skippedPrompts: 0 };
  const promptIds = [...new Set(options.groups.map((g) => g.promptId))];
  const prompts = new Map(
    (await db.prompt.findMany({ where: { id: { in: promptIds } }, select: { id: true, contentHash: true } })).map((p) => [p.id, p]),
  );
  let done = 0;
  for (const group of options.groups) {
    const prompt = prompts.get(group.promptId);
    if (!prompt) throw new AppError("BAD_REQUEST", `generated responses name an unknown prompt: ${group.promptId}`);
    const arena = arenaPairs(group);
    if (arena) {
      result.prompts++;
      const added = await addArenaPairs({ ...options, prompt, pairs: arena });
      result.candidates += added.candidates;
      result.items += added.items;
      if (added.items === 0) result.skippedPrompts++;
      done++;
      await options.onProgress?.(done, options.groups.length);
      continue;
    }
    const unique = new Map<string, string>();
    for (const raw of group.texts) {
      const text = pgText(raw);
      if (text.trim() !== "") unique.set(candidateHash(text), text);
    }
    result.prompts++;
    // comparisons need two different responses; a rating or an improvement one
    if (unique.size < (singleResponse(project.taskType) ? 1 : 2)) {
      result.skippedPrompts++;
    } else {
      const added = await addPromptGroup({ ...options, taskType: project.taskType, prompt, unique });
      result.candidates += added.candidates;
      result.items += added.items;
    }
    done++;
    await options.onProgress?.(done, options.groups.length);
  }
  return result;
}

interface ArenaResponse {
  text: string;
  hash: string;
  model: string;
}

/** A group from two models as pairs (i-th response of one, i-th of the other); null when it is not an arena. */
function arenaPairs(group: GeneratedGroup): [ArenaResponse, ArenaResponse][] | null {
  if (!group.models) return null;
  const names = [...new Set(group.models)];
  if (names.length === 1) return null;
  if (names.length > 2) throw new AppError("BAD_REQUEST", `generated responses for prompt ${group.promptId} come from ${names.length} models; an arena pairs two`);
  const of = (name: string) =>
    group.texts.flatMap((raw, i) => {
      if (group.models?.[i] !== name) return [];
      const text = pgText(raw);
      return [{ text, hash: candidateHash(text), model: name }];
    });
  const [a, b] = [of(names[0]), of(names[1])];
  const pairs: [ArenaResponse, ArenaResponse][] = [];
  // equal or empty responses tell an annotator nothing about which model is better
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].hash !== b[i].hash && a[i].text.trim() !== "" && b[i].text.trim() !== "") pairs.push([a[i], b[i]]);
  }
  return pairs;
}

async function addArenaPairs(options: {
  projectId: string;
  runId: string | null;
  prompt: { id: string; contentHash: string };
  pairs: [ArenaResponse, ArenaResponse][];
}): Promise<{ candidates: number; items: number }> {
  if (options.pairs.length === 0) return { candidates: 0, items: 0 };
  return db.$transaction(async (tx) => {
    const responses = new Map(options.pairs.flat().map((r) => [r.hash, r]));
    const created = await tx.candidate.createMany({
      data: [...responses.values()].map((r) => ({
        promptId: options.prompt.id,
        text: r.text,
        contentHash: r.hash,
        model: r.model,
        runId: options.runId,
        metadata: { source: "generation", arena: true, ...(options.runId ? { runId: options.runId } : {}) },
      })),
      skipDuplicates: true,
    });
    const candidates = await tx.candidate.findMany({
      where: { promptId: options.prompt.id, contentHash: { in: [...responses.keys()] } },
      select: { id: true, contentHash: true },
    });
    const byHash = new Map(candidates.map((c) => [c.contentHash, c.id]));
    let items = 0;
    for (const pair of options.pairs) {
      const hashes = pair.map((r) => r.hash);
      const rows = await tx.item.createManyAndReturn({
        data: [{ projectId: options.projectId, promptId: options.prompt.id, itemKey: itemKey(options.prompt.contentHash, hashes) }],
        skipDuplicates: true,
        select: { id: true },
      });
      const item = rows[0];
      if (!item) continue;
      await tx.itemCandidate.createMany({ data: hashes.map((h, position) => ({ itemId: item.id, candidateId: byHash.get(h) as string, position })) });
      items++;
    }
    return { candidates: created.count, items };
  });
}

async function addPromptGroup(options: {
  projectId: string;
  runId: string | null;
  model: string;
  taskType: TaskType;
  prompt: { id: string; contentHash: string };
  unique: Map<string, string>;
}): Promise<{ candidates: number; items: number }> {
  return db.$transaction(async (tx) => {
    const hashes = [...options.unique.keys()];
    const created = await tx.candidate.createMany({
      data: hashes.map((contentHash) => ({
        promptId: options.prompt.id,
        text: options.unique.get(contentHash) as string,
        contentHash,
        model: options.model,
        runId: options.runId,
        metadata: { source: "generation", ...(options.runId ? { runId: options.runId } : {}) },
      })),
      skipDuplicates: true,
    });
    const candidates = await tx.candidate.findMany({
      where: { promptId: options.prompt.id, contentHash: { in: hashes } },
      select: { id: true, contentHash: true },
    });
    const byHash = new Map(candidates.map((c) => [c.contentHash, c.id]));
    let items = 0;
    for (const members of chunkCandidates(hashes.length, options.taskType)) {
      const memberHashes = members.map((i) => hashes[i]);
      const rows = await tx.item.createManyAndReturn({
        data: [{ projectId: options.projectId, promptId: options.prompt.id, itemKey: itemKey(options.prompt.contentHash, memberHashes) }],
        skipDuplicates: true,
        select: { id: true },
      });
      const item = rows[0];
      if (!item) continue; // the same item already exists in the project
      await tx.itemCandidate.createMany({
        data: memberHashes.map((h, position) => ({ itemId: item.id, candidateId: byHash.get(h) as string, position })),
      });
      items++;
    }
    return { candidates: created.count, items };
  });
}

// One row per response, as rlhf.generate writes them: {prompt_id, sample_index, text, model}.
const generatedRow = z.object({ prompt_id: z.union([z.string(), z.number()]), text: z.string(), model: z.string().optional() });

/** Reads a generation run's output JSONL into the responses of each prompt. */
export async function readGeneratedFile(path: string): Promise<GeneratedGroup[]> {
  const groups = new Map<string, { texts: string[]; models: string[] }>();
  const rl = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (line.trim() === "") continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new AppError("BAD_REQUEST", `${path} line ${lineNo}: not valid JSON`);
      }
      const parsed = generatedRow.safeParse(json);
      if (!parsed.success) {
        throw new AppError("BAD_REQUEST", `${path} line ${lineNo}: expected {prompt_id, text}`);
      }
      const key = String(parsed.data.prompt_id);
      const group = groups.get(key) ?? { texts: [], models: [] };
      group.texts.push(parsed.data.text);
      group.models.push(parsed.data.model ?? "");
      groups.set(key, group);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new AppError("BAD_REQUEST", `generated file not found: ${path}`);
    throw err;
  }
  return [...groups].map(([promptId, g]) => ({ promptId, texts: g.texts, ...(g.models.every((m) => m !== "") ? { models: g.models } : {}) }));
}

export interface EndpointGenerationOptions {
  projectId: string;
  runId: string | null;
  endpointId: string;
  n: number;
  temperature: number;
  maxTokens: number;
  maxPrompts?: number;
  /** resume: skip the prompts this run already answered */
  skipPromptsOfRun?: boolean;
  signal?: AbortSignal;
  retryPolicy?: RetryPolicy;
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/**
 * Asks the endpoint for n responses to each of the project's prompts, at most `concurrency` requests at a time,
 * and adds each prompt's responses to the project as soon as they arrive, so a long job shows items early and an
 * interrupted one keeps what it finished. The first request that fails for good stops the job with its error.
 */
export async function generateFromEndpoint(options: EndpointGenerationOptions): Promise<IngestResult> {
  const { config, concurrency } = await endpointConfig(options.endpointId);
  const endpoint = { model: config.model, concurrency };
  const prompts = await projectPrompts({
    projectId: options.projectId,
    limit: options.maxPrompts,
    exceptRunId: options.skipPromptsOfRun && options.runId ? options.runId : undefined,
  });
  if (prompts.length === 0 && !options.skipPromptsOfRun) {
    throw new AppError("PRECONDITION_FAILED", "the project has no prompts to answer yet");
  }
  const total: IngestResult = { prompts: 0, candidates: 0, items: 0, skippedPrompts: 0 };
  const run = limiter(endpoint.concurrency);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let done = 0;
  // Ingest is serialized: concurrent transactions on the same project would only contend.
  let ingestChain: Promise<void> = Promise.resolve();
  const tasks = prompts.map((prompt) =>
    run(async () => {
      signal.throwIfAborted();
      const texts = await chatCompletion(
        config,
        { messages: prompt.messages, n: options.n, temperature: options.temperature, maxTokens: options.maxTokens, signal },
        options.retryPolicy ?? defaultRetryPolicy,
      );
      ingestChain = ingestChain.then(async () => {
        const r = await ingestGenerations({
          projectId: options.projectId,
          runId: options.runId,
          model: endpoint.model,
          groups: [{ promptId: prompt.id, texts }],
        });
        total.prompts += r.prompts;
        total.candidates += r.candidates;
        total.items += r.items;
        total.skippedPrompts += r.skippedPrompts;
        done++;
        await options.onProgress?.(done, prompts.length);
      });
      await ingestChain;
    }).catch((err: unknown) => {
      stop.abort(err);
      throw err;
    }),
  );
  const settled = await Promise.allSettled(tasks);
  await ingestChain;
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw options.signal?.aborted ? options.signal.reason : stop.signal.reason ?? failure.reason;
  return total;
}
