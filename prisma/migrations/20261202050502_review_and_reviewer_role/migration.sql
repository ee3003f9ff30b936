-- CreateEnum
CREATE TYPE "MemberRole" AS ENUM ('ANNOTATOR', 'REVIEWER');

-- CreateEnum
CREATE TYPE "ReviewState" AS ENUM ('ACCEPTED', 'REJECTED', 'CORRECTED');

-- AlterTable
ALTER TABLE "Annotation" ADD COLUMN     "reviewState" "ReviewState";

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "reviewDisagreeing" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "reviewFailedGold" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "reviewFlagged" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "reviewSampleRate" DOUBLE PRECISION NOT NULL DEFAULT 0.1;

-- AlterTable
ALTER TABLE "ProjectMember" ADD COLUMN     "role" "MemberRole" NOT NULL DEFAULT 'ANNOTATOR';

-- CreateTable
CREATE TABLE "AnnotationReview" (
    "id" BIGSERIAL NOT NULL,
    "annotationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "state" "ReviewState" NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "original" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnnotationReview_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Annotation_projectId_timeSpentMs_id_idx" ON "Annotation"("projectId", "timeSpentMs", "id");

-- CreateIndex
CREATE INDEX "AnnotationReview_annotationId_id_idx" ON "AnnotationReview"("annotationId", "id");

-- CreateIndex
CREATE INDEX "AnnotationReview_projectId_state_idx" ON "AnnotationReview"("projectId", "state");

-- AddForeignKey
ALTER TABLE "AnnotationReview" ADD CONSTRAINT "AnnotationReview_annotationId_fkey" FOREIGN KEY ("annotationId") REFERENCES "Annotation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationReview" ADD CONSTRAINT "AnnotationReview_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A rejected judgement leaves the analytics (server/services/analytics/summaries.ts reads only the others): a change
-- of review state must send its item through the take-in again, like any other change a figure reads.
DROP TRIGGER "Annotation_analytics_changed" ON "Annotation";
CREATE TRIGGER "Annotation_analytics_changed" AFTER UPDATE ON "Annotation" FOR EACH ROW
    WHEN (OLD.ranking IS DISTINCT FROM NEW.ranking OR OLD.flags IS DISTINCT FROM NEW.flags
          OR OLD."timeSpentMs" IS DISTINCT FROM NEW."timeSpentMs" OR OLD."goldCorrect" IS DISTINCT FROM NEW."goldCorrect"
          OR OLD."isGold" IS DISTINCT FROM NEW."isGold" OR OLD.surplus IS DISTINCT FROM NEW.surplus
          OR OLD."createdAt" IS DISTINCT FROM NEW."createdAt" OR OLD."assignmentId" IS DISTINCT FROM NEW."assignmentId"
          OR OLD."userId" IS DISTINCT FROM NEW."userId" OR OLD."itemId" IS DISTINCT FROM NEW."itemId"
          OR OLD."projectId" IS DISTINCT FROM NEW."projectId"
          OR coalesce(OLD."reviewState" = 'REJECTED', false) <> coalesce(NEW."reviewState" = 'REJECTED', false))
    EXECUTE FUNCTION "rlhf_analytics_note_changed"();

-- Adjudication: a reviewer's final answer for an item its annotators disagree on.
-- CreateTable
CREATE TABLE "Adjudication" (
    "itemId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "ranking" JSONB NOT NULL,
    "strength" "Strength",
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Adjudication_pkey" PRIMARY KEY ("itemId")
);

-- CreateIndex
CREATE INDEX "Adjudication_projectId_idx" ON "Adjudication"("projectId");

-- AddForeignKey
ALTER TABLE "Adjudication" ADD CONSTRAINT "Adjudication_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "Item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Adjudication" ADD CONSTRAINT "Adjudication_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Workforce: the gold-accuracy pause.
-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "minGoldAccuracy" DOUBLE PRECISION,
ADD COLUMN     "minGoldAnswers" INTEGER NOT NULL DEFAULT 10;

-- AlterTable
ALTER TABLE "ProjectMember" ADD COLUMN     "pauseReason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "pausedAt" TIMESTAMP(3),
ADD COLUMN     "reinstatedAt" TIMESTAMP(3);

-- A paused member may not judge: claims are refused by the annotator context (server/services/annotation/context.ts,
-- the same ProjectMember row it reads for membership), submits, edits and skips here — one more look at that row.
CREATE OR REPLACE FUNCTION "rlhf_judging_refusal"(p_project_id TEXT, p_user_id TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE
             WHEN NOT EXISTS (SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = p_project_id AND m."userId" = p_user_id)
              AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = p_user_id AND u.role = 'ADMIN' AND u.active) THEN 'not_found'
             WHEN (SELECT p.archived FROM "Project" p WHERE p.id = p_project_id) THEN 'archived'
             WHEN EXISTS (SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = p_project_id AND m."userId" = p_user_id AND m."pausedAt" IS NOT NULL) THEN 'paused'
           END
$$;
