// Model leaderboard, Chatbot Arena style: Bradley-Terry ratings from pairwise outcomes between candidate
// sources (models), on the Elo scale (base 10, scale 400, anchored at 1000), with bootstrap intervals.
//
// Conventions:
// - A tie counts as half a win for each side (the Elo convention; the BT likelihood then treats it as one
//   half-win and one half-loss).
// - Every model plays `prior` virtual games (half won, half lost) against a reference player of average
//   strength (log-strength 0). Without it a model that won every comparison has no finite maximum-likelihood rating; with it
//   that model is rated high but finite, and a model with plenty of data barely moves (one virtual game
//   against thousands of real ones).
// - Ratings are shifted so their mean is the anchor rating (or so a chosen anchor model sits on it). Only
//   differences carry meaning: 400 points = 10:1 odds.
// - Confidence intervals resample the comparisons with replacement (a multinomial over the outcome cells,
//   which is exactly the row bootstrap since the likelihood depends only on the cell counts), refit, and
//   take percentiles; the random stream is seeded so the same data always gives the same intervals.

import { multinomialResample, seededRandom } from "@/server/services/analytics/random";

/** Outcomes between two models, `a` and `b` (distinct). */
export interface PairTally {
  a: string;
  b: string;
  aWins: number;
  bWins: number;
  ties: number;
}

export interface BradleyTerryOptions {
  scale?: number;
  base?: number;
  /** mean rating (or the anchor model's rating) */
  anchorRating?: number;
  anchorModel?: string;
  /** virtual games per model against an average opponent; keeps all-win and all-loss models finite */
  prior?: number;
  bootstrapRounds?: number;
  seed?: number;
  /** central coverage of the interval */
  confidence?: number;
}

export interface ModelRating {
  model: string;
  rating: number;
  /** null when bootstrapRounds is 0 */
  ciLow: number | null;
  ciHigh: number | null;
  comparisons: number;
  wins: number;
  losses: number;
  ties: number;
}

export interface WinRateCell {
  games: number;
  wins: number;
  ties: number;
  losses: number;
  /** (wins + ties / 2) / games of the row model against the column model; null without games */
  winRate: number | null;
}

export interface WinRateMatrix {
  models: string[];
  /** cells[row][column] */
  cells: WinRateCell[][];
}

const DEFAULTS = {
  scale: 400,
  base: 10,
  anchorRating: 1000,
  prior: 1,
  bootstrapRounds: 200,
  seed: 20240101,
  confidence: 0.95,
} satisfies Omit<BradleyTerryOptions, "anchorModel">;

type Cell = { i: number; j: number; iWins: number; jWins: number; ties: number };

interface Fitted {
  models: string[];
  /** pair cells with model indexes, merged per unordered pair */
  pairs: Cell[];
}

/**
 * Models and merged pair cells in a canonical order (by name), so that the bootstrap's random stream meets
 * the cells in the same order however the tallies arrived: same data, same intervals.
 */
function index(tallies: readonly PairTally[]): Fitted {
  const merged = new Map<string, { first: string; second: string; firstWins: number; secondWins: number; ties: number }>();
  for (const t of tallies) {
    if (t.a === t.b) continue;
    const [first, second, firstWins, secondWins] = t.a < t.b ? [t.a, t.b, t.aWins, t.bWins] : [t.b, t.a, t.bWins, t.aWins];
    const key = `${first}\u0000${second}`;
    const cell = merged.get(key) ?? { first, second, firstWins: 0, secondWins: 0, ties: 0 };
    cell.firstWins += firstWins;
    cell.secondWins += secondWins;
    cell.ties += t.ties;
    merged.set(key, cell);
  }
  const models = [...new Set([...merged.values()].flatMap((c) => [c.first, c.second]))].sort();
  const at = new Map(models.map((m, k) => [m, k]));
  const pairs = [...merged.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, c]) => ({ i: at.get(c.first)!, j: at.get(c.second)!, iWins: c.firstWins, jWins: c.secondWins, ties: c.ties }));
  return { models, pairs };
}

