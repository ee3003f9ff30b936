-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'EVAL';

-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "chatTemplate" BOOLEAN;

-- CreateTable
CREATE TABLE "RunDependency" (
    "runId" TEXT NOT NULL,
    "needsId" TEXT NOT NULL,

    CONSTRAINT "RunDependency_pkey" PRIMARY KEY ("runId","needsId")
);

-- CreateTable
CREATE TABLE "EvalResult" (
    "runId" TEXT NOT NULL,
    "policyModelId" TEXT NOT NULL,
    "referenceModelId" TEXT NOT NULL,
    "rewardModelId" TEXT NOT NULL,
    "snapshotId" TEXT,
    "winRate" DOUBLE PRECISION NOT NULL,
    "winRateLow" DOUBLE PRECISION NOT NULL,
    "winRateHigh" DOUBLE PRECISION NOT NULL,
    "tieRate" DOUBLE PRECISION NOT NULL,
    "rewardPolicy" DOUBLE PRECISION NOT NULL,
    "rewardReference" DOUBLE PRECISION NOT NULL,
    "kl" DOUBLE PRECISION NOT NULL,
    "lengthPolicy" DOUBLE PRECISION NOT NULL,
    "lengthReference" DOUBLE PRECISION NOT NULL,
    "prompts" INTEGER NOT NULL,
    "pairs" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EvalResult_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "LoopIteration" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "snapshotId" TEXT NOT NULL,
    "startPolicyId" TEXT NOT NULL,
    "runIds" TEXT[],
    "arenaProjectId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoopIteration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RunDependency_needsId_idx" ON "RunDependency"("needsId");

-- CreateIndex
CREATE INDEX "EvalResult_policyModelId_createdAt_idx" ON "EvalResult"("policyModelId", "createdAt");

-- CreateIndex
CREATE INDEX "EvalResult_referenceModelId_idx" ON "EvalResult"("referenceModelId");

-- CreateIndex
CREATE INDEX "LoopIteration_projectId_createdAt_idx" ON "LoopIteration"("projectId", "createdAt");

-- AddForeignKey
ALTER TABLE "RunDependency" ADD CONSTRAINT "RunDependency_runId_fkey" FOREIGN KEY ("runId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunDependency" ADD CONSTRAINT "RunDependency_needsId_fkey" FOREIGN KEY ("needsId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvalResult" ADD CONSTRAINT "EvalResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
