-- CreateEnum
CREATE TYPE "SuggestionMode" AS ENUM ('HIDDEN', 'AFTER_SUBMIT', 'PREFILL');

-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'JUDGE';

-- AlterTable
ALTER TABLE "Annotation" ADD COLUMN     "suggestionMode" "SuggestionMode";

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "reviewJudgeDisagreeing" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "suggestionMode" "SuggestionMode" NOT NULL DEFAULT 'HIDDEN';

-- CreateTable
CREATE TABLE "Suggestion" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "judge" TEXT NOT NULL,
    "ranking" JSONB,
    "strength" "Strength",
    "ratings" JSONB NOT NULL DEFAULT '{}',
    "thumbs" BOOLEAN,
    "consistent" BOOLEAN,
    "answers" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suggestion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Suggestion_projectId_itemId_idx" ON "Suggestion"("projectId", "itemId");

-- CreateIndex
CREATE INDEX "Suggestion_itemId_createdAt_idx" ON "Suggestion"("itemId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Suggestion_runId_itemId_key" ON "Suggestion"("runId", "itemId");

-- AddForeignKey
ALTER TABLE "Suggestion" ADD CONSTRAINT "Suggestion_runId_fkey" FOREIGN KEY ("runId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Suggestion" ADD CONSTRAINT "Suggestion_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Suggestion" ADD CONSTRAINT "Suggestion_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "Item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which suggestion mode was in force is part of each judgement: stamped from the project as the row is written,
-- whatever wrote it (the annotation page, the API, a seed). Judgements from before this migration keep NULL: no
-- suggestion existed that anyone could have seen.
CREATE OR REPLACE FUNCTION "rlhf_stamp_suggestion_mode"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."suggestionMode" IS NULL THEN
    SELECT p."suggestionMode" INTO NEW."suggestionMode" FROM "Project" p WHERE p.id = NEW."projectId";
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "Annotation_suggestion_mode" BEFORE INSERT ON "Annotation"
  FOR EACH ROW EXECUTE FUNCTION "rlhf_stamp_suggestion_mode"();
