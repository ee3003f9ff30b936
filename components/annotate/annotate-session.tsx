"use client";
// The annotation page: one item on screen, the next one prefetched, judgements queued in a persistent
// outbox (components/annotate/outbox.ts) so the annotator never waits on the network and never loses work.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Conversation, Markdown } from "@/components/annotate/markdown";
import { useOutbox, type OutboxEntry, type SendResult } from "@/components/annotate/outbox";
import { RankingList, rankingGroups, type RankingState } from "@/components/annotate/ranking-list";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { Button, Kbd } from "@/components/ui/button";
import type { ItemView, ProjectView } from "@/server/services/annotation";
import { FLAGS, type SubmitInput } from "@/server/schemas/annotation";

type Strength = "MUCH_BETTER" | "BETTER" | "SLIGHTLY_BETTER" | "TIE";
type Choice = { winner: 0 | 1; strength: Exclude<Strength, "TIE"> } | { winner: "tie" } | null;

const FLAG_LABELS: Record<(typeof FLAGS)[number], string> = {
  unsafe: "Unsafe",
  factually_wrong: "Factually wrong",
  off_topic: "Off-topic",
  pii: "Contains PII",
  other: "Other",
};
const SKIP_REASONS = ["Needs expertise I don't have", "Prompt is broken or unclear", "Responses are identical", "Content I won't review"];
const LABELS = "ABCDEFGHI";

function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; plain-http deployments still get RFC 4122 v4 ids.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function classify(err: unknown): SendResult {
  if (err instanceof TRPCClientError) {
    const status = (err.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (status === undefined || status >= 500 || status === 401 || status === 429 || status === 408) {
      return { ok: false, retry: true, error: status === 401 ? "Signed out — sign in again to send" : err.message };
    }
    return { ok: false, retry: false, error: err.message };
  }
  return { ok: false, retry: true, error: "Network error" };
}

interface Draft {
  choice: Choice;
  bothBad: boolean;
  ranking: RankingState;
  ratings: Record<string, Record<string, number>>;
  rationale: string;
  flags: string[];
  flagNote: string;
}

function emptyDraft(item: ItemView | null): Draft {
  return {
    choice: null,
    bothBad: false,
    ranking: { order: item?.candidates.map((c) => c.id) ?? [], tiedWithAbove: [] },
    ratings: {},
    rationale: "",
    flags: [],
    flagNote: "",
  };
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable);
}

