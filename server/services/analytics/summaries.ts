// The analytics summaries: per-project tallies that the analytics procedure reads instead of rescanning the
// annotations (at a million annotations the rescan took 17-33 s).
//
// Triggers on "Annotation" note every item whose annotations changed (inserted, edited, deleted) in
// "AnalyticsPendingItem" (migration analytics_summaries). `refreshSummaries` takes those items in: it recomputes
// each item's votes and judgements from its annotations as they are now, stores them in place of the ones it took
// in before ("AnalyticsItemVotes", "AnalyticsJudgement"), and moves every summary by the difference. Recomputing whole
// items keeps one rule for every kind of change (an edit is an item whose votes changed, a deletion one whose votes
// are gone) and makes taking an item in twice harmless: a change that commits while a refresh runs leaves its note
// behind and is taken in by the next one.
//
// Judgements a reviewer rejected are not taken in (review/counted.ts); a change of rejection notes the item like any
// other change (the trigger of migration review_and_reviewer_role).
//
// The definitions are those of the full computation described in index.ts; the per-row expressions below are the
// ones it used, so the figures come out the same (tests/integration/analytics/summaries.test.ts compares them on
// random projects).
import type pg from "pg";
import { pool, withTransaction } from "@/server/pg";
import { MAX_CANDIDATES } from "@/server/schemas/import";
import { countedAnnotation } from "@/server/services/review/counted";

const UNKNOWN_MODEL = "(unknown)";

/**
 * Lower bounds of the time-spent buckets (ms), for width_bucket: every int at or above the first, then 15% wider
 * each from 100 ms, so an annotator's median bucket holds a few percent of their judgements at most.
 */
export const TIME_BUCKET_BOUNDS: readonly number[] = (() => {
  const bounds = [-2147483648, 0];
  for (let b = 100; b < 2147483647; b = Math.ceil(b * 1.15)) bounds.push(b);
  return bounds;
})();
export const TIME_BUCKETS_SQL = `'{${TIME_BUCKET_BOUNDS.join(",")}}'::int[]`;

// Each taken item's candidates and their models in item order (position), the order that defines "first" and
// "second".
const CANDIDATES_CTE = `
cands AS MATERIALIZED (
  SELECT ic."itemId" AS iid,
         array_agg(ic."candidateId" ORDER BY ic.position) AS ids,
         array_agg(coalesce(k.model, '${UNKNOWN_MODEL}') ORDER BY ic.position) AS models
  FROM taken t
  JOIN "ItemCandidate" ic ON ic."itemId" = t.iid
  JOIN "Candidate" k ON k.id = ic."candidateId"
  GROUP BY ic."itemId"
)`;

// One row per annotation and candidate pair (p1 < p2, 1-based item order) with the outcome 0 = first better,
// 1 = second better, 2 = tie. Each candidate's group in the ranking comes from jsonb's `?` (is this id an element
// of group g), so no per-annotation JSON expansion runs.
const groupOf = (candidate: string) =>
  `CASE ${Array.from({ length: MAX_CANDIDATES }, (_, g) => `WHEN a.ranking -> ${g} ? ${candidate} THEN ${g}`).join(" ")} END`;
const NEW_VOTES_SQL = `
WITH ${CANDIDATES_CTE},
pairs AS MATERIALIZED (
  SELECT k, i, j
  FROM generate_series(2, ${MAX_CANDIDATES}) AS k, generate_series(1, ${MAX_CANDIDATES}) AS i, generate_series(1, ${MAX_CANDIDATES}) AS j
  WHERE i < j AND j <= k
)
INSERT INTO new_votes ("itemId", p1, p2, "userId", m1, m2, v)
SELECT iid, p1, p2, uid, m1, m2, CASE WHEN g1 < g2 THEN 0 WHEN g1 > g2 THEN 1 ELSE 2 END
FROM (
  SELECT a."userId" AS uid, a."itemId" AS iid, p.i AS p1, p.j AS p2, c.models[p.i] AS m1, c.models[p.j] AS m2,
         ${groupOf("c.ids[p.i]")} AS g1,
         ${groupOf("c.ids[p.j]")} AS g2
  FROM cands c
  JOIN "Annotation" a ON a."itemId" = c.iid
  JOIN pairs p ON p.k = cardinality(c.ids)
  WHERE a."projectId" = $1 AND ${countedAnnotation("a")}
) located
-- a candidate missing from a ranking has no group: that pair was not judged
WHERE g1 IS NOT NULL AND g2 IS NOT NULL`;

