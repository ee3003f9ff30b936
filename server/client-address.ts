// Who is on the other end of a request, for per-client budgets (sign-in attempts). X-Forwarded-For is written by
// whoever sends the request, so only the entries that trusted proxies appended count: with TRUST_PROXY_HOPS = n the
// client is the address the outermost of the n proxies saw; with 0 it is the socket's peer. server/web.ts works it
// out once per request and passes it on in CLIENT_ADDRESS_HEADER, replacing any value the client sent.
import type { IncomingMessage } from "node:http";

export const CLIENT_ADDRESS_HEADER = "x-rlhf-client-address";

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) and "10.0.0.1" are the same client. */
function normalize(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string | null {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  // nearest first: the socket's peer, then what each proxy says it saw, right to left
  const chain = [socketAddress, ...forwarded.reverse()];
  const address = chain[Math.min(trustedHops, chain.length - 1)];
  return address ? normalize(address) : null;
}

/** Puts the client's address on the request for the handlers behind (next-auth's authorize sees only headers). */
export function stampClientAddress(req: IncomingMessage, trustedHops: number): void {
  const address = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedHops);
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
  else delete req.headers[CLIENT_ADDRESS_HEADER];
}
