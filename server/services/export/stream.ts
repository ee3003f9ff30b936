// Reads the judgements of a snapshot from Postgres as a stream of prompt groups, in a stable order and with
// bounded memory. One `COPY (query) TO STDOUT` returns two kinds of rows, sorted together by (prompt hash, item key,
// project): each item's candidates (the first carrying the prompt), then its annotations. Each row is one JSON
// array built by Postgres, so Node parses a line with JSON.parse instead of decoding dozens of columns.
//
// Why COPY and not a cursor: Postgres never runs a cursor's query in parallel and plans it for the first rows;
// COPY lets the joins, the JSON building and the sort run in parallel workers. The rows are built below the sort,
// so the workers do that work too, and the sort keys are typed (timestamps, integers) rather than formatted text.
// Comparisons are not read from their table: they are derivePairs(ranking, strength), exactly what the submit
// wrote, so annotations need no join with it and each annotation is one row whatever its number of pairs.
//
// All reads run in one REPEATABLE READ transaction so the count and the stream see the same data.
import type { Readable } from "node:stream";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { Strength } from "@/server/generated/prisma/client";
import type { ExportFilters, LabelSource } from "@/server/schemas/export";
import { derivePairs } from "@/server/services/comparisons";
import { countedAnnotation } from "@/server/services/review/counted";
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
  /** RATING: thumbs up (true) or down (false) */
  thumbs: boolean | null;
  /** DEMONSTRATION: the response written (or the improved response) */
  demonstration: string | null;
  /** DEMONSTRATION: the candidate it improves */
  demonstrationFrom: string | null;
  /** an improvement stored as the preference edited ≻ original: the edited response as a candidate */
  edited: ExportCandidate | null;
  /** the latest review: ACCEPTED, REJECTED (only with includeRejected), CORRECTED (the fields hold the correction) */
  reviewState: string | null;
  /** who made that review */
  reviewerId: string | null;
  /** a person's judgement, or an AI judge's verdict (a suggestion, exported with `labels` ai or both) */
  source: "human" | "ai";
}

export interface ExportItem {
  id: string;
  projectId: string;
  isGold: boolean;
  /** a reviewer's final answer (read only for the adjudicated aggregation) */
  adjudication: { ranking: string[][]; strength: Strength | null } | null;
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
  /**
   * whether any judgement of the projects was ever rejected (rejectedPresent in ./index.ts): without one the
   * rejected filter is left out, so an export of unreviewed projects keeps its join-free paths
   */
  rejectedPresent: boolean;
  /** read the order each annotator was shown (only the raw format writes it) */
  shownOrder?: boolean;
  /** read each item's adjudication (only the adjudicated aggregation uses it) */
  adjudications?: boolean;
  /** whose judgements: people's (the default), one AI judge's (`judgeRunId`'s suggestions), or both */
  labels?: LabelSource;
  judgeRunId?: string;
  /** called now and then with the number of annotations read so far */
  onAnnotations?: (annotationsRead: number) => void;
}

type QueryOptions = Pick<StreamOptions, "client" | "projectIds" | "filters" | "excludedUserIds" | "rejectedPresent">;

/**
 * The WHERE conditions of a snapshot's filters, on items (`i`) and annotations (`a`), as SQL text: COPY takes no
 * bind parameters, so values are quoted by the driver.
 */
