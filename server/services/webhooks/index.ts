// Webhook subscriptions for the admin page: per project or global, to the events of schemas/webhook.ts; their
// signing secrets (shown once, stored encrypted and bound to the row: server/services/secrets.ts); the delivery
// log; "send test event". Events themselves are written by SQL triggers in the transaction of the change (migration
// `webhooks`, rlhf_webhook_event) and delivered by ./dispatch.ts.
import { randomBytes } from "node:crypto";
import { db } from "@/server/db";
import { AppError, parseOrThrow } from "@/server/errors";
import { TEST_EVENT, webhookInputSchema, webhookUpdateSchema, type WebhookInput } from "@/server/schemas/webhook";
import * as audit from "@/server/services/audit";
import { BlockedAddressError, checkEndpointUrl } from "@/server/services/outbound";
import type { ReencryptResult } from "@/server/services/endpoints";
import { decryptSecret, encryptSecret, openSecret } from "@/server/services/secrets";

export const SECRET_PREFIX = "whsec_";

const secretContext = (id: string) => `webhook:${id}:secret`;

/** The signing secret of a subscription, for the dispatcher. */
export function subscriptionSecret(sub: { id: string; secretEncrypted: string }): string {
  return decryptSecret(sub.secretEncrypted, secretContext(sub.id));
}

/** The destination must pass the outbound checks (server/services/outbound.ts) now; the dispatcher checks again per connection. */
async function checkUrl(url: string): Promise<void> {
  try {
    await checkEndpointUrl(url);
  } catch (err) {
    if (!(err instanceof BlockedAddressError)) throw err;
    throw new AppError("BAD_REQUEST", `Invalid webhook: ${err.message}`, [{ field: "url", message: err.message }]);
  }
}

const viewSelect = {
  id: true, projectId: true, url: true, events: true, description: true, active: true, createdAt: true,
  project: { select: { name: true, slug: true } },
} as const;

export async function listSubscriptions() {
  const subs = await db.webhookSubscription.findMany({ orderBy: { createdAt: "desc" }, select: viewSelect });
  const counts = await db.webhookDelivery.groupBy({ by: ["subscriptionId", "status"], _count: { _all: true } });
  const of = (id: string, status: string) => counts.find((c) => c.subscriptionId === id && c.status === status)?._count._all ?? 0;
  return subs.map((s) => ({ ...s, delivered: of(s.id, "DELIVERED"), pending: of(s.id, "PENDING"), failed: of(s.id, "FAILED") }));
}

/** Creates a subscription; the answer carries its signing secret, which is never shown again. */
export async function createSubscription(opts: { input: WebhookInput; actorId: string }) {
  const input = parseOrThrow(webhookInputSchema, opts.input, { what: "Invalid webhook" });
  await checkUrl(input.url);
  if (input.projectId && !(await db.project.findUnique({ where: { id: input.projectId }, select: { id: true } }))) {
    throw new AppError("NOT_FOUND", "No such project.", [{ field: "projectId", message: "no such project" }]);
  }
  const secret = SECRET_PREFIX + randomBytes(24).toString("base64url");
  // the secret is bound to its row, so the row gets its id before the secret is encrypted
  const id = `wh${randomBytes(12).toString("hex")}`;
  const sub = await db.$transaction(async (tx) => {
    const row = await tx.webhookSubscription.create({
      data: { id, ...input, secretEncrypted: encryptSecret(secret, secretContext(id)), createdById: opts.actorId },
      select: viewSelect,
    });
    await audit.record({ actorId: opts.actorId, action: "webhook.create", targetType: "webhook", targetId: id, after: { url: row.url, projectId: row.projectId, events: row.events } }, tx);
    return row;
  });
  return { ...sub, secret };
}

export async function updateSubscription(opts: { input: unknown; actorId: string }) {
  const { id, ...changes } = parseOrThrow(webhookUpdateSchema, opts.input, { what: "Invalid webhook" });
  if (changes.url) await checkUrl(changes.url);
  const before = await db.webhookSubscription.findUnique({ where: { id }, select: viewSelect });
  if (!before) throw new AppError("NOT_FOUND", "No such webhook.");
  return db.$transaction(async (tx) => {
    const after = await tx.webhookSubscription.update({ where: { id }, data: changes, select: viewSelect });
    await audit.record({ actorId: opts.actorId, action: "webhook.update", targetType: "webhook", targetId: id, before, after }, tx);
    return after;
  });
}