/** ln σ(x), stable for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logLikelihood(theta: Float64Array, pairs: readonly Cell[], prior: number): number {
  let ll = 0;
  for (const p of pairs) {
    const d = theta[p.i] - theta[p.j];
    ll += (p.iWins + p.ties / 2) * logSigmoid(d) + (p.jWins + p.ties / 2) * logSigmoid(-d);
  }
  for (const t of theta) ll += (prior / 2) * (logSigmoid(t) + logSigmoid(-t));
  return ll;
}

/**
 * Natural-log strengths θ (P(i beats j) = σ(θi − θj)) maximising the likelihood with the virtual games, by
 * Newton's method with step halving. The virtual games make the problem strictly concave, so it converges
 * in a handful of steps even for a model far from the rest (an all-win model), where Hunter's MM creeps.
 * Cost per step is O(models³); projects compare a few dozen models at most.
 */
export function fitLogStrengths(modelCount: number, pairs: readonly Cell[], prior: number, start?: Float64Array): Float64Array {
  if (!(prior > 0)) throw new Error("The Bradley-Terry prior must be positive (it keeps every rating finite).");
  const theta = start ? Float64Array.from(start) : new Float64Array(modelCount);
  const gradient = new Float64Array(modelCount);
  const hessian = Array.from({ length: modelCount }, () => new Float64Array(modelCount));
  let ll = logLikelihood(theta, pairs, prior);
  for (let iteration = 0; iteration < 200; iteration++) {
    // gradient of the log-likelihood and the negated Hessian (positive definite)
    for (let k = 0; k < modelCount; k++) {
      const s = sigmoid(theta[k]);
      gradient[k] = prior / 2 - prior * s;
      hessian[k].fill(0);
      hessian[k][k] = prior * s * (1 - s);
    }
    for (const p of pairs) {
      const games = p.iWins + p.jWins + p.ties;
      if (games === 0) continue;
      const s = sigmoid(theta[p.i] - theta[p.j]);
      const residual = p.iWins + p.ties / 2 - games * s;
      gradient[p.i] += residual;
      gradient[p.j] -= residual;
      const w = games * s * (1 - s);
      hessian[p.i][p.i] += w;
      hessian[p.j][p.j] += w;
      hessian[p.i][p.j] -= w;
      hessian[p.j][p.i] -= w;
    }
    const step = solveSymmetric(hessian, gradient);
    let scale = 1;
    let next = theta;
    let nextLl = ll;
    for (let halving = 0; halving < 40; halving++) {
      next = theta.map((t, k) => t + scale * step[k]);
      nextLl = logLikelihood(next, pairs, prior);
      if (nextLl >= ll - 1e-12 * Math.abs(ll)) break;
      scale /= 2;
    }
    // Judge convergence on the step with its common shift removed: the shift is pinned only by the few
    // virtual games, so rounding noise in the gradient keeps it jittering, and the ratings ignore it.
    let shift = 0;
    for (let k = 0; k < modelCount; k++) shift += (next[k] - theta[k]) / modelCount;
    let moved = 0;
    for (let k = 0; k < modelCount; k++) moved = Math.max(moved, Math.abs(next[k] - theta[k] - shift));
    const improved = nextLl > ll;
    theta.set(next);
    ll = nextLl;
    if (moved < 1e-9 || !improved) break;
  }
  return theta;
}

/** Solves A x = b for symmetric positive definite A by Cholesky decomposition (A is overwritten). */
function solveSymmetric(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= a[j][k] * a[j][k];
    const root = Math.sqrt(d);
    a[j][j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= a[i][k] * a[j][k];
      a[i][j] = s / root;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i][k] * y[k];
    y[i] = s / a[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= a[k][i] * x[k];
    x[i] = s / a[i][i];
  }
  return x;
}