// ranking->0 is the best group; a single member means one candidate was judged best. A ranking that is not a list
// of groups (a task type that does not rank) decides nothing.
const NEW_JUDGEMENTS_SQL = `
INSERT INTO new_judgements ("annotationId", "projectId", "itemId", "userId", "timeSpentMs", "goldCorrect", flags, decided,
                            "firstShown", chance, paced, "createdAt", "bothBadModels")
SELECT id, "projectId", "itemId", "userId", "timeSpentMs", "goldCorrect", flags, coalesce(decided, false),
       coalesce(decided AND best_shown_first, false), CASE WHEN decided THEN chance END, paced, "createdAt", "bothBadModels"
FROM (
  SELECT a.id, a."projectId", a."itemId", a."userId", a."timeSpentMs", a."goldCorrect", coalesce(cardinality(a.flags), 0) AS flags,
         CASE WHEN jsonb_typeof(a.ranking -> 0) = 'array' THEN jsonb_array_length(a.ranking -> 0) = 1 END
           AND cardinality(s."shownOrder") > 0 AS decided,
         a.ranking -> 0 ->> 0 = s."shownOrder"[1] AS best_shown_first,
         1.0 / nullif(cardinality(s."shownOrder"), 0) AS chance,
         NOT a.surplus AND NOT a."isGold" AS paced,
         a."createdAt",
         -- the models a both-bad judgement counts against: each model of the item's candidates once
         CASE WHEN a."bothBad" THEN ARRAY(
           SELECT DISTINCT coalesce(k.model, '${UNKNOWN_MODEL}') FROM "ItemCandidate" ic JOIN "Candidate" k ON k.id = ic."candidateId"
            WHERE ic."itemId" = a."itemId" ORDER BY 1) ELSE '{}'::text[] END AS "bothBadModels"
  FROM taken t
  JOIN "Annotation" a ON a."itemId" = t.iid
  LEFT JOIN "Assignment" s ON s.id = a."assignmentId"
  WHERE a."projectId" = $1 AND ${countedAnnotation("a")}
) j`;

const unitsOf = (votes: string) => `
SELECT "itemId", p1, p2,
       count(*) FILTER (WHERE v = 0)::int AS n0,
       count(*) FILTER (WHERE v = 1)::int AS n1,
       count(*) FILTER (WHERE v = 2)::int AS n2
FROM ${votes} GROUP BY "itemId", p1, p2`;

// Each summary moves by (what the taken items contribute now) − (what they contributed before); keys whose
// difference is zero are left alone, and rows that fall to zero are deleted so the summaries stay small.
// At most $2 notes, the oldest first, through the ("projectId", id) index: a later note of a taken item stays behind
// and takes that item in once more, which changes nothing.
const TAKE_SQL = `
WITH d AS (DELETE FROM "AnalyticsPendingItem" WHERE id IN (
  SELECT id FROM "AnalyticsPendingItem" WHERE "projectId" = $1 ORDER BY id LIMIT $2
) RETURNING "itemId")
INSERT INTO taken SELECT DISTINCT "itemId" FROM d`;

