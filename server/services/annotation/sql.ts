// Every SQL statement of the annotation services, in one module without side effects: the queue (./queue.ts),
// the judgements (./judgement.ts) and the progress header (./progress.ts) run these on the plain pool as prepared
// statements, and `npm run bench:annotate` replays the hot-path ones with pgbench. The functions they call
// (rlhf_claim_item, rlhf_submit_annotation, rlhf_edit_annotation) are in the migrations queue_hot_path and
// item_counts_and_judgement_rules.

// What holds one of an item's `overlap` places: a submitted judgement or an unexpired lease. Expired leases free the
// item without any cron. rlhf_claim_item spells out the same condition. (The IN list lets Postgres answer it from
// the (itemId, state) index in one scan.)
const HOLDS_PLACE = `(a.state IN ('SUBMITTED', 'ACTIVE') AND (a.state = 'SUBMITTED' OR a."expiresAt" > now()))`;

/** The start of today in UTC, as the (UTC) timestamp columns hold it: daily caps count from here. */
const UTC_DAY_START = `date_trunc('day', now() AT TIME ZONE 'UTC')`;

/**
 * A project as one annotator may use it: $1 slug, $2 user id, $3 whether to read leases (the queue; everything below
 * but "_member" and "_paused" is read only then), $4 assignment ids to leave out. Adds "_member", "_paused" (why the
 * member is paused, when they are), "_own" (their ACTIVE leases, oldest first), "_served" (gold and total served,
 * only when the project serves gold) and "_refusal": why the queue hands out no new item — the project is paused
 * ('project_paused'), or the annotator's total or daily cap (theirs, else the project's) is reached: their
 * judgements in the project (all, or since UTC midnight) plus their live leases. This is the one place the rule is
 * written; the queue still returns leases already held. The counts read the (userId, projectId, createdAt) and
 * (userId, state) indexes, and only when a cap applies: otherwise their gate is a one-time filter and neither table
 * is read (the context costs what it did before caps).
 */
export const ANNOTATOR_CONTEXT_SQL = `SELECT p.*,
         m."userId" IS NOT NULL AS "_member",
         CASE WHEN m."pausedAt" IS NOT NULL THEN m."pauseReason" END AS "_paused",
         (SELECT json_agg(json_build_object('id', a.id, 'itemId', a."itemId", 'live', a."expiresAt" > now()) ORDER BY a."leasedAt")
            FROM "Assignment" a
           WHERE $3 AND a."userId" = $2 AND a."projectId" = p.id AND a.state = 'ACTIVE' AND a.id <> ALL($4::text[])) AS "_own",
         (SELECT json_build_object('gold', count(*) FILTER (WHERE i."isGold"), 'total', count(*))
            FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId"
           WHERE $3 AND p."goldRate" > 0 AND a."userId" = $2 AND a."projectId" = p.id) AS "_served",
         CASE WHEN NOT $3 THEN NULL
              WHEN p."pausedAt" IS NOT NULL THEN json_build_object('reason', 'project_paused')
              WHEN cap.total <= u.total + u.held THEN json_build_object('reason', 'total_cap', 'cap', cap.total)
              WHEN cap.daily <= u.today + u.held THEN json_build_object('reason', 'daily_cap', 'cap', cap.daily,
                                                                     'resetsAt', (${UTC_DAY_START} + interval '1 day') AT TIME ZONE 'UTC')
         END AS "_refusal"
    FROM "Project" p
    LEFT JOIN "ProjectMember" m ON m."projectId" = p.id AND m."userId" = $2
    CROSS JOIN LATERAL (SELECT coalesce(m."dailyCap", p."dailyCap") AS daily, coalesce(m."totalCap", p."totalCap") AS total) cap
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE n."createdAt" >= ${UTC_DAY_START}) AS today, count(*) AS total,
             (SELECT count(*) FROM "Assignment" a
               WHERE $3 AND (cap.daily IS NOT NULL OR cap.total IS NOT NULL)
                 AND a."userId" = $2 AND a.state = 'ACTIVE' AND a."projectId" = p.id AND a."expiresAt" > now()) AS held
        FROM "Annotation" n
       WHERE $3 AND (cap.daily IS NOT NULL OR cap.total IS NOT NULL) AND n."userId" = $2 AND n."projectId" = p.id
         AND (cap.total IS NOT NULL OR n."createdAt" >= ${UTC_DAY_START})) u
   WHERE p.slug = $1`;