/** A new signing secret (the old one stops at once); shown once, like the first. */
export async function rotateSecret(opts: { id: string; actorId: string }) {
  const secret = SECRET_PREFIX + randomBytes(24).toString("base64url");
  const { count } = await db.webhookSubscription.updateMany({ where: { id: opts.id }, data: { secretEncrypted: encryptSecret(secret, secretContext(opts.id)) } });
  if (count === 0) throw new AppError("NOT_FOUND", "No such webhook.");
  await audit.record({ actorId: opts.actorId, action: "webhook.rotate-secret", targetType: "webhook", targetId: opts.id });
  return { id: opts.id, secret };
}

export async function deleteSubscription(opts: { id: string; actorId: string }): Promise<void> {
  const { count } = await db.webhookSubscription.deleteMany({ where: { id: opts.id } });
  if (count === 0) throw new AppError("NOT_FOUND", "No such webhook.");
  await audit.record({ actorId: opts.actorId, action: "webhook.delete", targetType: "webhook", targetId: opts.id });
}

/** A test event for this subscription only, queued like any other (the dispatcher delivers it within a second or two). */
export async function sendTestEvent(opts: { id: string; actorId: string }) {
  const sub = await db.webhookSubscription.findUnique({ where: { id: opts.id }, select: { id: true, projectId: true } });
  if (!sub) throw new AppError("NOT_FOUND", "No such webhook.");
  return db.$transaction(async (tx) => {
    // written fanned out, with its one delivery: the fan-out would also hand it to every other subscription
    const event = await tx.webhookEvent.create({
      data: { type: TEST_EVENT, projectIds: sub.projectId ? [sub.projectId] : [], data: { message: "A test event from RLHF Studio.", subscriptionId: sub.id }, fannedOut: true },
    });
    await tx.webhookDelivery.create({ data: { eventId: event.id, subscriptionId: sub.id } });
    return { eventId: event.id };
  });
}

/** The delivery log of a subscription, newest first: each delivery with its attempts and their status codes. */
export async function listDeliveries(opts: { subscriptionId: string; limit?: number }) {
  const rows = await db.webhookDelivery.findMany({
    where: { subscriptionId: opts.subscriptionId },
    orderBy: { id: "desc" },
    take: opts.limit ?? 50,
    include: {
      event: { select: { id: true, type: true, createdAt: true } },
      attemptLog: { orderBy: { id: "asc" }, select: { id: true, status: true, error: true, durationMs: true, createdAt: true } },
    },
  });
  return rows.map((d) => ({
    id: d.id.toString(),
    eventId: d.event.id,
    type: d.event.type,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.status === "PENDING" ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
    attemptLog: d.attemptLog.map((a) => ({ ...a, id: a.id.toString() })),
  }));
}

/** After a rotation of NEXTAUTH_SECRET: every signing secret re-encrypted under the current one (`rotate-secrets`). */
export async function reencryptWebhookSecrets(): Promise<ReencryptResult> {
  const result: ReencryptResult = { reencrypted: [], unchanged: 0, unreadable: [] };
  for (const sub of await db.webhookSubscription.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, url: true, secretEncrypted: true } })) {
    let opened: ReturnType<typeof openSecret>;
    try {
      opened = openSecret(sub.secretEncrypted, secretContext(sub.id));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result.unreadable.push({ name: sub.url, reason: `${err.message.replace(/enter the API key again/, "make a new secret")}` });
      continue;
    }
    if (!opened.stale) {
      result.unchanged++;
      continue;
    }
    const updated = await db.webhookSubscription.updateMany({
      where: { id: sub.id, secretEncrypted: sub.secretEncrypted },
      data: { secretEncrypted: encryptSecret(opened.plaintext, secretContext(sub.id)) },
    });
    if (updated.count === 1) result.reencrypted.push(sub.url);
  }
  return result;
}
