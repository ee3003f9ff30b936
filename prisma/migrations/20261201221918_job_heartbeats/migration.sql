-- AlterTable
ALTER TABLE "ImportJob" ADD COLUMN     "heartbeatAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "heartbeatAt" TIMESTAMP(3);
