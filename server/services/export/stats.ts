// The statistics of a snapshot (its dataset card and admin page): a few aggregate queries over the selected
// judgements, on their own connection reading the export's snapshot, beside the pass that writes the rows. Every
// count is exact and none depends on the order rows are read in; the agreement is computed in TypeScript from
// integer tallies.
import type pg from "pg";
import type { SnapshotDefinition, SnapshotStats } from "@/server/schemas/export";
import { filterClauses } from "./stream";

/**
 * The items a snapshot keeps (`i`), as SQL: the filters, plus at least minJudgements annotations left after them
 * (items with none left are dropped by every query's join anyway).
 */
function keptItems(where: { item: string; annotation: string }, minJudgements: number): string {
  if (minJudgements <= 1) return where.item;
  return `${where.item} AND i.id IN (SELECT a."itemId" FROM "Annotation" a WHERE ${where.annotation} GROUP BY a."itemId" HAVING count(*) >= ${minJudgements})`;
}

export async function snapshotStats(opts: {
  client: pg.PoolClient;
  def: SnapshotDefinition;
  excludedUserIds: string[];
  rejectedPresent: boolean;
  /** whether any judgement of the projects is marked both bad: without one, their counts are 0 without a query */
  bothBadPresent: boolean;
}): Promise<Omit<SnapshotStats, "rows">> {
  const { client, def } = opts;
  // These run beside the pass that writes the rows: one process each, rather than parallel workers taking the
  // cores that pass needs (measured: a 1M-comparison export 15.3 s with parallel statistics, 13.3 s without).
  // The statistics still finish first.
  await client.query("SET LOCAL max_parallel_workers_per_gather = 0");
  const where = filterClauses({ client, projectIds: def.projectIds, filters: def.filters, excludedUserIds: opts.excludedUserIds, rejectedPresent: opts.rejectedPresent });
  const w = `${keptItems(where, def.filters.minJudgements ?? 1)} AND ${where.annotation}`;
  // the selected annotations (a) with their items (i), and their comparisons (c); without filters beyond the
  // projects, the tables alone (every row of a project's annotation belongs to the project)
  const judged = where.onlyProjects
    ? `"Annotation" a WHERE a."projectId" = ANY(${where.projects})`
    : `"Annotation" a JOIN "Item" i ON i.id = a."itemId" WHERE ${w}`;
  const judgedPairs = where.onlyProjects
    ? `"Comparison" c WHERE c."projectId" = ANY(${where.projects})`
    : `"Comparison" c JOIN "Annotation" a ON a.id = c."annotationId" JOIN "Item" i ON i.id = a."itemId" WHERE ${w}`;
  const items = `"Item" i WHERE ${where.item} AND i.id IN (SELECT a."itemId" FROM ${judged})`;
  // the kept items' ids; without filters, those the annotations name (they are all in the projects)
  const itemIds = where.onlyProjects ? `SELECT a."itemId" FROM ${judged}` : `SELECT i.id FROM ${items}`;
  // strict: in lax mode the filter would look inside each group instead of at it
  const hasTie = `jsonb_path_exists(a.ranking, 'strict $[*] ? (@.size() > 1)')`;

  // separate statements: each gets its own plan (several count(DISTINCT …) over one scan would sort for each)
  const annotations = await client.query<{ n: string; ties: string }>(`SELECT count(*) AS n, count(*) FILTER (WHERE ${hasTie}) AS ties FROM ${judged}`);
  const annotators = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT DISTINCT a."userId" FROM ${judged}) x`);
  const itemCounts = await client.query<{ items: string; prompts: string }>(`SELECT count(*) AS items, count(DISTINCT i."promptId") AS prompts FROM ${items}`);
  const comparisons = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${judgedPairs}`);
  const bothBad = opts.bothBadPresent
    ? (await client.query<{ n: string; pairs: string }>(`
        SELECT count(*) AS n, coalesce(sum((SELECT count(*) FROM "Comparison" c WHERE c."annotationId" = a.id)), 0) AS pairs
          FROM ${judged} AND a."bothBad"`)).rows[0]
    : { n: "0", pairs: "0" };
  // each candidate once, under its model: candidates belong to one prompt, so this is the per-prompt count summed
  const models = await client.query<{ model: string; n: string }>(`
    SELECT coalesce(c.model, 'unknown') AS model, count(*) AS n FROM "Candidate" c
     WHERE c.id IN (SELECT ic."candidateId" FROM "ItemCandidate" ic WHERE ic."itemId" IN (${itemIds}))
     GROUP BY 1 ORDER BY coalesce(c.model, 'unknown') COLLATE "C"`);
  // Votes on each unordered pair of candidates: a comparison is a win for one side, two candidates ranked in one
  // group a tie. Pairs with at least two votes, tallied by their number of votes.
  const tallies = await client.query<{ votes: number; pairs: string; top: string }>(`
    WITH votes AS (
      SELECT least(c."chosenId", c."rejectedId") COLLATE "C" AS x, greatest(c."chosenId", c."rejectedId") COLLATE "C" AS y,
             (c."chosenId" < c."rejectedId" COLLATE "C")::int AS win_x, (c."chosenId" > c."rejectedId" COLLATE "C")::int AS win_y, 0 AS tie
        FROM ${judgedPairs}
      UNION ALL
      SELECT least(m1.id, m2.id) COLLATE "C", greatest(m1.id, m2.id) COLLATE "C", 0, 0, 1
        FROM (SELECT a.ranking FROM ${judged} AND ${hasTie}) a
        CROSS JOIN LATERAL jsonb_array_elements(a.ranking) AS g(members)
        CROSS JOIN LATERAL jsonb_array_elements_text(g.members) WITH ORDINALITY AS m1(id, n)
        JOIN LATERAL jsonb_array_elements_text(g.members) WITH ORDINALITY AS m2(id, n) ON m2.n > m1.n
       WHERE jsonb_array_length(g.members) > 1
    ), pairs AS (
      SELECT sum(win_x) AS wx, sum(win_y) AS wy, sum(tie) AS t FROM votes GROUP BY x, y HAVING count(*) >= 2
    )
    SELECT (wx + wy + t)::int AS votes, count(*) AS pairs, sum(greatest(wx, wy, t)) AS top FROM pairs GROUP BY 1 ORDER BY 1`);

  let multiVotePairs = 0;
  let sum = 0;
  for (const t of tallies.rows) {
    multiVotePairs += Number(t.pairs);
    sum += Number(t.top) / t.votes;
  }
  return {
    annotations: Number(annotations.rows[0].n),
    comparisons: Number(comparisons.rows[0].n),
    tieAnnotations: Number(annotations.rows[0].ties),
    bothBadAnnotations: Number(bothBad.n),
    bothBadComparisons: Number(bothBad.pairs),
    prompts: Number(itemCounts.rows[0].prompts),
    items: Number(itemCounts.rows[0].items),
    annotators: Number(annotators.rows[0].n),
    models: Object.fromEntries(models.rows.map((m) => [m.model, Number(m.n)])),
    agreement: multiVotePairs > 0 ? Math.round((sum / multiVotePairs) * 1e4) / 1e4 : null,
    multiVotePairs,
  };
}
