// A JUDGE run: an OpenAI-compatible endpoint judges a project's items (./verdict.ts says how) and each verdict is
// kept as a Suggestion of the run — apart from the annotations, never a human vote. The worker runs it in-process,
// like endpoint generation. Items are taken oldest first in batches; a batch's suggestions are written in one
// statement, so a run stopped or restarted loses at most the batch in flight and goes on where it stopped (items with
// a verdict of this run are skipped; items whose requests all failed are asked again). A request that still fails
// after the client's retries is recorded with the item and the run goes on; ten items in a row without an answer
// stop it (the endpoint is down), with the last error.
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import type { JudgeRunConfig } from "@/server/schemas/judge";
import type { Scale, TaskType } from "@/server/schemas/judgement";
import { resolveEndpoint, type ResolvedEndpoint } from "@/server/services/endpoints";
import type { Message } from "@/server/services/hashing";
import { chatCompletion, defaultRetryPolicy, limiter, type RetryPolicy } from "@/server/services/openai-client";
import { combine, judgeMessages, parseVerdict, swappedOrder, type Answer, type Combined, type JudgedItem } from "@/server/services/judge/verdict";

const BATCH = 100;
const MAX_FAILED_ITEMS_IN_A_ROW = 10;
const MAX_RAW_CHARS = 20_000;

export interface JudgeCounts {
  /** items the run judges: those its earlier attempts judged and those still without its verdict, up to max_items */
  total: number;
  /** with a verdict, earlier attempts' included */
  judged: number;
  /** items without a verdict: every request failed, or no answer held one */
  failed: number;
  /** comparisons whose two orders disagreed */
  inconsistent: number;
  requests: number;
  failedRequests: number;
  lastError?: string;
}

export interface JudgeRunOptions {
  runId: string;
  projectId: string;
  endpointId?: string;
  /** instead of endpointId: an endpoint outside the registry (a policy the worker serves) */
  endpoint?: ResolvedEndpoint;
  config: JudgeRunConfig;
  retryPolicy?: RetryPolicy;
  signal?: AbortSignal;
  onProgress?: (counts: JudgeCounts) => Promise<void> | void;
}

interface ProjectRow {
  name: string;
  taskType: TaskType;
  guidelines: string;
  criteria: { key: string; label?: string; description?: string; scale?: Scale }[];
  thumbs: boolean;
}

interface ItemRow {
  id: string;
  createdAt: Date;
  messages: Message[];
  candidates: { id: string; text: string }[];
}

/** Candidates an item of the task type needs before there is anything to judge. */
const fewest = (taskType: TaskType) => (taskType === "RATING" ? 1 : 2);

async function loadProject(projectId: string): Promise<ProjectRow> {
  const { rows } = await pool().query<ProjectRow>(`SELECT name, "taskType", guidelines, criteria, thumbs FROM "Project" WHERE id = $1`, [projectId]);
  if (!rows[0]) throw new AppError("NOT_FOUND", "the project of this judge run no longer exists");
  if (rows[0].taskType === "DEMONSTRATION") throw new AppError("PRECONDITION_FAILED", `"${rows[0].name}" is a demonstration project: there is nothing to judge`);
  return rows[0];
}

/** Items still to judge for this run, after (createdAt, id), with their candidates in the item's order. */
async function nextItems(projectId: string, runId: string, taskType: TaskType, after: { createdAt: Date; id: string } | null, limit: number): Promise<ItemRow[]> {
  const { rows } = await pool().query<ItemRow>(
    `SELECT i.id, i."createdAt", p.messages,
            (SELECT json_agg(json_build_object('id', c.id, 'text', c.text) ORDER BY ic.position)
               FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId" WHERE ic."itemId" = i.id) AS candidates
       FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId"
      WHERE i."projectId" = $1 AND i.status <> 'ARCHIVED'
        AND ($3::timestamp IS NULL OR (i."createdAt", i.id) > ($3::timestamp, $4::text))
        AND NOT EXISTS (SELECT 1 FROM "Suggestion" s WHERE s."runId" = $2 AND s."itemId" = i.id AND s.error IS NULL)
        AND (SELECT count(*) FROM "ItemCandidate" ic WHERE ic."itemId" = i.id) >= $5
      ORDER BY i."createdAt", i.id
      LIMIT $6`,
    [projectId, runId, after?.createdAt ?? null, after?.id ?? null, fewest(taskType), limit],
  );
  return rows;
}

async function countToJudge(projectId: string, runId: string, taskType: TaskType): Promise<{ already: number; waiting: number }> {
  const { rows } = await pool().query<{ already: string; waiting: string }>(
    `SELECT (SELECT count(*) FROM "Suggestion" s WHERE s."runId" = $2 AND s.error IS NULL) AS already,
            (SELECT count(*) FROM "Item" i
              WHERE i."projectId" = $1 AND i.status <> 'ARCHIVED'
                AND NOT EXISTS (SELECT 1 FROM "Suggestion" s WHERE s."runId" = $2 AND s."itemId" = i.id AND s.error IS NULL)
                AND (SELECT count(*) FROM "ItemCandidate" ic WHERE ic."itemId" = i.id) >= $3) AS waiting`,
    [projectId, runId, fewest(taskType)],
  );
  return { already: Number(rows[0].already), waiting: Number(rows[0].waiting) };
}

