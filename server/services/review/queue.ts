// The review queue of a project: the judgements nobody has reviewed yet that its settings send to review — a
// stable sample of each annotator's work (reviewSampleRate, drawn by a hash of the annotation id, so every
// annotator's share is the rate and a judgement never drifts in or out), plus when switched on everything
// flagged, every failed gold answer and every judgement another annotator of the item disagrees with. Oldest
// first; a reviewer never gets their own judgements.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import { DISAGREES_SQL, JUDGE_DISAGREES_SQL } from "@/server/services/review/browse";

/** How far the queue's size is counted: beyond it the page says "at least". */
export const QUEUE_COUNT_CAP = 1000;

async function queueWhere(projectId: string) {
  const p = await db.project.findUnique({
    where: { id: projectId },
    select: { reviewSampleRate: true, reviewFlagged: true, reviewFailedGold: true, reviewDisagreeing: true, reviewJudgeDisagreeing: true },
  });
  if (!p) throw new AppError("NOT_FOUND", "No such project.");
  const reasons = [`(hashtext(a.id) & 2147483647) % 10000 < ${Math.round(p.reviewSampleRate * 10000)}`];
  if (p.reviewFlagged) reasons.push(`cardinality(a.flags) > 0`);
  if (p.reviewFailedGold) reasons.push(`a."goldCorrect" = false`);
  if (p.reviewDisagreeing) reasons.push(DISAGREES_SQL);
  if (p.reviewJudgeDisagreeing) reasons.push(JUDGE_DISAGREES_SQL);
  return `a."projectId" = $1 AND a."userId" <> $2 AND a."reviewState" IS NULL AND (${reasons.join(" OR ")})`;
}

/** The next judgement to review (after `after`, an annotation id the reviewer passes over), and how many wait. */
export async function nextInQueue(opts: { projectId: string; reviewerId: string; skip: string[] }) {
  const where = await queueWhere(opts.projectId);
  const [next, waiting] = await Promise.all([
    pool().query<{ id: string }>(
      `SELECT a.id FROM "Annotation" a WHERE ${where} AND a.id <> ALL($3::text[]) ORDER BY a."createdAt", a.id LIMIT 1`,
      [opts.projectId, opts.reviewerId, opts.skip],
    ),
    pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM "Annotation" a WHERE ${where} LIMIT ${QUEUE_COUNT_CAP}) x`, [opts.projectId, opts.reviewerId]),
  ]);
  return { annotationId: next.rows[0]?.id ?? null, waiting: waiting.rows[0].n, capped: waiting.rows[0].n >= QUEUE_COUNT_CAP };
}
