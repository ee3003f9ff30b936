// One judgement as a reviewer sees it (the item as its annotator saw it, every vote on the item, the item's
// history) and the review actions on it: accept, reject with a reason, correct. A correction goes through the same
// rules as a submit (check, judgementParams: ranking, ties, strength, ratings on their scales, gold correctness,
// the derived comparisons) and keeps the annotator's original in the review row; every action is one review row
// and one audit entry, in the transaction that changes the annotation.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import type { Prisma, ReviewState } from "@/server/generated/prisma/client";
import { pool } from "@/server/pg";
import type { Judgement } from "@/server/schemas/judgement";
import type { ReviewAction } from "@/server/schemas/review";
import { check, judgementParams, type RulesRow } from "@/server/services/annotation/judgement";
import { toItemView, type ItemViewRow } from "@/server/services/annotation/item-view";
import { ANNOTATION_ITEM_VIEW_SQL, EDIT_CONTEXT_SQL } from "@/server/services/annotation/sql";
import * as audit from "@/server/services/audit";
import { criteriaOf } from "@/server/services/projects";

const JUDGEMENT_FIELDS = {
  id: true, userId: true, ranking: true, strength: true, bothBad: true, ratings: true, thumbs: true, demonstration: true,
  demonstrationFrom: true, rationale: true, flags: true, flagNote: true, timeSpentMs: true, late: true, surplus: true,
  isGold: true, goldCorrect: true, reviewState: true, createdAt: true,
} as const;

function notFound(): AppError {
  return new AppError("NOT_FOUND", "No such judgement in this project.", [{ field: "annotationId", message: "unknown judgement" }]);
}

