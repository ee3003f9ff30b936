// A draft is an annotator's unfinished judgement of one assignment: what they chose, how they ranked and rated,
// what they wrote. Pure functions only: the page's reducer applies changes, persistence stores drafts, and
// `toJudgement` turns a draft into what the server accepts, checked with the server's own rules
// (server/schemas/judgement.ts), so a problem shows up before anything is sent, in the server's words.
import { judgementErrors, type Flag, type Judgement, type Strength } from "@/server/schemas/judgement";
import type { ItemView, ProjectView } from "@/components/annotate/types";

export type PairChoice = { winner: 0 | 1; strength: Exclude<Strength, "TIE"> } | { winner: "tie" };

export interface Draft {
  /** the assignment this draft belongs to; it is never shown against any other */
  assignmentId: string;
  /** the candidate ids of that assignment, as shown: a draft whose candidates differ from an item's is not its draft */
  candidateIds: string[];
  /** pairwise: the chosen side and strength, or a tie */
  choice: PairChoice | null;
  /** ranking: candidate ids, best first */
  order: string[];
  /** ranking: ids tied with the candidate directly above them */
  tiedWithAbove: string[];
  /** ranking: whether the annotator changed (or confirmed) the order shown */
  rankingTouched: boolean;
  bothBad: boolean;
  /** rating: thumbs up (true) or down (false) */
  thumbs: boolean | null;
  /** demonstration: the response written; null while untouched (an improvement then starts from the response shown) */
  demonstration: string | null;
  ratings: Record<string, Record<string, number>>;
  rationale: string;
  flags: Flag[];
  flagNote: string;
  /** when the item was first shown (epoch ms): time spent survives a reload */
  startedAt: number;
  /** filled in from the AI judge's suggestion and not changed or confirmed since (the project prefills them) */
  prefilled?: boolean;
}

/** The 7-point pairwise scale, left to right as on screen; keys 1–7 pick these positions. */
export const SCALE: { label: string; short: string; choice: PairChoice }[] = [
  { label: "A much better", short: "A+++", choice: { winner: 0, strength: "MUCH_BETTER" } },
  { label: "A better", short: "A++", choice: { winner: 0, strength: "BETTER" } },
  { label: "A slightly better", short: "A+", choice: { winner: 0, strength: "SLIGHTLY_BETTER" } },
  { label: "Tie", short: "=", choice: { winner: "tie" } },
  { label: "B slightly better", short: "B+", choice: { winner: 1, strength: "SLIGHTLY_BETTER" } },
  { label: "B better", short: "B++", choice: { winner: 1, strength: "BETTER" } },
  { label: "B much better", short: "B+++", choice: { winner: 1, strength: "MUCH_BETTER" } },
];

export function sameChoice(a: PairChoice | null, b: PairChoice | null): boolean {
  if (!a || !b) return false;
  if (a.winner === "tie" || b.winner === "tie") return a.winner === b.winner;
  return a.winner === b.winner && a.strength === b.strength;
}

export function emptyDraft(item: ItemView, now: number): Draft {
  const ids = item.candidates.map((c) => c.id);
  const blank: Draft = { assignmentId: item.assignmentId, candidateIds: ids, choice: null, order: ids, tiedWithAbove: [], rankingTouched: false, bothBad: false, thumbs: null, demonstration: null, ratings: {}, rationale: "", flags: [], flagNote: "", startedAt: now };
  return item.suggestion ? prefill(blank, item, item.suggestion) : blank;
}

type Suggestion = NonNullable<ItemView["suggestion"]>;

/** A fresh draft with the AI judge's verdict filled in, to be confirmed (Enter twice) or changed. */
function prefill(d: Draft, item: ItemView, s: Suggestion): Draft {
  const ids = item.candidates.map((c) => c.id);
  // a suggestion for other candidates than the ones shown is not this item's
  const flat = s.ranking.flat();
  if (flat.length !== ids.length || flat.some((id) => !ids.includes(id))) return d;
  if (ids.length === 2 && s.strength) {
    const choice: PairChoice = s.strength === "TIE" ? { winner: "tie" } : { winner: s.ranking[0][0] === ids[0] ? 0 : 1, strength: s.strength };
    return { ...d, choice, prefilled: true };
  }
  if (ids.length === 1) {
    return { ...d, thumbs: s.thumbs, ratings: s.ratings[ids[0]] ? { [ids[0]]: { ...s.ratings[ids[0]] } } : {}, prefilled: true };
  }
  return { ...d, order: flat, tiedWithAbove: s.ranking.flatMap((g) => g.slice(1)), rankingTouched: true, prefilled: true };
}