/** An assignment (`source`: a row with assignment_id, item_id, expires_at, shown_order) as the annotator sees it. */
function itemViewQuery(source: string): string {
  return `SELECT s.assignment_id, s.item_id, s.expires_at, s.shown_order, p.messages,
            coalesce((SELECT json_agg(json_build_object('id', c.id, 'text', c.text, 'model', c.model, 'position', ic.position))
               FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId" WHERE ic."itemId" = s.item_id), '[]') AS candidates
       FROM ${source} JOIN "Item" i ON i.id = s.item_id JOIN "Prompt" p ON p.id = i."promptId"`;
}

/** One of the caller's leases as they see it: $1 assignment id. */
export const OWN_ITEM_VIEW_SQL = itemViewQuery(
  `(SELECT a.id AS assignment_id, a."itemId" AS item_id, a."expiresAt" AS expires_at, a."shownOrder" AS shown_order
      FROM "Assignment" a WHERE a.id = $1) s`,
);

/** The item of annotation $1 as its annotator saw it (annotations stored without an assignment: in import order). */
export const ANNOTATION_ITEM_VIEW_SQL = itemViewQuery(
  `(SELECT coalesce(a.id, '') AS assignment_id, n."itemId" AS item_id, coalesce(a."expiresAt", n."createdAt") AS expires_at,
           coalesce(a."shownOrder", '{}') AS shown_order
      FROM "Annotation" n LEFT JOIN "Assignment" a ON a.id = n."assignmentId" WHERE n.id = $1) s`,
);

/**
 * Claims an item and returns it as the annotator sees it: $1 project id, $2 user id, $3 gold, $4 overlap, $5 lease
 * seconds, $6 active learning. rlhf_claim_item runs once (a function scan); the prompt and candidates it joins
 * were there before the claim.
 */
export const CLAIM_ITEM_VIEW_SQL = itemViewQuery(`rlhf_claim_item($1, $2, $3, $4, $5, $6) s`);

/** Locks item $1 (claim and submit lock items first: one order everywhere cannot deadlock). */
export const LOCK_ITEM_SQL = `SELECT id FROM "Item" WHERE id = $1 FOR UPDATE`;

/**
 * Extends lease $4 of user $2 on item $1 by $3 seconds when the item still has a place for them (fewer than $5 others
 * hold one). Run with the item locked.
 */
export const RENEW_LEASE_SQL = `UPDATE "Assignment" SET "expiresAt" = now() + make_interval(secs => $3::int), "leasedAt" = now()
   WHERE id = $4 AND state = 'ACTIVE'
     AND (SELECT count(*) FROM "Assignment" a WHERE a."itemId" = $1 AND a."userId" <> $2 AND ${HOLDS_PLACE}) < $5`;

/** Gives up lease $1 for good (its item filled up while it had run out). */
export const EXPIRE_LEASE_SQL = `UPDATE "Assignment" SET state = 'EXPIRED' WHERE id = $1 AND state = 'ACTIVE'`;

/**
 * The item of assignment $1 when it is user $2's, locked, with whether they may still judge in its project
 * (rlhf_judging_refusal: NULL, 'not_found' or 'archived') and the assignment's state.
 */
export const SKIP_CONTEXT_SQL = `SELECT i.id AS item_id, a.state, rlhf_judging_refusal(i."projectId", $2) AS refusal
    FROM "Item" i JOIN "Assignment" a ON a."itemId" = i.id WHERE a.id = $1 AND a."userId" = $2 FOR UPDATE OF i`;

