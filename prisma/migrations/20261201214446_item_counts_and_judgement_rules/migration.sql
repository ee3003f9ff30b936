-- CreateTable
CREATE TABLE "ProjectItemCount" (
    "projectId" TEXT NOT NULL,
    "status" "ItemStatus" NOT NULL,
    "isGold" BOOLEAN NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ProjectItemCount_pkey" PRIMARY KEY ("projectId","status","isGold")
);

-- AddForeignKey
ALTER TABLE "ProjectItemCount" ADD CONSTRAINT "ProjectItemCount_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---- Item counts per project and status, exact at every commit -------------------------------------------------
-- The annotation page shows "left for you" after every judgement; counting a project's open items each time was a
-- scan of the whole queue per judgement. Inserts and deletes are counted per statement (an import inserts a
-- million items in one statement: one update of the counts, not a million); a status change is counted per row,
-- and only when the status (or gold flag) really changes, which on the hot path is the submit that completes an item.
INSERT INTO "ProjectItemCount" ("projectId", status, "isGold", count)
SELECT "projectId", status, "isGold", count(*) FROM "Item" GROUP BY 1, 2, 3;

CREATE FUNCTION "rlhf_item_counts_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- in key order, so that two statements adding to the same counts cannot deadlock
    INSERT INTO "ProjectItemCount" AS c ("projectId", status, "isGold", count)
    SELECT "projectId", status, "isGold", count(*) FROM new_items GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ("projectId", status, "isGold") DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

-- Only existing rows are decremented: when a whole project is deleted its counts go with it (cascade), and
-- re-inserting them here would point at a project that no longer exists.
CREATE FUNCTION "rlhf_item_counts_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "ProjectItemCount" c SET count = c.count - d.n
      FROM (SELECT "projectId", status, "isGold", count(*) AS n FROM old_items GROUP BY 1, 2, 3) d
     WHERE c."projectId" = d."projectId" AND c.status = d.status AND c."isGold" = d."isGold";
    RETURN NULL;
END
$$;

CREATE FUNCTION "rlhf_item_counts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "ProjectItemCount" AS c ("projectId", status, "isGold", count)
    SELECT k."projectId", k.status, k."isGold", k.n
      FROM (VALUES (OLD."projectId", OLD.status, OLD."isGold", -1), (NEW."projectId", NEW.status, NEW."isGold", 1))
           AS k("projectId", status, "isGold", n)
     ORDER BY 1, 2, 3
    ON CONFLICT ("projectId", status, "isGold") DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE TRIGGER "Item_counts_inserted" AFTER INSERT ON "Item"
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION "rlhf_item_counts_inserted"();
CREATE TRIGGER "Item_counts_deleted" AFTER DELETE ON "Item"
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION "rlhf_item_counts_deleted"();
CREATE TRIGGER "Item_counts_changed" AFTER UPDATE OF status, "isGold", "projectId" ON "Item" FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD."isGold" IS DISTINCT FROM NEW."isGold" OR OLD."projectId" IS DISTINCT FROM NEW."projectId")
    EXECUTE FUNCTION "rlhf_item_counts_changed"();

