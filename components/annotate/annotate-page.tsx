"use client";
// The annotation page: header, the item (conversation, responses, ratings, flags, rationale) and the pinned action
// bar, with guidelines and help in a side drawer. State and behaviour come from useAnnotationSession; every key
// goes through the key map (./keymap.ts) in one handler registered once. After every change of item the focus
// moves to the item, so keys never land in the previous item's text fields.
import dynamic from "next/dynamic";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { ActionBar } from "@/components/annotate/action-bar";
import { Conversation } from "@/components/annotate/conversation";
import { SCALE } from "@/components/annotate/draft";
import { FlagsPanel } from "@/components/annotate/flags-panel";
import { keyOf, lookup, SKIP_REASONS, type Action, type KeyContext } from "@/components/annotate/keymap";
import { DemonstrationView } from "@/components/annotate/demonstration-view";
import { PairwiseView } from "@/components/annotate/pairwise-view";
import { RatingView } from "@/components/annotate/rating-view";
import { RatingsGrid, type RatingsGridHandle } from "@/components/annotate/ratings-grid";
import { selectionKey } from "@/components/annotate/session-state";
import { SessionHeader } from "@/components/annotate/session-header";
import type { ItemView, ProjectView, Refusal } from "@/components/annotate/types";
import { useAnnotationSession } from "@/components/annotate/use-annotation-session";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { rememberOnScreen } from "@/components/annotate/on-screen-cookie";
import { MAX_RATIONALE } from "@/server/schemas/judgement";
import { loadParser } from "@/components/annotate/model-text";

// drag and drop is for rankings only: pairwise projects never download it; the skip dialog and the side drawer
// load when first opened
const RankingView = dynamic(() => import("@/components/annotate/ranking-view"));
const SkipDialog = dynamic(() => import("@/components/annotate/skip-dialog").then((m) => m.SkipDialog));
const SideDrawer = dynamic(() => import("@/components/annotate/side-drawer").then((m) => m.SideDrawer));

const RATIONALE_PROMPT: Record<ProjectView["taskType"], string> = {
  PAIRWISE: "Why is the chosen response better?",
  RANKING: "Why this order?",
  RATING: "Why this rating?",
  DEMONSTRATION: "Anything reviewers should know about this response?",
};

function isTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el as HTMLInputElement).type !== "checkbox") || el.tagName === "SELECT" || el.isContentEditable);
}

/** What the page says in place of an item when the queue refuses new ones. */
function RefusalNotice({ refusal }: { refusal: Refusal }) {
  const title = { daily_cap: "That's all for today", total_cap: "You have done your share", paused: "You are paused in this project", project_paused: "This project is paused" }[refusal.reason];
  return (
    <div role="status" className="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-10 text-center" data-testid="queue-refused" data-reason={refusal.reason}>
      <h2 className="text-lg font-semibold text-amber-950">{title}</h2>
      <p className="mt-1 whitespace-pre-line text-amber-900">{refusal.message}</p>
      {refusal.resetsAt && (
        <p className="mt-1 text-sm text-amber-900">
          More from {new Date(refusal.resetsAt).toLocaleString(undefined, { weekday: "long", hour: "2-digit", minute: "2-digit" })} (midnight UTC).
        </p>
      )}
      <p className="mt-3 text-sm"><a href="/account/statistics" className="text-indigo-700 underline">Your statistics</a></p>
    </div>
  );
}

