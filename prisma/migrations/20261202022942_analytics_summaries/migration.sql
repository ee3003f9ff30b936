-- CreateTable
CREATE TABLE "AnalyticsPendingItem" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,

    CONSTRAINT "AnalyticsPendingItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnalyticsProject" (
    "projectId" TEXT NOT NULL,
    "itemsCompared" INTEGER NOT NULL DEFAULT 0,
    "takenInAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnalyticsProject_pkey" PRIMARY KEY ("projectId")
);

-- CreateTable
CREATE TABLE "AnalyticsItemVotes" (
    "itemId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "userIds" TEXT[],
    "p1" SMALLINT[],
    "p2" SMALLINT[],
    "m1" TEXT[],
    "m2" TEXT[],
    "v" SMALLINT[],

    CONSTRAINT "AnalyticsItemVotes_pkey" PRIMARY KEY ("itemId")
);

-- CreateTable
CREATE TABLE "AnalyticsJudgement" (
    "itemId" TEXT NOT NULL,
    "annotationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "timeSpentMs" INTEGER NOT NULL,
    "goldCorrect" BOOLEAN,
    "flags" INTEGER NOT NULL,
    "decided" BOOLEAN NOT NULL,
    "firstShown" BOOLEAN NOT NULL,
    "chance" DECIMAL(65,30),
    "paced" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnalyticsJudgement_pkey" PRIMARY KEY ("itemId","annotationId")
);

-- CreateTable
CREATE TABLE "AnalyticsUnitTally" (
    "projectId" TEXT NOT NULL,
    "n0" INTEGER NOT NULL,
    "n1" INTEGER NOT NULL,
    "n2" INTEGER NOT NULL,
    "units" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsUnitTally_pkey" PRIMARY KEY ("projectId","n0","n1","n2")
);

-- CreateTable
CREATE TABLE "AnalyticsVoterTally" (
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "n0" INTEGER NOT NULL,
    "n1" INTEGER NOT NULL,
    "n2" INTEGER NOT NULL,
    "v" SMALLINT NOT NULL,
    "units" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsVoterTally_pkey" PRIMARY KEY ("projectId","userId","n0","n1","n2","v")
);

-- CreateTable
CREATE TABLE "AnalyticsOutcome" (
    "projectId" TEXT NOT NULL,
    "m1" TEXT NOT NULL,
    "m2" TEXT NOT NULL,
    "v" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsOutcome_pkey" PRIMARY KEY ("projectId","m1","m2","v")
);

-- CreateTable
CREATE TABLE "AnalyticsAnnotator" (
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "annotations" INTEGER NOT NULL,
    "goldAnswered" INTEGER NOT NULL,
    "goldCorrect" INTEGER NOT NULL,
    "flags" INTEGER NOT NULL,
    "decided" INTEGER NOT NULL,
    "firstShown" INTEGER NOT NULL,
    "chanceSum" DECIMAL(65,30) NOT NULL,

    CONSTRAINT "AnalyticsAnnotator_pkey" PRIMARY KEY ("projectId","userId")
);

-- CreateTable
CREATE TABLE "AnalyticsTimeBucket" (
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsTimeBucket_pkey" PRIMARY KEY ("projectId","userId","bucket")
);

-- CreateTable
CREATE TABLE "AnalyticsMinute" (
    "projectId" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "annotations" INTEGER NOT NULL,
    "paced" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsMinute_pkey" PRIMARY KEY ("projectId","minute")
);

-- CreateIndex
CREATE INDEX "AnalyticsPendingItem_projectId_id_idx" ON "AnalyticsPendingItem"("projectId", "id");

-- CreateIndex
CREATE INDEX "AnalyticsItemVotes_projectId_idx" ON "AnalyticsItemVotes"("projectId");

-- CreateIndex
CREATE INDEX "AnalyticsJudgement_projectId_userId_timeSpentMs_idx" ON "AnalyticsJudgement"("projectId", "userId", "timeSpentMs");