// Temporary tables have no statistics: they are analysed once filled, so that a first take-in of a million votes
// joins by hashing rather than by a nested loop planned for a handful of rows.
const STEPS: string[] = [
  `CREATE TEMP TABLE old_votes ("itemId" text, p1 smallint, p2 smallint, "userId" text, m1 text, m2 text, v smallint) ON COMMIT DROP`,
  `WITH d AS (DELETE FROM "AnalyticsItemVotes" x USING taken t WHERE x."itemId" = t.iid RETURNING x.*)
   INSERT INTO old_votes SELECT d."itemId", u.p1, u.p2, u.uid, u.m1, u.m2, u.v FROM d, unnest(d."userIds", d.p1, d.p2, d.m1, d.m2, d.v) AS u(uid, p1, p2, m1, m2, v)`,
  `CREATE TEMP TABLE new_votes (LIKE old_votes) ON COMMIT DROP`,
  NEW_VOTES_SQL,
  // the aggregates of one group see its rows in one order, so the arrays line up
  `INSERT INTO "AnalyticsItemVotes" ("itemId", "projectId", "userIds", p1, p2, m1, m2, v)
   SELECT "itemId", $1, array_agg("userId"), array_agg(p1), array_agg(p2), array_agg(m1), array_agg(m2), array_agg(v) FROM new_votes GROUP BY "itemId"`,
  `ANALYZE old_votes, new_votes`,
  `CREATE TEMP TABLE old_judgements ON COMMIT DROP AS SELECT * FROM "AnalyticsJudgement" WITH NO DATA`,
  `WITH d AS (DELETE FROM "AnalyticsJudgement" j USING taken t WHERE j."itemId" = t.iid RETURNING j.*)
   INSERT INTO old_judgements SELECT * FROM d`,
  `CREATE TEMP TABLE new_judgements ON COMMIT DROP AS SELECT * FROM "AnalyticsJudgement" WITH NO DATA`,
  NEW_JUDGEMENTS_SQL,
  `INSERT INTO "AnalyticsJudgement" SELECT * FROM new_judgements`,
  `CREATE TEMP TABLE old_units ON COMMIT DROP AS ${unitsOf("old_votes")}`,
  `CREATE TEMP TABLE new_units ON COMMIT DROP AS ${unitsOf("new_votes")}`,
  `ANALYZE old_judgements, new_judgements, old_units, new_units`,

  `INSERT INTO "AnalyticsUnitTally" AS t ("projectId", n0, n1, n2, units)
   SELECT $1, n0, n1, n2, sum(d) FROM (
     SELECT n0, n1, n2, -1 AS d FROM old_units UNION ALL SELECT n0, n1, n2, 1 FROM new_units
   ) x GROUP BY n0, n1, n2 HAVING sum(d) <> 0
   ON CONFLICT ("projectId", n0, n1, n2) DO UPDATE SET units = t.units + EXCLUDED.units`,
  `DELETE FROM "AnalyticsUnitTally" WHERE "projectId" = $1 AND units = 0`,

  `INSERT INTO "AnalyticsVoterTally" AS t ("projectId", "userId", n0, n1, n2, v, units)
   SELECT $1, "userId", n0, n1, n2, v, sum(d) FROM (
     SELECT o."userId", u.n0, u.n1, u.n2, o.v, -1 AS d FROM old_votes o JOIN old_units u USING ("itemId", p1, p2)
     UNION ALL
     SELECT o."userId", u.n0, u.n1, u.n2, o.v, 1 FROM new_votes o JOIN new_units u USING ("itemId", p1, p2)
   ) x GROUP BY "userId", n0, n1, n2, v HAVING sum(d) <> 0
   ON CONFLICT ("projectId", "userId", n0, n1, n2, v) DO UPDATE SET units = t.units + EXCLUDED.units`,
  `DELETE FROM "AnalyticsVoterTally" WHERE "projectId" = $1 AND units = 0`,

  `INSERT INTO "AnalyticsOutcome" AS t ("projectId", m1, m2, v, n)
   SELECT $1, m1, m2, v, sum(d) FROM (
     SELECT m1, m2, v, -1 AS d FROM old_votes UNION ALL SELECT m1, m2, v, 1 FROM new_votes
   ) x GROUP BY m1, m2, v HAVING sum(d) <> 0
   ON CONFLICT ("projectId", m1, m2, v) DO UPDATE SET n = t.n + EXCLUDED.n`,
  `DELETE FROM "AnalyticsOutcome" WHERE "projectId" = $1 AND n = 0`,

  `UPDATE "AnalyticsProject" SET "takenInAt" = now() AT TIME ZONE 'UTC', "itemsCompared" = "itemsCompared"
     + (SELECT count(DISTINCT "itemId") FROM new_units WHERE n0 + n1 + n2 >= 2)
     - (SELECT count(DISTINCT "itemId") FROM old_units WHERE n0 + n1 + n2 >= 2)
   WHERE "projectId" = $1`,

  `INSERT INTO "AnalyticsAnnotator" AS t ("projectId", "userId", annotations, "goldAnswered", "goldCorrect", flags, decided,
                                          "firstShown", "chanceSum")
   SELECT $1, "userId", sum(s), coalesce(sum(s) FILTER (WHERE "goldCorrect" IS NOT NULL), 0),
          coalesce(sum(s) FILTER (WHERE "goldCorrect"), 0), sum(s * flags), coalesce(sum(s) FILTER (WHERE decided), 0),
          coalesce(sum(s) FILTER (WHERE "firstShown"), 0), sum(s * coalesce(chance, 0))
   FROM (SELECT -1 AS s, * FROM old_judgements UNION ALL SELECT 1, * FROM new_judgements) x
   GROUP BY "userId"
   ON CONFLICT ("projectId", "userId") DO UPDATE SET
     annotations = t.annotations + EXCLUDED.annotations,
     "goldAnswered" = t."goldAnswered" + EXCLUDED."goldAnswered",
     "goldCorrect" = t."goldCorrect" + EXCLUDED."goldCorrect",
     flags = t.flags + EXCLUDED.flags,
     decided = t.decided + EXCLUDED.decided,
     "firstShown" = t."firstShown" + EXCLUDED."firstShown",
     "chanceSum" = t."chanceSum" + EXCLUDED."chanceSum"`,
  `DELETE FROM "AnalyticsAnnotator" WHERE "projectId" = $1 AND annotations = 0`,

  `INSERT INTO "AnalyticsMinute" AS t ("projectId", minute, annotations, paced)
   SELECT $1, date_trunc('minute', "createdAt"), sum(s), coalesce(sum(s) FILTER (WHERE paced), 0)
   FROM (SELECT -1 AS s, "createdAt", paced FROM old_judgements UNION ALL SELECT 1, "createdAt", paced FROM new_judgements) x
   GROUP BY 2 HAVING sum(s) <> 0 OR sum(s) FILTER (WHERE paced) <> 0
   ON CONFLICT ("projectId", minute) DO UPDATE SET annotations = t.annotations + EXCLUDED.annotations, paced = t.paced + EXCLUDED.paced`,
  `INSERT INTO "AnalyticsTimeBucket" AS t ("projectId", "userId", bucket, n)
   SELECT $1, "userId", width_bucket("timeSpentMs", ${TIME_BUCKETS_SQL}), sum(s)
   FROM (SELECT -1 AS s, "userId", "timeSpentMs" FROM old_judgements UNION ALL SELECT 1, "userId", "timeSpentMs" FROM new_judgements) x
   GROUP BY 2, 3 HAVING sum(s) <> 0
   ON CONFLICT ("projectId", "userId", bucket) DO UPDATE SET n = t.n + EXCLUDED.n`,
  `DELETE FROM "AnalyticsTimeBucket" WHERE "projectId" = $1 AND n = 0`,

  `INSERT INTO "AnalyticsModelBothBad" AS t ("projectId", model, n)
   SELECT $1, model, sum(s) FROM (
     SELECT -1 AS s, m AS model FROM old_judgements, unnest("bothBadModels") AS m
     UNION ALL SELECT 1, m FROM new_judgements, unnest("bothBadModels") AS m
   ) x GROUP BY model HAVING sum(s) <> 0
   ON CONFLICT ("projectId", model) DO UPDATE SET n = t.n + EXCLUDED.n`,
  `DELETE FROM "AnalyticsModelBothBad" WHERE "projectId" = $1 AND n = 0`,

  `DELETE FROM "AnalyticsMinute" WHERE "projectId" = $1 AND annotations = 0
     AND minute IN (SELECT date_trunc('minute', "createdAt") FROM old_judgements)`,
];

