-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "dailyCap" INTEGER,
ADD COLUMN     "pauseMessage" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "pausedAt" TIMESTAMP(3),
ADD COLUMN     "showGoldAccuracy" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "totalCap" INTEGER;

-- AlterTable
ALTER TABLE "ProjectMember" ADD COLUMN     "dailyCap" INTEGER,
ADD COLUMN     "totalCap" INTEGER;

-- Existing projects and members keep working as before: no caps, not paused, gold accuracy hidden from annotators.
-- A cap is a positive number of items: the forms and the API refuse anything else, and so does the database.
ALTER TABLE "Project" ADD CONSTRAINT "Project_caps_positive" CHECK (("dailyCap" IS NULL OR "dailyCap" > 0) AND ("totalCap" IS NULL OR "totalCap" > 0));
ALTER TABLE "ProjectMember" ADD CONSTRAINT "ProjectMember_caps_positive" CHECK (("dailyCap" IS NULL OR "dailyCap" > 0) AND ("totalCap" IS NULL OR "totalCap" > 0));
