// The SQL every judgement runs (annotation.next + annotation.submit, and the session check of each request), in one
// module without side effects, so that `npm run bench:annotate` replays exactly these statements with pgbench.

/**
 * The signed-in user, if they still exist, are active and the session is not older than their last password change
 * or sign-out: $1 user id, $2 the session's version.
 */
export const ACTIVE_USER_SQL = `SELECT id, email, name, role FROM "User" WHERE id = $1 AND active AND "sessionVersion" = $2`;

/**
 * A project as one annotator may use it: $1 slug, $2 user id, $3 whether to read leases, $4 assignment ids to leave
 * out. Adds "_member", "_own" (their ACTIVE leases, oldest first) and "_served" (gold and total served, only when
 * the project serves gold).
 */
export const ANNOTATOR_CONTEXT_SQL = `SELECT p.*,
         EXISTS (SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = p.id AND m."userId" = $2) AS "_member",
         (SELECT json_agg(json_build_object('id', a.id, 'itemId', a."itemId", 'live', a."expiresAt" > now()) ORDER BY a."leasedAt")
            FROM "Assignment" a
           WHERE $3 AND a."userId" = $2 AND a."projectId" = p.id AND a.state = 'ACTIVE' AND a.id <> ALL($4::text[])) AS "_own",
         (SELECT json_build_object('gold', count(*) FILTER (WHERE i."isGold"), 'total', count(*))
            FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId"
           WHERE $3 AND p."goldRate" > 0 AND a."userId" = $2 AND a."projectId" = p.id) AS "_served"
       FROM "Project" p WHERE p.slug = $1`;

/** An assignment (`source`: a row with assignment_id, item_id, expires_at, shown_order) as the annotator sees it. */
function itemViewQuery(source: string): string {
  return `SELECT s.assignment_id, s.item_id, s.expires_at, s.shown_order, p.messages,
            (SELECT json_agg(json_build_object('id', c.id, 'text', c.text, 'model', c.model, 'position', ic.position))
               FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId" WHERE ic."itemId" = s.item_id) AS candidates
       FROM ${source} JOIN "Item" i ON i.id = s.item_id JOIN "Prompt" p ON p.id = i."promptId"`;
}

/** One of the caller's leases as they see it: $1 assignment id. */
export const OWN_ITEM_VIEW_SQL = itemViewQuery(
  `(SELECT a.id AS assignment_id, a."itemId" AS item_id, a."expiresAt" AS expires_at, a."shownOrder" AS shown_order
      FROM "Assignment" a WHERE a.id = $1) s`,
);
/**
 * Claims an item and returns it as the annotator sees it: $1 project id, $2 user id, $3 gold, $4 overlap, $5 lease
 * seconds, $6 active learning. rlhf_claim_item runs once (a function scan); the prompt and candidates it joins
 * were there before the claim.
 */
export const CLAIM_ITEM_VIEW_SQL = itemViewQuery(`rlhf_claim_item($1, $2, $3, $4, $5, $6) s`);

/**
 * What a submit is checked against, in one query: $1 submission id, $2 assignment id. An annotation already stored
 * under the id, else the assignment with its item's candidates and its project's rules.
 */
export const SUBMIT_CONTEXT_SQL = `
  SELECT n.id AS stored_id, n."userId" AS stored_user_id, n.late AS stored_late, n.surplus AS stored_surplus,
         a."userId" AS user_id, a.state, i."isGold" AS is_gold, i."goldRanking" AS gold_ranking,
         pr."taskType" AS task_type, pr."allowTies" AS allow_ties, pr."requireRationale" AS require_rationale, pr.criteria,
         (SELECT array_agg(ic."candidateId") FROM "ItemCandidate" ic WHERE ic."itemId" = i.id) AS candidate_ids
    FROM (SELECT 1) one
    LEFT JOIN "Annotation" n ON n."submissionId" = $1
    LEFT JOIN "Assignment" a ON n.id IS NULL AND a.id = $2
    LEFT JOIN "Item" i ON i.id = a."itemId"
    LEFT JOIN "Project" pr ON pr.id = i."projectId"`;

/** Stores one judgement (see rlhf_submit_annotation in the migration). */
export const SUBMIT_ANNOTATION_SQL = `SELECT * FROM rlhf_submit_annotation($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