export interface RefreshResult {
  /** items taken in by this call (0 when the summaries were already current, or when wait is false and another
   * take-in of the project is under way) */
  items: number;
}

/** What the background loop takes in per transaction: ~1-2.5 ms an item on a loaded 2-core box, so about a second. */
export const TAKE_IN_CHUNK_ITEMS = 500;

/**
 * Takes in a project's changed items, in one transaction: all of them, or the `limit` oldest notes. Take-ins of one
 * project run one at a time (an advisory lock); with `wait` a second caller waits for the first and then usually
 * finds nothing left, without it the call leaves the project to the take-in under way and returns 0.
 */
export async function refreshSummaries({ projectId, wait = true, limit }: { projectId: string; wait?: boolean; limit?: number }): Promise<RefreshResult> {
  const pending = await pool().query(`SELECT 1 FROM "AnalyticsPendingItem" WHERE "projectId" = $1 LIMIT 1`, [projectId]);
  if (pending.rowCount === 0) return { items: 0 };
  // The planner guesses 100 rows for the JSON tests and would JIT-compile the vote query (seconds of compiling that
  // save nothing); the sorts of a large first take-in fit in memory with more work_mem.
  const items = await withTransaction((client) => takeIn(client, projectId, wait, limit ?? null), { begin: "BEGIN; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'" });
  return { items };
}

