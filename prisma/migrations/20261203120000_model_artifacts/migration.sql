-- A model's place in the artifact store and its directory digest (issue 18: workers on other hosts).
ALTER TABLE "Model" ADD COLUMN "storeKey" TEXT;
ALTER TABLE "Model" ADD COLUMN "sha256" TEXT;
