// How an AI judge (one run's suggestions) compares with the people judging the same items: agreement overall, per
// model and per annotator, beside the agreement of the people with each other on the same items (MT-Bench's
// comparison), the judge's position bias, and its own Bradley-Terry leaderboard. Read on demand from the run's
// suggestions and the items' counted judgements (a reviewer's rejection removes a judgement here as everywhere).
//
// Agreement is counted per candidate pair and pair of judges: each says "first better", "second better" or "tie".
// "With ties" counts the three outcomes; "decided" counts only pairs both sides decided (MT-Bench reports both).
import { AppError } from "@/server/errors";
import { pool } from "@/server/pg";
import { bradleyTerry, type PairTally } from "@/server/services/analytics/bradley-terry";
import { countedAnnotation } from "@/server/services/review/counted";
import type { JudgeAnalytics, JudgeSource, AgreementFigures } from "@/server/schemas/judge-analytics";

type Ranking = string[][];

interface SuggestionRow {
  itemId: string;
  ranking: Ranking;
  thumbs: boolean | null;
  ratings: Record<string, Record<string, number>>;
  consistent: boolean | null;
  answers: { order: string[]; verdict: { kind: string; ranking?: Ranking } | null }[];
}

interface VoteRow {
  itemId: string;
  userId: string;
  name: string;
  ranking: Ranking;
  thumbs: boolean | null;
  ratings: Record<string, Record<string, number>>;
}

class Tally {
  pairs = 0;
  agree = 0;
  decided = 0;
  decidedAgree = 0;
  add(x: number, y: number) {
    this.pairs++;
    if (x === y) this.agree++;
    if (x !== 0 && y !== 0) {
      this.decided++;
      if (x === y) this.decidedAgree++;
    }
  }
  figures(): AgreementFigures {
    return {
      pairs: this.pairs,
      agreement: this.pairs ? this.agree / this.pairs : null,
      decidedPairs: this.decided,
      decidedAgreement: this.decided ? this.decidedAgree / this.decided : null,
    };
  }
}

function places(ranking: Ranking): Map<string, number> {
  const out = new Map<string, number>();
  ranking.forEach((group, k) => group.forEach((id) => out.set(id, k)));
  return out;
}

/** 1: `a` better, -1: `b` better, 0: tie; null when the ranking leaves one out. */
function relation(p: Map<string, number>, a: string, b: string): number | null {
  const pa = p.get(a);
  const pb = p.get(b);
  if (pa === undefined || pb === undefined) return null;
  return Math.sign(pb - pa);
}

const get = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
};

/** The judges of a project: each run with suggestions for it, newest first. */
export async function judgeSources(projectId: string): Promise<JudgeSource[]> {
  const { rows } = await pool().query<{ runId: string; name: string; kind: string; status: string; judge: string; suggestions: number; withVerdict: number; createdAt: Date }>(
    `SELECT s."runId", r.name, r.kind::text, r.status::text, min(s.judge) AS judge, count(*)::int AS suggestions,
            count(*) FILTER (WHERE s.ranking IS NOT NULL)::int AS "withVerdict", r."createdAt"
       FROM "Suggestion" s JOIN "TrainingRun" r ON r.id = s."runId"
      WHERE s."projectId" = $1
      GROUP BY s."runId", r.name, r.kind, r.status, r."createdAt"
      ORDER BY r."createdAt" DESC`,
    [projectId],
  );
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), source: r.kind === "SCORE" ? "reward_model" : "endpoint" }));
}

