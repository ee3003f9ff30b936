-- DropIndex
DROP INDEX "Annotation_userId_createdAt_idx";

-- DropIndex
DROP INDEX "Item_projectId_status_isGold_priority_createdAt_idx";

-- AlterTable
ALTER TABLE "Item" ADD COLUMN     "busyUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Annotation_userId_projectId_createdAt_idx" ON "Annotation"("userId", "projectId", "createdAt");

-- CreateIndex
CREATE INDEX "Item_projectId_status_isGold_priority_createdAt_id_idx" ON "Item"("projectId", "status", "isGold", "priority" DESC, "createdAt", "id");

-- CreateIndex
CREATE INDEX "Item_queue_active_learning_idx" ON "Item"("projectId", "status", "isGold", "priority" DESC, "rmScoreGap", "createdAt", "id");

-- The annotation hot path as two functions, so that a claim and a submit are one statement (one round trip) each.
-- Both are VOLATILE plpgsql: every statement inside takes a fresh snapshot (READ COMMITTED), which is what makes
-- "lock the item, then re-check what others committed meanwhile" correct inside a single call. The rules they
-- enforce are documented in server/services/annotation.ts, which is their only caller.

-- Claims one item for p_user_id: the best free item (priority, then age; with active learning the smallest reward-
-- model score gap first) is locked with SKIP LOCKED, then — in a second statement that sees every lease committed
-- while the first ran — the lease is inserted only if fewer than p_overlap other annotators hold a place on it (a
-- submitted judgement or an unexpired lease). Gold items ignore overlap. Returns no row when nothing is free.
-- Items whose "busyUntil" lies ahead are skipped without counting their leases: with 100 annotators at work, the
-- head of the queue is 100–200 leased items, and counting each one's leases on every claim was most of the
-- database's work. The claim that takes an item's last place sets the hint.
-- A failed re-check means another annotator took that item meanwhile, so the loop makes progress on every turn;
-- under heavy contention (100 claimers on the same head of the queue) a handful of turns can fail in a row, and
-- giving up early would tell an annotator the queue is dry when it is not.
CREATE FUNCTION "rlhf_claim_item"(
    p_project_id TEXT, p_user_id TEXT, p_gold BOOLEAN, p_overlap INTEGER, p_lease_seconds INTEGER, p_active_learning BOOLEAN
) RETURNS TABLE (assignment_id TEXT, item_id TEXT, expires_at TIMESTAMP(3), shown_order TEXT[])
-- ROWS 1: the caller joins the result to the prompt and candidates, which must be index lookups, not hash joins
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
DECLARE
    v_item TEXT;
BEGIN
    FOR attempt IN 1..100 LOOP
        -- two statements for the two orders, so that each walks its own index (Item_queue_active_learning_idx,
        -- Item_projectId_status_isGold_priority_createdAt_id_idx) and stops at the first free item
        IF p_active_learning THEN
            SELECT i.id INTO v_item FROM "Item" i
             WHERE i."projectId" = p_project_id AND i.status = 'OPEN' AND i."isGold" = p_gold
               AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."itemId" = i.id AND a."userId" = p_user_id)
               AND (p_gold OR ((i."busyUntil" IS NULL OR i."busyUntil" <= now())
                               AND (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = i.id AND a.state IN ('SUBMITTED', 'ACTIVE')
                                      AND (a.state = 'SUBMITTED' OR a."expiresAt" > now())) < p_overlap))
             ORDER BY i.priority DESC, i."rmScoreGap" ASC NULLS LAST, i."createdAt", i.id
             LIMIT 1 FOR UPDATE OF i SKIP LOCKED;
        ELSE
            SELECT i.id INTO v_item FROM "Item" i
             WHERE i."projectId" = p_project_id AND i.status = 'OPEN' AND i."isGold" = p_gold
               AND NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."itemId" = i.id AND a."userId" = p_user_id)
               AND (p_gold OR ((i."busyUntil" IS NULL OR i."busyUntil" <= now())
                               AND (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = i.id AND a.state IN ('SUBMITTED', 'ACTIVE')
                                      AND (a.state = 'SUBMITTED' OR a."expiresAt" > now())) < p_overlap))
             ORDER BY i.priority DESC, i."createdAt", i.id
             LIMIT 1 FOR UPDATE OF i SKIP LOCKED;
        END IF;
        IF v_item IS NULL THEN
            RETURN;
        END IF;
        RETURN QUERY
        INSERT INTO "Assignment" AS a (id, "itemId", "userId", "projectId", state, "leasedAt", "expiresAt", "shownOrder")
        SELECT gen_random_uuid()::text, v_item, p_user_id, p_project_id, 'ACTIVE', now(), now() + make_interval(secs => p_lease_seconds),
               (SELECT array_agg(ic."candidateId" ORDER BY random()) FROM "ItemCandidate" ic WHERE ic."itemId" = v_item)
         WHERE p_gold OR (SELECT count(*) FROM "Assignment" o WHERE o."itemId" = v_item AND o."userId" <> p_user_id
                            AND o.state IN ('SUBMITTED', 'ACTIVE') AND (o.state = 'SUBMITTED' OR o."expiresAt" > now())) < p_overlap
        ON CONFLICT ("itemId", "userId") DO NOTHING
        RETURNING a.id, a."itemId", a."expiresAt", a."shownOrder";
        IF FOUND THEN
            -- this lease took the last place: nobody can get the item before the earliest live lease expires
            IF NOT p_gold THEN
                UPDATE "Item" SET "busyUntil" = (SELECT min(o."expiresAt") FROM "Assignment" o
                                                   WHERE o."itemId" = v_item AND o.state = 'ACTIVE' AND o."expiresAt" > now())
                 WHERE id = v_item
                   AND (SELECT count(*) FROM "Assignment" o WHERE o."itemId" = v_item AND o.state IN ('SUBMITTED', 'ACTIVE')
                          AND (o.state = 'SUBMITTED' OR o."expiresAt" > now())) >= p_overlap;
            END IF;
            RETURN;
        END IF;
    END LOOP;