/** The judgement, its item as the annotator saw it, the other votes on the item, the item's history and reviews. */
export async function judgementDetail(opts: { projectId: string; annotationId: string }) {
  const annotation = await db.annotation.findFirst({
    where: { id: opts.annotationId, projectId: opts.projectId },
    select: { ...JUDGEMENT_FIELDS, itemId: true, user: { select: { id: true, name: true } } },
  });
  if (!annotation) throw notFound();
  const project = await db.project.findUniqueOrThrow({
    where: { id: opts.projectId },
    select: { id: true, name: true, slug: true, taskType: true, criteria: true, allowTies: true, requireRationale: true, thumbs: true },
  });
  const { rows } = await pool().query<ItemViewRow>(ANNOTATION_ITEM_VIEW_SQL, [annotation.id]);
  // the reviewer sees the models (the annotator may not have); the order is the annotator's
  const item = toItemView(rows[0], true);
  const [itemRow, votes, assignments, reviews] = await Promise.all([
    db.item.findUniqueOrThrow({
      where: { id: annotation.itemId },
      select: {
        id: true, isGold: true, goldRanking: true, goldThumbs: true, status: true, completedCount: true, createdAt: true,
        adjudicated: { select: { ranking: true, strength: true, note: true, updatedAt: true, reviewer: { select: { id: true, name: true } } } },
      },
    }),
    db.annotation.findMany({
      where: { itemId: annotation.itemId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { ...JUDGEMENT_FIELDS, user: { select: { id: true, name: true } } },
    }),
    db.assignment.findMany({
      where: { itemId: annotation.itemId },
      orderBy: { leasedAt: "asc" },
      select: { id: true, state: true, skipReason: true, leasedAt: true, user: { select: { id: true, name: true } } },
    }),
    db.annotationReview.findMany({
      where: { annotation: { itemId: annotation.itemId } },
      orderBy: { id: "asc" },
      select: { id: true, annotationId: true, state: true, reason: true, original: true, createdAt: true, reviewer: { select: { id: true, name: true } } },
    }),
  ]);
  const { criteria, ...rest } = project;
  return {
    project: { ...rest, criteria: criteriaOf({ criteria }) },
    annotation,
    item: { ...item, ...itemRow },
    votes,
    history: assignments,
    reviews: reviews.map((r) => ({ ...r, id: r.id.toString() })),
  };
}

interface CorrectionContextRow extends RulesRow {
  id: string;
}

const STATE: Record<ReviewAction["action"], ReviewState> = { accept: "ACCEPTED", reject: "REJECTED", correct: "CORRECTED" };

/** Accepts, rejects or corrects one judgement; answers with its new review state. */
export async function reviewJudgement(opts: { projectId: string; annotationId: string; reviewerId: string; review: ReviewAction }): Promise<{ reviewState: ReviewState }> {
  const { review } = opts;
  const before = await db.annotation.findFirst({ where: { id: opts.annotationId, projectId: opts.projectId }, select: JUDGEMENT_FIELDS });
  if (!before) throw notFound();
  if (before.userId === opts.reviewerId) throw new AppError("FORBIDDEN", "You cannot review your own judgement.");

  let params: unknown[] | null = null;
  if (review.action === "correct") {
    // the project's rules for this item, as an edit reads them (the annotator's own rules: EDIT_CONTEXT_SQL)
    const { rows } = await pool().query<CorrectionContextRow>(EDIT_CONTEXT_SQL, [before.id, before.userId]);
    const judgement: Judgement = { ...review.judgement, timeSpentMs: 0 };
    check(rows[0], judgement);
    params = judgementParams(judgement, rows[0]);
  }
  const state = STATE[review.action];
  const reason = review.action === "reject" ? review.reason : review.note;
  await db.$transaction(async (tx) => {
    // the item's lock, taken first as submits and edits take it: a correction and an edit cannot interleave
    await tx.$queryRawUnsafe(`SELECT id FROM "Item" WHERE id = (SELECT "itemId" FROM "Annotation" WHERE id = $1) FOR UPDATE`, before.id);
    if (params) {
      const [ranking, strength, bothBad, ratings, rationale, flags, flagNote, , goldCorrect, chosen, rejected, margins, thumbs, demonstration, demonstrationFrom, editHash] = params;
      await tx.$executeRawUnsafe(
        `UPDATE "Annotation" SET ranking = $2::jsonb, strength = $3::"Strength", "bothBad" = $4, ratings = $5::jsonb, rationale = $6,
                flags = $7::text[], "flagNote" = $8, "goldCorrect" = $9, thumbs = $10, demonstration = $11, "demonstrationFrom" = $12,
                "reviewState" = 'CORRECTED', "updatedAt" = now()
          WHERE id = $1`,
        before.id, ranking, strength, bothBad, ratings, rationale, flags, flagNote, goldCorrect, thumbs, demonstration, demonstrationFrom,
      );
      await tx.$queryRawUnsafe(
        `SELECT rlhf_judgement_comparisons($1, (SELECT "itemId" FROM "Annotation" WHERE id = $1), $2, $3::text[], $4::text[], $5::float8[], $6, $7, $8)::text`,
        before.id, before.userId, chosen, rejected, margins, demonstration, demonstrationFrom, editHash,
      );
    } else {
      await tx.annotation.update({ where: { id: before.id }, data: { reviewState: state } });
    }
    const original = review.action === "correct" ? (JSON.parse(JSON.stringify(before)) as Prisma.InputJsonValue) : undefined;
    await tx.annotationReview.create({ data: { annotationId: before.id, projectId: opts.projectId, reviewerId: opts.reviewerId, state, reason, original } });
    await audit.record(
      {
        actorId: opts.reviewerId,
        action: `review.${review.action}`,
        targetType: "annotation",
        targetId: before.id,
        before: { reviewState: before.reviewState, ...(review.action === "correct" ? before : {}) },
        after: { reviewState: state, ...(reason ? { reason } : {}), ...(review.action === "correct" ? { judgement: review.judgement } : {}) },
      },
      tx,
    );
  });
  return { reviewState: state };
}