/** Skips assignment $1 with reason $2, when it has not been submitted or skipped yet. */
export const SKIP_SQL = `UPDATE "Assignment" SET state = 'SKIPPED', "skipReason" = $2 WHERE id = $1 AND state IN ('ACTIVE', 'EXPIRED')`;

/** A place came free before its lease ran out: item $1 must not look busy to the queue. */
export const CLEAR_BUSY_SQL = `UPDATE "Item" SET "busyUntil" = NULL WHERE id = $1`;

/**
 * What a submit is checked against, in one query: $1 submission id, $2 assignment id. An annotation already stored
 * under the id, else the assignment with its item's candidates and its project's rules.
 */
export const SUBMIT_CONTEXT_SQL = `
  SELECT n.id AS stored_id, n."userId" AS stored_user_id, n.late AS stored_late, n.surplus AS stored_surplus,
         a."userId" AS user_id, a.state, i."isGold" AS is_gold, i."goldRanking" AS gold_ranking, i."goldThumbs" AS gold_thumbs,
         pr."taskType" AS task_type, pr."allowTies" AS allow_ties, pr."requireRationale" AS require_rationale, pr.criteria,
         pr.thumbs, pr."editsAsPreference" AS edits_as_preference, pr.id AS project_id, pr."minGoldAccuracy" AS min_gold_accuracy,
         pr."suggestionMode" AS suggestion_mode, i.id AS item_id,
         COALESCE((SELECT array_agg(ic."candidateId") FROM "ItemCandidate" ic WHERE ic."itemId" = i.id), ARRAY[]::text[]) AS candidate_ids
    FROM (SELECT 1) one
    LEFT JOIN "Annotation" n ON n."submissionId" = $1
    LEFT JOIN "Assignment" a ON n.id IS NULL AND a.id = $2
    LEFT JOIN "Item" i ON i.id = a."itemId"
    LEFT JOIN "Project" pr ON pr.id = i."projectId"`;

/**
 * The judgement's columns, in the order rlhf_submit_annotation and rlhf_edit_annotation take them after their
 * first parameters: ranking, strength, both bad, ratings, rationale, flags, flag note, time spent, gold correct,
 * chosen ids, rejected ids, margins, thumbs, demonstration, the candidate it started from, and the content hash of
 * an improved response to store as "edited ≻ original" (null when the project does not ask for it; an unchanged one
 * is not stored, which the SQL function checks).
 */
const JUDGEMENT_PARAMS = (from: number) => Array.from({ length: 16 }, (_, i) => `$${from + i}`).join(", ");

/**
 * After a gold judgement of user $2 in project $1: pauses them when, counting the gold answers since they were last
 * reinstated, they have given at least minGoldAnswers and their share of correct ones is below minGoldAccuracy.
 * Returns the pause reason when it paused them. Reads the (userId, projectId, createdAt) index.
 */
export const GOLD_PAUSE_SQL = `
  WITH m AS (SELECT * FROM "ProjectMember" WHERE "projectId" = $1 AND "userId" = $2 AND "pausedAt" IS NULL),
       p AS (SELECT "minGoldAccuracy" AS min, "minGoldAnswers" AS after FROM "Project" WHERE id = $1 AND "minGoldAccuracy" IS NOT NULL),
       g AS (SELECT count(*) AS n, count(*) FILTER (WHERE a."goldCorrect") AS ok FROM "Annotation" a, m
              WHERE a."userId" = $2 AND a."projectId" = $1 AND a."goldCorrect" IS NOT NULL
                AND a."createdAt" > coalesce(m."reinstatedAt", '-infinity'::timestamp))
  UPDATE "ProjectMember" pm
     SET "pausedAt" = now(),
         "pauseReason" = format('Your gold accuracy in this project is %s%% after %s gold items (the minimum is %s%%). An admin reviews your work and can let you continue.',
                                round(100.0 * g.ok / g.n), g.n, round(100 * p.min::numeric))
    FROM g, p
   WHERE pm."projectId" = $1 AND pm."userId" = $2 AND pm."pausedAt" IS NULL AND g.n >= p.after AND g.ok < p.min * g.n
  RETURNING pm."pauseReason" AS reason`;

