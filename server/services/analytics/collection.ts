// Analytics of the single-response task types, beside the comparison analytics of ./index.ts.
// - Demonstrations: how many, written vs improved, the length distribution (characters), time spent, and the same
//   per annotator.
// - Ratings: per criterion, Krippendorff's alpha at the ordinal level over the items (each item one unit, each
//   annotator's rating one value) and the distribution of values; thumbs agreement (nominal alpha) and the share of
//   thumbs up; per annotator the mean and spread of their ratings (a harsh or lenient rater shows here); per model
//   the mean per criterion and the thumbs-up share. (Binary criteria: alpha at the nominal level.)
// Counting happens in SQL; what comes back is tallies.
import { pool } from "@/server/pg";
import { alphaFromTallies, type UnitTally } from "@/server/services/analytics/krippendorff";
import { criteriaOf } from "@/server/services/projects";
import type { CollectionFigures, DemonstrationFigures, RatingFigures } from "@/server/schemas/collection-analytics";
import { scaleValues } from "@/server/schemas/judgement";

/** Upper bounds (characters) of the length histogram's buckets; the last bucket is open. */
export const LENGTH_BUCKETS = [100, 250, 500, 1000, 2000, 4000] as const;

export type { CollectionFigures, DemonstrationFigures, RatingFigures } from "@/server/schemas/collection-analytics";

async function q<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
  return (await pool().query<T>(sql, params)).rows;
}

const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function bucketLabel(i: number): string {
  const lo = i === 0 ? 0 : LENGTH_BUCKETS[i - 1];
  return i === LENGTH_BUCKETS.length ? `${lo}+` : `${lo}–${LENGTH_BUCKETS[i] - 1}`;
}