/**
 * One round of the background take-in (take-in-loop.ts runs it every ANALYTICS_REFRESH_MS): every project with
 * judgements not yet in its summaries is brought up to date in transactions of at most `chunk` items, so none holds
 * the project's lock (which a page read would otherwise skip past) or a core for long. A project whose take-in is
 * under way elsewhere (another web process's round) is left to it; `stopping` ends the round between transactions.
 */
export async function refreshPendingProjects({ chunk = TAKE_IN_CHUNK_ITEMS, stopping = () => false }: { chunk?: number; stopping?: () => boolean } = {}): Promise<{ projects: number; items: number }> {
  // one index probe per project (a loose index scan over ("projectId", id)), not a scan of every pending row
  const { rows } = await pool().query<{ id: string }>(
    `WITH RECURSIVE p(id) AS (
       (SELECT "projectId" FROM "AnalyticsPendingItem" ORDER BY "projectId" LIMIT 1)
       UNION ALL
       SELECT (SELECT "projectId" FROM "AnalyticsPendingItem" WHERE "projectId" > p.id ORDER BY "projectId" LIMIT 1) FROM p WHERE p.id IS NOT NULL
     ) SELECT id FROM p WHERE id IS NOT NULL`,
  );
  let items = 0;
  for (const { id } of rows) {
    for (;;) {
      if (stopping()) return { projects: rows.length, items };
      const taken = (await refreshSummaries({ projectId: id, wait: false, limit: chunk })).items;
      items += taken;
      if (taken === 0) break;
    }
  }
  return { projects: rows.length, items };
}

async function takeIn(client: pg.PoolClient, projectId: string, wait: boolean, limit: number | null): Promise<number> {
  if (!wait) {
    const { rows } = await client.query<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended('rlhf-analytics:' || $1, 0)) AS got`, [projectId]);
    if (!rows[0].got) return 0;
  } else await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('rlhf-analytics:' || $1, 0))`, [projectId]);
  // a project deleted while this waited took its notes with it: then nothing is taken and nothing written
  await client.query(`INSERT INTO "AnalyticsProject" ("projectId", "takenInAt") SELECT id, now() AT TIME ZONE 'UTC' FROM "Project" WHERE id = $1 ON CONFLICT DO NOTHING`, [projectId]);
  await client.query(`CREATE TEMP TABLE taken (iid text PRIMARY KEY) ON COMMIT DROP`);
  const items = (await client.query(TAKE_SQL, [projectId, limit])).rowCount ?? 0;
  if (items > 0) {
    await client.query("ANALYZE taken");
    for (const sql of STEPS) await client.query(sql, sql.includes("$1") ? [projectId] : []);
  }
  return items;
}
