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
  sendRef.current = send;

  const commit = useCallback(
    (next: OutboxEntry<P>[]) => {
      ref.current = next;
      window.localStorage.setItem(key, JSON.stringify(next));
      setEntries(next);
    },
    [key],
  );

  /** Wakes the pump when the earliest retry is due. */
  const schedule = useCallback(() => {
    const pending = ref.current.filter((e) => e.status === "pending");
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!pending.length) return;
    const wait = Math.max(50, Math.min(...pending.map((e) => e.nextAttemptAt)) - Date.now());
    timer.current = setTimeout(() => pumpRef.current(), wait);
  }, []);
  /**
   * Sends every entry that is due, each at once and side by side: a submit goes out in the same tick it was
   * queued (so the page's prefetch rides in the same HTTP request), even while an earlier one is still on its way.
   */
  const pump = useCallback(() => {
    const now = Date.now();
    for (const due of ref.current.filter((e) => e.status === "pending" && e.nextAttemptAt <= now)) {
      commit(ref.current.map((e) => (e.submissionId === due.submissionId ? { ...e, status: "sending" } : e)));
      void sendRef.current(due)
        .catch((err: unknown): SendResult => ({ ok: false, retry: true, error: String(err) }))
        .then((result) => {
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
          schedule();
        });
    }
    schedule();
  }, [commit, schedule]);

  const pumpRef = useRef(pump);
  pumpRef.current = pump;

  useEffect(() => {
    commit(load<P>(key));
    pump();
    const online = () => {
      commit(ref.current.map((e) => (e.status === "pending" ? { ...e, nextAttemptAt: 0 } : e)));
      pump();
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
      pump();
    },
    [commit, pump],
  );

  const dismiss = useCallback((submissionId: string) => commit(ref.current.filter((e) => e.submissionId !== submissionId)), [commit]);

  const retryNow = useCallback(() => {
    commit(ref.current.map((e) => (e.status === "pending" ? { ...e, nextAttemptAt: 0 } : e)));
    pump();
  }, [commit, pump]);

  return { entries, enqueue, dismiss, retryNow, current: ref };
}