/** Stores one judgement: $1 submission id, $2 assignment id, $3 user id, then the judgement's columns. */
export const SUBMIT_ANNOTATION_SQL = `SELECT * FROM rlhf_submit_annotation($1, $2, $3, ${JUDGEMENT_PARAMS(4)})`;

/** The judgement of user $1's most recent annotation in project $2 (the one they may still edit). */
export const LAST_JUDGEMENT_SQL = `SELECT n.id, n."createdAt" AS created_at, n.ranking, n.strength,
         n."bothBad" AS both_bad, n.ratings, n.rationale, n.flags, n."flagNote" AS flag_note, n.thumbs, n.demonstration,
         n."demonstrationFrom" AS demonstration_from
    FROM "Annotation" n WHERE n."userId" = $1 AND n."projectId" = $2 ORDER BY n."createdAt" DESC, n.id DESC LIMIT 1`;

/**
 * What an edit of annotation $1 by user $2 is checked against: the annotation, its item's candidates and gold answer,
 * its project's rules, and whether it is still the caller's last one.
 */
export const EDIT_CONTEXT_SQL = `
  SELECT n.id, n."createdAt" AS created_at, n."projectId" AS project_id, i."isGold" AS is_gold, i."goldRanking" AS gold_ranking, i."goldThumbs" AS gold_thumbs,
         pr."taskType" AS task_type, pr."allowTies" AS allow_ties, pr."requireRationale" AS require_rationale, pr.criteria,
         pr.thumbs, pr."editsAsPreference" AS edits_as_preference,
         COALESCE((SELECT array_agg(ic."candidateId") FROM "ItemCandidate" ic WHERE ic."itemId" = i.id), ARRAY[]::text[]) AS candidate_ids,
         NOT EXISTS (SELECT 1 FROM "Annotation" m WHERE m."userId" = n."userId" AND m."projectId" = n."projectId"
                        AND (m."createdAt", m.id) > (n."createdAt", n.id)) AS is_last
    FROM "Annotation" n JOIN "Item" i ON i.id = n."itemId" JOIN "Project" pr ON pr.id = n."projectId"
   WHERE n.id = $1 AND n."userId" = $2`;

/** Edits annotation $1 of user $2 within $3 seconds of its creation, then the judgement's columns. */
export const EDIT_ANNOTATION_SQL = `SELECT rlhf_edit_annotation($1, $2, $3, ${JUDGEMENT_PARAMS(4)}) AS outcome`;

/**
 * The annotation page's counters for user $1 in project $2: judgements since $3 and in all; and the non-gold items
 * still open for them — the project's open items (ProjectItemCount, kept by triggers) less the open ones they have
 * judged, skipped or let lapse. Items on loan to others count as left: they come back to the queue if not finished
 * (so when the queue is empty and the caller holds nothing, "left" is exactly what others have on loan).
 */
export const PROGRESS_SQL = `
  SELECT (SELECT count(*) FROM "Annotation" n WHERE n."userId" = $1 AND n."projectId" = $2 AND n."createdAt" >= $3) AS today,
         (SELECT count(*) FROM "Annotation" n WHERE n."userId" = $1 AND n."projectId" = $2) AS mine,
         (SELECT coalesce(sum(c.count), 0) FROM "ProjectItemCount" c WHERE c."projectId" = $2 AND c.status = 'OPEN' AND NOT c."isGold")
         - (SELECT count(*) FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId"
             WHERE a."userId" = $1 AND a."projectId" = $2 AND a.state IN ('SUBMITTED', 'SKIPPED', 'EXPIRED')
               AND i.status = 'OPEN' AND NOT i."isGold") AS left_for_you`;

