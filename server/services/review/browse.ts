// The data browser: a project's judgements, filtered and sorted, a page at a time with a keyset cursor (the sort
// value and id of the last row shown), so page 1,000 costs what page 1 does. The newest/oldest orders walk the
// (projectId, createdAt) index, an annotator's judgements the (userId, projectId, createdAt) one, the time orders
// the (projectId, timeSpentMs) one; every filter is a condition on the annotation row or an indexed probe by its
// item. The same query feeds the CSV/JSONL download of the filtered set, page after page.
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import type { BrowseFilters, BrowseSort } from "@/server/schemas/review";

export interface BrowseRow {
  id: string;
  createdAt: Date;
  userId: string;
  annotator: string;
  itemId: string;
  ranking: string[][];
  strength: string | null;
  bothBad: boolean;
  thumbs: boolean | null;
  /** the models of the best group, in ranking order */
  bestModels: string[];
  flags: string[];
  isGold: boolean;
  goldCorrect: boolean | null;
  late: boolean;
  surplus: boolean;
  timeSpentMs: number;
  rationale: string;
  demonstration: string | null;
  reviewState: "ACCEPTED" | "REJECTED" | "CORRECTED" | null;
  /** another annotator of the item chose differently */
  disagrees: boolean;
  /** the latest AI judge of the item chose differently */
  judgeDisagrees: boolean;
}

export interface BrowsePage {
  rows: BrowseRow[];
  nextCursor: string | null;
}

const ORDER: Record<BrowseSort, { column: string; dir: "ASC" | "DESC" }> = {
  newest: { column: `a."createdAt"`, dir: "DESC" },
  oldest: { column: `a."createdAt"`, dir: "ASC" },
  slowest: { column: `a."timeSpentMs"`, dir: "DESC" },
  fastest: { column: `a."timeSpentMs"`, dir: "ASC" },
};

const isTimeSort = (sort: BrowseSort) => sort === "slowest" || sort === "fastest";

/** Another annotation of the same item whose best group (as a set) or thumbs differ. */
export const DISAGREES_SQL = `EXISTS (SELECT 1 FROM "Annotation" o WHERE o."itemId" = a."itemId" AND o.id <> a.id
   AND (NOT (coalesce(o.ranking -> 0, '[]') @> coalesce(a.ranking -> 0, '[]') AND coalesce(a.ranking -> 0, '[]') @> coalesce(o.ranking -> 0, '[]'))
        OR o.thumbs IS DISTINCT FROM a.thumbs))`;

/** The latest AI judge's verdict on the item (a suggestion with one) picks another best group, or the other thumbs. */
export const JUDGE_DISAGREES_SQL = `EXISTS (SELECT 1 FROM (SELECT s.ranking, s.thumbs FROM "Suggestion" s
     WHERE s."itemId" = a."itemId" AND s.ranking IS NOT NULL ORDER BY s."createdAt" DESC LIMIT 1) j
   WHERE NOT (coalesce(j.ranking -> 0, '[]') @> coalesce(a.ranking -> 0, '[]') AND coalesce(a.ranking -> 0, '[]') @> coalesce(j.ranking -> 0, '[]'))
      OR (j.thumbs IS NOT NULL AND j.thumbs IS DISTINCT FROM a.thumbs))`;

const TIE_SQL = `jsonb_path_exists(a.ranking, 'strict $[*] ? (@.size() > 1)')`;

function encodeCursor(value: string, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}