interface Judged {
  itemId: string;
  answers: Answer[];
  errors: string[];
  item: JudgedItem;
}

/** Writes the batch's suggestions in one statement; returns each item's combined verdict, in batch order. */
async function store(runId: string, projectId: string, judge: string, batch: Judged[]): Promise<Combined[]> {
  const combined = batch.map((j) => combine(j.item, j.answers));
  if (batch.length === 0) return combined;
  const rows = batch.map((j, k) => {
    const c = combined[k];
    const error = c.ranking === null ? (j.errors.length ? j.errors.join("; ") : "no verdict in the judge's answers") : null;
    return {
      itemId: j.itemId,
      ranking: c.ranking ? JSON.stringify(c.ranking) : null,
      strength: c.strength,
      ratings: JSON.stringify(c.ratings),
      thumbs: c.thumbs,
      consistent: c.consistent,
      answers: JSON.stringify(j.answers.map((a) => ({ ...a, raw: a.raw.slice(0, MAX_RAW_CHARS) }))),
      error: error?.slice(0, 2000) ?? null,
    };
  });
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  await pool().query(
    `INSERT INTO "Suggestion" ("runId", "projectId", "itemId", judge, ranking, strength, ratings, thumbs, consistent, answers, error)
     SELECT $1, $2, t.item, $3, t.ranking::jsonb, t.strength::"Strength", t.ratings::jsonb, t.thumbs, t.consistent, t.answers::jsonb, t.error
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::text[], $11::text[])
         AS t(item, ranking, strength, ratings, thumbs, consistent, answers, error)
     ON CONFLICT ("runId", "itemId") DO UPDATE SET ranking = EXCLUDED.ranking, strength = EXCLUDED.strength, ratings = EXCLUDED.ratings,
       thumbs = EXCLUDED.thumbs, consistent = EXCLUDED.consistent, answers = EXCLUDED.answers, error = EXCLUDED.error, "createdAt" = now()`,
    [runId, projectId, judge, col("itemId"), col("ranking"), col("strength"), col("ratings"), col("thumbs"), col("consistent"), col("answers"), col("error")],
  );
  return combined;
}

export async function runJudge(options: JudgeRunOptions): Promise<JudgeCounts> {
  const project = await loadProject(options.projectId);
  const endpoint = await resolveEndpoint(options);
  const policy = options.retryPolicy ?? defaultRetryPolicy;
  const run = limiter(endpoint.concurrency);
  // a restarted run counts what its earlier attempts judged, and max_items bounds the run, not each attempt
  const { already, waiting } = await countToJudge(options.projectId, options.runId, project.taskType);
  const room = Math.max(0, (options.config.max_items ?? Infinity) - already);
  const counts: JudgeCounts = { total: already + Math.min(waiting, room), judged: already, failed: 0, inconsistent: 0, requests: 0, failedRequests: 0 };
  await options.onProgress?.(counts);
  let failedInARow = 0;
  let after: { createdAt: Date; id: string } | null = null;

  const ask = async (item: JudgedItem, order: string[]): Promise<Answer | string> => {
    counts.requests++;
    try {
      const [raw] = await chatCompletion(
        endpoint.config,
        { messages: judgeMessages(item, order, options.config), temperature: options.config.temperature, maxTokens: options.config.max_tokens, signal: options.signal },
        policy,
      );
      return { order, raw, verdict: parseVerdict(item, order, raw) };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      counts.failedRequests++;
      counts.lastError = err instanceof Error ? err.message : String(err);
      return counts.lastError;
    }
  };

  while (counts.judged + counts.failed < counts.total) {
    options.signal?.throwIfAborted();
    const items = await nextItems(options.projectId, options.runId, project.taskType, after, Math.min(BATCH, counts.total - counts.judged - counts.failed));
    if (items.length === 0) break;
    after = { createdAt: items[items.length - 1].createdAt, id: items[items.length - 1].id };
    const batch = await Promise.all(
      items.map(async (row): Promise<Judged> => {
        const item: JudgedItem = { taskType: project.taskType, messages: row.messages, guidelines: project.guidelines, candidates: row.candidates, criteria: project.criteria, thumbs: project.thumbs };
        const order = row.candidates.map((c) => c.id);
        const orders = project.taskType !== "RATING" && options.config.swap ? [order, swappedOrder(order)] : [order];
        const results = await Promise.all(orders.map((o) => run(() => ask(item, o))));
        return {
          itemId: row.id,
          item,
          answers: results.filter((r): r is Answer => typeof r !== "string"),
          errors: results.filter((r): r is string => typeof r === "string"),
        };
      }),
    );
    for (const c of await store(options.runId, options.projectId, endpoint.config.model, batch)) {
      if (c.ranking === null) {
        counts.failed++;
        failedInARow++;
      } else {
        counts.judged++;
        failedInARow = 0;
        if (c.consistent === false) counts.inconsistent++;
      }
    }
    await options.onProgress?.(counts);
    if (failedInARow >= MAX_FAILED_ITEMS_IN_A_ROW) {
      throw new AppError("PRECONDITION_FAILED", `${failedInARow} items in a row got no verdict; last error: ${counts.lastError ?? "the answers held no verdict in the asked format"}`);
    }
  }
  return counts;
}
