// The judge panel's figures (server/services/judge/analytics.ts) and its input.
import { z } from "zod";
import type { LeaderboardRow } from "@/server/schemas/analytics";
import type { TaskType } from "@/server/schemas/judgement";

export const judgeAnalyticsInput = z.object({
  projectId: z.string().min(1),
  // one judge (a JUDGE or SCORE run with suggestions in the project); default: the newest
  runId: z.string().min(1).optional(),
});

export interface JudgeSource {
  runId: string;
  name: string;
  kind: string;
  status: string;
  /** the endpoint's model or the reward model's name */
  judge: string;
  source: "endpoint" | "reward_model";
  suggestions: number;
  withVerdict: number;
  createdAt: string;
}

export interface AgreementFigures {
  /** candidate pairs judged by both sides (per human judgement) */
  pairs: number;
  /** share where both said the same: first better, second better or tie */
  agreement: number | null;
  /** pairs neither side called a tie */
  decidedPairs: number;
  decidedAgreement: number | null;
}

export interface JudgeAnalytics {
  sources: JudgeSource[];
  source: JudgeSource | null;
  taskType: TaskType | null;
  /** the judge against every counted human judgement of the items it judged */
  overall: AgreementFigures | null;
  /** the people against each other on the same items: what the judge's agreement is measured against */
  humans: AgreementFigures | null;
  byModel: ({ model: string } & AgreementFigures)[];
  byAnnotator: ({ userId: string; name: string } & AgreementFigures)[];
  positionBias: {
    /** suggestions asked in both orders with a verdict each time */
    comparedTwice: number;
    /** share of those where both orders gave the same verdict */
    consistency: number | null;
    /** answers with a single best candidate */
    decidedAnswers: number;
    /** share of those where the best was the one shown first (0.5 without position bias) */
    firstShownWinRate: number | null;
  } | null;
  leaderboard: LeaderboardRow[];
  ratings: { thumbsPairs: number; thumbsAgreement: number | null; criteria: { key: string; pairs: number; meanAbsDiff: number }[] } | null;
}
