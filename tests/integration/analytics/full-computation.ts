// The analytics figures as they were computed before the summaries (issue 17): every query rescans the project's
// items, assignments and annotations. Kept here, verbatim, as the reference the summaries must agree with.
import type pg from "pg";
import type { AnalyticsTallies, ProjectRow } from "@/server/services/analytics";
import { analyticsWindows } from "@/server/services/analytics";

const UNKNOWN_MODEL = "(unknown)";

/** Prisma stores DateTime as UTC `timestamp(3)`; compare against the instant in UTC whatever the session zone. */
const AT = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

const ITEMS_SQL = `
SELECT status::text AS status, "isGold" AS gold, count(*)::int AS n,
       coalesce(sum(GREATEST($2::int - "completedCount", 0)) FILTER (WHERE NOT "isGold" AND status <> 'ARCHIVED'), 0)::int AS remaining
FROM "Item" WHERE "projectId" = $1
GROUP BY status, "isGold"`;

const ASSIGNMENTS_SQL = `
SELECT "userId" AS uid,
       count(*) FILTER (WHERE state = 'SKIPPED')::int AS skips,
       count(*) FILTER (WHERE state = 'ACTIVE' AND "expiresAt" > ${AT(2)})::int AS active
FROM "Assignment" WHERE "projectId" = $1
GROUP BY "userId"`;

// ranking->0 is the best group; a single member means one candidate was judged best. The per-row figures
// are narrowed first (a materialized CTE) so that the sort behind the median carries a few scalars, not the JSON.
const ANNOTATIONS_SQL = `
WITH per_annotation AS MATERIALIZED (
  SELECT a."userId" AS uid, a."timeSpentMs" AS ms, a."goldCorrect" AS gold, cardinality(a.flags) AS flags,
         jsonb_array_length(a.ranking -> 0) = 1 AND cardinality(s."shownOrder") > 0 AS decided,
         a.ranking -> 0 ->> 0 = s."shownOrder"[1] AS best_shown_first,
         1.0 / nullif(cardinality(s."shownOrder"), 0) AS chance
  FROM "Annotation" a
  LEFT JOIN "Assignment" s ON s.id = a."assignmentId"
  WHERE a."projectId" = $1
)
SELECT uid,
       count(*)::int AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float8 AS median_ms,
       count(*) FILTER (WHERE gold IS NOT NULL)::int AS gold_n,
       count(*) FILTER (WHERE gold)::int AS gold_ok,
       coalesce(sum(flags), 0)::int AS flags,
       count(*) FILTER (WHERE decided)::int AS decided,
       count(*) FILTER (WHERE decided AND best_shown_first)::int AS first,
       avg(chance) FILTER (WHERE decided)::float8 AS first_expected
FROM per_annotation
GROUP BY uid`;

const HOURLY_SQL = `
SELECT floor(extract(epoch FROM "createdAt") / 3600)::int AS h,
       count(*)::int AS n,
       count(*) FILTER (WHERE "createdAt" >= ${AT(3)} AND NOT surplus AND NOT "isGold")::int AS paced
FROM "Annotation"
WHERE "projectId" = $1 AND "createdAt" >= ${AT(2)} AND "createdAt" <= ${AT(4)}
GROUP BY 1`;

// Each item's candidates and their models in item order (position), the order that defines "first" and
// "second".
const CANDIDATES_CTE = `
cands AS MATERIALIZED (
  SELECT ic."itemId" AS iid,
         array_agg(ic."candidateId" ORDER BY ic.position) AS ids,
         array_agg(coalesce(k.model, '${UNKNOWN_MODEL}') ORDER BY ic.position) AS models
  FROM "ItemCandidate" ic
  JOIN "Item" i ON i.id = ic."itemId"
  JOIN "Candidate" k ON k.id = ic."candidateId"
  WHERE i."projectId" = $1
  GROUP BY ic."itemId"
)`;

// votes: one row per annotation and candidate pair (p1 < p2, 1-based item order) with the outcome
// 0 = first better, 1 = second better, 2 = tie. A unit is (item, pair). The pairs come from a join with
// the small table of index pairs for K candidates, and each candidate's group in the ranking from jsonb's
// `?` (is this id an element of group g), so no per-annotation JSON expansion runs: at 100k annotations
// that expansion cost seconds.
const MAX_CANDIDATES = 9;
const groupOf = (candidate: string) =>
  `CASE ${Array.from({ length: MAX_CANDIDATES }, (_, g) => `WHEN a.ranking -> ${g} ? ${candidate} THEN ${g}`).join(" ")} END`;
