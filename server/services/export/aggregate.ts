// Turns the judgements on one prompt into preference pairs under an aggregation policy. Pure functions: the export
// and its tests call them on prompt groups; nothing here touches the database.
//
// Votes on an unordered pair {a, b} come from every annotation of the prompt: the Comparison rows give the wins
// (with their margins) and the ranking groups give the ties (both candidates in one group).
import type { Aggregation } from "@/server/schemas/export";
import { derivePairs } from "@/server/services/comparisons";
import type { ExportAnnotation, PromptGroup } from "./stream";

export interface PreferencePair {
  chosenId: string;
  rejectedId: string;
  margin: number;
  /** a tie written because `ties: keep` */
  tie: boolean;
  /** a judgement behind the pair marked every response bad (see withoutBothBad for when such pairs are written) */
  bothBad: boolean;
  /** whose judgement the pair is (aggregation all; an aggregated pair is the people's, or the judge's when only it judged) */
  source?: "human" | "ai";
  /** mean per-criterion rating of each side, from the annotations behind the pair (null without ratings) */
  scoreChosen: number | null;
  scoreRejected: number | null;
}

export interface PairVotes {
  a: string;
  b: string;
  winsA: number;
  winsB: number;
  ties: number;
  marginsA: number[];
  marginsB: number[];
  /** votes on the pair from judgements that marked every response bad */
  bothBad: number;
}

function pairKey(x: string, y: string): [string, string, string] {
  return x < y ? [`${x}\u0000${y}`, x, y] : [`${y}\u0000${x}`, y, x];
}

/** Votes per unordered pair, in order of first appearance (which is stable: the stream order is). */
export function collectVotes(annotations: ExportAnnotation[]): Map<string, PairVotes> {
  const votes = new Map<string, PairVotes>();
  const get = (x: string, y: string) => {
    const [key, a, b] = pairKey(x, y);
    let v = votes.get(key);
    if (!v) {
      v = { a, b, winsA: 0, winsB: 0, ties: 0, marginsA: [], marginsB: [], bothBad: 0 };
      votes.set(key, v);
    }
    return v;
  };
  for (const ann of annotations) {
    for (const c of ann.comparisons) {
      const v = get(c.chosenId, c.rejectedId);
      if (ann.bothBad) v.bothBad++;
      if (v.a === c.chosenId) {
        v.winsA++;
        v.marginsA.push(c.margin);
      } else {
        v.winsB++;
        v.marginsB.push(c.margin);
      }
    }
    for (const group of ann.ranking) {
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          const v = get(group[i], group[j]);
          v.ties++;
          if (ann.bothBad) v.bothBad++;
        }
      }
    }
  }
  return votes;
}

/**
 * The prompt's judgements less those that marked every response bad (items left with none go too). A both-bad
 * judgement still ranks its responses, but a ranking of bad responses is no evidence of a good one: the preference
 * formats leave these out unless the snapshot keeps them (`bothBad: keep`), SFT never takes its best response from
 * them, and KTO writes their responses as undesirable instead of pairing them.
 */
export function withoutBothBad(group: PromptGroup): PromptGroup {
  if (!group.items.some((item) => item.annotations.some((a) => a.bothBad))) return group;
  const items = group.items
    .map((item) => ({ ...item, annotations: item.annotations.filter((a) => !a.bothBad) }))
    .filter((item) => item.annotations.length > 0);
  return { ...group, items };
}

/** Whether any judgement of the prompt marked every response bad (the `both_bad` of a per-prompt row). */
export function anyBothBad(group: PromptGroup): boolean {
  return group.items.some((item) => item.annotations.some((a) => a.bothBad));
}

function total(v: PairVotes): number {
  return v.winsA + v.winsB + v.ties;
}

/** Share of the votes on the pair that say `chosen` beats the other one (null when nobody compared them). */
function agreementFor(v: PairVotes | undefined, chosen: string): number | null {
  if (!v || total(v) === 0) return null;
  return (chosen === v.a ? v.winsA : v.winsB) / total(v);
}

/** Mean over criteria of one annotation's ratings of one candidate (`{criterion: 1..7}`), or null without any. */
export function ratingsScore(r: Record<string, number> | null | undefined): number | null {
  if (!r) return null;
  const values = Object.values(r).filter((x): x is number => typeof x === "number");
  if (values.length === 0) return null;
  return values.reduce((s, x) => s + x, 0) / values.length;
}