export function AnnotatePage({ project, userId, firstItem, firstRefusal = null }: { project: ProjectView; userId: string; firstItem: ItemView | null; firstRefusal?: Refusal | null }) {
  const session = useAnnotationSession({ project, userId, firstItem, firstRefusal });
  const { state, view, actions, outbox, progress, hydrated } = session;
  const itemRef = useRef<HTMLElement>(null);
  const rationaleRef = useRef<HTMLTextAreaElement>(null);
  const flagNoteRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<RatingsGridHandle>(null);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const [showDiff, setShowDiff] = useState(false);
  const type = project.taskType;

  const focusItem = () => itemRef.current?.focus({ preventScroll: true });

  // the first item came parsed from the server; the items after it need the parser, which loads meanwhile
  useEffect(() => void loadParser(), []);

  // a new item (or the edit of the last one) starts at its top, with the keys on it — before it is painted, so no
  // keystroke can reach a text field of the item before
  const key = selectionKey(state);
  useLayoutEffect(() => {
    if (!key) return;
    setShowDiff(false);
    window.scrollTo({ top: 0 });
    focusItem();
    if (state.mode.kind === "judging" && state.queue[0]) rememberOnScreen(project.slug, state.queue[0].assignmentId);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per item on screen
  }, [key]);

  function run(action: Action) {
    const s = session.stateRef.current;
    const current = view;
    switch (action.kind) {
      case "choose": {
        const position = SCALE[action.position];
        if (position.choice.winner === "tie" && !project.allowTies) return actions.setFormError("This project does not allow ties: pick a side.");
        return actions.change({ kind: "choose", choice: position.choice });
      }
      case "rankSelect": {
        if (!current) return;
        const i = current.draft.order.indexOf(current.selected);
        const next = current.draft.order[Math.max(0, Math.min(current.draft.order.length - 1, i + action.delta))];
        actions.select(next);
        return document.querySelector(`[data-candidate-id="${next}"]`)?.scrollIntoView({ block: "nearest" });
      }
      case "rankMove":
      case "rankPlace": {
        if (!current) return;
        const i = current.draft.order.indexOf(current.selected);
        const to = action.kind === "rankMove" ? i + action.delta : action.position;
        if (to >= current.draft.order.length) return;
        actions.change({ kind: "moveTo", candidateId: current.selected, index: to });
        return requestAnimationFrame(() => document.querySelector(`[data-candidate-id="${current.selected}"]`)?.scrollIntoView({ block: "nearest" }));
      }
      case "rankTie":
        if (!project.allowTies) return actions.setFormError("This project does not allow ties.");
        return current && actions.change({ kind: "toggleTie", candidateId: current.selected });
      case "toggleBothBad":
        return actions.change({ kind: "toggleBothBad" });
      case "thumbs":
        return actions.change({ kind: "thumbs", value: action.value });
      case "write":
        return editorRef.current?.focus();
      case "toggleDiff":
        return current?.item.candidates.length && setShowDiff((v) => !v);
      case "flags":
        return actions.setPanel(s.panel === "flags" ? null : "flags");
      case "toggleFlag":
        return actions.change({ kind: "toggleFlag", flag: action.flag });
      case "rate":
        return void gridRef.current?.focusFirstUnrated();
      case "rationale":
        return rationaleRef.current?.focus();
      case "skip":
        return !current?.editing && actions.setPanel("skip");
      case "skipReason":
        return actions.skip(SKIP_REASONS[action.index]);
      case "submit": {
        const field = actions.submit();
        if (field === "rationale") rationaleRef.current?.focus();
        else if (field === "flagNote") flagNoteRef.current?.focus();
        else if (field === "demonstration") editorRef.current?.focus();
        else if (field?.startsWith("ratings.")) gridRef.current?.focusFirstUnrated();
        return;
      }
      case "editLast":
        return void actions.startEdit();
      case "guidelines":
        return actions.setDrawer(s.drawer === "guidelines" ? null : "guidelines");
      case "help":
        return actions.setDrawer(s.drawer === "help" ? null : "help");
      case "escape":
        if (s.panel === "skip") return actions.setPanel(null);
        if (isTextField(document.activeElement)) return focusItem();
        if (s.drawer) return actions.setDrawer(null);
        if (s.panel) return actions.setPanel(null);
        if (s.mode.kind === "editing") return actions.cancelEdit();
        return;
    }
  }

  // one listener for the page's lifetime; it always runs the latest `run`
  const runRef = useRef(run);
  runRef.current = run;
  const contextRef = useRef<() => KeyContext>(() => ({ taskType: project.taskType, hasCriteria: false, thumbs: false, typing: false, flagsOpen: false, skipOpen: false, hasItem: false }));
  contextRef.current = () => ({
    taskType: project.taskType,
    hasCriteria: project.criteria.length > 0 && type !== "DEMONSTRATION",
    thumbs: project.thumbs,
    typing: isTextField(document.activeElement),
    flagsOpen: session.stateRef.current.panel === "flags",
    skipOpen: session.stateRef.current.panel === "skip",
    hasItem: !!view,
  });
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.isComposing) return;
      const k = keyOf(e);
      if (!k) return;
      // a focused button or link answers Enter itself (a click), and a focused radio group its own arrows
      const target = e.target as HTMLElement | null;
      if (k === "Enter" && target && (target.tagName === "A" || (target.tagName === "BUTTON" && target.getAttribute("role") !== "radio"))) return;
      const binding = lookup(k, contextRef.current());
      if (!binding) return;
      e.preventDefault();
      runRef.current(binding.action(k));
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const editing = state.mode.kind === "editing";
  const left = progress?.leftForYou ?? 0;

  return (
    <div className={`flex min-h-[calc(100dvh-var(--header-h))] flex-col ${state.drawer ? "lg:pr-[28rem]" : ""}`}>
      <SessionHeader
        project={project}
        progress={progress}
        outbox={outbox.entries}
        onRetry={outbox.retryNow}
        onGuidelines={() => actions.setDrawer(state.drawer === "guidelines" ? null : "guidelines")}
        onEditLast={() => void actions.startEdit()}
        onHelp={() => actions.setDrawer(state.drawer === "help" ? null : "help")}
      />

      {outbox.entries.filter((e) => e.status === "rejected").map((e) => (
        <div key={e.submissionId} role="alert" className="mt-2 flex items-center gap-2 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          A submission was refused by the server: {e.error}
          <Button variant="ghost" className="ml-auto" onClick={() => outbox.dismiss(e.submissionId)}>Dismiss</Button>
        </div>
      ))}
      {state.notice && <div role="status" className="mt-2 rounded border border-sky-200 bg-sky-50 p-2 text-sm text-sky-900">{state.notice}</div>}
      {state.loadError && <div role="status" className="mt-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">Could not reach the server ({state.loadError}); retrying…</div>}
      {view?.draft.prefilled && view.item.suggestion && (
        <div className="mt-2 rounded border border-violet-300 bg-violet-50 p-2 text-sm text-violet-900" data-testid="suggestion-banner">
          Filled in from the AI judge ({view.item.suggestion.judge}). Check it against the responses: change anything you disagree with, or press <Kbd>Enter</Kbd> twice to submit it as your own.
        </div>
      )}
      {editing && (
        <div className="mt-2 flex items-center gap-2 rounded border border-indigo-300 bg-indigo-50 p-2 text-sm" data-testid="editing-banner">
          Editing your last submission. <Kbd>Enter</Kbd> saves the edit, <Kbd>Esc</Kbd> cancels.
        </div>
      )}

      {!view && state.queueStatus === "dry" && state.refusal && <RefusalNotice refusal={state.refusal} />}
      {!view && state.queueStatus === "dry" && !state.refusal && (
        <div className="mt-4 rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="queue-empty">
          <h2 className="text-lg font-semibold">{left > 0 ? "Nothing to judge right now" : "The queue is empty"}</h2>
          <p className="mt-1 text-slate-600">
            {left > 0
              ? `${left} item${left === 1 ? " is" : "s are"} being judged by others at the moment; an item comes back here if it is not finished. This page checks again every 30 seconds.`
              : "There is nothing left for you to judge in this project. Thank you!"}
          </p>
        </div>
      )}
      {!view && state.queueStatus !== "dry" && <div className="p-10 text-center text-slate-500" data-testid="queue-loading">Loading…</div>}

      {view && (
        <>
          <section
            ref={itemRef}
            tabIndex={-1}
            aria-label="Item to judge"
            data-testid="item"
            data-assignment-id={view.item.assignmentId}
            data-ready={hydrated || undefined}
            className="mt-2 flex-1 space-y-3 pb-4 outline-none"
          >
            <Conversation messages={view.item.messages} trees={view.item.trees} />
            {type === "PAIRWISE" ? (
              <PairwiseView item={view.item} draft={view.draft} />
            ) : type === "RATING" ? (
              <RatingView item={view.item} draft={view.draft} thumbs={project.thumbs} onChange={actions.change} />
            ) : type === "DEMONSTRATION" ? (
              <DemonstrationView ref={editorRef} item={view.item} draft={view.draft} showDiff={showDiff} onToggleDiff={() => setShowDiff((v) => !v)} onChange={actions.change} />
            ) : (
              <RankingView item={view.item} draft={view.draft} selected={view.selected} allowTies={project.allowTies} onSelect={actions.select} onChange={actions.change} />
            )}
            {project.criteria.length > 0 && type !== "DEMONSTRATION" && <RatingsGrid ref={gridRef} item={view.item} project={project} draft={view.draft} onChange={actions.change} onLeave={focusItem} />}
            {state.panel === "flags" && <FlagsPanel draft={view.draft} onChange={actions.change} noteRef={flagNoteRef} />}
            <label className="block text-sm">
              <span className="text-slate-700">
                Rationale{project.requireRationale ? " (required)" : " (optional)"} <Kbd>R</Kbd>
              </span>
              <textarea
                ref={rationaleRef}
                value={view.draft.rationale}
                maxLength={MAX_RATIONALE}
                onChange={(e) => actions.change({ kind: "rationale", text: e.target.value })}
                rows={2}
                className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2"
                placeholder={`${RATIONALE_PROMPT[type]} (Ctrl+Enter submits, Esc leaves)`}
              />
            </label>
          </section>
          <ActionBar
            project={project}
            draft={view.draft}
            editing={view.editing}
            saving={state.mode.kind === "editing" && state.mode.saving}
            flagsOpen={state.panel === "flags"}
            formError={state.formError}
            onChange={actions.change}
            onSubmit={() => run({ kind: "submit" })}
            onFlags={() => actions.setPanel(state.panel === "flags" ? null : "flags")}
            onSkip={() => actions.setPanel("skip")}
            onCancelEdit={actions.cancelEdit}
          />
        </>
      )}
      {state.panel === "skip" && <SkipDialog open onSkip={actions.skip} onClose={() => actions.setPanel(null)} />}
      {state.drawer && <SideDrawer drawer={state.drawer} project={project} onClose={() => actions.setDrawer(null)} />}
    </div>
  );
}
