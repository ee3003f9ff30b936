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
// - Both bad: per model, the judgements marked both bad (every response bad) among whose item's candidates one of
//   the model's was; a judgement counts once per model, whatever its number of that model's candidates.
// - ETA: remaining judgements (Σ max(overlap − completed, 0) over non-archived, non-gold items) over the
//   pace of the last 6 hours (non-surplus judgements of non-gold items).
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import type { AnalyticsCsvInput, AnnotatorFigures, ProjectAnalytics } from "@/server/schemas/analytics";
import { majorityAgreement, share, type MajorityVoteRow } from "@/server/services/analytics/annotators";
import { bradleyTerry, winRateMatrix, type PairTally } from "@/server/services/analytics/bradley-terry";
import { toCsv, type CsvCell } from "@/server/services/analytics/csv";
import { alphaFromTallies, pairwiseAgreement, type UnitTally } from "@/server/services/analytics/krippendorff";
import { eta, hourlySeries } from "@/server/services/analytics/progress";
import { refreshSummaries, TIME_BUCKET_BOUNDS, TIME_BUCKETS_SQL } from "@/server/services/analytics/summaries";
import { takeInLoopRunning } from "@/server/services/analytics/take-in-loop";
import { countedAnnotation } from "@/server/services/review/counted";

const HOURS_SHOWN = 48;
const PACE_WINDOW_HOURS = 6;

/** Prisma stores DateTime as UTC `timestamp(3)`; compare against the instant in UTC whatever the session zone. */
const AT = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

// Item counts are kept per status by triggers (ProjectItemCount). A non-gold item is OPEN exactly while it has
// fewer than `overlap` judgements (submits complete it, an overlap change reopens or completes items to match), so
// the remaining judgements are summed over the open ones only, through the queue's index.
const ITEMS_SQL = `
SELECT status::text AS status, "isGold" AS gold, count AS n FROM "ProjectItemCount" WHERE "projectId" = $1 AND count <> 0`;
const REMAINING_SQL = `
SELECT coalesce(sum(GREATEST($2::int - "completedCount", 0)), 0)::int AS remaining
FROM "Item" WHERE "projectId" = $1 AND status = 'OPEN' AND NOT "isGold"`;

// Only the assignments that are not submitted are read (through the (projectId, state) index): a submitted one has
// its annotation, which the summaries count.
const ASSIGNMENTS_SQL = `
SELECT "userId" AS uid,
       count(*) FILTER (WHERE state = 'SKIPPED')::int AS skips,
       count(*) FILTER (WHERE state = 'ACTIVE' AND "expiresAt" > ${AT(2)})::int AS active
FROM "Assignment" WHERE "projectId" = $1 AND state IN ('ACTIVE', 'EXPIRED', 'SKIPPED')
GROUP BY "userId"`;

// The median reads the one or two middle values of each annotator's time spent (percentile_cont's interpolation is
// done by the caller): the time buckets say which bucket holds the middle and how many judgements lie below it, so
// the index is read from that bucket's lower bound on, a few hundred entries rather than half of them.
// first_expected divides the exact sum of 1/K at the scale avg() used.
const ANNOTATIONS_SQL = `
WITH located AS (
  SELECT DISTINCT ON (b."userId") b."userId", b.bucket, b.upto - b.n AS below
  FROM (SELECT "userId", bucket, n, sum(n) OVER (PARTITION BY "userId" ORDER BY bucket) AS upto
        FROM "AnalyticsTimeBucket" WHERE "projectId" = $1) b
  JOIN "AnalyticsAnnotator" a ON a."projectId" = $1 AND a."userId" = b."userId"
  WHERE b.upto > (a.annotations - 1) / 2
  ORDER BY b."userId", b.bucket
)
SELECT a."userId" AS uid, a.annotations AS n, mid.lo, mid.hi, a."goldAnswered" AS gold_n, a."goldCorrect" AS gold_ok,
       a.flags, a.decided, a."firstShown" AS first,
       (round(a."chanceSum", 20) / nullif(a.decided, 0))::float8 AS first_expected
FROM "AnalyticsAnnotator" a
LEFT JOIN located l ON l."userId" = a."userId"
CROSS JOIN LATERAL (
  SELECT min(ms)::float8 AS lo, max(ms)::float8 AS hi
  FROM (SELECT j."timeSpentMs" AS ms FROM "AnalyticsJudgement" j
        WHERE j."projectId" = $1 AND j."userId" = a."userId" AND j."timeSpentMs" >= coalesce((${TIME_BUCKETS_SQL})[l.bucket], ${TIME_BUCKET_BOUNDS[0]})
        ORDER BY j."timeSpentMs" OFFSET (a.annotations - 1) / 2 - coalesce(l.below, 0) LIMIT 2 - a.annotations % 2) middle
) mid
WHERE a."projectId" = $1`;

