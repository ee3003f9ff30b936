// A reward model as a judge: a SCORE run's scores become suggestions of that run, so the judge panel, the review
// queue's judge-disagreement rule and the annotation page's suggestion modes treat it as they treat an endpoint.
// Candidates are ranked by score (equal scores tie); a pair's strength is read off the Bradley-Terry probability
// the scores imply, p = sigmoid(score gap): from 0.9 much better, from 0.7 better, otherwise slightly better.
import type { Tx } from "@/server/db";
import type { Strength } from "@/server/schemas/judgement";

export function scoreRanking(candidates: string[], scores: Map<string, number>): string[][] {
  const sorted = [...candidates].sort((a, b) => (scores.get(b) as number) - (scores.get(a) as number));
  const groups: string[][] = [];
  for (const id of sorted) {
    const last = groups[groups.length - 1];
    if (last && scores.get(last[0]) === scores.get(id)) last.push(id);
    else groups.push([id]);
  }
  return groups;
}

export function scoreStrength(gap: number): Strength {
  if (gap === 0) return "TIE";
  const p = 1 / (1 + Math.exp(-Math.abs(gap)));
  return p >= 0.9 ? "MUCH_BETTER" : p >= 0.7 ? "BETTER" : "SLIGHTLY_BETTER";
}

/** Writes the scoring run's suggestions for the project's items whose every candidate it scored. */
export async function rewardModelSuggestions(tx: Tx, options: { runId: string; projectId: string; judge: string; scores: Map<string, number> }): Promise<number> {
  const items = await tx.item.findMany({
    where: { projectId: options.projectId, project: { taskType: { in: ["PAIRWISE", "RANKING"] } } },
    select: { id: true, candidates: { select: { candidateId: true }, orderBy: { position: "asc" } } },
  });
  const ids: string[] = [];
  const rankings: string[] = [];
  const strengths: (string | null)[] = [];
  const answers: string[] = [];
  for (const item of items) {
    const candidates = item.candidates.map((c) => c.candidateId);
    if (candidates.length < 2 || candidates.some((c) => !options.scores.has(c))) continue;
    const ranking = scoreRanking(candidates, options.scores);
    ids.push(item.id);
    rankings.push(JSON.stringify(ranking));
    strengths.push(candidates.length === 2 ? scoreStrength((options.scores.get(candidates[0]) as number) - (options.scores.get(candidates[1]) as number)) : null);
    answers.push(JSON.stringify([{ order: candidates, scores: Object.fromEntries(candidates.map((c) => [c, options.scores.get(c)])) }]));
  }
  if (ids.length === 0) return 0;
  await tx.$executeRaw`
    INSERT INTO "Suggestion" ("runId", "projectId", "itemId", judge, ranking, strength, answers)
    SELECT ${options.runId}, ${options.projectId}, t.item, ${options.judge}, t.ranking::jsonb, t.strength::"Strength", t.answers::jsonb
      FROM unnest(${ids}::text[], ${rankings}::text[], ${strengths}::text[], ${answers}::text[]) AS t(item, ranking, strength, answers)
    ON CONFLICT ("runId", "itemId") DO UPDATE SET ranking = EXCLUDED.ranking, strength = EXCLUDED.strength, answers = EXCLUDED.answers`;
  return ids.length;
}
