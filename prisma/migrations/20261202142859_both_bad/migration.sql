-- AlterTable
ALTER TABLE "AnalyticsJudgement" ADD COLUMN     "bothBadModels" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "bothBadJudged" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "AnalyticsModelBothBad" (
    "projectId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsModelBothBad_pkey" PRIMARY KEY ("projectId","model")
);

-- AddForeignKey
ALTER TABLE "AnalyticsModelBothBad" ADD CONSTRAINT "AnalyticsModelBothBad_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- A project's first judgement marked both bad sets "bothBadJudged" (the row is written once: later ones find it set
-- and lock nothing). Exports read it to know whether they need the condition that leaves such judgements out.
CREATE FUNCTION "rlhf_note_both_bad"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "Project" SET "bothBadJudged" = true WHERE id = NEW."projectId" AND NOT "bothBadJudged";
    RETURN NULL;
END
$$;
CREATE TRIGGER "Annotation_both_bad_inserted" AFTER INSERT ON "Annotation" FOR EACH ROW
    WHEN (NEW."bothBad") EXECUTE FUNCTION "rlhf_note_both_bad"();
CREATE TRIGGER "Annotation_both_bad_changed" AFTER UPDATE OF "bothBad" ON "Annotation" FOR EACH ROW
    WHEN (NEW."bothBad" AND NOT OLD."bothBad") EXECUTE FUNCTION "rlhf_note_both_bad"();
UPDATE "Project" p SET "bothBadJudged" = true WHERE EXISTS (SELECT 1 FROM "Annotation" a WHERE a."projectId" = p.id AND a."bothBad");

-- The analytics count both-bad judgements per model: a change of the flag sends its item through the take-in again.
DROP TRIGGER "Annotation_analytics_changed" ON "Annotation";
CREATE TRIGGER "Annotation_analytics_changed" AFTER UPDATE ON "Annotation" FOR EACH ROW
    WHEN (OLD.ranking IS DISTINCT FROM NEW.ranking OR OLD.flags IS DISTINCT FROM NEW.flags
          OR OLD."timeSpentMs" IS DISTINCT FROM NEW."timeSpentMs" OR OLD."goldCorrect" IS DISTINCT FROM NEW."goldCorrect"
          OR OLD."isGold" IS DISTINCT FROM NEW."isGold" OR OLD.surplus IS DISTINCT FROM NEW.surplus
          OR OLD."createdAt" IS DISTINCT FROM NEW."createdAt" OR OLD."assignmentId" IS DISTINCT FROM NEW."assignmentId"
          OR OLD."userId" IS DISTINCT FROM NEW."userId" OR OLD."itemId" IS DISTINCT FROM NEW."itemId"
          OR OLD."projectId" IS DISTINCT FROM NEW."projectId" OR OLD."bothBad" IS DISTINCT FROM NEW."bothBad"
          OR coalesce(OLD."reviewState" = 'REJECTED', false) <> coalesce(NEW."reviewState" = 'REJECTED', false))
    EXECUTE FUNCTION "rlhf_analytics_note_changed"();

-- Judgements already taken in were taken in without their models: their items are taken in again (which is harmless
-- for every other figure) so that the per-model counts start complete.
INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId")
SELECT DISTINCT a."projectId", a."itemId" FROM "Annotation" a WHERE a."bothBad";
