// Reads the judgements of a snapshot from Postgres as a stream of prompt groups, in a stable order and with
// bounded memory. One server-side cursor returns two kinds of rows, sorted together by (prompt hash, item key,
// project): each item's candidates (the first carrying the prompt's messages), then its annotations joined with
// their comparisons. One query lets Postgres use hash joins and one sort, as a plain COPY of the joined rows would;
// per-item index lookups were several times slower (random reads across every table).
//
// All reads run in one REPEATABLE READ transaction so the count and the cursor see the same data.
import type pg from "pg";
import type { ExportFilters } from "@/server/schemas/export";
import type { Message } from "@/server/services/hashing";

export interface ExportCandidate {
  id: string;
  text: string;
  model: string | null;
}

export interface ExportComparison {
  chosenId: string;
  rejectedId: string;
  margin: number;
}

export interface ExportAnnotation {
  id: string;
  itemId: string;
  projectId: string;
  userId: string;
  ranking: string[][];
  strength: string | null;
  bothBad: boolean;
  ratings: Record<string, Record<string, number>>;
  rationale: string;
  flags: string[];
  flagNote: string;
  timeSpentMs: number;
  late: boolean;
  surplus: boolean;
  isGold: boolean;
  goldCorrect: boolean | null;
  /** ISO 8601 in UTC, formatted by Postgres so the process time zone never changes a file */
  createdAt: string;
  shownOrder: string[];
  comparisons: ExportComparison[];
}

export interface ExportItem {
  id: string;
  projectId: string;
  isGold: boolean;
  candidates: ExportCandidate[];
  annotations: ExportAnnotation[];
}

export interface PromptGroup {
  id: string;
  contentHash: string;
  messages: Message[];
  items: ExportItem[];
}

export interface StreamOptions {
  client: pg.PoolClient;
  projectIds: string[];
  filters: ExportFilters;
  /** annotators left out by the gold-accuracy and deactivation filters */
  excludedUserIds: string[];
  fetchSize?: number;
  /** called after each fetched batch with the number of annotations read so far */
  onAnnotations?: (annotationsRead: number) => void;
}

const CURSOR = "export_rows";

interface SqlParts {
  text: string;
  params: unknown[];
}

/** The cursor query and its parameters for a set of filters. */
function streamQuery(opts: Pick<StreamOptions, "projectIds" | "filters" | "excludedUserIds">): SqlParts {
  const { filters } = opts;
  const params: unknown[] = [opts.projectIds];
  const itemWhere = [`i."projectId" = ANY($1::text[])`];
  if (filters.excludeGold) itemWhere.push(`NOT i."isGold"`);
  if (filters.excludeFlagged) {
    itemWhere.push(`NOT EXISTS (SELECT 1 FROM "Annotation" f WHERE f."itemId" = i.id AND cardinality(f.flags) > 0)`);
  }
  const annWhere = ["TRUE"];
  if (filters.from) {
    params.push(filters.from);
    annWhere.push(`a."createdAt" >= $${params.length}`);
  }
  if (filters.to) {
    params.push(filters.to);
    annWhere.push(`a."createdAt" < $${params.length}`);
  }
  if (opts.excludedUserIds.length > 0) {
    params.push(opts.excludedUserIds);
    annWhere.push(`NOT (a."userId" = ANY($${params.length}::text[]))`);
  }
  const item = itemWhere.join(" AND ");
  const ann = annWhere.join(" AND ");
  // Sort keys are compared byte-wise (COLLATE "C") so the order never depends on the database's collation; the
  // prompt's messages ride on each item's first candidate row instead of a third part with its own joins; the
  // comparisons are restricted to the projects so Postgres hash-joins them instead of probing an index per annotation.
  const text = `
    SELECT p."contentHash" COLLATE "C" AS k1, i."itemKey" COLLATE "C" AS k2, i."projectId" COLLATE "C" AS k3, 1 AS kind,
      lpad(ic.position::text, 6, '0') COLLATE "C" AS k4, 0::bigint AS k5,
      c.id, i.id AS item_id, i."promptId" AS prompt_id, i."isGold" AS item_gold, c.text AS body, c.model,
      CASE WHEN ic.position = 0 THEN p.messages::text END AS messages,
      NULL::text AS user_id, NULL::text AS ranking, NULL::text AS strength, NULL::boolean AS both_bad, NULL::text AS ratings,
      NULL::text AS rationale, NULL::text[] AS flags, NULL::text AS flag_note, NULL::int AS time_spent_ms,
      NULL::boolean AS late, NULL::boolean AS surplus, NULL::boolean AS ann_gold, NULL::boolean AS gold_correct,
      NULL::text AS created_at, NULL::text[] AS shown_order, NULL::text AS chosen_id, NULL::text AS rejected_id,
      NULL::float8 AS margin
    FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId"
      JOIN "ItemCandidate" ic ON ic."itemId" = i.id JOIN "Candidate" c ON c.id = ic."candidateId"
    WHERE ${item} AND i.id IN (SELECT a."itemId" FROM "Annotation" a WHERE a."projectId" = ANY($1::text[]) AND ${ann})
    UNION ALL
    SELECT p."contentHash", i."itemKey", i."projectId", 2,
      to_char(a."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.US') || a.id, coalesce(c.id, 0),
      a.id, i.id, i."promptId", i."isGold", NULL, NULL, NULL,
      a."userId", a.ranking::text, a.strength::text, a."bothBad", a.ratings::text, a.rationale, a.flags, a."flagNote",
      a."timeSpentMs", a.late, a.surplus, a."isGold", a."goldCorrect",
      to_char(a."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), s."shownOrder", c."chosenId", c."rejectedId", c.margin
    FROM "Annotation" a JOIN "Item" i ON i.id = a."itemId" JOIN "Prompt" p ON p.id = i."promptId"
      LEFT JOIN "Assignment" s ON s.id = a."assignmentId"
      LEFT JOIN (SELECT * FROM "Comparison" WHERE "projectId" = ANY($1::text[])) c ON c."annotationId" = a.id
    WHERE ${item} AND a."projectId" = ANY($1::text[]) AND ${ann}
    ORDER BY k1, k2, k3, kind, k4, k5`;
  return { text, params };
}

