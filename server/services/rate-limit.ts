// Attempt budgets in Postgres, so every app instance shares them (the web tier keeps no state). An attempt is
// taken — counted, in one atomic statement — before the work it limits, so parallel requests cannot all slip
// through before any of them is counted. Within a window the first `max` attempts go through; after that each one
// waits until the previous one's delay has passed, a delay that doubles (by default 1 s, 2 s, 4 s, … at most the
// window), so a guesser slows to a crawl while the right password still works after the wait. A window starts at
// its first attempt.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { Prisma } from "@/server/generated/prisma/client";
import { waitText } from "@/server/wait";

export type Attempt = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface Budget {
  key: string;
  max: number;
  windowSeconds: number;
  /** the first delay once `max` is used up (default 1 s); each further attempt doubles it */
  firstDelaySeconds?: number;
}

const PURGE_EVERY_MS = 60_000;
let lastPurge = 0;

/** Deletes the rows whose window is over and whose delay has passed. */
export async function purgeExpired(): Promise<number> {
  return db.$executeRaw`DELETE FROM "RateLimit" WHERE "windowEnd" < now() AND ("blockedUntil" IS NULL OR "blockedUntil" <= now())`;
}

/** Takes one attempt from `key`'s budget, or says how long to wait for the next one. */
export async function take(opts: Budget): Promise<Attempt> {
  if (Date.now() - lastPurge > PURGE_EVERY_MS) {
    lastPurge = Date.now();
    await purgeExpired();
  }
  const win = Prisma.sql`make_interval(secs => ${opts.windowSeconds}::int)`;
  // the attempt's number in its window: 1 when the row's window is over
  const n = Prisma.sql`(CASE WHEN r."windowEnd" <= now() THEN 1 ELSE r.count + 1 END)`;
  const first = opts.firstDelaySeconds ?? 1;
  const delay = (count: Prisma.Sql) =>
    Prisma.sql`least(${win}, make_interval(secs => ${first}::float8 * power(2, least(${count} - ${opts.max}::int, 30))))`;
  // Updates only when no delay is pending: a refused attempt changes nothing (it cost nothing, so it need not count).
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimit" AS r (key, count, "windowEnd", "blockedUntil")
    VALUES (${opts.key}, 1, now() + ${win}, CASE WHEN 1 >= ${opts.max}::int THEN now() + ${delay(Prisma.sql`1`)} END)
    ON CONFLICT (key) DO UPDATE SET
      count = ${n},
      "windowEnd" = CASE WHEN r."windowEnd" <= now() THEN now() + ${win} ELSE r."windowEnd" END,
      "blockedUntil" = CASE WHEN ${n} >= ${opts.max}::int THEN now() + ${delay(n)} END
    WHERE r."blockedUntil" IS NULL OR r."blockedUntil" <= now()
    RETURNING count`;
  if (rows.length) return { allowed: true };
  const wait = await db.$queryRaw<{ seconds: number | null }[]>`
    SELECT ceil(extract(epoch FROM "blockedUntil" - now()))::int AS seconds FROM "RateLimit" WHERE key = ${opts.key}`;
  return { allowed: false, retryAfterSeconds: Math.max(1, wait[0]?.seconds ?? 1) };
}

/**
 * Gives back an attempt that should not count (it succeeded, against a budget shared by many people); a delay it
 * started ends with it.
 */
export async function giveBack(opts: Budget): Promise<void> {
  await db.$executeRaw`
    UPDATE "RateLimit" SET count = greatest(count - 1, 0),
      "blockedUntil" = CASE WHEN count - 1 < ${opts.max}::int THEN NULL ELSE "blockedUntil" END
    WHERE key = ${opts.key}`;
}

export async function reset(key: string): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key } });
}

/** The refusal for a budget that is used up: `what` happened too often, and when to try again. */
export function tooMany(what: string, retryAfterSeconds: number): AppError {
  return new AppError("TOO_MANY_REQUESTS", `${what} Try again in ${waitText(retryAfterSeconds)}.`);
}
