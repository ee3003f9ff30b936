-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "WebhookSubscription" (
    "id" TEXT NOT NULL,
    "projectId" TEXT,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secretEncrypted" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL DEFAULT ('evt_'::text || replace((gen_random_uuid())::text, '-'::text, ''::text)),
    "type" TEXT NOT NULL,
    "projectIds" TEXT[],
    "data" JSONB NOT NULL,
    "fannedOut" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "eventId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" BIGSERIAL NOT NULL,
    "deliveryId" BIGINT NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookSubscription_projectId_idx" ON "WebhookSubscription"("projectId");

-- CreateIndex
CREATE INDEX "WebhookEvent_fannedOut_createdAt_idx" ON "WebhookEvent"("fannedOut", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_subscriptionId_createdAt_idx" ON "WebhookDelivery"("subscriptionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_eventId_subscriptionId_key" ON "WebhookDelivery"("eventId", "subscriptionId");

-- CreateIndex
CREATE INDEX "WebhookAttempt_deliveryId_id_idx" ON "WebhookAttempt"("deliveryId", "id");

-- AddForeignKey
ALTER TABLE "WebhookSubscription" ADD CONSTRAINT "WebhookSubscription_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "WebhookSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookAttempt" ADD CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The outbox's one writer (server/services/webhooks): an event of `event_type` for `project_ids`, written in the
-- caller's transaction and only while an active subscription wants it, so a project without webhooks pays one
-- EXISTS probe on a small table per event and writes nothing.
CREATE FUNCTION rlhf_webhook_event(event_type text, project_ids text[], payload jsonb) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "WebhookEvent" ("type", "projectIds", "data")
  SELECT event_type, project_ids, payload
   WHERE EXISTS (SELECT 1 FROM "WebhookSubscription" s
                  WHERE s.active AND event_type = ANY (s.events)
                    AND (s."projectId" IS NULL OR s."projectId" = ANY (project_ids)));
$$;

-- item.completed: the item's last overlap vote is in (rlhf_submit_annotation sets COMPLETE under the item's row lock;
-- a lowered overlap completes items too). Fires once per transition, not per judgement.
CREATE FUNCTION rlhf_webhook_item_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rlhf_webhook_event('item.completed', ARRAY[NEW."projectId"],
    jsonb_build_object('itemId', NEW.id, 'projectId', NEW."projectId", 'promptId', NEW."promptId", 'completedCount', NEW."completedCount"));
  RETURN NULL;
END $$;
CREATE TRIGGER "Item_webhook_completed" AFTER UPDATE OF status ON "Item" FOR EACH ROW
  WHEN (NEW.status = 'COMPLETE' AND OLD.status IS DISTINCT FROM 'COMPLETE' AND NOT NEW."isGold")
  EXECUTE FUNCTION rlhf_webhook_item_completed();

-- import.finished: an import job reached SUCCEEDED or FAILED.
CREATE FUNCTION rlhf_webhook_import_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rlhf_webhook_event('import.finished', ARRAY[NEW."projectId"],
    jsonb_build_object('importId', NEW.id, 'projectId', NEW."projectId", 'status', NEW.status, 'fileName', NEW."fileName",
                       'format', NEW.format, 'counts', NEW.counts, 'errorCount', NEW."errorCount", 'message', NEW.message));
  RETURN NULL;
END $$;
CREATE TRIGGER "ImportJob_webhook_finished" AFTER UPDATE OF status ON "ImportJob" FOR EACH ROW
  WHEN (NEW.status IN ('SUCCEEDED', 'FAILED') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION rlhf_webhook_import_finished();

-- snapshot.ready: a snapshot's files are written (SUCCEEDED).
CREATE FUNCTION rlhf_webhook_snapshot_ready() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rlhf_webhook_event('snapshot.ready', NEW."projectIds",
    jsonb_build_object('snapshotId', NEW.id, 'name', NEW.name, 'version', NEW.version, 'projectIds', to_jsonb(NEW."projectIds"),
                       'rowCounts', NEW."rowCounts", 'files', NEW.files));
  RETURN NULL;
END $$;
CREATE TRIGGER "Snapshot_webhook_ready" AFTER UPDATE OF status ON "Snapshot" FOR EACH ROW
  WHEN (NEW.status = 'SUCCEEDED' AND OLD.status IS DISTINCT FROM 'SUCCEEDED')
  EXECUTE FUNCTION rlhf_webhook_snapshot_ready();

-- run.succeeded / run.failed: a run finished (a success has registered its model in the same transaction).
CREATE FUNCTION rlhf_webhook_run_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rlhf_webhook_event(CASE NEW.status WHEN 'SUCCEEDED' THEN 'run.succeeded' ELSE 'run.failed' END,
    array_remove(ARRAY[NEW."projectId"], NULL),
    jsonb_build_object('runId', NEW.id, 'kind', NEW.kind, 'name', NEW.name, 'status', NEW.status, 'error', NEW.error,
                       'snapshotId', NEW."snapshotId", 'modelId', NEW."modelId", 'projectId', NEW."projectId", 'attempts', NEW.attempts));
  RETURN NULL;
END $$;
CREATE TRIGGER "TrainingRun_webhook_finished" AFTER UPDATE OF status ON "TrainingRun" FOR EACH ROW
  WHEN (NEW.status IN ('SUCCEEDED', 'FAILED') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION rlhf_webhook_run_finished();
