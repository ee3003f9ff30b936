// How a webhook request is signed, and how a receiver checks it (the README's Webhooks section shows the same in a
// few lines of Python). Stripe's scheme, which receivers already know how to verify:
//   X-RLHF-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp is signed with the body, so a receiver that refuses old timestamps (5 minutes) cannot be replayed.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-rlhf-signature";
export const EVENT_ID_HEADER = "x-rlhf-event-id";
export const EVENT_TYPE_HEADER = "x-rlhf-event-type";
export const ATTEMPT_HEADER = "x-rlhf-delivery-attempt";
/** how old a signed timestamp verifySignature accepts */
export const SIGNATURE_TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/** A receiver's check: the header's signature matches the body under the secret, and the timestamp is recent. */
export function verifySignature(opts: { secret: string; header: string | null | undefined; body: string; now?: number }): boolean {
  const parts = Object.fromEntries((opts.header ?? "").split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > SIGNATURE_TOLERANCE_S) return false;
  const expected = Buffer.from(sign(opts.secret, t, opts.body).split("v1=")[1], "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
