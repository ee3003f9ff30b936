// An annotator's own statistics, per project they belong to or have judged in: judgements today, in the last 7 days
// and in all, the median time per judgement, a per-day series of the last 30 days, their caps, and — only where the
// project shows it (Project.showGoldAccuracy) — their gold accuracy. Days are UTC days, the days a daily cap counts.
import { pool } from "@/server/pg";
import { dailySeries, type DayBucket } from "@/server/services/analytics/progress";

export const STATISTICS_DAYS = 30;

export interface ProjectStatistics {
  projectId: string;
  slug: string;
  name: string;
  archived: boolean;
  today: number;
  last7Days: number;
  total: number;
  /** median seconds spent per judgement; null without judgements */
  medianSeconds: number | null;
  /** the caps in force for them (their own, else the project's); null: none */
  dailyCap: number | null;
  totalCap: number | null;
  /** only when the project lets annotators see it, and they have answered gold items */
  gold: { answered: number; correct: number; accuracy: number } | null;
  perDay: DayBucket[];
}

// $1 user id, $2 the instant the statistics are for. Every figure reads the (userId, projectId, createdAt) index.
const PER_PROJECT_SQL = `
  WITH day AS (SELECT date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') AS start)
  SELECT p.id, p.slug, p.name, p.archived, p."showGoldAccuracy" AS show_gold,
         coalesce(m."dailyCap", p."dailyCap") AS daily_cap, coalesce(m."totalCap", p."totalCap") AS total_cap,
         count(n.id) FILTER (WHERE n."createdAt" >= day.start)::int AS today,
         count(n.id) FILTER (WHERE n."createdAt" >= day.start - interval '6 days')::int AS last7,
         count(n.id)::int AS total,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY n."timeSpentMs") / 1000.0 AS median_seconds,
         count(n.id) FILTER (WHERE n."goldCorrect" IS NOT NULL)::int AS gold_answered,
         count(n.id) FILTER (WHERE n."goldCorrect")::int AS gold_correct
    FROM "Project" p CROSS JOIN day
    LEFT JOIN "ProjectMember" m ON m."projectId" = p.id AND m."userId" = $1
    LEFT JOIN "Annotation" n ON n."projectId" = p.id AND n."userId" = $1
   WHERE m."userId" IS NOT NULL OR EXISTS (SELECT 1 FROM "Annotation" x WHERE x."userId" = $1 AND x."projectId" = p.id)
   GROUP BY p.id, m."dailyCap", m."totalCap"
   ORDER BY p.archived, max(n."createdAt") DESC NULLS LAST, p."createdAt"`;

const PER_DAY_SQL = `
  SELECT n."projectId" AS project_id, floor(extract(epoch FROM n."createdAt") / 86400)::int AS day, count(*)::int AS n
    FROM "Annotation" n
   WHERE n."userId" = $1 AND n."createdAt" >= date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') - make_interval(days => $3::int - 1)
   GROUP BY 1, 2`;

export async function annotatorStatistics(opts: { userId: string; now?: Date }): Promise<ProjectStatistics[]> {
  const now = opts.now ?? new Date();
  const [{ rows: projects }, { rows: days }] = await Promise.all([
    pool().query<{
      id: string; slug: string; name: string; archived: boolean; show_gold: boolean; daily_cap: number | null; total_cap: number | null;
      today: number; last7: number; total: number; median_seconds: number | null; gold_answered: number; gold_correct: number;
    }>(PER_PROJECT_SQL, [opts.userId, now]),
    pool().query<{ project_id: string; day: number; n: number }>(PER_DAY_SQL, [opts.userId, now, STATISTICS_DAYS]),
  ]);
  const counts = new Map<string, Map<number, number>>();
  for (const d of days) {
    if (!counts.has(d.project_id)) counts.set(d.project_id, new Map());
    counts.get(d.project_id)!.set(d.day, d.n);
  }
  return projects.map((p) => ({
    projectId: p.id,
    slug: p.slug,
    name: p.name,
    archived: p.archived,
    today: p.today,
    last7Days: p.last7,
    total: p.total,
    medianSeconds: p.median_seconds === null ? null : Math.round(p.median_seconds * 10) / 10,
    dailyCap: p.daily_cap,
    totalCap: p.total_cap,
    gold: p.show_gold && p.gold_answered > 0 ? { answered: p.gold_answered, correct: p.gold_correct, accuracy: p.gold_correct / p.gold_answered } : null,
    perDay: dailySeries(counts.get(p.id) ?? new Map(), now, STATISTICS_DAYS),
  }));
}