/** Annotations in the selected projects before filters: the denominator of the progress bar. */
export async function countAnnotations(opts: { client: pg.PoolClient; projectIds: string[] }): Promise<number> {
  const res = await opts.client.query<{ n: string }>(
    `SELECT count(*) AS n FROM "Annotation" WHERE "projectId" = ANY($1::text[])`,
    [opts.projectIds],
  );
  return Number(res.rows[0].n);
}

/** Opens the read transaction the stream needs; the caller commits (or rolls back) it. */
export async function beginExportRead(client: pg.PoolClient): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  // a bigger sort budget keeps more of the one big sort in memory (Postgres spills the rest to disk)
  await client.query("SET LOCAL work_mem = '64MB'");
}

interface StreamRow {
  kind: number;
  id: string;
  item_id: string;
  prompt_id: string;
  item_gold: boolean;
  messages: string | null;
  k3: string;
  k1: string;
  body: string | null;
  model: string | null;
  user_id: string;
  ranking: string;
  strength: string | null;
  both_bad: boolean;
  ratings: string;
  rationale: string;
  flags: string[];
  flag_note: string;
  time_spent_ms: number;
  late: boolean;
  surplus: boolean;
  ann_gold: boolean;
  gold_correct: boolean | null;
  created_at: string;
  shown_order: string[] | null;
  chosen_id: string | null;
  rejected_id: string | null;
  margin: number | null;
}

/**
 * Yields one group per prompt: prompts ordered by content hash, items by item key, candidates by position,
 * annotations by time. Items left with fewer than `minJudgements` annotations after the filters are dropped. While
 * the caller writes one batch, Postgres is already producing the next.
 */
export async function* promptGroups(opts: StreamOptions): AsyncGenerator<PromptGroup> {
  const fetchSize = opts.fetchSize ?? 2000;
  const { text, params } = streamQuery(opts);
  await opts.client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${text}`, params);
  const minJudgements = opts.filters.minJudgements ?? 1;
  let group: PromptGroup | null = null;
  let item: ExportItem | null = null;
  let annotation: ExportAnnotation | null = null;
  let annotationsRead = 0;

  const closeItem = () => {
    if (item && group && item.annotations.length >= minJudgements) group.items.push(item);
    item = null;
    annotation = null;
  };
  const fetch = () => opts.client.query<StreamRow>(`FETCH ${fetchSize} FROM ${CURSOR}`);
  let next = fetch();
  for (;;) {
    const res = await next;
    if (res.rows.length === 0) break;
    next = fetch();
    // a failed prefetch is raised by the next `await next`; this only stops Node from reporting it as unhandled
    next.catch(() => undefined);
    const ready: PromptGroup[] = [];
    for (const r of res.rows) {
      if (!group || group.id !== r.prompt_id) {
        closeItem();
        if (group && group.items.length > 0) ready.push(group);
        if (r.messages === null) {
          // every item has a candidate at position 0 (import, seed and generation all number from 0)
          throw new Error(`Item ${r.item_id} has no candidate at position 0; cannot read its prompt`);
        }
        group = { id: r.prompt_id, contentHash: r.k1, messages: JSON.parse(r.messages) as Message[], items: [] };
      }
      if (!item || item.id !== r.item_id) {
        closeItem();
        item = { id: r.item_id, projectId: r.k3, isGold: r.item_gold, candidates: [], annotations: [] };
      }
      if (r.kind === 1) {
        item.candidates.push({ id: r.id, text: r.body!, model: r.model });
        continue;
      }
      if (!annotation || annotation.id !== r.id) {
        annotationsRead++;
        annotation = {
          id: r.id,
          itemId: r.item_id,
          projectId: r.k3,
          userId: r.user_id,
          ranking: JSON.parse(r.ranking) as string[][],
          strength: r.strength,
          bothBad: r.both_bad,
          ratings: JSON.parse(r.ratings) as ExportAnnotation["ratings"],
          rationale: r.rationale,
          flags: r.flags,
          flagNote: r.flag_note,
          timeSpentMs: r.time_spent_ms,
          late: r.late,
          surplus: r.surplus,
          isGold: r.ann_gold,
          goldCorrect: r.gold_correct,
          createdAt: r.created_at,
          shownOrder: r.shown_order ?? [],
          comparisons: [],
        };
        item.annotations.push(annotation);
      }
      if (r.chosen_id !== null && r.rejected_id !== null && r.margin !== null) {
        annotation.comparisons.push({ chosenId: r.chosen_id, rejectedId: r.rejected_id, margin: r.margin });
      }
    }
    for (const g of ready) yield g;
    opts.onAnnotations?.(annotationsRead);
  }
  closeItem();
  if (group && group.items.length > 0) yield group;
  await opts.client.query(`CLOSE ${CURSOR}`);
}
