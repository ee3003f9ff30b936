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
-- (A cap is a positive number of items: server/schemas/project.ts capSchema checks it at every edge. Not as a CHECK
-- constraint: Prisma's schema engine, which the drift test and db:new-migration run, panics on reading one.)
