// Drafts in localStorage, so a reload (or a crashed tab) keeps the answer chosen, the ranking, the ratings and a
// half-written rationale or demonstration of the items in hand. What comes back is checked field by field: storage is shared with
// other versions of this page and with whatever else runs on the origin, and a draft that does not fit its item
// is dropped by the page anyway (draftFits).
import type { Draft } from "@/components/annotate/draft";
import { FLAGS } from "@/server/schemas/judgement";

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

function isDraft(v: unknown): v is Draft {
  if (!v || typeof v !== "object") return false;
  const d = v as Record<string, unknown>;
  const choice = d.choice as Record<string, unknown> | null;
  return (
    typeof d.assignmentId === "string" &&
    strings(d.candidateIds) &&
    strings(d.order) &&
    strings(d.tiedWithAbove) &&
    typeof d.rankingTouched === "boolean" &&
    typeof d.bothBad === "boolean" &&
    (d.thumbs === undefined || d.thumbs === null || typeof d.thumbs === "boolean") &&
    (d.demonstration === undefined || d.demonstration === null || typeof d.demonstration === "string") &&
    typeof d.rationale === "string" &&
    typeof d.flagNote === "string" &&
    typeof d.startedAt === "number" &&
    strings(d.flags) &&
    d.flags.every((f) => (FLAGS as readonly string[]).includes(f)) &&
    !!d.ratings && typeof d.ratings === "object" &&
    (choice === null || (typeof choice === "object" && (choice.winner === "tie" || choice.winner === 0 || choice.winner === 1)))
  );
}

export function loadDrafts(key: string): Draft[] {
  try {
    const raw = window.localStorage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    // drafts stored before ratings and demonstrations existed lack their fields
    return Array.isArray(parsed) ? parsed.filter(isDraft).map((d) => ({ ...d, thumbs: d.thumbs ?? null, demonstration: d.demonstration ?? null })) : [];
  } catch {
    return [];
  }
}

export function saveDrafts(key: string, drafts: Draft[]): void {
  try {
    if (drafts.length) window.localStorage.setItem(key, JSON.stringify(drafts));
    else window.localStorage.removeItem(key);
  } catch {
    // storage full or disabled (private mode): the drafts stay in memory for this tab
  }
}
