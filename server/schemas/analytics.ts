// Inputs and the result shape of project analytics. The result is plain JSON (ISO strings, numbers, null)
// so a Server Component can hand it straight to the client chart and table components.
import { z } from "zod";

export const projectAnalyticsInput = z.object({ projectId: z.string().min(1) });
export type ProjectAnalyticsInput = z.infer<typeof projectAnalyticsInput>;

export const analyticsTables = ["progress", "hourly", "annotators", "agreement", "leaderboard", "winrates"] as const;
export const analyticsTable = z.enum(analyticsTables);
export type AnalyticsTable = z.infer<typeof analyticsTable>;

export const analyticsCsvInput = z.object({ projectId: z.string().min(1), table: analyticsTable });
export type AnalyticsCsvInput = z.infer<typeof analyticsCsvInput>;

export interface ProgressFigures {
  items: { open: number; complete: number; archived: number; total: number; gold: number };
  /** leases held right now (active and not yet expired) */
  activeLeases: number;
  annotations: number;
  /** annotations per clock hour, the last 48 hours, oldest first */
  perHour: Array<{ hour: string; annotations: number }>;
  /** judgements still needed to reach the overlap on every open non-gold item */
  remaining: number;
  /** counted judgements per hour over the last `paceWindowHours` */
  ratePerHour: number;
  paceWindowHours: number;
  etaHours: number | null;
  etaAt: string | null;
}

export interface AnnotatorFigures {
  userId: string;
  name: string;
  email: string;
  annotations: number;
  medianTimeMs: number | null;
  skips: number;
  /** skips / (skips + annotations) */
  skipRate: number | null;
  goldAnswered: number;
  goldAccuracy: number | null;
  /** units where the other annotators had a unique majority */
  majorityUnits: number;
  majorityAgreement: number | null;
  /** judgements with a single best candidate whose shown order is known */
  positionJudgements: number;
  /** share of those where the best candidate was the one shown first (left) */
  firstPositionShare: number | null;
  /** what an unbiased annotator would score: 1/2 for pairs, 1/K for K candidates */
  firstPositionExpected: number | null;
  flagsRaised: number;
}

export interface AgreementFigures {
  /** what one unit is: the item (pairwise projects) or a candidate pair within an item (ranking projects) */
  unit: "item" | "candidate pair";
  alpha: number | null;
  rawAgreement: number | null;
  /** items with at least two judgements */
  items: number;
  units: number;
  /** annotator pairs compared for the raw agreement */
  pairs: number;
}

export interface LeaderboardRow {
  model: string;
  rating: number;
  ciLow: number | null;
  ciHigh: number | null;
  comparisons: number;
  wins: number;
  losses: number;
  ties: number;
  /**
   * judgements marked both bad that had one of the model's candidates (a judgement counts once per model); on the
   * project's leaderboard only (an AI judge's has none)
   */
  bothBad?: number;
}

export interface WinRateFigures {
  models: string[];
  /** cells[row][column]: the row model's results against the column model */
  cells: Array<Array<{ games: number; wins: number; ties: number; losses: number; winRate: number | null }>>;
}

/** How current the summaries behind the figures are. */
export interface AnalyticsFreshness {
  /** when the figures were last brought up to date: now when nothing is pending; null before the first take-in */
  updatedAt: string | null;
  /** judgements not yet counted in the figures (the background take-in is on them) */
  pending: number;
}

export interface ProjectAnalytics {
  project: { id: string; name: string; slug: string; taskType: "PAIRWISE" | "RANKING"; overlap: number };
  generatedAt: string;
  freshness: AnalyticsFreshness;
  progress: ProgressFigures;
  annotators: AnnotatorFigures[];
  agreement: AgreementFigures;
  leaderboard: { rows: LeaderboardRow[]; comparisons: number; bootstrapRounds: number };
  winRates: WinRateFigures;
}