END
$$;

-- Stores one judgement. Under the item's row lock (which serializes every submit of the item): a submission id
-- already stored returns that annotation ('duplicate'); a submitted or skipped assignment is refused; otherwise the
-- annotation, its comparison rows, the assignment state and the item's count are written together. A submit after
-- the lease expired is stored as late; one arriving when the item already has p_overlap judgements as surplus.
CREATE FUNCTION "rlhf_submit_annotation"(
    p_submission_id TEXT, p_assignment_id TEXT, p_user_id TEXT,
    p_ranking JSONB, p_strength "Strength", p_both_bad BOOLEAN, p_ratings JSONB, p_rationale TEXT,
    p_flags TEXT[], p_flag_note TEXT, p_time_spent_ms INTEGER, p_gold_correct BOOLEAN,
    p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[]
) RETURNS TABLE (outcome TEXT, annotation_id TEXT, owner_id TEXT, late BOOLEAN, surplus BOOLEAN)
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
DECLARE
    v_item "Item"%ROWTYPE;
    v_overlap INTEGER;
    v_state "AssignmentState";
    v_expires TIMESTAMP(3);
    v_late BOOLEAN;
    v_surplus BOOLEAN;
    v_id TEXT;
BEGIN
    SELECT i.* INTO v_item FROM "Item" i JOIN "Assignment" a ON a."itemId" = i.id
     WHERE a.id = p_assignment_id AND a."userId" = p_user_id
       FOR UPDATE OF i;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text, NULL::boolean, NULL::boolean;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'duplicate'::text, n.id, n."userId", n.late, n.surplus FROM "Annotation" n WHERE n."submissionId" = p_submission_id;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT a.state, a."expiresAt" INTO v_state, v_expires FROM "Assignment" a WHERE a.id = p_assignment_id;
    IF v_state IN ('SUBMITTED', 'SKIPPED') THEN
        RETURN QUERY SELECT lower(v_state::text), NULL::text, NULL::text, NULL::boolean, NULL::boolean;
        RETURN;
    END IF;
    SELECT p.overlap INTO v_overlap FROM "Project" p WHERE p.id = v_item."projectId";
    v_surplus := NOT v_item."isGold" AND v_item."completedCount" >= v_overlap;
    v_late := v_state = 'EXPIRED' OR v_expires < now();
    INSERT INTO "Annotation" (id, "submissionId", "assignmentId", "itemId", "projectId", "userId", ranking, strength, "bothBad",
                              ratings, rationale, flags, "flagNote", "timeSpentMs", late, surplus, "isGold", "goldCorrect", "updatedAt")
    VALUES (gen_random_uuid()::text, p_submission_id, p_assignment_id, v_item.id, v_item."projectId", p_user_id, p_ranking, p_strength,
            p_both_bad, p_ratings, p_rationale, p_flags, p_flag_note, p_time_spent_ms, v_late, v_surplus, v_item."isGold",
            p_gold_correct, now())
    RETURNING id INTO v_id;
    UPDATE "Assignment" SET state = 'SUBMITTED' WHERE id = p_assignment_id;
    IF NOT v_surplus AND NOT v_item."isGold" THEN
        UPDATE "Item"
           SET "completedCount" = "completedCount" + 1,
               status = CASE WHEN "completedCount" + 1 >= v_overlap THEN 'COMPLETE'::"ItemStatus" ELSE status END
         WHERE id = v_item.id;
    END IF;
    INSERT INTO "Comparison" ("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
    SELECT v_id, v_item."projectId", v_item.id, v_item."promptId", p_user_id, c.chosen, c.rejected, c.margin
      FROM unnest(p_chosen, p_rejected, p_margins) AS c(chosen, rejected, margin);
    RETURN QUERY SELECT 'ok'::text, v_id, p_user_id, v_late, v_surplus;
END
$$;
