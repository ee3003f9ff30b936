// Live quality analytics for one project: progress, per-annotator quality, agreement and the model
// leaderboard, plus each table as CSV. Counting happens in SQL (a project may hold 100k+ annotations);
// what comes back is a few hundred rows of tallies that the pure functions beside this file turn into
// figures.
//
// Definitions (also shown in the UI):
// - Agreement unit: for a pairwise project, the item, with the outcome "first candidate better / second
//   better / tie" as the nominal value (first and second in the item's own candidate order, not the order
//   shown, which is shuffled per annotator). For a ranking project, each pair of candidates within an item
//   is a unit with the same three outcomes, read off each annotator's ranking.
// - Majority agreement uses the same units, against the other annotators of the unit (see annotators.ts).
// - Position bias: among judgements with a single best candidate, the share where that candidate was shown
//   first (left); an annotator without bias scores 1/K (1/2 for pairs), reported beside it.
// - Leaderboard: outcomes between the models of each candidate pair, read off the annotations' rankings —
//   the same pairs the derived comparison rows hold, plus the ties that comparison rows leave out (a tie
//   counts half a win each side). Pairs of two candidates of the same model are left out. In a ranking
//   project the K(K−1)/2 comparisons of one ranking are resampled independently by the bootstrap, so its
//   intervals there are somewhat too narrow.
// - ETA: remaining judgements (Σ max(overlap − completed, 0) over non-archived, non-gold items) over the
//   pace of the last 6 hours (non-surplus judgements of non-gold items).
import { AppError } from "@/server/errors";
import { withTransaction } from "@/server/pg";
import type { AnalyticsCsvInput, AnnotatorFigures, ProjectAnalytics } from "@/server/schemas/analytics";
import { majorityAgreement, share, type MajorityVoteRow } from "@/server/services/analytics/annotators";
import { bradleyTerry, winRateMatrix, type PairTally } from "@/server/services/analytics/bradley-terry";
import { toCsv, type CsvCell } from "@/server/services/analytics/csv";
import { alphaFromTallies, pairwiseAgreement, type UnitTally } from "@/server/services/analytics/krippendorff";
import { eta, hourlySeries } from "@/server/services/analytics/progress";