-- ---- What a judgement writes, defined once ----------------------------------------------------------------------
-- The comparison rows of an annotation (every pair its ranking orders, with the margin the server derived), written
-- by a submit and rewritten by an edit of the last submission.
CREATE FUNCTION "rlhf_write_comparisons"(
    p_annotation_id TEXT, p_item_id TEXT, p_user_id TEXT, p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[]
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    DELETE FROM "Comparison" WHERE "annotationId" = p_annotation_id;
    INSERT INTO "Comparison" ("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
    SELECT p_annotation_id, i."projectId", i.id, i."promptId", p_user_id, c.chosen, c.rejected, c.margin
      FROM "Item" i, unnest(p_chosen, p_rejected, p_margins) AS c(chosen, rejected, margin)
     WHERE i.id = p_item_id;
END
$$;

-- Whether p_user_id may judge in the project right now: a member (or an admin) of a project that is not archived.
-- Checked inside the writes, under the item's lock, so a member removed or a project archived a moment ago cannot
-- still land a judgement through a lease they held.
CREATE FUNCTION "rlhf_judging_refusal"(p_project_id TEXT, p_user_id TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE
             WHEN NOT EXISTS (SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = p_project_id AND m."userId" = p_user_id)
              AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = p_user_id AND u.role = 'ADMIN' AND u.active) THEN 'not_found'
             WHEN (SELECT p.archived FROM "Project" p WHERE p.id = p_project_id) THEN 'archived'
           END
$$;

-- Stores one judgement (as before, see the queue_hot_path migration), now refusing callers who may no longer judge
-- in the project ('not_found', 'archived') and writing its comparisons through rlhf_write_comparisons.
CREATE OR REPLACE FUNCTION "rlhf_submit_annotation"(
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
    v_refusal TEXT;
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
    v_refusal := rlhf_judging_refusal(v_item."projectId", p_user_id);
    IF v_refusal IS NOT NULL THEN
        RETURN QUERY SELECT v_refusal, NULL::text, NULL::text, NULL::boolean, NULL::boolean;
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
    PERFORM rlhf_write_comparisons(v_id, v_item.id, p_user_id, p_chosen, p_rejected, p_margins);
    RETURN QUERY SELECT 'ok'::text, v_id, p_user_id, v_late, v_surplus;
END
$$;

-- Edits p_user_id's last annotation in its project, within p_window_seconds of its creation: the judgement's fields
-- replace the stored ones (time spent adds up), and its comparisons are rewritten. Outcomes: 'ok', 'not_found'
-- (no such annotation of theirs, or no longer a member), 'archived', 'not_last' (a later one exists or the window
-- has passed).
CREATE FUNCTION "rlhf_edit_annotation"(
    p_annotation_id TEXT, p_user_id TEXT, p_window_seconds INTEGER,
    p_ranking JSONB, p_strength "Strength", p_both_bad BOOLEAN, p_ratings JSONB, p_rationale TEXT,
    p_flags TEXT[], p_flag_note TEXT, p_time_spent_ms INTEGER, p_gold_correct BOOLEAN,
    p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[]
) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_item_id TEXT;
    v_project_id TEXT;
    v_created TIMESTAMP(3);
    v_refusal TEXT;
BEGIN
    -- the item first, as submit and claim lock it
    SELECT i.id, i."projectId" INTO v_item_id, v_project_id FROM "Item" i JOIN "Annotation" n ON n."itemId" = i.id
     WHERE n.id = p_annotation_id AND n."userId" = p_user_id
       FOR UPDATE OF i;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    v_refusal := rlhf_judging_refusal(v_project_id, p_user_id);
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;
    SELECT n."createdAt" INTO v_created FROM "Annotation" n WHERE n.id = p_annotation_id;
    IF v_created < now() - make_interval(secs => p_window_seconds)
       OR EXISTS (SELECT 1 FROM "Annotation" m WHERE m."userId" = p_user_id AND m."projectId" = v_project_id
                     AND (m."createdAt", m.id) > (v_created, p_annotation_id)) THEN
        RETURN 'not_last';
    END IF;
    UPDATE "Annotation"
       SET ranking = p_ranking, strength = p_strength, "bothBad" = p_both_bad, ratings = p_ratings, rationale = p_rationale,
           flags = p_flags, "flagNote" = p_flag_note, "timeSpentMs" = "timeSpentMs" + p_time_spent_ms,
           "goldCorrect" = p_gold_correct, "updatedAt" = now()
     WHERE id = p_annotation_id;
    PERFORM rlhf_write_comparisons(p_annotation_id, v_item_id, p_user_id, p_chosen, p_rejected, p_margins);
    RETURN 'ok';
END
$$;
