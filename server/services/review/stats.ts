// Review statistics per annotator, for the analytics page: how many of their judgements were reviewed, how the
// latest review of each came out, the acceptance rate and the most common rejection reasons. Read from the review
// rows (a project's reviews are few next to its judgements), the latest per judgement.
import { pool } from "@/server/pg";

export interface AnnotatorReviewStats {
  userId: string;
  name: string;
  reviewed: number;
  accepted: number;
  rejected: number;
  corrected: number;
  /** accepted / reviewed */
  acceptanceRate: number | null;
  /** rejection reasons (the chosen reason, before any details), most common first, at most three */
  topReasons: { reason: string; n: number }[];
}

export async function reviewStats(projectId: string): Promise<AnnotatorReviewStats[]> {
  const { rows } = await pool().query<{ user_id: string; name: string; reviewed: number; accepted: number; rejected: number; corrected: number; reasons: { reason: string; n: number }[] | null }>(
    `WITH latest AS (
       SELECT DISTINCT ON (r."annotationId") r."annotationId", r.state, r.reason
         FROM "AnnotationReview" r WHERE r."projectId" = $1 ORDER BY r."annotationId", r.id DESC),
     judged AS (SELECT a."userId", l.state, l.reason FROM latest l JOIN "Annotation" a ON a.id = l."annotationId"),
     reasons AS (
       SELECT "userId", split_part(reason, ': ', 1) AS reason, count(*)::int AS n,
              row_number() OVER (PARTITION BY "userId" ORDER BY count(*) DESC, split_part(reason, ': ', 1)) AS k
         FROM judged WHERE state = 'REJECTED' GROUP BY "userId", split_part(reason, ': ', 1))
     SELECT j."userId" AS user_id, u.name, count(*)::int AS reviewed,
            count(*) FILTER (WHERE j.state = 'ACCEPTED')::int AS accepted,
            count(*) FILTER (WHERE j.state = 'REJECTED')::int AS rejected,
            count(*) FILTER (WHERE j.state = 'CORRECTED')::int AS corrected,
            (SELECT json_agg(json_build_object('reason', x.reason, 'n', x.n) ORDER BY x.k) FROM reasons x WHERE x."userId" = j."userId" AND x.k <= 3) AS reasons
       FROM judged j JOIN "User" u ON u.id = j."userId"
      GROUP BY j."userId", u.name ORDER BY u.name, j."userId"`,
    [projectId],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    reviewed: r.reviewed,
    accepted: r.accepted,
    rejected: r.rejected,
    corrected: r.corrected,
    acceptanceRate: r.reviewed ? r.accepted / r.reviewed : null,
    topReasons: r.reasons ?? [],
  }));
}
