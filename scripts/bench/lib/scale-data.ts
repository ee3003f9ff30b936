// Judged projects at scale, written with set-based SQL (generate_series): N items of K candidates each, M annotators,
// a pool of models with hidden strengths, and `overlap` judgements per item whose rankings follow those strengths
// with noise (so the leaderboard has an order to find and agreement is neither 0 nor 1). Every judgement has its
// submitted assignment with a random shown order, a time spent, now and then a flag; 2% of the items are gold.
// Creation times spread over the last `spreadHours`, so the hourly series and the pace window have work to do.
// Going through the services would take hours at a million judgements on two cores; these rows are the rows a
// submit writes (the derived comparison rows aside, which analytics does not read).
import type pg from "pg";

export interface ScaleProject {
  id: string;
  taskType: "PAIRWISE" | "RANKING";
  items: number;
  /** candidates per item: 2 for pairwise */
  candidates: number;
  overlap: number;
  annotators: number;
  models: number;
  spreadHours: number;
}

/** Creates the project, its annotators (`<id>-u<n>`) and every judgement; returns the number of annotations. */
export async function generateScaleProject(client: pg.Client, p: ScaleProject): Promise<number> {
  const { id } = p;
  await client.query(
    `INSERT INTO "Project"(id, name, slug, "taskType", overlap, "updatedAt") VALUES ($1, $1, $1, $2, $3, now())`,
    [id, p.taskType, p.overlap],
  );
  await client.query(
    `INSERT INTO "User"(id, email, name, role, "updatedAt")
     SELECT $1 || '-u' || g, $1 || '-u' || g || '@bench.local', 'Bench ' || g, 'ANNOTATOR', now() FROM generate_series(1, $2) g
     ON CONFLICT DO NOTHING`,
    [id, p.annotators],
  );
  await client.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, $1 || '-u' || g FROM generate_series(1, $2) g`, [id, p.annotators]);
  await client.query(
    `INSERT INTO "Prompt"(id, messages, "contentHash")
     SELECT $1 || '-p' || g, jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Scale prompt ' || g)), $1 || '-p' || g
     FROM generate_series(1, $2) g`,
    [id, p.items],
  );
  // candidate k of item g comes from model (g * 7 + k * 3) mod M: every pair of models meets
  await client.query(
    `INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash")
     SELECT $1 || '-c' || g || '-' || k, $1 || '-p' || g, 'Answer ' || k || ' to ' || g, 'model-' || ((g * 7 + k * 3) % $3), 'h' || g || '-' || k
     FROM generate_series(1, $2) g, generate_series(1, $4) k`,
    [id, p.items, p.models, p.candidates],
  );
  await client.query(
    `INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "isGold", "completedCount", status)
     SELECT $1 || '-i' || g, $1, $1 || '-p' || g, 'k' || g, g % 50 = 0, CASE WHEN g % 50 = 0 THEN 0 ELSE $3 END,
            CASE WHEN g % 50 = 0 THEN 'OPEN' ELSE 'COMPLETE' END::"ItemStatus"
     FROM generate_series(1, $2) g`,
    [id, p.items, p.overlap],
  );
  await client.query(
    `INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
     SELECT $1 || '-i' || g, $1 || '-c' || g || '-' || k, k - 1 FROM generate_series(1, $2) g, generate_series(1, $3) k`,
    [id, p.items, p.candidates],
  );
  // judgement r of item g by annotator 1 + (g * overlap + r) mod M (distinct annotators per item while overlap ≤ M)
  await client.query(
    `INSERT INTO "Assignment"(id, "itemId", "userId", "projectId", state, "leasedAt", "expiresAt", "shownOrder")
     SELECT $1 || '-s' || g || '-' || r, $1 || '-i' || g, $1 || '-u' || (1 + (g * $3 + r) % $4), $1, 'SUBMITTED', now(), now(),
            ARRAY(SELECT $1 || '-c' || g || '-' || k FROM generate_series(1, $5) k ORDER BY random())
     FROM generate_series(1, $2) g, generate_series(1, $3) r`,
    [id, p.items, p.overlap, p.annotators, p.candidates],
  );
  // each candidate scores its model's strength (model index / M) plus noise; best first, a near-tie now and then
  const { rowCount } = await client.query(
    `INSERT INTO "Annotation"(id, "submissionId", "assignmentId", "itemId", "projectId", "userId", ranking, strength, "timeSpentMs", flags,
                              "isGold", "goldCorrect", "createdAt", "updatedAt")
     SELECT $1 || '-a' || g || '-' || r, $1 || '-a' || g || '-' || r, $1 || '-s' || g || '-' || r, $1 || '-i' || g, $1,
            $1 || '-u' || (1 + (g * $3 + r) % $4),
            (SELECT jsonb_agg(grp ORDER BY best DESC)
               FROM (SELECT jsonb_agg(cid ORDER BY score DESC) AS grp, max(score) AS best
                       FROM (SELECT $1 || '-c' || g || '-' || k AS cid,
                                    ((g * 7 + k * 3) % $6)::float8 / $6 + random() * 0.8 AS score
                               FROM generate_series(1, $5) k) s
                      GROUP BY round((score * 20)::numeric)) groups),
            'BETTER', 1500 + (random() * random() * 60000)::int,
            CASE WHEN random() < 0.02 THEN ARRAY['other'] ELSE ARRAY[]::text[] END,
            g % 50 = 0, CASE WHEN g % 50 = 0 THEN random() < 0.8 END,
            (now() AT TIME ZONE 'UTC') - make_interval(secs => (g::float8 / $2) * $7 * 3600), now()
     FROM generate_series(1, $2) g, generate_series(1, $3) r`,
    [id, p.items, p.overlap, p.annotators, p.candidates, p.models, p.spreadHours],
  );
  return rowCount ?? 0;
}