/** A verdict in the page's words, for the responses as they were shown ("A better", "C > A = B", "thumbs up"). */
export function describeVerdict(shownIds: string[], v: { ranking: string[][]; strength?: Strength | null; thumbs?: boolean | null }): string {
  const label = (id: string) => "ABCDEFGHI"[shownIds.indexOf(id)] ?? "?";
  if (shownIds.length === 1) return v.thumbs === null || v.thumbs === undefined ? "rated" : v.thumbs ? "thumbs up" : "thumbs down";
  if (shownIds.length === 2 && v.strength) {
    if (v.strength === "TIE") return "tie";
    const words = { MUCH_BETTER: "much better", BETTER: "better", SLIGHTLY_BETTER: "slightly better" }[v.strength];
    return `${label(v.ranking[0][0])} ${words}`;
  }
  return v.ranking.map((g) => g.map(label).join(" = ")).join(" > ");
}

/** Whether `draft` is this item's: same assignment, same candidates in the same order. */
export function draftFits(draft: Draft | undefined, item: ItemView): draft is Draft {
  if (!draft || draft.assignmentId !== item.assignmentId) return false;
  const ids = item.candidates.map((c) => c.id);
  return draft.candidateIds.length === ids.length && draft.candidateIds.every((id, i) => id === ids[i]) && [...draft.order].sort().join() === [...ids].sort().join();
}

export function rankingGroups(order: string[], tiedWithAbove: string[]): string[][] {
  const groups: string[][] = [];
  order.forEach((id, i) => {
    if (i > 0 && tiedWithAbove.includes(id)) groups[groups.length - 1].push(id);
    else groups.push([id]);
  });
  return groups;
}

/** Every change an annotator can make to a draft, as data (the reducer's events carry these). */
export type DraftChange =
  | { kind: "choose"; choice: PairChoice }
  | { kind: "toggleBothBad" }
  | { kind: "thumbs"; value: boolean }
  | { kind: "demonstration"; text: string }
  | { kind: "toggleFlag"; flag: Flag }
  | { kind: "flagNote"; text: string }
  | { kind: "rationale"; text: string }
  | { kind: "rate"; candidateId: string; criterion: string; value: number | null }
  | { kind: "moveTo"; candidateId: string; index: number }
  | { kind: "toggleTie"; candidateId: string }
  | { kind: "confirmOrder" };

/** Any change (or a confirmation) makes a prefilled draft the annotator's own. */
export function applyChange(d: Draft, c: DraftChange): Draft {
  const changed = change(d, c);
  return changed.prefilled ? { ...changed, prefilled: false } : changed;
}

function change(d: Draft, c: DraftChange): Draft {
  switch (c.kind) {
    case "choose":
      return { ...d, choice: c.choice };
    case "toggleBothBad":
      return { ...d, bothBad: !d.bothBad };
    case "thumbs":
      // the same answer again takes it back
      return { ...d, thumbs: d.thumbs === c.value ? null : c.value };
    case "demonstration":
      return { ...d, demonstration: c.text };
    case "toggleFlag":
      return { ...d, flags: d.flags.includes(c.flag) ? d.flags.filter((f) => f !== c.flag) : [...d.flags, c.flag] };
    case "flagNote":
      return { ...d, flagNote: c.text };
    case "rationale":
      return { ...d, rationale: c.text };
    case "rate": {
      const forCandidate = { ...(d.ratings[c.candidateId] ?? {}) };
      if (c.value === null) delete forCandidate[c.criterion];
      else forCandidate[c.criterion] = c.value;
      return { ...d, ratings: { ...d.ratings, [c.candidateId]: forCandidate } };
    }
    case "moveTo": {
      const from = d.order.indexOf(c.candidateId);
      const to = Math.max(0, Math.min(d.order.length - 1, c.index));
      if (from < 0) return d;
      if (from === to) return { ...d, rankingTouched: true };
      const order = [...d.order];
      order.splice(from, 1);
      order.splice(to, 0, c.candidateId);
      // the top of a ranking cannot be tied with anything above it
      return { ...d, order, tiedWithAbove: d.tiedWithAbove.filter((id) => id !== order[0]), rankingTouched: true };
    }
    case "toggleTie": {
      if (d.order.indexOf(c.candidateId) <= 0) return d;
      const tied = d.tiedWithAbove.includes(c.candidateId);
      return { ...d, tiedWithAbove: tied ? d.tiedWithAbove.filter((x) => x !== c.candidateId) : [...d.tiedWithAbove, c.candidateId], rankingTouched: true };
    }
    case "confirmOrder":
      return { ...d, rankingTouched: true };
  }
}

