// Imports and snapshot builds run inside a web (or CLI) process. When that process dies mid-job — a restart, a
// deploy, a crash — nothing would ever finish the job's row: it stayed RUNNING forever beside its partial files.
// So, as training runs do (server/services/runs/queue.ts), a running job refreshes a heartbeat, and a reaper that every
// web process runs (server/web.ts) fails the jobs whose heartbeat went stale and removes what they left on disk
// (reapInterruptedImports in ./import, reapInterruptedSnapshots in ./export).
import { Prisma } from "@/server/generated/prisma/client";

export const JOB_HEARTBEAT_MS = 5_000;
/** A heartbeat this old means the job's process is gone: twelve missed beats, far past any pause of a live one. */
export const JOB_STALE_SECONDS = 60;
export const JOB_REAP_INTERVAL_MS = 30_000;

/** Heartbeats and the staleness test use the database's clock, like the run queue, so host clocks never disagree. */
export const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

export function staleSince(staleSeconds: number): Prisma.Sql {
  return Prisma.sql`COALESCE("heartbeatAt", "createdAt") < ${UTC_NOW} - make_interval(secs => ${staleSeconds})`;
}

export interface Heartbeat {
  /** true once a beat found the job no longer RUNNING (reaped meanwhile): the job must not report success */
  readonly lost: boolean;
  stop(): void;
}

/**
 * Calls `beat` every JOB_HEARTBEAT_MS until stopped. `beat` refreshes the row while it is still RUNNING and says
 * whether it was; a beat that fails (the database is away) is simply tried again at the next tick.
 */
export function keepAlive(beat: () => Promise<boolean>): Heartbeat {
  const state = { lost: false };
  const timer = setInterval(() => {
    beat().then(
      (held) => {
        if (!held) state.lost = true;
      },
      () => undefined,
    );
  }, JOB_HEARTBEAT_MS);
  // a CLI import must be able to exit as soon as its work is done
  timer.unref();
  return {
    get lost() {
      return state.lost;
    },
    stop: () => clearInterval(timer),
  };
}