function decodeCursor(cursor: string, sort: BrowseSort): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") {
      if (isTimeSort(sort) ? /^\d+$/.test(v[0]) : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(v[0])) return [v[0], v[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("BAD_REQUEST", "That page link is out of date (the cursor does not match the sort); start from the first page.", [{ field: "cursor", message: "not a cursor of this sort" }]);
}

/** The WHERE conditions and their values for a project's filters; `$1` is the project id. */
export function browseWhere(projectId: string, f: BrowseFilters): { where: string[]; values: unknown[] } {
  const values: unknown[] = [projectId];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where = [`a."projectId" = $1`];
  const yes = (v: "yes" | "no" | undefined, sql: string) => {
    if (v === "yes") where.push(sql);
    else if (v === "no") where.push(`NOT (${sql})`);
  };
  if (f.annotator) where.push(`a."userId" = ${p(f.annotator)}`);
  if (f.item) where.push(`a."itemId" = ${p(f.item)}`);
  if (f.model) where.push(`EXISTS (SELECT 1 FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId" WHERE ic."itemId" = a."itemId" AND c.model = ${p(f.model)})`);
  if (f.strength) where.push(`a.strength = ${p(f.strength)}::"Strength"`);
  yes(f.tie, TIE_SQL);
  yes(f.bothBad, `a."bothBad"`);
  if (f.flag === "yes") where.push(`cardinality(a.flags) > 0`);
  else if (f.flag === "no") where.push(`coalesce(cardinality(a.flags), 0) = 0`);
  else if (f.flag) where.push(`${p(f.flag)} = ANY(a.flags)`);
  if (f.gold === "passed") where.push(`a."isGold" AND a."goldCorrect"`);
  else if (f.gold === "failed") where.push(`a."isGold" AND a."goldCorrect" = false`);
  else if (f.gold === "any") where.push(`a."isGold"`);
  else if (f.gold === "no") where.push(`NOT a."isGold"`);
  yes(f.late, `a.late`);
  yes(f.surplus, `a.surplus`);
  if (f.minSeconds !== undefined) where.push(`a."timeSpentMs" >= ${p(Math.round(f.minSeconds * 1000))}`);
  if (f.maxSeconds !== undefined) where.push(`a."timeSpentMs" <= ${p(Math.round(f.maxSeconds * 1000))}`);
  // stored in UTC: a day is [its midnight, the next midnight)
  if (f.from) where.push(`a."createdAt" >= ${p(f.from)}::date`);
  if (f.to) where.push(`a."createdAt" < ${p(f.to)}::date + 1`);
  yes(f.disagree, DISAGREES_SQL);
  yes(f.judgeDisagree, JUDGE_DISAGREES_SQL);
  if (f.review === "unreviewed") where.push(`a."reviewState" IS NULL`);
  else if (f.review) where.push(`a."reviewState" = ${p(f.review.toUpperCase())}::"ReviewState"`);
  return { where, values };
}

interface Row {
  id: string;
  created_at: Date;
  sort_value: string;
  user_id: string;
  annotator: string;
  item_id: string;
  ranking: string[][];
  strength: string | null;
  both_bad: boolean;
  thumbs: boolean | null;
  best_models: string[] | null;
  flags: string[] | null;
  is_gold: boolean;
  gold_correct: boolean | null;
  late: boolean;
  surplus: boolean;
  time_spent_ms: number;
  rationale: string;
  demonstration: string | null;
  review_state: BrowseRow["reviewState"];
  disagrees: boolean;
  judge_disagrees: boolean;
}

/** One page; `fullText` keeps whole rationales and written responses (the download), else their first 300 characters. */
export async function browse(opts: { projectId: string; filters: BrowseFilters; cursor?: string; limit: number; fullText?: boolean }): Promise<BrowsePage> {
  const { where, values } = browseWhere(opts.projectId, opts.filters);
  const order = ORDER[opts.filters.sort];
  const time = isTimeSort(opts.filters.sort);
  if (opts.cursor) {
    const [value, id] = decodeCursor(opts.cursor, opts.filters.sort);
    values.push(time ? Number(value) : value, id);
    const cmp = order.dir === "DESC" ? "<" : ">";
    where.push(`(${order.column}, a.id) ${cmp} ($${values.length - 1}${time ? "::int" : "::timestamp"}, $${values.length})`);
  }
  values.push(opts.limit + 1);
  const { rows } = await pool().query<Row>(
    `SELECT a.id, a."createdAt" AS created_at,
            ${time ? `a."timeSpentMs"::text` : `to_char(a."createdAt", 'YYYY-MM-DD HH24:MI:SS.MS')`} AS sort_value,
            a."userId" AS user_id, u.name AS annotator, a."itemId" AS item_id, a.ranking, a.strength, a."bothBad" AS both_bad,
            a.thumbs, a.flags, a."isGold" AS is_gold, a."goldCorrect" AS gold_correct, a.late, a.surplus,
            a."timeSpentMs" AS time_spent_ms, ${opts.fullText ? "a.rationale" : "left(a.rationale, 300)"} AS rationale, ${opts.fullText ? "a.demonstration" : "left(a.demonstration, 300)"} AS demonstration,
            a."reviewState" AS review_state,
            (SELECT array_agg(coalesce(c.model, '(unknown)') ORDER BY c.model) FROM "Candidate" c
              WHERE c.id IN (SELECT jsonb_array_elements_text(a.ranking -> 0))) AS best_models,
            ${DISAGREES_SQL} AS disagrees, ${JUDGE_DISAGREES_SQL} AS judge_disagrees
       FROM "Annotation" a JOIN "User" u ON u.id = a."userId"
      WHERE ${where.join(" AND ")}
      ORDER BY ${order.column} ${order.dir}, a.id ${order.dir}
      LIMIT $${values.length}`,
    values,
  );
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      userId: r.user_id,
      annotator: r.annotator,
      itemId: r.item_id,
      ranking: r.ranking,
      strength: r.strength,
      bothBad: r.both_bad,
      thumbs: r.thumbs,
      bestModels: r.best_models ?? [],
      flags: r.flags ?? [],
      isGold: r.is_gold,
      goldCorrect: r.gold_correct,
      late: r.late,
      surplus: r.surplus,
      timeSpentMs: r.time_spent_ms,
      rationale: r.rationale,
      demonstration: r.demonstration,
      reviewState: r.review_state,
      disagrees: r.disagrees,
      judgeDisagrees: r.judge_disagrees,
    })),
    nextCursor: more && last ? encodeCursor(last.sort_value, last.id) : null,
  };
}

/** What the filter bar offers: the project's annotators and models, from tables that stay small. */
export async function browseOptions(projectId: string) {
  const [annotators, models] = await Promise.all([
    pool().query<{ id: string; name: string }>(
      `SELECT u.id, u.name FROM "User" u
        WHERE EXISTS (SELECT 1 FROM "Annotation" a WHERE a."userId" = u.id AND a."projectId" = $1)
        ORDER BY u.name, u.id`,
      [projectId],
    ),
    // the analytics summaries' outcomes name every model of the judged pairs; a rating or demonstration project
    // has none there, so its first items' candidates stand in
    pool().query<{ model: string }>(
      `SELECT m AS model FROM (SELECT m1 AS m FROM "AnalyticsOutcome" WHERE "projectId" = $1
                               UNION SELECT m2 FROM "AnalyticsOutcome" WHERE "projectId" = $1
                               UNION SELECT c.model FROM (SELECT id FROM "Item" WHERE "projectId" = $1 LIMIT 200) i
                                 JOIN "ItemCandidate" ic ON ic."itemId" = i.id JOIN "Candidate" c ON c.id = ic."candidateId"
                                WHERE c.model IS NOT NULL) x
        WHERE m <> '(unknown)' ORDER BY 1`,
      [projectId],
    ),
  ]);
  return { annotators: annotators.rows, models: models.rows.map((r) => r.model) };
}