// Whole minutes from the per-minute counts; the partial minutes at the window's edges ([paceStart, the next minute)
// and [this minute, now]) counted from the annotations' (projectId, createdAt) index.
const HOURLY_SQL = `
SELECT floor(extract(epoch FROM minute) / 3600)::int AS h, sum(annotations)::int AS n,
       coalesce(sum(paced) FILTER (WHERE minute >= ${AT(3)}), 0)::int AS paced
FROM "AnalyticsMinute" WHERE "projectId" = $1 AND minute >= ${AT(2)} AND minute < ${AT(4)}
GROUP BY 1
UNION ALL
SELECT floor(extract(epoch FROM "createdAt") / 3600)::int, count(*)::int, count(*) FILTER (WHERE NOT surplus AND NOT "isGold")::int
FROM "Annotation" WHERE "projectId" = $1 AND "createdAt" >= ${AT(4)} AND "createdAt" <= ${AT(5)}
GROUP BY 1
UNION ALL
SELECT floor(extract(epoch FROM "createdAt") / 3600)::int, 0, count(*)::int
FROM "Annotation" WHERE "projectId" = $1 AND "createdAt" >= ${AT(6)} AND "createdAt" < ${AT(3)} AND NOT surplus AND NOT "isGold"
GROUP BY 1`;

// 'unit' rows count units per (n0, n1, n2); 'vote' rows count each annotator's votes per unit tally and own value;
// 'items' is the number of items with a unit judged at least twice; 'outcome' rows are the results between the
// models of each candidate pair, for the leaderboard; 'bothbad' rows count each model's both-bad judgements. Units
// judged once say nothing about agreement.
const VOTES_SQL = `
SELECT 'unit' AS kind, NULL::text AS uid, NULL::text AS m1, NULL::text AS m2, n0, n1, n2, NULL::int AS v, units AS n
FROM "AnalyticsUnitTally" WHERE "projectId" = $1 AND n0 + n1 + n2 >= 2
UNION ALL
SELECT 'vote', "userId", NULL, NULL, n0, n1, n2, v, units
FROM "AnalyticsVoterTally" WHERE "projectId" = $1 AND n0 + n1 + n2 >= 2
UNION ALL
SELECT 'items', NULL, NULL, NULL, 0, 0, 0, NULL, "itemsCompared" FROM "AnalyticsProject" WHERE "projectId" = $1
UNION ALL
SELECT 'outcome', NULL, m1, m2, 0, 0, 0, v, n FROM "AnalyticsOutcome" WHERE "projectId" = $1
UNION ALL
SELECT 'bothbad', NULL, model, NULL, 0, 0, 0, NULL, n FROM "AnalyticsModelBothBad" WHERE "projectId" = $1`;

/**
 * One statement, one round trip: the summaries are small, so none of these queries comes near the cost at which the
 * planner would JIT-compile or sort on disk (the full computation had to switch both off), and on a loaded 2-core box
 * each extra round trip of seven parallel reads was waiting for a core.
 */
async function query<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
  return (await pool().query<T>(sql, params)).rows;
}

// The annotators named in the figures: those with judgements taken in and those with leases or skips.
const PEOPLE_SQL = `
SELECT id, name, email FROM "User"
WHERE id IN (SELECT "userId" FROM "AnalyticsAnnotator" WHERE "projectId" = $1
             UNION SELECT "userId" FROM "Assignment" WHERE "projectId" = $1 AND state IN ('ACTIVE', 'EXPIRED', 'SKIPPED'))`;

/**
 * Notes a read takes in itself when this process runs no take-in loop (ANALYTICS_REFRESH_MS=0, a script): then this
 * is what moves the figures on, a read at a time. With the loop running a read takes nothing in: even 50 items cost a
 * busy read ~400 ms on a loaded 2-core box (the take-in's ~25 statements, whatever its size), 200 items ~350–480 ms.
 */
export const READ_TAKE_IN_ITEMS = 50;
/** Pending notes the freshness count looks at: beyond them (a backlog like the first take-in after an upgrade) it
 * reports at least that many judgements, not all of them, so the count stays a few milliseconds. */
const PENDING_NOTES_COUNTED = 20_000;