const VOTES_CTE = `
pairs AS MATERIALIZED (
  SELECT k, i, j
  FROM generate_series(2, ${MAX_CANDIDATES}) AS k, generate_series(1, ${MAX_CANDIDATES}) AS i, generate_series(1, ${MAX_CANDIDATES}) AS j
  WHERE i < j AND j <= k
),
votes AS MATERIALIZED (
  SELECT uid, iid, p1, p2, m1, m2, CASE WHEN g1 < g2 THEN 0 WHEN g1 > g2 THEN 1 ELSE 2 END AS v
  FROM (
    SELECT a."userId" AS uid, a."itemId" AS iid, p.i AS p1, p.j AS p2, c.models[p.i] AS m1, c.models[p.j] AS m2,
           ${groupOf("c.ids[p.i]")} AS g1,
           ${groupOf("c.ids[p.j]")} AS g2
    FROM "Annotation" a
    JOIN cands c ON c.iid = a."itemId"
    JOIN pairs p ON p.k = cardinality(c.ids)
    WHERE a."projectId" = $1
  ) located
  -- a candidate missing from a ranking has no group: that pair was not judged
  WHERE g1 IS NOT NULL AND g2 IS NOT NULL
)`;

// Returned as tallies only: 'unit' rows count units per (n0, n1, n2); 'vote' rows count each annotator's
// votes per unit tally and own value; 'items' is the number of items with a unit judged at least twice;
// 'outcome' rows are the results between the models of each candidate pair, for the leaderboard.
const TALLIES_SQL = `
units AS MATERIALIZED (
  SELECT iid, p1, p2,
         count(*) FILTER (WHERE v = 0)::int AS n0,
         count(*) FILTER (WHERE v = 1)::int AS n1,
         count(*) FILTER (WHERE v = 2)::int AS n2
  FROM votes GROUP BY iid, p1, p2 HAVING count(*) >= 2
),
outcomes AS (
  SELECT m1, m2, v, count(*)::int AS n FROM votes GROUP BY m1, m2, v
)
SELECT 'unit' AS kind, NULL::text AS uid, NULL::text AS m1, NULL::text AS m2, n0, n1, n2, NULL::int AS v, count(*)::int AS n
FROM units GROUP BY n0, n1, n2
UNION ALL
SELECT 'vote', vo.uid, NULL, NULL, u.n0, u.n1, u.n2, vo.v, count(*)::int
FROM votes vo JOIN units u USING (iid, p1, p2)
GROUP BY vo.uid, u.n0, u.n1, u.n2, vo.v
UNION ALL
SELECT 'items', NULL, NULL, NULL, 0, 0, 0, NULL, count(DISTINCT iid)::int FROM units
UNION ALL
SELECT 'outcome', NULL, m1, m2, 0, 0, 0, v, n FROM outcomes
UNION ALL
-- per model, the both-bad judgements among whose item's candidates it was (once per judgement)
SELECT 'bothbad', NULL, model, NULL, 0, 0, 0, NULL, count(*)::int
FROM (SELECT DISTINCT a.id, m.model FROM "Annotation" a JOIN cands c ON c.iid = a."itemId", unnest(c.models) AS m(model)
      WHERE a."projectId" = $1 AND a."bothBad") bb
GROUP BY model`;

const VOTES_SQL = `WITH ${CANDIDATES_CTE},${VOTES_CTE},${TALLIES_SQL}`;


/** The tallies of the full computation, read in one snapshot. */
export async function fullTallies(client: pg.PoolClient, projectId: string, now: Date): Promise<AnalyticsTallies> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off");
  try {
    const q = async <T extends object>(sql: string, params: unknown[]) => (await client.query<T>(sql, params)).rows;
    const [project] = await q<ProjectRow>(`SELECT id, name, slug, "taskType"::text AS task_type, overlap FROM "Project" WHERE id = $1`, [projectId]);
    const { iso, windowStart, paceStart } = analyticsWindows(now);
    const items = await q<{ status: "OPEN" | "COMPLETE" | "ARCHIVED"; gold: boolean; n: number; remaining: number }>(ITEMS_SQL, [projectId, project.overlap]);
    const assignments = await q<{ uid: string; skips: number; active: number }>(ASSIGNMENTS_SQL, [projectId, iso]);
    const annotations = await q<AnalyticsTallies["annotations"][number]>(ANNOTATIONS_SQL, [projectId]);
    const people = await q<AnalyticsTallies["people"][number]>(`SELECT id, name, email FROM "User" WHERE id = ANY($1)`, [
      [...assignments.map((r) => r.uid), ...annotations.map((r) => r.uid)],
    ]);
    const tallies: AnalyticsTallies = {
      project,
      people,
      items: items.map(({ status, gold, n }) => ({ status, gold, n })),
      remaining: items.reduce((s, r) => s + r.remaining, 0),
      assignments,
      annotations,
      hourly: await q(HOURLY_SQL, [projectId, windowStart, paceStart, iso]),
      votes: await q(VOTES_SQL, [projectId]),
    };
    await client.query("COMMIT");
    return tallies;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
