"use client";
// Pending submissions live in localStorage until the server acknowledges them, so a judgement survives
// network errors, server restarts and page reloads. Each entry carries its client-generated submission id;
// the server stores a submission id once, so resending is always safe.
import { useCallback, useEffect, useRef, useState } from "react";

export type OutboxStatus = "pending" | "sending" | "rejected";

export interface OutboxEntry<P = unknown> {
  submissionId: string;
  assignmentId: string;
  payload: P;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  error?: string;
}

export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string };

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

function load<P>(key: string): OutboxEntry<P>[] {
  try {
    const raw = window.localStorage.getItem(key);
    const entries = raw ? (JSON.parse(raw) as OutboxEntry<P>[]) : [];
    // An entry caught mid-send by a reload is simply pending again.
    return entries.map((e) => (e.status === "sending" ? { ...e, status: "pending", nextAttemptAt: 0 } : e));
  } catch {
    return [];
  }
}

export function useOutbox<P>(key: string, send: (entry: OutboxEntry<P>) => Promise<SendResult>) {
  const [entries, setEntries] = useState<OutboxEntry<P>[]>([]);
  const ref = useRef<OutboxEntry<P>[]>([]);
  const sendRef = useRef(send);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const running = useRef(false);
  sendRef.current = send;

  const commit = useCallback(
    (next: OutboxEntry<P>[]) => {
      ref.current = next;
      window.localStorage.setItem(key, JSON.stringify(next));
      setEntries(next);
    },
    [key],
  );

  const pump = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      for (;;) {
        const now = Date.now();
        const due = ref.current.find((e) => e.status === "pending" && e.nextAttemptAt <= now);
        if (!due) break;
        commit(ref.current.map((e) => (e.submissionId === due.submissionId ? { ...e, status: "sending" } : e)));
        const result = await sendRef.current(due).catch((err: unknown): SendResult => ({ ok: false, retry: true, error: String(err) }));
        if (result.ok) {
          commit(ref.current.filter((e) => e.submissionId !== due.submissionId));
        } else {
          const attempts = due.attempts + 1;
          const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
          commit(
            ref.current.map((e) =>
              e.submissionId === due.submissionId
                ? { ...e, attempts, error: result.error, status: result.retry ? "pending" : "rejected", nextAttemptAt: Date.now() + delay }
                : e,
            ),
          );
        }
      }
    } finally {
      running.current = false;
    }
    const pending = ref.current.filter((e) => e.status === "pending");
    if (pending.length) {
      const wait = Math.max(50, Math.min(...pending.map((e) => e.nextAttemptAt)) - Date.now());
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void pump(), wait);
    }
  }, [commit]);

  useEffect(() => {
    commit(load<P>(key));
    void pump();
    const online = () => {
      commit(ref.current.map((e) => (e.status === "pending" ? { ...e, nextAttemptAt: 0 } : e)));
      void pump();
    };
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [key, commit, pump]);

  const enqueue = useCallback(
    (entry: Omit<OutboxEntry<P>, "status" | "attempts" | "nextAttemptAt">) => {
      commit([...ref.current, { ...entry, status: "pending", attempts: 0, nextAttemptAt: 0 }]);
      void pump();
    },
    [commit, pump],
  );

  const dismiss = useCallback((submissionId: string) => commit(ref.current.filter((e) => e.submissionId !== submissionId)), [commit]);

  const retryNow = useCallback(() => {
    commit(ref.current.map((e) => (e.status === "pending" ? { ...e, nextAttemptAt: 0 } : e)));
    void pump();
  }, [commit, pump]);

  return { entries, enqueue, dismiss, retryNow, current: ref };
}