// Judgements not yet counted: per changed item, how far the number of its judgements that count moved since it was
// taken in, and at least one (an edit changes no number but is pending all the same).
const FRESHNESS_SQL = `
SELECT (SELECT (extract(epoch FROM "takenInAt" AT TIME ZONE 'UTC') * 1000)::float8 FROM "AnalyticsProject" WHERE "projectId" = $1) AS taken_in_ms,
       coalesce(sum(GREATEST(1, abs(
         (SELECT count(*) FROM "Annotation" a WHERE a."itemId" = p."itemId" AND ${countedAnnotation("a")})
         - (SELECT count(*) FROM "AnalyticsJudgement" j WHERE j."itemId" = p."itemId")))), 0)::int AS pending
FROM (SELECT DISTINCT "itemId" FROM (SELECT "itemId" FROM "AnalyticsPendingItem" WHERE "projectId" = $1 ORDER BY id LIMIT ${PENDING_NOTES_COUNTED}) n) p`;

export interface ProjectRow { id: string; name: string; slug: string; task_type: ProjectAnalytics["project"]["taskType"]; overlap: number }
export interface ItemsRow { status: "OPEN" | "COMPLETE" | "ARCHIVED"; gold: boolean; n: number }
export interface AssignmentsRow { uid: string; skips: number; active: number }
export interface AnnotationsRow {
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
export interface HourlyRow { h: number; n: number; paced: number }
export interface VotesRow {
  kind: "unit" | "vote" | "items" | "outcome" | "bothbad";
  uid: string | null;
  m1: string | null;
  m2: string | null;
  n0: number;
  n1: number;
  n2: number;
  v: number | null;
  n: number;
}

/** Everything the figures are computed from: a few hundred rows of tallies however large the project. */
export interface AnalyticsTallies {
  project: ProjectRow;
  /** names and e-mails of (at least) the annotators in `assignments` and `annotations` */
  people: Array<{ id: string; name: string; email: string }>;
  items: ItemsRow[];
  remaining: number;
  assignments: AssignmentsRow[];
  annotations: AnnotationsRow[];
  /** at most one row per hour */
  hourly: HourlyRow[];
  votes: VotesRow[];
}

/** The instants that bound the figures: the hourly series' first hour and the pace window's start. */
export function analyticsWindows(now: Date): { iso: string; windowStart: string; paceStart: string } {
  return {
    iso: now.toISOString(),
    windowStart: new Date((Math.floor(now.getTime() / 3_600_000) - HOURS_SHOWN + 1) * 3_600_000).toISOString(),
    paceStart: new Date(now.getTime() - PACE_WINDOW_HOURS * 3_600_000).toISOString(),
  };
}

export interface ProjectAnalyticsOptions {
  projectId: string;
  /** the moment the figures describe; defaults to now (tests pin it) */
  now?: Date;
  /** bootstrap rounds for the leaderboard intervals */
  bootstrapRounds?: number;
}

export async function projectAnalytics({ projectId, now = new Date(), bootstrapRounds = 200 }: ProjectAnalyticsOptions): Promise<ProjectAnalytics> {
  const [found] = await query<ProjectRow & { pending: boolean }>(
    `SELECT id, name, slug, "taskType"::text AS task_type, overlap,
            EXISTS (SELECT 1 FROM "AnalyticsPendingItem" WHERE "projectId" = $1) AS pending
     FROM "Project" WHERE id = $1`,
    [projectId],
  );
  if (!found) throw new AppError("NOT_FOUND", `Project ${projectId} does not exist.`);
  const { pending, ...project } = found;
  // a few dozen items at most, none when the loop is on or at work on the project: a read never waits behind a
  // backlog, it reports it (freshness)
  if (pending && !takeInLoopRunning()) await refreshSummaries({ projectId, wait: false, limit: READ_TAKE_IN_ITEMS });

  const { iso, windowStart, paceStart } = analyticsWindows(now);
  const minute = (t: number) => new Date(Math.floor(t / 60_000) * 60_000).toISOString();
  const paceStartMs = Date.parse(paceStart);
  const paceFirstMinute = minute(paceStartMs % 60_000 === 0 ? paceStartMs : paceStartMs + 60_000);
  const [items, [{ remaining }], assignments, annotations, hourly, votes, people, [fresh]] = await Promise.all([
    query<ItemsRow>(ITEMS_SQL, [projectId]),
    query<{ remaining: number }>(REMAINING_SQL, [projectId, project.overlap]),
    query<AssignmentsRow>(ASSIGNMENTS_SQL, [projectId, iso]),
    query<Omit<AnnotationsRow, "median_ms"> & { lo: number | null; hi: number | null }>(ANNOTATIONS_SQL, [projectId]),
    query<HourlyRow>(HOURLY_SQL, [projectId, windowStart, paceFirstMinute, minute(now.getTime()), iso, paceStart]),
    query<VotesRow>(VOTES_SQL, [projectId]),
    query<{ id: string; name: string; email: string }>(PEOPLE_SQL, [projectId]),
    query<{ taken_in_ms: number | null; pending: number }>(FRESHNESS_SQL, [projectId]),
  ]);
  const hours = new Map<number, HourlyRow>();
  for (const r of hourly) {
    const h = hours.get(r.h) ?? { h: r.h, n: 0, paced: 0 };
    h.n += r.n;
    h.paced += r.paced;
    hours.set(r.h, h);
  }
  const figures = analyticsFromTallies({
    tallies: {
      project,
      people,
      items,
      remaining,
      assignments,
      // percentile_cont(0.5)'s interpolation between the two middle values (one value when their number is odd)
      annotations: annotations.map(({ lo, hi, ...r }) => ({ ...r, median_ms: lo === null || hi === null ? null : lo + (hi - lo) * 0.5 })),
      hourly: [...hours.values()],
      votes,
    },
    now,
    bootstrapRounds,
  });
  const takenInAt = fresh?.taken_in_ms == null ? null : new Date(fresh.taken_in_ms);
  return {
    ...figures,
    freshness: {
      updatedAt: fresh?.pending ? (takenInAt?.toISOString() ?? null) : iso,
      pending: fresh?.pending ?? 0,
    },
  };
}

/** The figures from the tallies. */
export function analyticsFromTallies({ tallies: t, now, bootstrapRounds }: { tallies: AnalyticsTallies; now: Date; bootstrapRounds: number }): Omit<ProjectAnalytics, "freshness"> {
  const { project, items, assignments, annotations, hourly, votes } = t;
  const iso = now.toISOString();

  // progress
  const count = { open: 0, complete: 0, archived: 0, total: 0, gold: 0 };
  for (const r of items) {
    count[r.status.toLowerCase() as "open" | "complete" | "archived"] += r.n;
    count.total += r.n;
    if (r.gold) count.gold += r.n;
  }
  const perHour = hourlySeries(new Map(hourly.map((r) => [r.h, r.n])), now, HOURS_SHOWN);
  const pace = eta({ remaining: t.remaining, recent: hourly.reduce((s, r) => s + r.paced, 0), windowHours: PACE_WINDOW_HOURS, now });

  // agreement; the units in one order (by tally), so that alpha's floating-point sums do not depend on the order
  // the rows came in
  const unitTallies: UnitTally<number>[] = [];
  const majorityRows: MajorityVoteRow[] = [];
  const tallies: PairTally[] = [];
  const bothBad = new Map<string, number>();
  let itemsCompared = 0;
  const units = votes.filter((r) => r.kind === "unit").sort((x, y) => x.n0 - y.n0 || x.n1 - y.n1 || x.n2 - y.n2);
  for (const r of [...units, ...votes.filter((r) => r.kind !== "unit")]) {
    const counts = [r.n0, r.n1, r.n2];
    if (r.kind === "unit") unitTallies.push({ counts: new Map(counts.map((c, v) => [v, c])), weight: r.n });
    else if (r.kind === "vote") majorityRows.push({ userId: r.uid!, counts, own: r.v!, units: r.n });
    else if (r.kind === "items") itemsCompared = r.n;
    else if (r.kind === "bothbad") bothBad.set(r.m1!, r.n);
    else if (r.m1 !== r.m2) tallies.push({ a: r.m1!, b: r.m2!, aWins: r.v === 0 ? r.n : 0, bWins: r.v === 1 ? r.n : 0, ties: r.v === 2 ? r.n : 0 });
  }
  const raw = pairwiseAgreement(unitTallies);
  const majority = majorityAgreement(majorityRows);

  // annotators
  const users = new Map<string, { assignments?: AssignmentsRow; annotations?: AnnotationsRow }>();
  for (const r of assignments) users.set(r.uid, { assignments: r });
  for (const r of annotations) users.set(r.uid, { ...users.get(r.uid), annotations: r });
  const people = new Map(t.people.map((u) => [u.id, u]));
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
  const rows = bradleyTerry(tallies, { bootstrapRounds }).map((r) => ({ ...r, bothBad: bothBad.get(r.model) ?? 0 }));
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
        ["rank", "model", "rating", "ci_low_95", "ci_high_95", "comparisons", "wins", "losses", "ties", "both_bad"],
        a.leaderboard.rows.map((r, k) => [k + 1, r.model, r.rating, r.ciLow, r.ciHigh, r.comparisons, r.wins, r.losses, r.ties, r.bothBad]),
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
