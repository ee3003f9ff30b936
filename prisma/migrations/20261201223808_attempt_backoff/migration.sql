-- Counters are short-lived (minutes): dropping the current ones lets windowEnd be NOT NULL without a made-up value.
DELETE FROM "RateLimit";

-- AlterTable
ALTER TABLE "RateLimit" DROP COLUMN "windowStart",
ADD COLUMN     "blockedUntil" TIMESTAMP(3),
ADD COLUMN     "windowEnd" TIMESTAMP(3) NOT NULL;

-- CreateIndex
CREATE INDEX "RateLimit_windowEnd_idx" ON "RateLimit"("windowEnd");
