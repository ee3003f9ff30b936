-- An improved response counts as the comparison edited ≻ original only when its text differs from the original's.
-- The check moves here from the web process (one query per such submit before): the submit and edit functions
-- call this one, so both get it.
CREATE OR REPLACE FUNCTION "rlhf_judgement_comparisons"(
    p_annotation_id TEXT, p_item_id TEXT, p_user_id TEXT, p_chosen TEXT[], p_rejected TEXT[], p_margins DOUBLE PRECISION[],
    p_demonstration TEXT, p_demonstration_from TEXT, p_edit_hash TEXT
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_edit_hash IS NOT NULL AND p_demonstration_from IS NOT NULL AND EXISTS (
        SELECT 1 FROM "Candidate" WHERE id = p_demonstration_from AND text IS DISTINCT FROM p_demonstration
    ) THEN
        PERFORM rlhf_write_comparisons(p_annotation_id, p_item_id, p_user_id,
            ARRAY[rlhf_edited_candidate(p_item_id, p_demonstration, p_edit_hash)], ARRAY[p_demonstration_from], ARRAY[2::double precision]);
    ELSE
        PERFORM rlhf_write_comparisons(p_annotation_id, p_item_id, p_user_id, p_chosen, p_rejected, p_margins);
    END IF;
END
$$;
