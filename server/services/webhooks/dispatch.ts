// Webhook delivery, at least once, from the outbox (WebhookEvent, written by the triggers of migration `webhooks`):
//  1. fan-out: new events become one delivery per matching active subscription, in one statement that marks them
//     fanned out (FOR UPDATE SKIP LOCKED: several dispatchers never hand out an event twice);
//  2. claim: due deliveries are leased (lockedUntil) and their attempt counted, SKIP LOCKED again;
//  3. send: a signed POST (./signature.ts) through the outbound checks (server/services/outbound.ts: SSRF rules, no
//     redirects, capped answer); 2xx marks the delivery DELIVERED; anything else schedules the next attempt with
//     exponential backoff (30 s, 1 min, 2 min … capped at 2 h) until a day has passed since the event, then FAILED.
// Every request is logged (WebhookAttempt) with the receiver's status code; the log keeps 30 days (purgeOldEvents). A dispatcher that dies mid-request
// leaves its lease to lapse, and the next claim sends the same event again: receivers dedupe on X-RLHF-Event-Id.
// Runs in its own process started by `npm start` (server/webhook-dispatcher.ts).
import type pg from "pg";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { pool } from "@/server/pg";
import { subscriptionSecret } from "@/server/services/webhooks";
import { ATTEMPT_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign } from "@/server/services/webhooks/signature";
import { postJson } from "@/server/services/outbound";

export interface DispatchOptions {
  /** the first retry's delay; each further one doubles, up to maxDelayMs */
  baseDelayMs: number;
  maxDelayMs: number;
  /** a delivery still failing this long after its event is given up (FAILED) */
  giveUpAfterMs: number;
  /** one request's limit; a receiver slower than this counts as a failure */
  timeoutMs: number;
  /** how long a claim holds a delivery: past it, a dispatcher that died is assumed gone */
  leaseMs: number;
  /** deliveries claimed at once (sent concurrently) */
  batch: number;
  /** the wait between rounds when nothing was due */
  pollMs: number;
}

export const DEFAULT_DISPATCH: DispatchOptions = {
  baseDelayMs: env.WEBHOOK_RETRY_BASE_MS,
  maxDelayMs: 2 * 3600_000,
  giveUpAfterMs: 24 * 3600_000,
  timeoutMs: env.WEBHOOK_TIMEOUT_MS,
  // a request ends within its timeout; twice that leaves room to record its outcome
  leaseMs: 2 * env.WEBHOOK_TIMEOUT_MS,
  batch: 16,
  pollMs: 1000,
};

/** The wait after the `attempts`-th failed attempt. */
export function retryDelayMs(attempts: number, opts: Pick<DispatchOptions, "baseDelayMs" | "maxDelayMs">): number {
  return Math.min(opts.baseDelayMs * 2 ** Math.max(0, attempts - 1), opts.maxDelayMs);
}

/** New events → deliveries, for the subscriptions active now. Returns how many deliveries were created. */
export async function fanOut(client: pg.Pool | pg.PoolClient = pool()): Promise<number> {
  const { rowCount } = await client.query(`
    WITH events AS (
      UPDATE "WebhookEvent" SET "fannedOut" = true
       WHERE id IN (SELECT id FROM "WebhookEvent" WHERE NOT "fannedOut" ORDER BY "createdAt" LIMIT 500 FOR UPDATE SKIP LOCKED)
      RETURNING id, type, "projectIds")
    INSERT INTO "WebhookDelivery" ("eventId", "subscriptionId", "nextAttemptAt", "createdAt")
    SELECT e.id, s.id, now(), now()
      FROM events e
      JOIN "WebhookSubscription" s ON s.active AND e.type = ANY (s.events) AND (s."projectId" IS NULL OR s."projectId" = ANY (e."projectIds"))
    ON CONFLICT DO NOTHING`);
  return rowCount ?? 0;
}

interface Claimed {
  id: string;
  eventId: string;
  type: string;
  data: unknown;
  eventCreatedAt: Date;
  attempts: number;
  subscriptionId: string;
  url: string;
  secretEncrypted: string;
}

async function claim(opts: DispatchOptions): Promise<Claimed[]> {
  const { rows } = await pool().query<Claimed>(
    `WITH due AS (
       UPDATE "WebhookDelivery" d
          SET "lockedUntil" = now() + make_interval(secs => $2::float8 / 1000), attempts = d.attempts + 1
        WHERE d.id IN (SELECT id FROM "WebhookDelivery"
                        WHERE status = 'PENDING' AND "nextAttemptAt" <= now() AND ("lockedUntil" IS NULL OR "lockedUntil" < now())
                        ORDER BY "nextAttemptAt" LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.id, d."eventId", d."subscriptionId", d.attempts)
     SELECT due.id::text AS id, due."eventId", due.attempts, due."subscriptionId", e.type, e.data, e."createdAt" AS "eventCreatedAt", s.url, s."secretEncrypted"
       FROM due JOIN "WebhookEvent" e ON e.id = due."eventId" JOIN "WebhookSubscription" s ON s.id = due."subscriptionId"`,
    [opts.batch, opts.leaseMs],
  );
  return rows;
}

