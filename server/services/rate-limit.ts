// Fixed-window counters in Postgres, so every app instance shares them (the web tier keeps no state).
import { db } from "@/server/db";

export interface RateLimitResult {
  allowed: boolean;
  count: number;
}

/** Records one hit on `key` and says whether it is still within `max` hits per `windowSeconds`. */
export async function hit(opts: { key: string; max: number; windowSeconds: number }): Promise<RateLimitResult> {
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimit" (key, count, "windowStart") VALUES (${opts.key}, 1, now())
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN "RateLimit"."windowStart" < now() - make_interval(secs => ${opts.windowSeconds}::int)
                   THEN 1 ELSE "RateLimit".count + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."windowStart" < now() - make_interval(secs => ${opts.windowSeconds}::int)
                   THEN now() ELSE "RateLimit"."windowStart" END
    RETURNING count`;
  const count = Number(rows[0]?.count ?? 0);
  return { allowed: count <= opts.max, count };
}

/** Whether `key` is over its limit without counting a hit. */
export async function isLimited(opts: { key: string; max: number; windowSeconds: number }): Promise<boolean> {
  const rows = await db.$queryRaw<{ count: number }[]>`
    SELECT count FROM "RateLimit"
    WHERE key = ${opts.key} AND "windowStart" >= now() - make_interval(secs => ${opts.windowSeconds}::int)`;
  return Number(rows[0]?.count ?? 0) >= opts.max;
}

export async function reset(key: string): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key } });
}
