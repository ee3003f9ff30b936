"use client";
// The annotation page's behaviour: the reducer (./session-state.ts) plus everything that talks to the world —
// keeping one item prefetched, the outbox that never loses a judgement (./outbox.ts), drafts that survive a reload
// (./draft-storage.ts), the progress counters, skip and edit-last. Components get the state and named actions.
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { applyChange, describeVerdict, fromJudgement, toJudgement, type DraftChange } from "@/components/annotate/draft";
import { loadDrafts, saveDrafts } from "@/components/annotate/draft-storage";
import { useOutbox, type OutboxEntry, type SendResult } from "@/components/annotate/outbox";
import { initialState, onScreen, reduce, selectionKey, type Drawer, type Panel } from "@/components/annotate/session-state";
import type { ItemView, Progress, ProjectView, Refusal } from "@/components/annotate/types";
import type { TrpcClient } from "@/components/trpc-client";
import type { SubmitInput } from "@/server/schemas/annotation";

/** How often an empty queue asks again (items on loan to others come back when their leases run out). */
const DRY_POLL_MS = 30_000;
const LOAD_RETRY_MS = 2_000;

function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; plain-http deployments still get RFC 4122 v4 ids.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether a failed send is worth retrying (the network, the server, a lapsed session) or final (the server said no). */
export function classify(err: unknown): SendResult {
  // by name, not instanceof: the tRPC client is loaded lazily and this module must not pull it in
  if (err instanceof Error && err.name === "TRPCClientError") {
    const status = ((err as Error & { data?: { httpStatus?: number } }).data)?.httpStatus;
    if (status === undefined || status >= 500 || status === 401 || status === 429 || status === 408) {
      return { ok: false, retry: true, error: status === 401 ? "Signed out — sign in again to send" : err.message };
    }
    return { ok: false, retry: false, error: err.message };
  }
  return { ok: false, retry: true, error: "Network error" };
}

