-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "TaskType" ADD VALUE 'RATING';
ALTER TYPE "TaskType" ADD VALUE 'DEMONSTRATION';

-- AlterTable
ALTER TABLE "Annotation" ADD COLUMN     "demonstration" TEXT,
ADD COLUMN     "demonstrationFrom" TEXT,
ADD COLUMN     "thumbs" BOOLEAN;

-- AlterTable
ALTER TABLE "Item" ADD COLUMN     "goldThumbs" BOOLEAN;

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "editsAsPreference" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "thumbs" BOOLEAN NOT NULL DEFAULT true;

-- ---- The judgement functions take the new task types' answers ---------------------------------------------------
-- rlhf_submit_annotation and rlhf_edit_annotation gain the thumbs (RATING) and the demonstration with the candidate
-- it started from (DEMONSTRATION); the rules of what is acceptable stay in server/schemas/judgement.ts.

-- An improved response as a candidate of the item's prompt (content-addressed like imported ones: the same text is
-- the same candidate), so that "edited ≻ original" is an ordinary comparison for exports, analytics and training.
CREATE FUNCTION "rlhf_edited_candidate"(p_item_id TEXT, p_text TEXT, p_hash TEXT) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_prompt TEXT;
    v_id TEXT;
BEGIN
    SELECT "promptId" INTO v_prompt FROM "Item" WHERE id = p_item_id;
    INSERT INTO "Candidate" (id, "promptId", text, model, metadata, "contentHash")
    VALUES (gen_random_uuid()::text, v_prompt, p_text, 'human edit', '{"source": "demonstration"}', p_hash)
    ON CONFLICT ("promptId", "contentHash") DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT id INTO v_id FROM "Candidate" WHERE "promptId" = v_prompt AND "contentHash" = p_hash;
    END IF;
    RETURN v_id;
END
$$;

-- The comparisons of a judgement: the pairs its ranking orders, or — for an improved response, when the project
-- asks for it (p_edit_hash given) — edited ≻ original with the margin of "better" (2).
CREATE FUNCTION "rlhf_judgement_comparisons"(
    p_annotation_id TEXT, p_item_id TEXT, p_user_id TEXT, p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[],
    p_demonstration TEXT, p_demonstration_from TEXT, p_edit_hash TEXT
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_edit_hash IS NOT NULL AND p_demonstration_from IS NOT NULL THEN
        PERFORM rlhf_write_comparisons(p_annotation_id, p_item_id, p_user_id,
            ARRAY[rlhf_edited_candidate(p_item_id, p_demonstration, p_edit_hash)], ARRAY[p_demonstration_from], ARRAY[2::double precision]);
    ELSE
        PERFORM rlhf_write_comparisons(p_annotation_id, p_item_id, p_user_id, p_chosen, p_rejected, p_margins);
    END IF;
END
$$;

DROP FUNCTION "rlhf_submit_annotation"(TEXT, TEXT, TEXT, JSONB, "Strength", BOOLEAN, JSONB, TEXT, TEXT[], TEXT, INTEGER, BOOLEAN, TEXT[], TEXT[], DOUBLE PRECISION[]);
DROP FUNCTION "rlhf_edit_annotation"(TEXT, TEXT, INTEGER, JSONB, "Strength", BOOLEAN, JSONB, TEXT, TEXT[], TEXT, INTEGER, BOOLEAN, TEXT[], TEXT[], DOUBLE PRECISION[]);

-- Stores one judgement (see the queue_hot_path and item_counts_and_judgement_rules migrations for its rules).
CREATE FUNCTION "rlhf_submit_annotation"(
    p_submission_id TEXT, p_assignment_id TEXT, p_user_id TEXT,
    p_ranking JSONB, p_strength "Strength", p_both_bad BOOLEAN, p_ratings JSONB, p_rationale TEXT,
    p_flags TEXT[], p_flag_note TEXT, p_time_spent_ms INTEGER, p_gold_correct BOOLEAN,
    p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[],
    p_thumbs BOOLEAN, p_demonstration TEXT, p_demonstration_from TEXT, p_edit_hash TEXT
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
                              ratings, rationale, flags, "flagNote", "timeSpentMs", late, surplus, "isGold", "goldCorrect",
                              thumbs, demonstration, "demonstrationFrom", "updatedAt")
    VALUES (gen_random_uuid()::text, p_submission_id, p_assignment_id, v_item.id, v_item."projectId", p_user_id, p_ranking, p_strength,
            p_both_bad, p_ratings, p_rationale, p_flags, p_flag_note, p_time_spent_ms, v_late, v_surplus, v_item."isGold",
            p_gold_correct, p_thumbs, p_demonstration, p_demonstration_from, now())
    RETURNING id INTO v_id;
    UPDATE "Assignment" SET state = 'SUBMITTED' WHERE id = p_assignment_id;
    IF NOT v_surplus AND NOT v_item."isGold" THEN
        UPDATE "Item"
           SET "completedCount" = "completedCount" + 1,
               status = CASE WHEN "completedCount" + 1 >= v_overlap THEN 'COMPLETE'::"ItemStatus" ELSE status END
         WHERE id = v_item.id;
    END IF;
    PERFORM rlhf_judgement_comparisons(v_id, v_item.id, p_user_id, p_chosen, p_rejected, p_margins, p_demonstration, p_demonstration_from, p_edit_hash);
    RETURN QUERY SELECT 'ok'::text, v_id, p_user_id, v_late, v_surplus;
END
$$;

-- Edits p_user_id's last annotation (see item_counts_and_judgement_rules for its rules and outcomes).
CREATE FUNCTION "rlhf_edit_annotation"(
    p_annotation_id TEXT, p_user_id TEXT, p_window_seconds INTEGER,
    p_ranking JSONB, p_strength "Strength", p_both_bad BOOLEAN, p_ratings JSONB, p_rationale TEXT,
    p_flags TEXT[], p_flag_note TEXT, p_time_spent_ms INTEGER, p_gold_correct BOOLEAN,
    p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[],
    p_thumbs BOOLEAN, p_demonstration TEXT, p_demonstration_from TEXT, p_edit_hash TEXT
) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_item_id TEXT;
    v_project_id TEXT;
    v_created TIMESTAMP(3);
    v_refusal TEXT;
BEGIN
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
           "goldCorrect" = p_gold_correct, thumbs = p_thumbs, demonstration = p_demonstration,
           "demonstrationFrom" = p_demonstration_from, "updatedAt" = now()
     WHERE id = p_annotation_id;
    PERFORM rlhf_judgement_comparisons(p_annotation_id, v_item_id, p_user_id, p_chosen, p_rejected, p_margins, p_demonstration, p_demonstration_from, p_edit_hash);
    RETURN 'ok';
END
$$;