function toRatings(logStrengths: Float64Array, anchorIndex: number, o: Required<Omit<BradleyTerryOptions, "anchorModel">>): number[] {
  const perNatural = o.scale / Math.log(o.base);
  const raw = Array.from(logStrengths, (s) => s * perNatural);
  const shift = anchorIndex >= 0 ? raw[anchorIndex] : raw.reduce((s, x) => s + x, 0) / raw.length;
  return raw.map((r) => o.anchorRating + r - shift);
}

/** Linear-interpolated quantile of sorted values (the default "type 7" of R and NumPy). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

/** Ratings with bootstrap intervals, strongest first. */
export function bradleyTerry(tallies: readonly PairTally[], options: BradleyTerryOptions = {}): ModelRating[] {
  const o = { ...DEFAULTS, ...options };
  const { models, pairs } = index(tallies);
  if (models.length === 0) return [];
  const anchorIndex = o.anchorModel === undefined ? -1 : models.indexOf(o.anchorModel);
  if (o.anchorModel !== undefined && anchorIndex < 0) throw new Error(`Anchor model "${o.anchorModel}" has no comparisons.`);

  const fitted = fitLogStrengths(models.length, pairs, o.prior);
  const ratings = toRatings(fitted, anchorIndex, o);

  const samples = models.map(() => new Array<number>());
  if (o.bootstrapRounds > 0) {
    const random = seededRandom(o.seed);
    const cells = pairs.flatMap((p) => [p.iWins, p.jWins, p.ties]);
    for (let round = 0; round < o.bootstrapRounds; round++) {
      const drawn = multinomialResample(cells, random);
      const resampled = pairs.map((p, k) => ({ i: p.i, j: p.j, iWins: drawn[3 * k], jWins: drawn[3 * k + 1], ties: drawn[3 * k + 2] }));
      const r = toRatings(fitLogStrengths(models.length, resampled, o.prior, fitted), anchorIndex, o);
      r.forEach((x, k) => samples[k].push(x));
    }
  }

  const totals = models.map(() => ({ wins: 0, losses: 0, ties: 0 }));
  for (const p of pairs) {
    totals[p.i].wins += p.iWins;
    totals[p.i].losses += p.jWins;
    totals[p.i].ties += p.ties;
    totals[p.j].wins += p.jWins;
    totals[p.j].losses += p.iWins;
    totals[p.j].ties += p.ties;
  }
  const tail = (1 - o.confidence) / 2;
  return models
    .map((model, k) => {
      const sorted = samples[k].sort((x, y) => x - y);
      const t = totals[k];
      return {
        model,
        rating: ratings[k],
        ciLow: sorted.length ? quantile(sorted, tail) : null,
        ciHigh: sorted.length ? quantile(sorted, 1 - tail) : null,
        comparisons: t.wins + t.losses + t.ties,
        wins: t.wins,
        losses: t.losses,
        ties: t.ties,
      };
    })
    .sort((x, y) => y.rating - x.rating || (x.model < y.model ? -1 : 1));
}

/** Observed head-to-head results, rows and columns in the given model order (e.g. the leaderboard's). */
export function winRateMatrix(tallies: readonly PairTally[], order: readonly string[]): WinRateMatrix {
  const at = new Map(order.map((m, k) => [m, k]));
  const cells = order.map(() => order.map(() => ({ games: 0, wins: 0, ties: 0, losses: 0, winRate: null as number | null })));
  for (const t of tallies) {
    const i = at.get(t.a);
    const j = at.get(t.b);
    if (i === undefined || j === undefined || i === j) continue;
    cells[i][j].wins += t.aWins;
    cells[i][j].losses += t.bWins;
    cells[i][j].ties += t.ties;
    cells[j][i].wins += t.bWins;
    cells[j][i].losses += t.aWins;
    cells[j][i].ties += t.ties;
  }
  for (const row of cells) {
    for (const cell of row) {
      cell.games = cell.wins + cell.losses + cell.ties;
      cell.winRate = cell.games === 0 ? null : (cell.wins + cell.ties / 2) / cell.games;
    }
  }
  return { models: [...order], cells };
}