function localDayStart(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

let browserClient: Promise<TrpcClient> | null = null;

/**
 * The tRPC client, loaded after the page is up: the first item arrives rendered with the HTML, and choosing needs no
 * network, so the client's code stays out of the first load. Calls made in one tick still share one request.
 */
function trpc(): Promise<TrpcClient> {
  browserClient ??= import("@/components/trpc-client").then((m) => m.makeTrpcClient());
  return browserClient;
}

export function useAnnotationSession({ project, userId, firstItem, firstRefusal }: { project: ProjectView; userId: string; firstItem: ItemView | null; firstRefusal: Refusal | null }) {
  const [state, dispatch] = useReducer(reduce, null, () => initialState(firstItem, firstItem === null, Date.now(), firstRefusal));
  const stateRef = useRef(state);
  stateRef.current = state;
  const [progress, setProgress] = useState<Progress | null>(null);
  const [hydrated, setHydrated] = useState(false);
  const slug = project.slug;
  const draftsKey = `rlhf-drafts:${userId}:${slug}`;

  const refreshProgress = useCallback(() => {
    trpc()
      .then((c) => c.annotation.progress.query({ projectSlug: slug, dayStart: localDayStart() }))
      .then(setProgress, () => undefined);
  }, [slug]);

  // the order each submitted item was shown in, until its submit is answered (the AI judge's verdict is described
  // with the same letters)
  const shownOrder = useRef(new Map<string, string[]>());
  const send = useCallback(
    async (entry: OutboxEntry<SubmitInput>): Promise<SendResult> => {
      try {
        const result = await (await trpc()).annotation.submit.mutate(entry.payload);
        refreshProgress();
        // the project shows the AI judge's verdict once the annotator has submitted their own
        const shownIds = shownOrder.current.get(entry.assignmentId);
        shownOrder.current.delete(entry.assignmentId);
        if (result.suggestion && shownIds) {
          const { ranking, strength } = entry.payload;
          dispatch({
            type: "notice",
            message: `AI judge (${result.suggestion.judge}) on the item you just submitted: ${describeVerdict(shownIds, result.suggestion)}. You: ${describeVerdict(shownIds, { ranking, strength, thumbs: entry.payload.thumbs })}.`,
          });
        }
        return { ok: true };
      } catch (err) {
        return classify(err);
      }
    },
    [refreshProgress],
  );
  const outbox = useOutbox<SubmitInput>(`rlhf-outbox:${userId}`, send);
  const outboxEntries = outbox.current;

  // ---- the queue: one item on screen, one prefetched ----------------------------------------------------------
  const fetching = useRef(false);
  const exhausted = useRef(firstItem === null);
  const [retryTick, setRetryTick] = useState(0);
  const fetchNext = useCallback(async () => {
    if (fetching.current) return;
    fetching.current = true;
    try {
      const held = [...stateRef.current.queue.map((i) => i.assignmentId), ...outboxEntries.current.map((e) => e.assignmentId)];
      const res = await (await trpc()).annotation.next.mutate({ projectSlug: slug, exclude: held });
      if (res.item) {
        dispatch({ type: "itemArrived", item: res.item, refusal: res.refusal, now: Date.now() });
      } else {
        exhausted.current = true;
        dispatch({ type: "queueDry", refusal: res.refusal });
      }
    } catch (err) {
      dispatch({ type: "loadFailed", error: err instanceof Error ? err.message : "Could not load the next item" });
      setTimeout(() => setRetryTick((t) => t + 1), LOAD_RETRY_MS);
    } finally {
      fetching.current = false;
    }
  }, [slug, outboxEntries]);

  useEffect(() => {
    if (!exhausted.current && state.queue.length < 2) void fetchNext();
  }, [state.queue, fetchNext, retryTick]);

  useEffect(() => {
    if (state.queueStatus !== "dry") return;
    const t = setInterval(() => {
      exhausted.current = false;
      void fetchNext();
      refreshProgress();
    }, DRY_POLL_MS);
    return () => clearInterval(t);
  }, [state.queueStatus, fetchNext, refreshProgress]);

  // ---- drafts survive a reload ---------------------------------------------------------------------------------
  useEffect(() => {
    const kept = loadDrafts(draftsKey);
    if (kept.length) dispatch({ type: "draftsRestored", drafts: kept });
    setHydrated(true);
    refreshProgress();
  }, [draftsKey, refreshProgress]);

  useEffect(() => {
    if (!hydrated) return;
    const held = new Set(state.queue.map((i) => i.assignmentId));
    const t = setTimeout(() => saveDrafts(draftsKey, Object.values(state.drafts).filter((d) => held.has(d.assignmentId))), 200);
    return () => clearTimeout(t);
  }, [state.drafts, state.queue, draftsKey, hydrated]);

  useEffect(() => {
    // a tab closed within the debounce above still keeps what was typed
    const flush = () => {
      const s = stateRef.current;
      const held = new Set(s.queue.map((i) => i.assignmentId));
      saveDrafts(draftsKey, Object.values(s.drafts).filter((d) => held.has(d.assignmentId)));
    };
    window.addEventListener("pagehide", flush);
    return () => window.removeEventListener("pagehide", flush);
  }, [draftsKey]);

  // ---- actions -------------------------------------------------------------------------------------------------
  const change = useCallback((c: DraftChange) => dispatch({ type: "change", change: c, now: Date.now() }), []);

  const saveEdit = useCallback(
    (annotationId: string, judgement: ReturnType<typeof toJudgement> & { ok: true }) => {
      dispatch({ type: "editSaving" });
      trpc()
        .then((c) => c.annotation.editLast.mutate({ annotationId, ...judgement.judgement }))
        .then(() => {
          dispatch({ type: "editEnded", notice: "Your last submission was updated." });
          refreshProgress();
        })
        .catch((err: unknown) => dispatch({ type: "editFailed", error: err instanceof Error ? err.message : "The edit was not saved" }));
    },
    [refreshProgress],
  );

  /** Returns the field that needs attention when the draft cannot be submitted yet. */
  const submit = useCallback((): string | null => {
    const s = stateRef.current;
    const now = Date.now();
    const view = onScreen(s, now);
    if (!view || (s.mode.kind === "editing" && s.mode.saving)) return null;
    let result = toJudgement(view.draft, view.item, project, now);
    if (!result.ok && result.needsConfirmation) {
      if (s.confirming !== selectionKey(s)) {
        dispatch({ type: "askConfirm", message: result.message });
        return null;
      }
      dispatch({ type: "change", change: { kind: "confirmOrder" }, now });
      result = toJudgement(applyChange(view.draft, { kind: "confirmOrder" }), view.item, project, now);
    }
    if (!result.ok) {
      dispatch({ type: "formError", message: result.message });
      return result.field;
    }
    if (s.mode.kind === "editing") {
      saveEdit(s.mode.annotationId, result);
      return null;
    }
    const { assignmentId } = view.item;
    const submissionId = uuid();
    if (project.suggestionMode === "AFTER_SUBMIT") shownOrder.current.set(assignmentId, view.item.candidates.map((c) => c.id));
    outbox.enqueue({ submissionId, assignmentId, payload: { submissionId, assignmentId, ...result.judgement } });
    exhausted.current = false;
    // Asked for in the same tick as the submit the outbox just sent, the next item travels in the same HTTP request
    // (httpBatchLink batches calls made together): one round trip per judgement instead of two.
    void fetchNext();
    dispatch({ type: "left", assignmentId, now: Date.now() });
    return null;
  }, [project, outbox, fetchNext, saveEdit]);

  const skip = useCallback(
    (reason: string) => {
      const s = stateRef.current;
      const view = onScreen(s, Date.now());
      if (!view || view.editing) return;
      const { assignmentId } = view.item;
      trpc()
        .then((c) => c.annotation.skip.mutate({ assignmentId, reason }))
        .then(
        () => {
          exhausted.current = false;
          dispatch({ type: "left", assignmentId, now: Date.now() });
          refreshProgress();
        },
        (err: unknown) => dispatch({ type: "formError", message: `Skip failed: ${err instanceof Error ? err.message : "network error"}` }),
      );
    },
    [refreshProgress],
  );

  const startEdit = useCallback(async () => {
    const s = stateRef.current;
    if (s.mode.kind === "editing") return;
    if (outboxEntries.current.some((e) => e.status !== "rejected")) {
      dispatch({ type: "notice", message: "Your last judgement is still being saved; edit it once the header says “All saved”." });
      return;
    }
    try {
      const last = await (await trpc()).annotation.lastEditable.query({ projectSlug: slug });
      if (!last) return dispatch({ type: "notice", message: "Nothing to edit: only your last submission, within 5 minutes, can be edited." });
      dispatch({ type: "editStarted", annotationId: last.annotationId, item: last.item, draft: fromJudgement(last.item, last.judgement, Date.now()) });
    } catch (err) {
      dispatch({ type: "notice", message: `Could not load your last submission: ${err instanceof Error ? err.message : "network error"}` });
    }
  }, [slug, outboxEntries]);

  const cancelEdit = useCallback(() => dispatch({ type: "editEnded", notice: null }), []);
  const setPanel = useCallback((panel: Panel | null) => dispatch({ type: "panel", panel }), []);
  const setDrawer = useCallback((drawer: Drawer | null) => dispatch({ type: "drawer", drawer }), []);
  const select = useCallback((candidateId: string) => dispatch({ type: "select", candidateId }), []);
  const setNotice = useCallback((message: string | null) => dispatch({ type: "notice", message }), []);
  const setFormError = useCallback((message: string | null) => dispatch({ type: "formError", message }), []);

  return {
    state,
    stateRef,
    view: onScreen(state, Date.now()),
    progress,
    hydrated,
    outbox,
    actions: { change, submit, skip, startEdit, cancelEdit, setPanel, setDrawer, select, setNotice, setFormError },
  };
}

export type AnnotationSession = ReturnType<typeof useAnnotationSession>;