async function demonstrations(projectId: string): Promise<DemonstrationFigures> {
  const bounds = `ARRAY[${LENGTH_BUCKETS.join(",")}]`;
  const [totals, buckets, people] = await Promise.all([
    q<{ n: number; improved: number; median: number | null; mean: number | null; seconds: number | null }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE "demonstrationFrom" IS NOT NULL)::int AS improved,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY length(demonstration)) AS median, avg(length(demonstration))::float AS mean,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY "timeSpentMs") / 1000.0 AS seconds
         FROM "Annotation" WHERE "projectId" = $1 AND demonstration IS NOT NULL`,
      [projectId],
    ),
    q<{ b: number; n: number }>(
      `SELECT width_bucket(length(demonstration), ${bounds}) AS b, count(*)::int AS n
         FROM "Annotation" WHERE "projectId" = $1 AND demonstration IS NOT NULL GROUP BY 1`,
      [projectId],
    ),
    q<{ uid: string; name: string; n: number; median: number; seconds: number }>(
      `SELECT n."userId" AS uid, u.name, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY length(n.demonstration)) AS median,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY n."timeSpentMs") / 1000.0 AS seconds
         FROM "Annotation" n JOIN "User" u ON u.id = n."userId"
        WHERE n."projectId" = $1 AND n.demonstration IS NOT NULL GROUP BY n."userId", u.name ORDER BY n DESC, u.name`,
      [projectId],
    ),
  ]);
  const t = totals[0];
  const counts = new Map(buckets.map((r) => [r.b, r.n]));
  return {
    kind: "demonstrations",
    count: t.n,
    improved: t.improved,
    medianChars: round(t.median, 1),
    meanChars: round(t.mean, 1),
    medianSeconds: round(t.seconds, 1),
    lengths: Array.from({ length: LENGTH_BUCKETS.length + 1 }, (_, i) => ({ bucket: bucketLabel(i), count: counts.get(i) ?? 0 })),
    annotators: people.map((p) => ({ userId: p.uid, name: p.name, count: p.n, medianChars: round(p.median, 1)!, medianSeconds: round(p.seconds, 1)! })),
  };
}

async function ratings(projectId: string, criteria: ReturnType<typeof criteriaOf>, askThumbs: boolean): Promise<RatingFigures> {
  // each rating annotation with the one candidate of its item
  const rated = `FROM "Annotation" n JOIN "ItemCandidate" ic ON ic."itemId" = n."itemId" JOIN "Candidate" c ON c.id = ic."candidateId"
                 WHERE n."projectId" = $1 AND NOT n."isGold"`;
  const [values, thumbs, people, models] = await Promise.all([
    q<{ item: string; key: string; v: number; n: number }>(
      `SELECT n."itemId" AS item, r.key, r.value::int AS v, count(*)::int AS n
         ${rated.replace("WHERE", "CROSS JOIN LATERAL jsonb_each_text(n.ratings -> ic.\"candidateId\") r WHERE")}
        GROUP BY 1, 2, 3`,
      [projectId],
    ),
    q<{ item: string; up: number; down: number }>(
      `SELECT n."itemId" AS item, count(*) FILTER (WHERE n.thumbs)::int AS up, count(*) FILTER (WHERE NOT n.thumbs)::int AS down
         ${rated} AND n.thumbs IS NOT NULL GROUP BY 1`,
      [projectId],
    ),
    q<{ uid: string; name: string; total: number; key: string | null; mean: number | null; sd: number | null; n: number; up: number; thumbed: number }>(
      `SELECT n."userId" AS uid, u.name, GROUPING(r.key) AS total, r.key, avg(r.value::int)::float AS mean, stddev_pop(r.value::int)::float AS sd,
              count(DISTINCT n.id)::int AS n, count(DISTINCT n.id) FILTER (WHERE n.thumbs)::int AS up,
              count(DISTINCT n.id) FILTER (WHERE n.thumbs IS NOT NULL)::int AS thumbed
         FROM "Annotation" n JOIN "ItemCandidate" ic ON ic."itemId" = n."itemId" JOIN "User" u ON u.id = n."userId"
         LEFT JOIN LATERAL jsonb_each_text(n.ratings -> ic."candidateId") r ON true
        WHERE n."projectId" = $1 AND NOT n."isGold" GROUP BY GROUPING SETS ((n."userId", u.name, r.key), (n."userId", u.name))`,
      [projectId],
    ),
    q<{ model: string; total: number; key: string | null; mean: number | null; n: number; up: number; thumbed: number }>(
      `SELECT coalesce(c.model, 'unknown') AS model, GROUPING(r.key) AS total, r.key, avg(r.value::int)::float AS mean, count(DISTINCT n.id)::int AS n,
              count(DISTINCT n.id) FILTER (WHERE n.thumbs)::int AS up, count(DISTINCT n.id) FILTER (WHERE n.thumbs IS NOT NULL)::int AS thumbed
         FROM "Annotation" n JOIN "ItemCandidate" ic ON ic."itemId" = n."itemId" JOIN "Candidate" c ON c.id = ic."candidateId"
         LEFT JOIN LATERAL jsonb_each_text(n.ratings -> ic."candidateId") r ON true
        WHERE n."projectId" = $1 AND NOT n."isGold" GROUP BY GROUPING SETS ((1, r.key), (1))`,
      [projectId],
    ),
  ]);

  const byCriterion = new Map<string, Map<string, Map<number, number>>>();
  for (const r of values) {
    const units = byCriterion.get(r.key) ?? new Map<string, Map<number, number>>();
    const counts = units.get(r.item) ?? new Map<number, number>();
    counts.set(r.v, r.n);
    units.set(r.item, counts);
    byCriterion.set(r.key, units);
  }
  const perCriterion = criteria.map((c) => {
    const units = byCriterion.get(c.key) ?? new Map<string, Map<number, number>>();
    const tallies: UnitTally<number>[] = [...units.values()].map((counts) => ({ counts }));
    const total = new Map<number, number>();
    let sum = 0;
    let n = 0;
    for (const counts of units.values()) for (const [v, k] of counts) {
      total.set(v, (total.get(v) ?? 0) + k);
      sum += v * k;
      n += k;
    }
    return {
      key: c.key,
      label: c.label,
      scale: c.scale,
      // a yes/no criterion has no order to weigh: nominal
      alpha: round(alphaFromTallies(tallies, c.scale.kind === "binary" ? "nominal" : "ordinal")),
      mean: n ? round(sum / n) : null,
      distribution: scaleValues(c.scale).map((o) => ({ value: o.value, label: o.label ?? String(o.value), count: total.get(o.value) ?? 0 })),
    };
  });
  const up = thumbs.reduce((s, r) => s + r.up, 0);
  const down = thumbs.reduce((s, r) => s + r.down, 0);
  const thumbsAlpha = alphaFromTallies(thumbs.map((r) => ({ counts: new Map([[1, r.up], [0, r.down]]) })), "nominal");

  const annotators = new Map<string, RatingFigures["annotators"][number]>();
  for (const r of people) {
    const a = annotators.get(r.uid) ?? { userId: r.uid, name: r.name, count: 0, thumbsUp: null, means: Object.fromEntries(criteria.map((c) => [c.key, null])) };
    if (r.total === 1) {
      a.count = r.n;
      a.thumbsUp = r.thumbed ? round(r.up / r.thumbed) : null;
    } else if (r.key !== null && r.mean !== null) a.means[r.key] = { mean: round(r.mean)!, sd: round(r.sd ?? 0)! };
    annotators.set(r.uid, a);
  }
  const perModel = new Map<string, RatingFigures["models"][number]>();
  for (const r of models) {
    const m = perModel.get(r.model) ?? { model: r.model, count: 0, thumbsUp: null, means: Object.fromEntries(criteria.map((c) => [c.key, null])) };
    if (r.total === 1) {
      m.count = r.n;
      m.thumbsUp = r.thumbed ? round(r.up / r.thumbed) : null;
    } else if (r.key !== null) m.means[r.key] = round(r.mean);
    perModel.set(r.model, m);
  }
  const count = [...annotators.values()].reduce((s, a) => s + a.count, 0);
  return {
    kind: "ratings",
    count,
    thumbs: askThumbs || up + down > 0 ? { up, down, alpha: round(thumbsAlpha) } : null,
    criteria: perCriterion,
    annotators: [...annotators.values()].filter((a) => a.count > 0).sort((x, y) => y.count - x.count || x.name.localeCompare(y.name)),
    models: [...perModel.values()].filter((m) => m.count > 0).sort((x, y) => (y.thumbsUp ?? -1) - (x.thumbsUp ?? -1) || x.model.localeCompare(y.model)),
  };
}

/** The figures of a rating or demonstration project; null for comparison projects (see ./index.ts). */
export async function collectionAnalytics(projectId: string): Promise<CollectionFigures | null> {
  const [p] = await q<{ task_type: string; criteria: unknown; thumbs: boolean }>(`SELECT "taskType"::text AS task_type, criteria, thumbs FROM "Project" WHERE id = $1`, [projectId]);
  if (!p) return null;
  if (p.task_type === "DEMONSTRATION") return demonstrations(projectId);
  if (p.task_type === "RATING") return ratings(projectId, criteriaOf({ criteria: p.criteria as never }), p.thumbs);
  return null;
}