export function AnnotateSession({ project, userId }: { project: ProjectView; userId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const pairwise = project.taskType === "PAIRWISE";

  const [queue, setQueue] = useState<ItemView[]>([]);
  const [dry, setDry] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft(null));
  const [formError, setFormError] = useState<string | null>(null);
  const [panel, setPanel] = useState<null | "flags" | "skip" | "help" | "guidelines">(null);
  const [editing, setEditing] = useState<null | { annotationId: string; item: ItemView }>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const renderedAt = useRef(performance.now());
  const fetching = useRef(false);
  const exhausted = useRef(false);
  const queueRef = useRef<ItemView[]>([]);
  const rationaleRef = useRef<HTMLTextAreaElement>(null);

  const progress = useQuery(trpc.annotation.progress.queryOptions({ projectSlug: project.slug }));

  const send = useCallback(
    async (entry: OutboxEntry<SubmitInput>): Promise<SendResult> => {
      try {
        await client.annotation.submit.mutate(entry.payload);
        void queryClient.invalidateQueries({ queryKey: trpc.annotation.progress.queryKey() });
        return { ok: true };
      } catch (err) {
        return classify(err);
      }
    },
    [client, queryClient, trpc],
  );
  const outbox = useOutbox<SubmitInput>(`rlhf-outbox:${userId}`, send);
  const outboxRef = outbox.current;

  const current = editing ? editing.item : (queue[0] ?? null);

  const [retryTick, setRetryTick] = useState(0);
  const fetchNext = useCallback(async () => {
    if (fetching.current) return;
    fetching.current = true;
    try {
      const held = [...queue.map((i) => i.assignmentId), ...outboxRef.current.map((e) => e.assignmentId)];
      const res = await client.annotation.next.mutate({ projectSlug: project.slug, exclude: held });
      setLoadError(null);
      if (!res.item) {
        exhausted.current = true;
        // the latest queue, not this closure's: the prefetch sent with a submit returns after the item left it
        if (queueRef.current.length === 0) setDry(true);
        return;
      }
      const item = res.item;
      setDry(false);
      setQueue((q) => (q.some((x) => x.assignmentId === item.assignmentId) ? q : [...q, item]));
    } catch (err) {
      setLoadError(err instanceof Error ? err.message : "Could not load the next item");
      setTimeout(() => setRetryTick((t) => t + 1), 2000);
    } finally {
      fetching.current = false;
    }
  }, [client, project.slug, queue, outboxRef]);

  useEffect(() => {
    queueRef.current = queue;
  }, [queue]);

  // Keep one item on screen and one prefetched, so the next item appears the moment this one is submitted.
  useEffect(() => {
    if (!exhausted.current && queue.length < 2) void fetchNext();
    else if (queue.length === 0 && exhausted.current) setDry(true);
  }, [queue, fetchNext, retryTick]);

  // A new item on screen: reset the form and the timer.
  const currentId = current?.assignmentId ?? null;
  useEffect(() => {
    renderedAt.current = performance.now();
    if (!editing) setDraft(emptyDraft(current));
    setFormError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset only when the item changes
  }, [currentId]);

  const labels = useMemo(() => new Map(current?.candidates.map((c, i) => [c.id, LABELS[i]]) ?? []), [current]);

  function rankingFromDraft(item: ItemView, d: Draft): { ranking: string[][]; strength?: Strength } | string {
    if (!pairwise) return { ranking: rankingGroups(d.ranking) };
    const [a, b] = item.candidates.map((c) => c.id);
    if (!d.choice) return "Pick the better response first (1 or 2, T for a tie).";
    if (d.choice.winner === "tie") return { ranking: [[a, b]], strength: "TIE" };
    const win = d.choice.winner === 0 ? a : b;
    const lose = d.choice.winner === 0 ? b : a;
    return { ranking: [[win], [lose]], strength: d.choice.strength };
  }

  function submit() {
    if (!current) return;
    const r = rankingFromDraft(current, draft);
    if (typeof r === "string") return setFormError(r);
    if (project.requireRationale && !draft.rationale.trim()) {
      setFormError("This project asks for a rationale (press R to write one).");
      return rationaleRef.current?.focus();
    }
    if (draft.flags.includes("other") && !draft.flagNote.trim()) return setFormError("Say what the problem is when flagging \"Other\".");
    const judgement = {
      ranking: r.ranking,
      ...(r.strength ? { strength: r.strength } : {}),
      bothBad: draft.bothBad,
      ratings: draft.ratings,
      rationale: draft.rationale,
      flags: draft.flags as SubmitInput["flags"],
      flagNote: draft.flagNote,
      timeSpentMs: Math.round(performance.now() - renderedAt.current),
    };
    if (editing) {
      const annotationId = editing.annotationId;
      client.annotation.editLast
        .mutate({ annotationId, ...judgement })
        .then(() => {
          setEditing(null);
          setNotice("Your last submission was updated.");
        })
        .catch((err: unknown) => setFormError(err instanceof Error ? err.message : "Edit failed"));
      return;
    }
    const submissionId = uuid();
    outbox.enqueue({ submissionId, assignmentId: current.assignmentId, payload: { submissionId, assignmentId: current.assignmentId, ...judgement } });
    exhausted.current = false;
    // Asked for in the same tick as the submit the outbox just sent, the next item travels in the same HTTP request
    // (httpBatchLink batches calls made together): one round trip per judgement instead of two.
    void fetchNext();
    setPanel(null);
    setNotice(null);
    setQueue((q) => q.slice(1));
  }

  const skipMutation = useMutation(trpc.annotation.skip.mutationOptions());
  function skip(reason: string) {
    if (!current || editing) return;
    const assignmentId = current.assignmentId;
    skipMutation.mutate(
      { assignmentId, reason },
      {
        onSuccess: () => {
          setPanel(null);
          exhausted.current = false;
          setQueue((q) => q.filter((i) => i.assignmentId !== assignmentId));
        },
        onError: (err) => setFormError(`Skip failed: ${err.message}`),
      },
    );
  }

  async function startEdit() {
    const last = await queryClient.fetchQuery(trpc.annotation.lastEditable.queryOptions({ projectSlug: project.slug }, { staleTime: 0 }));
    if (!last) return setNotice("Nothing to edit: only your last submission, within 5 minutes, can be edited.");
    const item: ItemView = { assignmentId: `edit:${last.annotationId}`, itemId: "", expiresAt: new Date(), messages: last.messages, candidates: last.candidates };
    const ids = last.candidates.map((c) => c.id);
    const d = emptyDraft(item);
    if (pairwise) {
      d.choice = last.strength === "TIE" || !last.strength ? { winner: "tie" } : { winner: last.ranking[0][0] === ids[0] ? 0 : 1, strength: last.strength };
    } else {
      d.ranking = { order: last.ranking.flat(), tiedWithAbove: last.ranking.flatMap((g) => g.slice(1)) };
    }
    d.bothBad = last.bothBad;
    d.ratings = last.ratings;
    d.rationale = last.rationale;
    d.flags = last.flags;
    d.flagNote = last.flagNote;
    setEditing({ annotationId: last.annotationId, item });
    setDraft(d);
    renderedAt.current = performance.now();
  }

  function choose(choice: Choice) {
    setDraft((d) => ({ ...d, choice }));
    setFormError(null);
  }

  // Keyboard-first: every action has a key; `?` lists them.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.key === "Escape") {
        setPanel(null);
        (document.activeElement as HTMLElement | null)?.blur?.();
        return;
      }
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        return submit();
      }
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      if (panel === "skip" && /^[1-4]$/.test(e.key)) {
        e.preventDefault();
        return skip(SKIP_REASONS[Number(e.key) - 1]);
      }
      if (panel === "flags" && /^[1-5]$/.test(e.key)) {
        e.preventDefault();
        const flag = FLAGS[Number(e.key) - 1];
        return setDraft((d) => ({ ...d, flags: d.flags.includes(flag) ? d.flags.filter((f) => f !== flag) : [...d.flags, flag] }));
      }
      const code = e.code;
      if (pairwise && (code === "Digit1" || code === "Digit2" || code === "Numpad1" || code === "Numpad2")) {
        e.preventDefault();
        const winner = code.endsWith("1") ? 0 : 1;
        return choose({ winner, strength: e.shiftKey ? "MUCH_BETTER" : "BETTER" });
      }
      switch (e.key.toLowerCase()) {
        case "t":
          if (pairwise && project.allowTies) choose({ winner: "tie" });
          return;
        case "b":
          return setDraft((d) => ({ ...d, bothBad: !d.bothBad }));
        case "f":
          return setPanel((p) => (p === "flags" ? null : "flags"));
        case "r":
          e.preventDefault();
          return rationaleRef.current?.focus();
        case "s":
          return setPanel((p) => (p === "skip" ? null : "skip"));
        case "g":
          return setPanel((p) => (p === "guidelines" ? null : "guidelines"));
        case "e":
          return void startEdit();
        case "?":
          return setPanel((p) => (p === "help" ? null : "help"));
        case "enter":
          if ((e.target as HTMLElement | null)?.tagName === "BUTTON") return;
          e.preventDefault();
          return submit();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const pending = outbox.entries.filter((e) => e.status !== "rejected");
  const rejected = outbox.entries.filter((e) => e.status === "rejected");
  const p = progress.data;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-lg font-semibold">{project.name}</h1>
        {p && (
          <span className="text-sm text-slate-600" data-testid="progress">
            Today {p.doneToday} · in project {p.doneInProject} · {p.itemsComplete}/{p.itemsTotal} items complete · {p.remainingForYou} left for you
          </span>
        )}
        <span className="ml-auto" />
        <span data-testid="outbox-status" className={`rounded px-2 py-0.5 text-xs ${pending.length ? "bg-amber-100 text-amber-800" : "bg-emerald-100 text-emerald-800"}`}>
          {pending.length ? `${pending.length} pending${pending.some((e) => e.attempts > 0) ? " — retrying" : ""}` : "All saved"}
        </span>
        {pending.some((e) => e.attempts > 0) && <Button variant="ghost" onClick={outbox.retryNow}>Retry now</Button>}
        <Button variant="secondary" onClick={() => setPanel(panel === "guidelines" ? null : "guidelines")}>Guidelines <Kbd>G</Kbd></Button>
        <Button variant="secondary" onClick={() => void startEdit()}>Edit last <Kbd>E</Kbd></Button>
        <Button variant="secondary" onClick={() => setPanel(panel === "help" ? null : "help")}>Shortcuts <Kbd>?</Kbd></Button>
      </div>

      {rejected.map((e) => (
        <div key={e.submissionId} role="alert" className="flex items-center gap-2 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          A submission was refused by the server: {e.error}
          <Button variant="ghost" className="ml-auto" onClick={() => outbox.dismiss(e.submissionId)}>Dismiss</Button>
        </div>
      ))}
      {notice && <div className="rounded border border-sky-200 bg-sky-50 p-2 text-sm text-sky-900">{notice}</div>}
      {loadError && <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">Could not reach the server ({loadError}); retrying…</div>}

      {panel === "guidelines" && (
        <aside aria-label="Guidelines" className="rounded-lg border border-slate-200 bg-white p-4">
          <div className="mb-2 flex items-center"><h2 className="font-semibold">Guidelines</h2><Button variant="ghost" className="ml-auto" onClick={() => setPanel(null)}>Close</Button></div>
          {project.guidelines ? <Markdown text={project.guidelines} /> : <p className="text-sm text-slate-500">No guidelines for this project.</p>}
        </aside>
      )}
      {panel === "help" && <ShortcutsHelp pairwise={pairwise} />}

      {editing && (
        <div className="flex items-center gap-2 rounded border border-indigo-300 bg-indigo-50 p-2 text-sm">
          Editing your last submission. <Kbd>Enter</Kbd> saves the edit.
          <Button variant="ghost" className="ml-auto" onClick={() => setEditing(null)}>Cancel edit</Button>
        </div>
      )}

      {!current && dry && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="queue-empty">
          <h2 className="text-lg font-semibold">The queue is empty</h2>
          <p className="mt-1 text-slate-600">There is nothing left for you to judge in this project right now. Thank you!</p>
        </div>
      )}
      {!current && !dry && <div className="p-10 text-center text-slate-500">Loading…</div>}

      {current && (
        <div className="space-y-4" data-testid="item" data-assignment-id={current.assignmentId}>
          <Conversation messages={current.messages} />
          {pairwise ? (
            <PairwiseView item={current} draft={draft} allowTies={project.allowTies} onChoose={choose} />
          ) : (
            <RankingList candidates={current.candidates} labels={labels} state={draft.ranking} allowTies={project.allowTies} onChange={(ranking) => setDraft((d) => ({ ...d, ranking }))} />
          )}

          {project.criteria.length > 0 && (
            <RatingsGrid item={current} labels={labels} criteria={project.criteria} ratings={draft.ratings} onChange={(ratings) => setDraft((d) => ({ ...d, ratings }))} />
          )}

          <div className="flex flex-wrap items-start gap-4">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={draft.bothBad} onChange={(e) => setDraft((d) => ({ ...d, bothBad: e.target.checked }))} />
              {pairwise ? "Both are bad" : "All are bad"} <Kbd>B</Kbd>
            </label>
            <Button variant="secondary" onClick={() => setPanel(panel === "flags" ? null : "flags")} aria-expanded={panel === "flags"}>
              Flag{draft.flags.length ? ` (${draft.flags.length})` : ""} <Kbd>F</Kbd>
            </Button>
            <Button variant="secondary" onClick={() => setPanel(panel === "skip" ? null : "skip")}>Skip <Kbd>S</Kbd></Button>
          </div>

          {panel === "flags" && (
            <fieldset className="rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Flags">
              <legend className="px-1 font-medium">Flag problems (keys 1–5)</legend>
              <div className="flex flex-wrap gap-4">
                {FLAGS.map((f, i) => (
                  <label key={f} className="flex items-center gap-1">
                    <input type="checkbox" checked={draft.flags.includes(f)} onChange={() => setDraft((d) => ({ ...d, flags: d.flags.includes(f) ? d.flags.filter((x) => x !== f) : [...d.flags, f] }))} />
                    <Kbd>{i + 1}</Kbd> {FLAG_LABELS[f]}
                  </label>
                ))}
              </div>
              {draft.flags.includes("other") && (
                <input className="mt-2 w-full rounded border border-slate-300 px-2 py-1" placeholder="What is the problem?" value={draft.flagNote} maxLength={1000} onChange={(e) => setDraft((d) => ({ ...d, flagNote: e.target.value }))} />
              )}
            </fieldset>
          )}

          {panel === "skip" && (
            <div className="rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Skip">
              <div className="mb-2 font-medium">Why skip this item? (keys 1–4)</div>
              <div className="flex flex-wrap gap-2">
                {SKIP_REASONS.map((r, i) => (
                  <Button key={r} variant="secondary" onClick={() => skip(r)}><Kbd>{i + 1}</Kbd> {r}</Button>
                ))}
              </div>
            </div>
          )}

          <label className="block text-sm">
            <span className="text-slate-700">Rationale{project.requireRationale ? " (required)" : " (optional)"} <Kbd>R</Kbd></span>
            <textarea
              ref={rationaleRef}
              value={draft.rationale}
              maxLength={5000}
              onChange={(e) => setDraft((d) => ({ ...d, rationale: e.target.value }))}
              rows={2}
              className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
              placeholder="Why is the chosen response better? (Ctrl+Enter submits)"
            />
          </label>

          {formError && <p role="alert" className="text-sm text-red-700">{formError}</p>}
          <div className="flex items-center gap-3">
            <Button onClick={submit} data-testid="submit">{editing ? "Save edit" : "Submit"} <Kbd>Enter</Kbd></Button>
            {!editing && queue.length > 1 && <span className="text-xs text-slate-400">next item ready</span>}
          </div>
        </div>
      )}
    </div>
  );
}