export function filterClauses(opts: QueryOptions): { item: string; annotation: string; projects: string; onlyProjects: boolean } {
  const { filters, client } = opts;
  const list = (values: string[]) => `ARRAY[${values.map((v) => client.escapeLiteral(v)).join(", ")}]::text[]`;
  const projects = list(opts.projectIds);
  const item = [`i."projectId" = ANY(${projects})`];
  if (filters.excludeGold) item.push(`NOT i."isGold"`);
  if (filters.excludeFlagged) item.push(`NOT EXISTS (SELECT 1 FROM "Annotation" f WHERE f."itemId" = i.id AND cardinality(f.flags) > 0)`);
  const annotation = [`a."projectId" = ANY(${projects})`];
  // timestamps are stored in UTC (sessions run in UTC, see server/pg.ts)
  if (filters.from) annotation.push(`a."createdAt" >= (${client.escapeLiteral(filters.from.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (filters.to) annotation.push(`a."createdAt" < (${client.escapeLiteral(filters.to.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (opts.excludedUserIds.length > 0) annotation.push(`NOT (a."userId" = ANY(${list(opts.excludedUserIds)}))`);
  if (opts.rejectedPresent && !filters.includeRejected) annotation.push(countedAnnotation("a"));
  // no filter but the projects: every annotation of the projects' items counts, and queries can skip joins
  const onlyProjects = item.length === 1 && annotation.length === 1 && (filters.minJudgements ?? 1) <= 1;
  return { item: item.join(" AND "), annotation: annotation.join(" AND "), projects, onlyProjects };
}

/** COPY … TO STDOUT of a query whose single column is one JSON (or other newline-free) text per row. */
export function copyLines(query: string): string {
  // CSV with a quote and a delimiter that JSON text never contains raw (it escapes every control character):
  // each line is exactly the row's text, with no COPY escaping to undo.
  return `COPY (${query}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/** The COPY statement for a set of filters. */
function streamQuery(opts: QueryOptions & Pick<StreamOptions, "shownOrder" | "adjudications" | "labels" | "judgeRunId">): string {
  const where = filterClauses(opts);
  const labels = opts.labels ?? "human";
  const humans = labels !== "ai";
  const ai = labels !== "human" && opts.judgeRunId ? opts.client.escapeLiteral(opts.judgeRunId) : null;
  // the items a snapshot reads: those with a judgement it keeps (a person's, or the judge's verdict)
  const judged = [
    ...(humans ? [`i.id IN (SELECT a."itemId" FROM "Annotation" a WHERE ${where.annotation})`] : []),
    ...(ai ? [`i.id IN (SELECT s."itemId" FROM "Suggestion" s WHERE s."runId" = ${ai} AND s.ranking IS NOT NULL)`] : []),
  ];
  const judgedItems = judged.length ? `(${judged.join(" OR ")})` : "false";
  // an AI judge's verdict as a judgement of its own: no rationale, flags or time, its judge as the annotator
  const suggestions = ai
    ? `
    UNION ALL
    SELECT p."contentHash", i."itemKey", i."projectId", 2, 0, s."createdAt", 'ai-' || s.id::text,
      json_build_array(2, i."promptId", i.id, i."projectId", i."isGold", 'ai-' || s.id::text, 'ai:' || s.judge, s.ranking, s.strength, false,
        s.ratings, '', ARRAY[]::text[], '', 0, false, false, i."isGold", NULL::boolean,
        to_char(s."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), NULL::text[], s.thumbs, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, 'ai')
    FROM "Suggestion" s JOIN "Item" i ON i.id = s."itemId" JOIN "Prompt" p ON p.id = i."promptId"
    WHERE s."runId" = ${ai} AND s.ranking IS NOT NULL AND ${where.item}`
    : "";
  const adjudication = opts.adjudications
    ? `CASE WHEN ic.position = 0 THEN (SELECT json_build_array(d.ranking, d.strength) FROM "Adjudication" d WHERE d."itemId" = i.id) END`
    : "NULL::json";
  const shown = opts.shownOrder ? `(SELECT s."shownOrder" FROM "Assignment" s WHERE s.id = a."assignmentId")` : "NULL::text[]";
  // Sort keys compare byte-wise (COLLATE "C") so the order never depends on the database's collation. The
  // prompt's hash and messages ride on its items' first candidate row.
  const query = `
    SELECT p."contentHash" COLLATE "C" AS k1, i."itemKey" COLLATE "C" AS k2, i."projectId" COLLATE "C" AS k3, 1 AS k4,
      ic.position AS k5, NULL::timestamp AS k6, NULL::text COLLATE "C" AS k7,
      json_build_array(1, i."promptId", i.id, i."projectId", i."isGold", c.id, c.text, c.model,
        CASE WHEN ic.position = 0 THEN p."contentHash" END, CASE WHEN ic.position = 0 THEN p.messages END, ${adjudication}) AS row
    FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId"
      JOIN "ItemCandidate" ic ON ic."itemId" = i.id JOIN "Candidate" c ON c.id = ic."candidateId"
    WHERE ${where.item} AND ${judgedItems}
    UNION ALL
    SELECT p."contentHash", i."itemKey", i."projectId", 2, 0, a."createdAt", a.id,
      json_build_array(2, i."promptId", i.id, i."projectId", i."isGold", a.id, a."userId", a.ranking, a.strength, a."bothBad",
        a.ratings, a.rationale, a.flags, a."flagNote", a."timeSpentMs", a.late, a.surplus, a."isGold",
        a."goldCorrect", to_char(a."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ${shown}, a.thumbs, a.demonstration, a."demonstrationFrom",
        -- an improvement the submit stored as edited ≻ original: the edited response's candidate id
        CASE WHEN a."demonstrationFrom" IS NOT NULL THEN (SELECT c."chosenId" FROM "Comparison" c WHERE c."annotationId" = a.id LIMIT 1) END,
        a."reviewState",
        CASE WHEN a."reviewState" IS NOT NULL THEN (SELECT r."reviewerId" FROM "AnnotationReview" r WHERE r."annotationId" = a.id ORDER BY r.id DESC LIMIT 1) END,
        'human')
    FROM "Annotation" a JOIN "Item" i ON i.id = a."itemId" JOIN "Prompt" p ON p.id = i."promptId"
    WHERE ${humans ? `${where.item} AND ${where.annotation}` : "false"}${suggestions}
    UNION ALL
    SELECT p."contentHash", i."itemKey", i."projectId", 0, 0, NULL::timestamp, NULL::text,
      json_build_array(0, i."promptId", i.id, i."projectId", i."isGold", p."contentHash", p.messages)
    FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId"
    WHERE ${where.item} AND ${judgedItems}
      -- only demonstration items go without candidates: other projects skip the check
      AND i."projectId" IN (SELECT pr.id FROM "Project" pr WHERE pr."taskType" = 'DEMONSTRATION')
      AND NOT EXISTS (SELECT 1 FROM "ItemCandidate" ic WHERE ic."itemId" = i.id)`;
  return copyLines(`SELECT q.row FROM (${query} ORDER BY k1, k2, k3, k4, k5, k6, k7) q`);
}

/** Annotations in the selected projects before filters: the denominator of the progress bar. */
export async function countAnnotations(opts: { client: pg.PoolClient; projectIds: string[] }): Promise<number> {
  const res = await opts.client.query<{ n: string }>(
    `SELECT count(*) AS n FROM "Annotation" WHERE "projectId" = ANY($1::text[])`,
    [opts.projectIds],
  );
  return Number(res.rows[0].n);
}

/**
 * Opens the read transaction the stream needs; the caller commits (or rolls back) it. With `snapshot` (from
 * pg_export_snapshot on another connection) it reads exactly what that connection reads.
 */
export async function beginExportRead(client: pg.PoolClient, snapshot?: string): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT ${client.escapeLiteral(snapshot)}`);
  // work_mem stays the server's (4 MB by default): measured on the 1M-comparison export, 64 MB made the query
  // 13.8 s instead of 9.5 s — the joins then build one huge in-memory hash of the candidates each, slower than the
  // small batched ones, and the sort spills to disk either way
  // floats in the rows Postgres formats (margins) print as the shortest exact form, as JavaScript does
  await client.query("SET LOCAL extra_float_digits = 1");
}

/** An item without candidates (a demonstration written from scratch): it carries its prompt itself. */
type ItemRow = [0, string, string, string, boolean, string, Message[]];
type CandidateRow = [1, string, string, string, boolean, string, string, string | null, string | null, Message[] | null, [string[][], Strength | null] | null];
type AnnotationRow = [
  2, string, string, string, boolean, string, string, string[][], Strength | null, boolean,
  Record<string, Record<string, number>>, string, string[], string, number, boolean, boolean, boolean, boolean | null, string,
  string[] | null, boolean | null, string | null, string | null, string | null, string | null, string | null, "human" | "ai",
];

/**
 * The rows of a COPY stream (see copyLines) as text, a chunk's worth of whole lines at a time, each line ending in
 * "\n"; throws when the stream ends inside a row. The one decoder of both readers (promptGroups, pair-lines.ts).
 */
export async function* copyStreamText(stream: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const end = text.lastIndexOf("\n") + 1;
    rest = text.slice(end);
    if (end > 0) yield text.slice(0, end);
  }
  if (rest + decoder.decode()) throw new Error("export stream ended in the middle of a row");
}

/**
 * Yields one group per prompt: prompts ordered by content hash, items by item key, candidates by position,
 * annotations by time. Items left with fewer than `minJudgements` annotations after the filters are dropped.
 */
export async function* promptGroups(opts: StreamOptions): AsyncGenerator<PromptGroup> {
  const stream = opts.client.query(copyTo(streamQuery(opts)));
  const minJudgements = opts.filters.minJudgements ?? 1;
  let group: PromptGroup | null = null;
  let item: ExportItem | null = null;
  let annotationsRead = 0;

  const closeItem = () => {
    if (item && group && item.annotations.length >= minJudgements) group.items.push(item);
    item = null;
  };
  try {
    for await (const text of copyStreamText(stream)) {
      const ready: PromptGroup[] = [];
      const lines = text.split("\n");
      lines.pop(); // the empty string after the last newline
      for (const line of lines) {
        const r = JSON.parse(line) as ItemRow | CandidateRow | AnnotationRow;
        const [kind, promptId, itemId, projectId, itemGold] = r;
        if (!group || group.id !== promptId) {
          closeItem();
          if (group && group.items.length > 0) ready.push(group);
          if (kind === 0) group = { id: promptId, contentHash: r[5], messages: r[6], items: [] };
          else if (kind === 1 && r[8] !== null) group = { id: promptId, contentHash: r[8], messages: r[9] ?? [], items: [] };
          else {
            // every item with candidates has one at position 0 (import, seed and generation all number from 0)
            throw new Error(`Item ${itemId} has no candidate at position 0; cannot read its prompt`);
          }
        }
        if (!item || item.id !== itemId) {
          closeItem();
          const adjudicated = kind === 1 ? r[10] : null;
          item = { id: itemId, projectId, isGold: itemGold, adjudication: adjudicated ? { ranking: adjudicated[0], strength: adjudicated[1] } : null, candidates: [], annotations: [] };
        }
        if (kind === 0) continue;
        if (kind === 1) {
          item.candidates.push({ id: r[5], text: r[6], model: r[7] });
          continue;
        }
        annotationsRead++;
        const [, , , , , id, userId, ranking, strength, bothBad, ratings, rationale, flags, flagNote, timeSpentMs, late, surplus, isGold, goldCorrect, createdAt, shownOrder,
          thumbs, demonstration, demonstrationFrom, editedId, reviewState, reviewerId, source] = r;
        // the pairs are what the submit wrote: those of the ranking, or for an improvement edited ≻ original
        const edited = editedId && demonstration !== null && demonstrationFrom ? { id: editedId, text: demonstration, model: "human edit" } : null;
        item.annotations.push({
          id, itemId, projectId, userId, ranking, strength, bothBad, ratings, rationale, flags, flagNote, timeSpentMs, late, surplus, isGold,
          goldCorrect, createdAt, shownOrder: shownOrder ?? [],
          comparisons: edited ? [{ chosenId: edited.id, rejectedId: demonstrationFrom!, margin: 2 }] : derivePairs(ranking, strength),
          thumbs, demonstration, demonstrationFrom, edited, reviewState, reviewerId, source,
        });
      }
      for (const g of ready) yield g;
      opts.onAnnotations?.(annotationsRead);
    }
    closeItem();
    if (group && group.items.length > 0) yield group;
  } finally {
    // a consumer that stops early (an error while writing) must not leave the COPY running on the connection
    if (!stream.readableEnded) stream.destroy();
  }
}