const HOURS_SHOWN = 48;
const PACE_WINDOW_HOURS = 6;
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
SELECT 'outcome', NULL, m1, m2, 0, 0, 0, v, n FROM outcomes`;

const VOTES_SQL = `WITH ${CANDIDATES_CTE},${VOTES_CTE},${TALLIES_SQL}`;

/**
 * One read-only statement in its own transaction. The planner guesses 100 rows for every JSON expansion,
 * which makes the vote query look costly enough to JIT-compile — seconds of compiling that save nothing —
 * and the default 4 MB work_mem spills its sorts to disk; both are set for this transaction only.
 */
async function query<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
  return withTransaction(async (client) => (await client.query<T>(sql, params)).rows, {
    begin: "BEGIN READ ONLY; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'",
  });
}

interface ProjectRow { id: string; name: string; slug: string; task_type: "PAIRWISE" | "RANKING"; overlap: number }
interface ItemsRow { status: "OPEN" | "COMPLETE" | "ARCHIVED"; gold: boolean; n: number; remaining: number }
interface AssignmentsRow { uid: string; skips: number; active: number }
interface AnnotationsRow {
  uid: string;
  n: number;
  median_ms: number | null;
  gold_n: number;
  gold_ok: number;
  flags: number;
  decided: number;
  first: number;
  first_expected: number | null;
}
interface HourlyRow { h: number; n: number; paced: number }
interface VotesRow {
  kind: "unit" | "vote" | "items" | "outcome";
  uid: string | null;
  m1: string | null;
  m2: string | null;
  n0: number;
  n1: number;
  n2: number;
  v: number | null;
  n: number;
}

export interface ProjectAnalyticsOptions {
  projectId: string;
  /** the moment the figures describe; defaults to now (tests pin it) */
  now?: Date;
  /** bootstrap rounds for the leaderboard intervals */
  bootstrapRounds?: number;
}

export async function projectAnalytics({ projectId, now = new Date(), bootstrapRounds = 200 }: ProjectAnalyticsOptions): Promise<ProjectAnalytics> {
  const [project] = await query<ProjectRow>(`SELECT id, name, slug, "taskType"::text AS task_type, overlap FROM "Project" WHERE id = $1`, [
    projectId,
  ]);
  if (!project) throw new AppError("NOT_FOUND", `Project ${projectId} does not exist.`);

  const iso = now.toISOString();
  const windowStart = new Date((Math.floor(now.getTime() / 3_600_000) - HOURS_SHOWN + 1) * 3_600_000).toISOString();
  const paceStart = new Date(now.getTime() - PACE_WINDOW_HOURS * 3_600_000).toISOString();
  const [items, assignments, annotations, hourly, votes] = await Promise.all([
    query<ItemsRow>(ITEMS_SQL, [projectId, project.overlap]),
    query<AssignmentsRow>(ASSIGNMENTS_SQL, [projectId, iso]),
    query<AnnotationsRow>(ANNOTATIONS_SQL, [projectId]),
    query<HourlyRow>(HOURLY_SQL, [projectId, windowStart, paceStart, iso]),
    query<VotesRow>(VOTES_SQL, [projectId]),
  ]);

  // progress
  const count = { open: 0, complete: 0, archived: 0, total: 0, gold: 0 };
  let remaining = 0;
  for (const r of items) {
    count[r.status.toLowerCase() as "open" | "complete" | "archived"] += r.n;
    count.total += r.n;
    if (r.gold) count.gold += r.n;
    remaining += r.remaining;
  }
  const perHour = hourlySeries(new Map(hourly.map((r) => [r.h, r.n])), now, HOURS_SHOWN);
  const pace = eta({ remaining, recent: hourly.reduce((s, r) => s + r.paced, 0), windowHours: PACE_WINDOW_HOURS, now });

  // agreement
  const unitTallies: UnitTally<number>[] = [];
  const majorityRows: MajorityVoteRow[] = [];
  const tallies: PairTally[] = [];
  let itemsCompared = 0;
  for (const r of votes) {
    const counts = [r.n0, r.n1, r.n2];
    if (r.kind === "unit") unitTallies.push({ counts: new Map(counts.map((c, v) => [v, c])), weight: r.n });
    else if (r.kind === "vote") majorityRows.push({ userId: r.uid!, counts, own: r.v!, units: r.n });
    else if (r.kind === "items") itemsCompared = r.n;
    else if (r.m1 !== r.m2) tallies.push({ a: r.m1!, b: r.m2!, aWins: r.v === 0 ? r.n : 0, bWins: r.v === 1 ? r.n : 0, ties: r.v === 2 ? r.n : 0 });
  }
  const raw = pairwiseAgreement(unitTallies);
  const majority = majorityAgreement(majorityRows);

  // annotators
  const users = new Map<string, { assignments?: AssignmentsRow; annotations?: AnnotationsRow }>();
  for (const r of assignments) users.set(r.uid, { assignments: r });
  for (const r of annotations) users.set(r.uid, { ...users.get(r.uid), annotations: r });
  const people = new Map(
    (await query<{ id: string; name: string; email: string }>(`SELECT id, name, email FROM "User" WHERE id = ANY($1)`, [[...users.keys()]])).map(
      (u) => [u.id, u],
    ),
  );
  const annotators: AnnotatorFigures[] = [...users].map(([userId, { assignments: s, annotations: a }]) => {
    const judged = a?.n ?? 0;
    const skips = s?.skips ?? 0;
    const m = majority.get(userId) ?? { units: 0, agreed: 0 };
    return {
      userId,
      name: people.get(userId)?.name ?? "",
      email: people.get(userId)?.email ?? "",
      annotations: judged,
      medianTimeMs: a?.median_ms ?? null,
      skips,
      skipRate: share(skips, skips + judged),
      goldAnswered: a?.gold_n ?? 0,
      goldAccuracy: share(a?.gold_ok ?? 0, a?.gold_n ?? 0),
      majorityUnits: m.units,
      majorityAgreement: share(m.agreed, m.units),
      positionJudgements: a?.decided ?? 0,
      firstPositionShare: share(a?.first ?? 0, a?.decided ?? 0),
      firstPositionExpected: a?.first_expected ?? null,
      flagsRaised: a?.flags ?? 0,
    };
  });
  annotators.sort((x, y) => y.annotations - x.annotations || x.name.localeCompare(y.name));

  // leaderboard
  const rows = bradleyTerry(tallies, { bootstrapRounds });
  const winRates = winRateMatrix(
    tallies,
    rows.map((r) => r.model),
  );

  return {
    project: { id: project.id, name: project.name, slug: project.slug, taskType: project.task_type, overlap: project.overlap },
    generatedAt: iso,
    progress: {
      items: count,
      activeLeases: assignments.reduce((s, r) => s + r.active, 0),
      annotations: annotations.reduce((s, r) => s + r.n, 0),
      perHour,
      remaining: pace.remaining,
      ratePerHour: pace.ratePerHour,
      paceWindowHours: PACE_WINDOW_HOURS,
      etaHours: pace.hours,
      etaAt: pace.at,
    },
    annotators,
    agreement: {
      unit: project.task_type === "PAIRWISE" ? "item" : "candidate pair",
      alpha: alphaFromTallies(unitTallies, "nominal"),
      rawAgreement: raw.agreement,
      items: itemsCompared,
      units: raw.units,
      pairs: raw.pairs,
    },
    leaderboard: { rows, comparisons: tallies.reduce((s, t) => s + t.aWins + t.bWins + t.ties, 0), bootstrapRounds },
    winRates,
  };
}

/** One analytics table as CSV, named `<project slug>-<table>.csv`. */
export async function analyticsCsv({ projectId, table }: AnalyticsCsvInput): Promise<{ fileName: string; content: string }> {
  const a = await projectAnalytics({ projectId });
  const fileName = `${a.project.slug}-${table}.csv`;
  const csv = (header: string[], rows: CsvCell[][]) => ({ fileName, content: toCsv(header, rows) });
  switch (table) {
    case "progress": {
      const p = a.progress;
      return csv(
        ["metric", "value"],
        [
          ["items_total", p.items.total],
          ["items_open", p.items.open],
          ["items_complete", p.items.complete],
          ["items_archived", p.items.archived],
          ["items_gold", p.items.gold],
          ["active_leases", p.activeLeases],
          ["annotations", p.annotations],
          ["remaining_judgements", p.remaining],
          ["judgements_per_hour", p.ratePerHour],
          ["pace_window_hours", p.paceWindowHours],
          ["eta_hours", p.etaHours],
          ["eta_at", p.etaAt],
          ["generated_at", a.generatedAt],
        ],
      );
    }
    case "hourly":
      return csv(["hour_start_utc", "annotations"], a.progress.perHour.map((h) => [h.hour, h.annotations]));
    case "annotators":
      return csv(
        [
          "user_id", "name", "email", "annotations", "median_time_ms", "skips", "skip_rate", "gold_answered", "gold_accuracy",
          "majority_units", "majority_agreement", "position_judgements", "first_position_share", "first_position_expected", "flags_raised",
        ],
        a.annotators.map((r) => [
          r.userId, r.name, r.email, r.annotations, r.medianTimeMs, r.skips, r.skipRate, r.goldAnswered, r.goldAccuracy,
          r.majorityUnits, r.majorityAgreement, r.positionJudgements, r.firstPositionShare, r.firstPositionExpected, r.flagsRaised,
        ]),
      );
    case "agreement": {
      const g = a.agreement;
      return csv(["unit", "krippendorff_alpha_nominal", "raw_pairwise_agreement", "items", "units", "annotator_pairs"], [
        [g.unit, g.alpha, g.rawAgreement, g.items, g.units, g.pairs],
      ]);
    }
    case "leaderboard":
      return csv(
        ["rank", "model", "rating", "ci_low_95", "ci_high_95", "comparisons", "wins", "losses", "ties"],
        a.leaderboard.rows.map((r, k) => [k + 1, r.model, r.rating, r.ciLow, r.ciHigh, r.comparisons, r.wins, r.losses, r.ties]),
      );
    case "winrates":
      return csv(
        ["model", "opponent", "games", "wins", "ties", "losses", "win_rate"],
        a.winRates.models.flatMap((model, i) =>
          a.winRates.models.flatMap((opponent, j) => {
            const c = a.winRates.cells[i][j];
            return c.games === 0 ? [] : [[model, opponent, c.games, c.wins, c.ties, c.losses, c.winRate]];
          }),
        ),
      );
  }
}
