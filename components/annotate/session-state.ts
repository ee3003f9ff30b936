// The annotation page's state as one reducer with named states and events (no component keeps a copy of any of
// it). The queue holds the item on screen and the prefetched one; drafts are kept per assignment id; editing the
// last submission is a mode of its own with its own item and draft, never a fake queue entry. The one way to read
// what is on screen is `onScreen`, which pairs the item with its own draft — a draft can never reach another item.
import { applyChange, draftFits, emptyDraft, type Draft, type DraftChange } from "@/components/annotate/draft";
import type { ItemView, Refusal } from "@/components/annotate/types";

export type Panel = "flags" | "skip";
export type Drawer = "guidelines" | "help";

export type Mode =
  | { kind: "judging" }
  | { kind: "editing"; annotationId: string; item: ItemView; draft: Draft; saving: boolean };

export interface SessionState {
  /** [0] is on screen, the rest prefetched */
  queue: ItemView[];
  /** "dry": nothing on screen and the server had nothing more when last asked */
  queueStatus: "loading" | "ready" | "dry";
  /** the server's last answer to "next" was: nothing */
  serverDry: boolean;
  /** why the server hands out no new item, as of its last answer (held items still come first) */
  refusal: Refusal | null;
  loadError: string | null;
  drafts: Record<string, Draft>;
  mode: Mode;
  panel: Panel | null;
  drawer: Drawer | null;
  /** ranking: the response the arrow keys and digits act on, per item */
  selected: Record<string, string>;
  formError: string | null;
  /** the item (selection key) whose untouched ranking the annotator was asked to confirm with a second Enter */
  confirming: string | null;
  notice: string | null;
}

export type SessionEvent =
  | { type: "itemArrived"; item: ItemView; refusal: Refusal | null; now: number }
  | { type: "queueDry"; refusal: Refusal | null }
  | { type: "loadFailed"; error: string }
  | { type: "draftsRestored"; drafts: Draft[] }
  | { type: "change"; change: DraftChange; now: number }
  | { type: "select"; candidateId: string }
  | { type: "left"; assignmentId: string; now: number }
  | { type: "editStarted"; annotationId: string; item: ItemView; draft: Draft }
  | { type: "editSaving" }
  | { type: "editEnded"; notice: string | null }
  | { type: "editFailed"; error: string }
  | { type: "panel"; panel: Panel | null }
  | { type: "drawer"; drawer: Drawer | null }
  | { type: "formError"; message: string | null }
  | { type: "askConfirm"; message: string }
  | { type: "notice"; message: string | null };

/** The item now first in the queue gets its draft the moment it is shown: that is when its time starts. */
function shown(s: SessionState, now: number): SessionState {
  const item = s.queue[0];
  if (!item || draftFits(s.drafts[item.assignmentId], item)) return s;
  return { ...s, drafts: { ...s.drafts, [item.assignmentId]: emptyDraft(item, now) } };
}

export function initialState(first: ItemView | null, dry: boolean, now: number, refusal: Refusal | null = null): SessionState {
  return shown({
    queue: first ? [first] : [],
    queueStatus: first ? "ready" : dry ? "dry" : "loading",
    serverDry: dry,
    refusal,
    loadError: null,
    drafts: {},
    mode: { kind: "judging" },
    panel: null,
    drawer: null,
    selected: {},
    formError: null,
    confirming: null,
    notice: null,
  }, now);
}

/** The item on screen and its own draft (a fresh one when it has none yet), or null when there is no item. */
export function onScreen(s: SessionState, now: number): { item: ItemView; draft: Draft; editing: boolean; selected: string } | null {
  if (s.mode.kind === "editing") {
    const item = s.mode.item;
    return { item, draft: s.mode.draft, editing: true, selected: s.selected[`edit:${s.mode.annotationId}`] ?? item.candidates[0].id };
  }
  const item = s.queue[0];
  if (!item) return null;
  const kept = s.drafts[item.assignmentId];
  const draft = draftFits(kept, item) ? kept : emptyDraft(item, now);
  const selected = s.selected[item.assignmentId];
  return { item, draft, editing: false, selected: selected && draft.order.includes(selected) ? selected : draft.order[0] };
}

/** The key of what is on screen: its assignment id, or "edit:<annotation id>" while editing. */
export function selectionKey(s: SessionState): string | null {
  if (s.mode.kind === "editing") return `edit:${s.mode.annotationId}`;
  return s.queue[0]?.assignmentId ?? null;
}

export function reduce(s: SessionState, e: SessionEvent): SessionState {
  switch (e.type) {
    case "itemArrived":
      if (s.queue.some((i) => i.assignmentId === e.item.assignmentId)) return { ...s, loadError: null, serverDry: false, queueStatus: "ready", refusal: e.refusal };
      return shown({ ...s, queue: [...s.queue, e.item], queueStatus: "ready", serverDry: false, loadError: null, refusal: e.refusal }, e.now);
    case "queueDry":
      return { ...s, queueStatus: s.queue.length ? "ready" : "dry", serverDry: true, loadError: null, refusal: e.refusal };
    case "loadFailed":
      return { ...s, loadError: e.error };
    case "draftsRestored": {
      // a kept draft replaces the fresh one made when its item was shown again after the reload
      const drafts = { ...s.drafts };
      for (const d of e.drafts) drafts[d.assignmentId] = d;
      return { ...s, drafts };
    }
    case "change": {
      const view = onScreen(s, e.now);
      if (!view) return s;
      const draft = applyChange(view.draft, e.change);
      // the response that moved stays selected, wherever it went
      const key = selectionKey(s)!;
      const selected = e.change.kind === "moveTo" || e.change.kind === "toggleTie" ? { ...s.selected, [key]: e.change.candidateId } : s.selected;
      if (s.mode.kind === "editing") return { ...s, mode: { ...s.mode, draft }, selected, formError: null, confirming: null };
      return { ...s, drafts: { ...s.drafts, [draft.assignmentId]: draft }, selected, formError: null, confirming: null };
    }
    case "select": {
      const key = selectionKey(s);
      return key ? { ...s, selected: { ...s.selected, [key]: e.candidateId } } : s;
    }
    case "left": {
      // submitted or skipped: the item leaves the screen with its draft, and the next one comes up clean
      const queue = s.queue.filter((i) => i.assignmentId !== e.assignmentId);
      const { [e.assignmentId]: _gone, ...drafts } = s.drafts;
      const { [e.assignmentId]: _sel, ...selected } = s.selected;
      return shown({ ...s, queue, drafts, selected, panel: null, formError: null, confirming: null, notice: null, queueStatus: queue.length ? "ready" : s.serverDry ? "dry" : "loading" }, e.now);
    }
    case "editStarted":
      return { ...s, mode: { kind: "editing", annotationId: e.annotationId, item: e.item, draft: e.draft, saving: false }, panel: null, formError: null, confirming: null, notice: null };
    case "editSaving":
      return s.mode.kind === "editing" ? { ...s, mode: { ...s.mode, saving: true } } : s;
    case "editEnded":
      return { ...s, mode: { kind: "judging" }, panel: null, formError: null, confirming: null, notice: e.notice };
    case "editFailed":
      return s.mode.kind === "editing" ? { ...s, mode: { ...s.mode, saving: false }, formError: e.error } : s;
    case "panel":
      return { ...s, panel: e.panel };
    case "drawer":
      return { ...s, drawer: e.drawer };
    case "formError":
      return { ...s, formError: e.message, confirming: null };
    case "askConfirm":
      return { ...s, formError: e.message, confirming: selectionKey(s) };
    case "notice":
      return { ...s, notice: e.message };
  }
}