-- AddForeignKey
ALTER TABLE "AnalyticsPendingItem" ADD CONSTRAINT "AnalyticsPendingItem_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsProject" ADD CONSTRAINT "AnalyticsProject_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsUnitTally" ADD CONSTRAINT "AnalyticsUnitTally_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsVoterTally" ADD CONSTRAINT "AnalyticsVoterTally_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsOutcome" ADD CONSTRAINT "AnalyticsOutcome_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsAnnotator" ADD CONSTRAINT "AnalyticsAnnotator_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsTimeBucket" ADD CONSTRAINT "AnalyticsTimeBucket_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsMinute" ADD CONSTRAINT "AnalyticsMinute_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnalyticsProject"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---- Changed items, noted for the analytics summaries ----------------------------------------------------------
-- The analytics page used to recount a project's annotations on every refresh (17-33 s at a million). Now each
-- statement that changes annotations notes their items here, and the analytics procedure takes those items in again
-- before it reads the summaries (server/services/analytics/summaries.ts). A submit adds one row and touches no
-- shared counter, so judgements of one project never wait on each other for it. Inserts and deletes are noted per
-- statement (an import or a generated data set writes many rows at once); an update per row, and only when a column
-- that a figure reads changed.
CREATE FUNCTION "rlhf_analytics_note_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId")
    SELECT DISTINCT "projectId", "itemId" FROM new_annotations;
    RETURN NULL;
END
$$;

-- When a whole project is deleted its summaries go with it (cascade): nothing to note for a project that is gone.
CREATE FUNCTION "rlhf_analytics_note_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId")
    SELECT DISTINCT o."projectId", o."itemId" FROM old_annotations o
     WHERE EXISTS (SELECT 1 FROM "Project" p WHERE p.id = o."projectId");
    RETURN NULL;
END
$$;

CREATE FUNCTION "rlhf_analytics_note_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId") VALUES (NEW."projectId", NEW."itemId");
    IF OLD."itemId" IS DISTINCT FROM NEW."itemId" OR OLD."projectId" IS DISTINCT FROM NEW."projectId" THEN
        INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId") VALUES (OLD."projectId", OLD."itemId");
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "Annotation_analytics_inserted" AFTER INSERT ON "Annotation"
    REFERENCING NEW TABLE AS new_annotations FOR EACH STATEMENT EXECUTE FUNCTION "rlhf_analytics_note_inserted"();
CREATE TRIGGER "Annotation_analytics_deleted" AFTER DELETE ON "Annotation"
    REFERENCING OLD TABLE AS old_annotations FOR EACH STATEMENT EXECUTE FUNCTION "rlhf_analytics_note_deleted"();
CREATE TRIGGER "Annotation_analytics_changed" AFTER UPDATE ON "Annotation" FOR EACH ROW
    WHEN (OLD.ranking IS DISTINCT FROM NEW.ranking OR OLD.flags IS DISTINCT FROM NEW.flags
          OR OLD."timeSpentMs" IS DISTINCT FROM NEW."timeSpentMs" OR OLD."goldCorrect" IS DISTINCT FROM NEW."goldCorrect"
          OR OLD."isGold" IS DISTINCT FROM NEW."isGold" OR OLD.surplus IS DISTINCT FROM NEW.surplus
          OR OLD."createdAt" IS DISTINCT FROM NEW."createdAt" OR OLD."assignmentId" IS DISTINCT FROM NEW."assignmentId"
          OR OLD."userId" IS DISTINCT FROM NEW."userId" OR OLD."itemId" IS DISTINCT FROM NEW."itemId"
          OR OLD."projectId" IS DISTINCT FROM NEW."projectId")
    EXECUTE FUNCTION "rlhf_analytics_note_changed"();

-- Annotations stored before this migration: their items are taken in by the first analytics read of each project.
INSERT INTO "AnalyticsPendingItem" ("projectId", "itemId")
SELECT DISTINCT "projectId", "itemId" FROM "Annotation";

-- AnalyticsItemVotes and AnalyticsJudgement have no foreign key to AnalyticsProject (a key check per row slowed the
-- take-in); they go with it here, as a cascade would take them.
CREATE FUNCTION "rlhf_analytics_project_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "AnalyticsItemVotes" v USING old_projects o WHERE v."projectId" = o."projectId";
    DELETE FROM "AnalyticsJudgement" j USING old_projects o WHERE j."projectId" = o."projectId";
    RETURN NULL;
END
$$;

CREATE TRIGGER "AnalyticsProject_deleted" AFTER DELETE ON "AnalyticsProject"
    REFERENCING OLD TABLE AS old_projects FOR EACH STATEMENT EXECUTE FUNCTION "rlhf_analytics_project_deleted"();
