// The background take-in: the web process (server/web.ts) brings the analytics summaries up to date every few
// seconds, so that a page read finds at most a few seconds of judgements not yet counted and never takes a backlog
// in itself (2,000 new judgements cost a read 1.3–5.5 s on a loaded 2-core box; docs/benchmarks.md).
//
// Several web processes each run a loop; the per-project advisory lock of the take-in (summaries.ts) lets one of
// them work on a project at a time and the others pass it by, so a judgement is never counted twice.
import { refreshPendingProjects } from "@/server/services/analytics/summaries";

let loopsRunning = 0;

/** Whether this process runs a take-in loop: then a read leaves every pending item to it (index.ts). */
export function takeInLoopRunning(): boolean {
  return loopsRunning > 0;
}

export interface TakeInLoop {
  /** Stops the ticks and resolves once the round under way (if any) has finished its current transaction. */
  stop(): Promise<void>;
}

export function startTakeInLoop({ intervalMs, chunk, log = console }: {
  intervalMs: number;
  /** items per transaction (summaries.ts TAKE_IN_CHUNK_ITEMS when not given) */
  chunk?: number;
  log?: Pick<Console, "error">;
}): TakeInLoop {
  let stopping = false;
  let round: Promise<void> | null = null;
  const tick = () => {
    if (round || stopping) return;
    round = refreshPendingProjects({ chunk, stopping: () => stopping })
      .then(
        () => undefined,
        // the next tick tries again; the message only (a pg error's fields may quote the statement's parameters)
        (err: unknown) => log.error(`[analytics] take-in failed, retrying in ${intervalMs} ms: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => (round = null));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  loopsRunning++;
  return {
    async stop() {
      if (!stopping) loopsRunning--;
      stopping = true;
      clearInterval(timer);
      await round;
    },
  };
}