const PAIR_SCALE: { label: string; choice: Choice; key?: string }[] = [
  { label: "A much better", choice: { winner: 0, strength: "MUCH_BETTER" }, key: "⇧1" },
  { label: "A better", choice: { winner: 0, strength: "BETTER" }, key: "1" },
  { label: "A slightly better", choice: { winner: 0, strength: "SLIGHTLY_BETTER" } },
  { label: "Tie", choice: { winner: "tie" }, key: "T" },
  { label: "B slightly better", choice: { winner: 1, strength: "SLIGHTLY_BETTER" } },
  { label: "B better", choice: { winner: 1, strength: "BETTER" }, key: "2" },
  { label: "B much better", choice: { winner: 1, strength: "MUCH_BETTER" }, key: "⇧2" },
];

function sameChoice(a: Choice, b: Choice): boolean {
  if (!a || !b) return false;
  if (a.winner === "tie" || b.winner === "tie") return a.winner === b.winner;
  return a.winner === b.winner && a.strength === b.strength;
}

function PairwiseView({ item, draft, allowTies, onChoose }: { item: ItemView; draft: Draft; allowTies: boolean; onChoose: (c: Choice) => void }) {
  return (
    <div className="space-y-3">
      <div className="grid gap-3 md:grid-cols-2">
        {item.candidates.map((c, i) => {
          const picked = draft.choice && draft.choice.winner === i;
          return (
            <section key={c.id} aria-label={`Response ${LABELS[i]}`} data-testid={`candidate-${LABELS[i]}`} className={`rounded-lg border bg-white p-3 ${picked ? "border-indigo-500 ring-2 ring-indigo-300" : "border-slate-200"}`}>
              <div className="mb-2 flex items-center gap-2 text-xs text-slate-500">
                <span className="font-semibold">Response {LABELS[i]}</span>
                {c.model && <span className="rounded bg-slate-100 px-1">{c.model}</span>}
                <button type="button" className="ml-auto rounded bg-slate-100 px-2 py-0.5 text-slate-700 hover:bg-indigo-100" onClick={() => onChoose({ winner: i as 0 | 1, strength: "BETTER" })}>
                  {LABELS[i]} is better <Kbd>{i + 1}</Kbd>
                </button>
              </div>
              <Markdown text={c.text} />
            </section>
          );
        })}
      </div>
      <div role="radiogroup" aria-label="Which response is better, and by how much" className="flex flex-wrap justify-center gap-1">
        {PAIR_SCALE.filter((s) => allowTies || s.choice?.winner !== "tie").map((s) => (
          <button
            key={s.label}
            type="button"
            role="radio"
            aria-checked={sameChoice(draft.choice, s.choice)}
            onClick={() => onChoose(s.choice)}
            className={`rounded-md px-2 py-1 text-xs ring-1 ${sameChoice(draft.choice, s.choice) ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
          >
            {s.label} {s.key && <span className="opacity-70">({s.key})</span>}
          </button>
        ))}
      </div>
    </div>
  );
}

function RatingsGrid(props: {
  item: ItemView;
  labels: Map<string, string>;
  criteria: { key: string; label: string; description: string }[];
  ratings: Record<string, Record<string, number>>;
  onChange: (r: Record<string, Record<string, number>>) => void;
}) {
  return (
    <table className="w-full overflow-hidden rounded-lg bg-white text-sm ring-1 ring-slate-200 [&_td]:px-3 [&_td]:py-1 [&_th]:px-3 [&_th]:py-1.5" aria-label="Ratings (1–7)">
      <thead className="bg-slate-50">
        <tr>
          <th className="text-left font-medium">Criterion (1 = poor, 7 = excellent)</th>
          {props.item.candidates.map((c) => <th key={c.id} className="font-medium">Response {props.labels.get(c.id)}</th>)}
        </tr>
      </thead>
      <tbody>
        {props.criteria.map((cr) => (
          <tr key={cr.key} className="border-t border-slate-100">
            <td title={cr.description}>{cr.label}</td>
            {props.item.candidates.map((c) => (
              <td key={c.id} className="text-center">
                <select
                  aria-label={`${cr.label} of response ${props.labels.get(c.id)}`}
                  value={props.ratings[c.id]?.[cr.key] ?? ""}
                  onChange={(e) => {
                    const v = e.target.value ? Number(e.target.value) : undefined;
                    const forC = { ...(props.ratings[c.id] ?? {}) };
                    if (v) forC[cr.key] = v;
                    else delete forC[cr.key];
                    props.onChange({ ...props.ratings, [c.id]: forC });
                  }}
                  className="rounded border border-slate-300 px-1"
                >
                  <option value="">–</option>
                  {[1, 2, 3, 4, 5, 6, 7].map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ShortcutsHelp({ pairwise }: { pairwise: boolean }) {
  const rows: [string, string][] = pairwise
    ? [["1 / 2", "A / B is better"], ["Shift+1 / Shift+2", "A / B is much better"], ["T", "Tie"]]
    : [["Tab", "Focus a response"], ["Alt+↑ / Alt+↓", "Move the focused response up / down"], ["Space, arrows, Space", "Lift, move and drop (drag handle)"], ["T", "Tie the focused response with the one above"]];
  rows.push(["B", "Both / all bad"], ["F", "Flag menu (then 1–5)"], ["R", "Write a rationale"], ["Enter / Ctrl+Enter", "Submit"], ["S", "Skip (then 1–4 for the reason)"], ["E", "Edit your last submission"], ["G", "Guidelines"], ["?", "This help"], ["Esc", "Close panels"]);
  return (
    <aside aria-label="Keyboard shortcuts" className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <h2 className="mb-2 font-semibold">Keyboard shortcuts</h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        {rows.map(([k, v]) => (
          <div key={k} className="contents"><dt><Kbd>{k}</Kbd></dt><dd>{v}</dd></div>
        ))}
      </dl>
    </aside>
  );
}