export type ToJudgementResult =
  | { ok: true; judgement: Judgement }
  /** `needsConfirmation`: the ranking is as shown; Enter again submits it as it is */
  | { ok: false; message: string; field: string; needsConfirmation?: boolean };

/** The judgement a draft stands for, checked with the server's rules; the first problem, worded for the page. */
export function toJudgement(d: Draft, item: ItemView, project: ProjectView, now: number): ToJudgementResult {
  const ids = item.candidates.map((c) => c.id);
  if (d.prefilled) {
    return { ok: false, field: "suggestion", needsConfirmation: true, message: "The AI judge's suggestion is filled in. Change anything you disagree with, or press Enter again to submit it as your own judgement." };
  }
  let ranking: string[][];
  let strength: Strength | undefined;
  if (project.taskType === "PAIRWISE") {
    if (!d.choice) return { ok: false, field: "strength", message: "Pick how the responses compare first: keys 1–7 (1 = A much better … 7 = B much better)." };
    if (d.choice.winner === "tie") {
      ranking = [[ids[0], ids[1]]];
      strength = "TIE";
    } else {
      ranking = [[ids[d.choice.winner]], [ids[1 - d.choice.winner]]];
      strength = d.choice.strength;
    }
  } else if (project.taskType === "RATING") {
    if (project.thumbs && d.thumbs === null) return { ok: false, field: "thumbs", message: "Thumbs up (A) or thumbs down (X) first." };
    ranking = [[ids[0]]];
  } else if (project.taskType === "DEMONSTRATION") {
    ranking = [];
  } else {
    if (!d.rankingTouched) {
      return { ok: false, field: "ranking", needsConfirmation: true, message: "The ranking is still in the order shown. Move responses to rank them, or press Enter again to submit this order as your ranking." };
    }
    ranking = rankingGroups(d.order, d.tiedWithAbove);
  }
  const judgement: Judgement = {
    ranking,
    ...(strength ? { strength } : {}),
    bothBad: project.taskType === "PAIRWISE" || project.taskType === "RANKING" ? d.bothBad : false,
    ...(project.taskType === "RATING" && project.thumbs && d.thumbs !== null ? { thumbs: d.thumbs } : {}),
    ...(project.taskType === "DEMONSTRATION" ? { demonstration: demonstrationText(d, item), ...(ids[0] ? { demonstrationFrom: ids[0] } : {}) } : {}),
    ratings: Object.fromEntries(Object.entries(d.ratings).filter(([, r]) => Object.keys(r).length > 0)),
    rationale: d.rationale,
    flags: d.flags,
    flagNote: d.flagNote,
    timeSpentMs: Math.max(0, Math.min(24 * 3600 * 1000, Math.round(now - d.startedAt))),
  };
  const errors = judgementErrors(project, ids, judgement);
  if (errors.length) {
    const e = errors[0];
    const message =
      e.field === "rationale" ? "This project asks for a rationale: press R and say why." :
      e.field === "flagNote" ? "Say what the problem is when you flag \"Other\"." :
      e.field === "demonstration" && e.message === "write the response" ? "Write the response first, in the editor (W takes you there)." :
      e.field.startsWith("ratings.") && e.message === "rate every criterion" ? "Rate every criterion first: C takes you to the first one still open." :
      e.field === "strength" && strength === "TIE" ? "This project does not allow ties: pick a side." :
      e.field === "ranking" && e.message.includes("ties") ? "This project does not allow ties: untie the responses (T)." :
      `${e.field}: ${e.message}`;
    return { ok: false, field: e.field, message };
  }
  return { ok: true, judgement };
}

/** The response a demonstration draft stands for: what was written, or — untouched — the response it improves. */
export function demonstrationText(d: Draft, item: ItemView): string {
  return d.demonstration ?? item.candidates[0]?.text ?? "";
}

/** A stored judgement (edit-last) as a draft of the item it judged. */
export function fromJudgement(item: ItemView, j: Omit<Judgement, "timeSpentMs">, now: number): Draft {
  const d = emptyDraft(item, now);
  const ids = item.candidates.map((c) => c.id);
  if (j.strength === "TIE") d.choice = { winner: "tie" };
  else if (j.strength) d.choice = { winner: j.ranking[0][0] === ids[0] ? 0 : 1, strength: j.strength };
  // a demonstration ranks nothing: its draft keeps the item's order
  if (j.ranking.length) d.order = j.ranking.flat();
  d.tiedWithAbove = j.ranking.flatMap((g) => g.slice(1));
  d.rankingTouched = true;
  return { ...d, bothBad: j.bothBad, thumbs: j.thumbs ?? null, demonstration: j.demonstration ?? null, ratings: j.ratings, rationale: j.rationale, flags: j.flags, flagNote: j.flagNote };
}