/** Mean over criteria of one annotation's ratings of a candidate. */
function annotationScore(ann: ExportAnnotation, candidateId: string): number | null {
  return ratingsScore(ann.ratings?.[candidateId]);
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Mean rating of each candidate over every annotation of the prompt that rated it. */
function promptScores(annotations: ExportAnnotation[]): Map<string, number> {
  const sums = new Map<string, number[]>();
  for (const ann of annotations) {
    for (const candidateId of Object.keys(ann.ratings ?? {})) {
      const s = annotationScore(ann, candidateId);
      if (s === null) continue;
      const list = sums.get(candidateId);
      if (list) list.push(s);
      else sums.set(candidateId, [s]);
    }
  }
  return new Map([...sums].map(([id, xs]) => [id, mean(xs)]));
}

/** Rounds away float noise so a file never depends on summation order or platform. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function annotationsOf(group: PromptGroup): ExportAnnotation[] {
  return group.items.flatMap((i) => i.annotations);
}

/**
 * Bradley-Terry strengths by Hunter's MM algorithm, ties counting half a win to each side. Every candidate also plays
 * two virtual games (one won, one lost) against an anchor of strength 1, so an unbeaten candidate gets a finite score
 * and candidates never compared with each other are still placed. Returns log-strengths.
 */
export function bradleyTerry(candidateIds: string[], votes: Iterable<PairVotes>): Map<string, number> {
  const idx = new Map(candidateIds.map((id, i) => [id, i]));
  const n = candidateIds.length;
  const wins = new Array<number>(n).fill(1);
  const games: { i: number; j: number; n: number }[] = [];
  for (const v of votes) {
    const i = idx.get(v.a);
    const j = idx.get(v.b);
    if (i === undefined || j === undefined || total(v) === 0) continue;
    wins[i] += v.winsA + v.ties / 2;
    wins[j] += v.winsB + v.ties / 2;
    games.push({ i, j, n: total(v) });
  }
  let p = new Array<number>(n).fill(1);
  for (let iter = 0; iter < 500; iter++) {
    const denom = p.map((pi) => 2 / (pi + 1));
    for (const g of games) {
      const d = g.n / (p[g.i] + p[g.j]);
      denom[g.i] += d;
      denom[g.j] += d;
    }
    const next = p.map((_, i) => wins[i] / denom[i]);
    const delta = Math.max(...next.map((x, i) => Math.abs(x - p[i])));
    p = next;
    if (delta < 1e-12) break;
  }
  return new Map(candidateIds.map((id, i) => [id, Math.log(p[i])]));
}

/** Candidates judged in the group, in first-seen order (item candidate order). */
function judgedCandidates(group: PromptGroup, votes: Map<string, PairVotes>): string[] {
  const seen = new Set<string>();
  for (const v of votes.values()) {
    seen.add(v.a);
    seen.add(v.b);
  }
  const ordered: string[] = [];
  for (const item of group.items) for (const c of item.candidates) if (seen.has(c.id) && !ordered.includes(c.id)) ordered.push(c.id);
  return ordered;
}

/**
 * Ranks of the prompt's candidates by Bradley-Terry score (1 = best; equal scores share a rank), with the scores.
 * Used by the UltraFeedback-like format and by the `bradley_terry` policy.
 */
export function rankCandidates(
  group: PromptGroup,
  votes: Map<string, PairVotes>,
): { ranks: Map<string, number>; scores: Map<string, number> } {
  const ids = judgedCandidates(group, votes);
  const scores = bradleyTerry(ids, votes.values());
  const sorted = [...ids].sort((x, y) => scores.get(y)! - scores.get(x)! || (x < y ? -1 : 1));
  const ranks = new Map<string, number>();
  let rank = 0;
  let prev: number | null = null;
  for (const id of sorted) {
    const s = round6(scores.get(id)!);
    if (prev === null || s !== prev) rank++;
    prev = s;
    ranks.set(id, rank);
  }
  return { ranks, scores };
}

/** Preference pairs of one prompt under the policy. Row order is stable for unchanged data. */
export function preferencePairs(
  group: PromptGroup,
  aggregation: Aggregation,
  votes: Map<string, PairVotes> = collectVotes(annotationsOf(group)),
): PreferencePair[] {
  const annotations = annotationsOf(group);
  const keepTies = aggregation.ties === "keep";
  const passes = (v: PairVotes | undefined, chosen: string) => {
    const agreement = agreementFor(v, chosen);
    return agreement === null || agreement >= aggregation.minAgreement;
  };
  const out: PreferencePair[] = [];

  if (aggregation.policy === "all") {
    for (const ann of annotations) {
      for (const c of ann.comparisons) {
        if (!passes(votes.get(pairKey(c.chosenId, c.rejectedId)[0]), c.chosenId)) continue;
        out.push({
          chosenId: c.chosenId,
          rejectedId: c.rejectedId,
          margin: c.margin,
          tie: false,
          bothBad: ann.bothBad,
          source: ann.source,
          scoreChosen: annotationScore(ann, c.chosenId),
          scoreRejected: annotationScore(ann, c.rejectedId),
        });
      }
      if (!keepTies) continue;
      for (const group of ann.ranking) {
        for (let i = 0; i < group.length; i++) {
          for (let j = i + 1; j < group.length; j++) {
            out.push({
              chosenId: group[i],
              rejectedId: group[j],
              margin: 0,
              tie: true,
              bothBad: ann.bothBad,
              source: ann.source,
              scoreChosen: annotationScore(ann, group[i]),
              scoreRejected: annotationScore(ann, group[j]),
            });
          }
        }
      }
    }
    return out;
  }

  // adjudicated: an item a reviewer adjudicated gives the pairs of the final answer, every other item its majority
  const bothBadOn = (x: string, y: string) => (votes.get(pairKey(x, y)[0])?.bothBad ?? 0) > 0;
  if (aggregation.policy === "adjudicated") {
    const scores = promptScores(annotations);
    for (const item of group.items) {
      if (!item.adjudication) {
        const alone = { ...group, items: [item] };
        out.push(...preferencePairs(alone, { ...aggregation, policy: "majority" }));
        continue;
      }
      for (const c of derivePairs(item.adjudication.ranking, item.adjudication.strength)) {
        out.push({ chosenId: c.chosenId, rejectedId: c.rejectedId, margin: c.margin, tie: false, bothBad: bothBadOn(c.chosenId, c.rejectedId), scoreChosen: scores.get(c.chosenId) ?? null, scoreRejected: scores.get(c.rejectedId) ?? null });
      }
      if (!keepTies) continue;
      for (const g of item.adjudication.ranking) {
        for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) out.push({ chosenId: g[i], rejectedId: g[j], margin: 0, tie: true, bothBad: bothBadOn(g[i], g[j]), scoreChosen: scores.get(g[i]) ?? null, scoreRejected: scores.get(g[j]) ?? null });
      }
    }
    return out;
  }

  const scores = promptScores(annotations);
  const pair = (chosenId: string, rejectedId: string, margin: number, tie: boolean): PreferencePair => ({
    chosenId,
    rejectedId,
    margin: round6(margin),
    tie,
    bothBad: bothBadOn(chosenId, rejectedId),
    scoreChosen: scores.get(chosenId) ?? null,
    scoreRejected: scores.get(rejectedId) ?? null,
  });

  if (aggregation.policy === "majority") {
    for (const v of votes.values()) {
      if (v.winsA === v.winsB) {
        // a split vote (or only tie votes): there is no majority direction
        if (keepTies && v.ties + v.winsA + v.winsB > 0) out.push(pair(v.a, v.b, 0, true));
        continue;
      }
      const aWins = v.winsA > v.winsB;
      const chosen = aWins ? v.a : v.b;
      if (!passes(v, chosen)) continue;
      out.push(pair(chosen, aWins ? v.b : v.a, mean(aWins ? v.marginsA : v.marginsB), false));
    }
    return out;
  }

  // bradley_terry: every pair of judged candidates, ordered by score; margin = score difference
  const { scores: bt } = rankCandidates(group, votes);
  const ids = [...bt.keys()].sort((x, y) => bt.get(y)! - bt.get(x)! || (x < y ? -1 : 1));
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const diff = round6(bt.get(ids[i])! - bt.get(ids[j])!);
      if (diff === 0) {
        if (keepTies) out.push(pair(ids[i], ids[j], 0, true));
        continue;
      }
      if (!passes(votes.get(pairKey(ids[i], ids[j])[0]), ids[i])) continue;
      out.push(pair(ids[i], ids[j], diff, false));
    }
  }
  return out;
}