/** The JSON a receiver gets: the same bytes on every attempt of one event (the id is what to dedupe on). */
export function eventBody(e: { eventId: string; type: string; eventCreatedAt: Date; data: unknown }): string {
  return JSON.stringify({ id: e.eventId, type: e.type, createdAt: e.eventCreatedAt.toISOString(), data: e.data });
}

async function send(d: Claimed, opts: DispatchOptions): Promise<{ status: number | null; error: string | null; durationMs: number }> {
  const started = Date.now();
  const body = eventBody(d);
  try {
    const res = await postJson(d.url, {
      headers: {
        "content-type": "application/json",
        "user-agent": "RLHF-Studio-Webhooks/1",
        [SIGNATURE_HEADER]: sign(subscriptionSecret({ id: d.subscriptionId, secretEncrypted: d.secretEncrypted }), Math.floor(Date.now() / 1000), body),
        [EVENT_ID_HEADER]: d.eventId,
        [EVENT_TYPE_HEADER]: d.type,
        [ATTEMPT_HEADER]: String(d.attempts),
      },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs),
      maxBytes: 4096,
    });
    const ok = res.status >= 200 && res.status < 300;
    return { status: res.status, error: ok ? null : `the receiver answered ${res.status}`, durationMs: Date.now() - started };
  } catch (err) {
    const e = err as Error & { code?: string };
    const error = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer within ${opts.timeoutMs / 1000} s` : (e.code ?? e.message);
    return { status: null, error, durationMs: Date.now() - started };
  }
}

async function record(d: Claimed, result: Awaited<ReturnType<typeof send>>, opts: DispatchOptions): Promise<void> {
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const expired = Date.now() - d.eventCreatedAt.getTime() + retryDelayMs(d.attempts, opts) > opts.giveUpAfterMs;
  const status = ok ? "DELIVERED" : expired ? "FAILED" : "PENDING";
  await pool().query(
    `WITH attempt AS (INSERT INTO "WebhookAttempt" ("deliveryId", status, error, "durationMs", "createdAt") VALUES ($1::bigint, $2, $3, $4, now()))
     UPDATE "WebhookDelivery"
        SET status = $5::"WebhookDeliveryStatus", "lastStatus" = $2, "lastError" = $3, "lockedUntil" = NULL,
            "deliveredAt" = CASE WHEN $5 = 'DELIVERED' THEN now() END,
            "nextAttemptAt" = now() + make_interval(secs => $6::float8 / 1000)
      WHERE id = $1::bigint`,
    [d.id, result.status, result.error, result.durationMs, status, ok ? 0 : retryDelayMs(d.attempts, opts)],
  );
}

/** How long the delivery log keeps an event (with its deliveries and attempts) once nothing of it is pending. */
export const LOG_RETENTION_DAYS = 30;

/** Drops the events older than `days` that have no pending delivery; returns how many went. */
export async function purgeOldEvents(days = LOG_RETENTION_DAYS): Promise<number> {
  const { rowCount } = await pool().query(
    `DELETE FROM "WebhookEvent" e
      WHERE e."fannedOut" = true AND e."createdAt" < now() - make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = e.id AND d.status = 'PENDING')`,
    [days],
  );
  return rowCount ?? 0;
}

/** One round: fan out, then send what is due. Returns how many deliveries were attempted. */
export async function dispatchOnce(options: Partial<DispatchOptions> = {}): Promise<number> {
  const opts = { ...DEFAULT_DISPATCH, ...options };
  await fanOut();
  const due = await claim(opts);
  await Promise.all(due.map(async (d) => record(d, await send(d, opts), opts)));
  return due.length;
}

/** The dispatcher loop until `signal` aborts; a round that fails (the database away) is logged and retried. */
export async function runDispatcher(opts: { signal: AbortSignal; options?: Partial<DispatchOptions>; log?: (line: string) => void }): Promise<void> {
  const options = { ...DEFAULT_DISPATCH, ...opts.options };
  const log = opts.log ?? ((line: string) => console.log(`[webhooks] ${line}`));
  let purgedAt = 0;
  // a database outage is said once, and its end once, not every round
  let failing = false;
  while (!opts.signal.aborted) {
    let sent = 0;
    try {
      if (Date.now() - purgedAt > 3600_000) {
        purgedAt = Date.now();
        const purged = await purgeOldEvents();
        if (purged > 0) log(`dropped ${purged} event(s) older than ${LOG_RETENTION_DAYS} days from the delivery log`);
      }
      sent = await dispatchOnce(options);
      if (failing) log("delivering again");
      failing = false;
    } catch (err) {
      if (!failing) log(`a round failed (${(err as Error).message}); trying again every ${options.pollMs} ms`);
      failing = true;
    }
    if (sent === 0) await new Promise((resolve) => { const t = setTimeout(resolve, options.pollMs); opts.signal.addEventListener("abort", () => { clearTimeout(t); resolve(null); }, { once: true }); });
  }
}

/** Deliveries still to be made (the admin page and the tests wait on it). */
export async function pendingDeliveries(): Promise<number> {
  return db.webhookDelivery.count({ where: { status: "PENDING" } });
}