export async function judgeAnalytics({ projectId, runId, bootstrapRounds = 200 }: { projectId: string; runId?: string; bootstrapRounds?: number }): Promise<JudgeAnalytics> {
  const sources = await judgeSources(projectId);
  const source = runId ? sources.find((s) => s.runId === runId) : sources[0];
  if (runId && !source) throw new AppError("NOT_FOUND", "that run has no suggestions in this project", [{ field: "runId", message: "not a judge of this project" }]);
  if (!source) return { sources, source: null, taskType: null, overall: null, humans: null, byModel: [], byAnnotator: [], positionBias: null, leaderboard: [], ratings: null };

  const db = pool();
  const [{ rows: project }, { rows: suggestions }, { rows: votes }, { rows: models }] = await Promise.all([
    db.query<{ taskType: string }>(`SELECT "taskType" FROM "Project" WHERE id = $1`, [projectId]),
    db.query<SuggestionRow>(
      `SELECT "itemId", ranking, thumbs, ratings, consistent, answers FROM "Suggestion" WHERE "runId" = $1 AND "projectId" = $2 AND ranking IS NOT NULL`,
      [source.runId, projectId],
    ),
    db.query<VoteRow>(
      `SELECT a."itemId", a."userId", u.name, a.ranking, a.thumbs, a.ratings
         FROM "Annotation" a JOIN "User" u ON u.id = a."userId"
        WHERE a."projectId" = $2 AND ${countedAnnotation("a")}
          AND EXISTS (SELECT 1 FROM "Suggestion" s WHERE s."runId" = $1 AND s."itemId" = a."itemId" AND s.ranking IS NOT NULL)`,
      [source.runId, projectId],
    ),
    db.query<{ itemId: string; candidateId: string; model: string | null }>(
      `SELECT ic."itemId", ic."candidateId", c.model FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId"
        WHERE ic."itemId" IN (SELECT "itemId" FROM "Suggestion" WHERE "runId" = $1 AND ranking IS NOT NULL)
        ORDER BY ic."itemId", ic.position`,
      [source.runId],
    ),
  ]);
  const taskType = project[0]?.taskType as JudgeAnalytics["taskType"];
  const candidatesOf = new Map<string, { id: string; model: string }[]>();
  for (const m of models) get(candidatesOf, m.itemId, () => []).push({ id: m.candidateId, model: m.model ?? "unknown" });
  const votesOf = new Map<string, VoteRow[]>();
  for (const v of votes) get(votesOf, v.itemId, () => []).push(v);

  const overall = new Tally();
  const humans = new Tally();
  const byModel = new Map<string, Tally>();
  const byAnnotator = new Map<string, { name: string; tally: Tally }>();
  const outcomes = new Map<string, PairTally>();
  let consistentKnown = 0;
  let consistent = 0;
  let decidedAnswers = 0;
  let firstShownWins = 0;
  // RATING: thumbs agreement and the mean absolute difference per criterion
  let thumbsPairs = 0;
  let thumbsAgree = 0;
  const criteria = new Map<string, { n: number; absDiff: number }>();

  for (const s of suggestions) {
    const candidates = candidatesOf.get(s.itemId) ?? [];
    const judge = places(s.ranking);
    const itemVotes = votesOf.get(s.itemId) ?? [];
    if (s.consistent !== null) {
      consistentKnown++;
      if (s.consistent) consistent++;
    }
    for (const a of s.answers) {
      const best = a.verdict?.ranking?.[0];
      if (best?.length === 1 && a.order.length > 1) {
        decidedAnswers++;
        if (best[0] === a.order[0]) firstShownWins++;
      }
    }
    if (taskType === "RATING") {
      const id = candidates[0]?.id;
      for (const v of itemVotes) {
        if (s.thumbs !== null && v.thumbs !== null) {
          thumbsPairs++;
          if (s.thumbs === v.thumbs) thumbsAgree++;
        }
        for (const [key, value] of Object.entries((id && s.ratings[id]) || {})) {
          const human = id ? v.ratings[id]?.[key] : undefined;
          if (typeof human !== "number") continue;
          const c = get(criteria, key, () => ({ n: 0, absDiff: 0 }));
          c.n++;
          c.absDiff += Math.abs(human - value);
        }
      }
      continue;
    }
    const humanPlaces = itemVotes.map((v) => ({ v, p: places(v.ranking) }));
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        const [a, b] = [candidates[i], candidates[j]];
        const rj = relation(judge, a.id, b.id);
        if (rj === null) continue;
        if (a.model !== b.model) {
          const [ma, mb, r] = a.model < b.model ? [a.model, b.model, rj] : [b.model, a.model, -rj];
          const t = get(outcomes, `${ma}\u0000${mb}`, () => ({ a: ma, b: mb, aWins: 0, bWins: 0, ties: 0 }));
          if (r > 0) t.aWins++;
          else if (r < 0) t.bWins++;
          else t.ties++;
        }
        const rh = humanPlaces.map(({ v, p }) => ({ v, r: relation(p, a.id, b.id) })).filter((x): x is { v: VoteRow; r: number } => x.r !== null);
        for (const { v, r } of rh) {
          overall.add(r, rj);
          get(byAnnotator, v.userId, () => ({ name: v.name, tally: new Tally() })).tally.add(r, rj);
          for (const m of new Set([a.model, b.model])) get(byModel, m, () => new Tally()).add(r, rj);
        }
        for (let x = 0; x < rh.length; x++) {
          for (let y = x + 1; y < rh.length; y++) if (rh[x].v.userId !== rh[y].v.userId) humans.add(rh[x].r, rh[y].r);
        }
      }
    }
  }

  const ratings = taskType === "RATING" ? {
    thumbsPairs,
    thumbsAgreement: thumbsPairs ? thumbsAgree / thumbsPairs : null,
    criteria: [...criteria].map(([key, c]) => ({ key, pairs: c.n, meanAbsDiff: c.absDiff / c.n })).sort((x, y) => x.key.localeCompare(y.key)),
  } : null;
  return {
    sources,
    source,
    taskType,
    overall: overall.figures(),
    humans: humans.figures(),
    byModel: [...byModel].map(([model, t]) => ({ model, ...t.figures() })).sort((x, y) => x.model.localeCompare(y.model)),
    byAnnotator: [...byAnnotator].map(([userId, { name, tally }]) => ({ userId, name, ...tally.figures() })).sort((x, y) => y.pairs - x.pairs || x.name.localeCompare(y.name)),
    positionBias: {
      comparedTwice: consistentKnown,
      consistency: consistentKnown ? consistent / consistentKnown : null,
      decidedAnswers,
      firstShownWinRate: decidedAnswers ? firstShownWins / decidedAnswers : null,
    },
    leaderboard: outcomes.size ? bradleyTerry([...outcomes.values()], { bootstrapRounds }) : [],
    ratings,
  };
}
