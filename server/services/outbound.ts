// Outbound HTTP to the OpenAI-compatible endpoints admins register. An endpoint URL is a request the server makes on
// an admin's behalf, so it must not become a way into what only the server can reach (SSRF): the cloud metadata
// service (169.254.169.254, fd00:ec2::254), the database, other internal services. So:
// - the addresses a host name resolves to are checked when the connection is made (the check runs inside the
//   socket's own DNS lookup, so a name cannot resolve to a public address for a check and a private one for the
//   connection), and IP literals before it;
// - loopback and private-network addresses are refused unless ENDPOINT_ALLOW_PRIVATE=true (a model server on the
//   same machine or network is common: that one setting allows it); link-local, unspecified, multicast and
//   reserved addresses, and the metadata services' own, are refused even then; a host listed in
//   ENDPOINT_ALLOWED_HOSTS is allowed whatever it resolves to;
// - redirects are not followed (each hop would be a new, unchecked request);
// - the response body is capped, and error messages quote at most the server's own short error message.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { BlockList } from "node:net";
import { env } from "@/server/env";

export interface NetworkPolicy {
  /** loopback and private networks (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10, ::1, fc00::/7) */
  allowPrivate: boolean;
  /** host names or IP literals, as written in the endpoint URL, allowed whatever they resolve to */
  allowedHosts: string[];
}

export function networkPolicy(): NetworkPolicy {
  return { allowPrivate: env.ENDPOINT_ALLOW_PRIVATE, allowedHosts: env.ENDPOINT_ALLOWED_HOSTS };
}

function blockList(ranges: [string, number, "ipv4" | "ipv6"][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix, type] of ranges) list.addSubnet(address, prefix, type);
  return list;
}

// Refused unless ENDPOINT_ALLOW_PRIVATE=true.
const LOOPBACK = blockList([["127.0.0.0", 8, "ipv4"], ["::1", 128, "ipv6"]]);
const PRIVATE = blockList([
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT, also used inside clouds
  ["fc00::", 7, "ipv6"], // unique local
]);
// Refused whatever ENDPOINT_ALLOW_PRIVATE says: link-local (AWS, GCP and Azure metadata at 169.254.169.254) and the
// metadata addresses that sit inside private ranges (AWS over IPv6, Alibaba Cloud).
const LINK_LOCAL = blockList([["169.254.0.0", 16, "ipv4"], ["fe80::", 10, "ipv6"]]);
const METADATA = blockList([["fd00:ec2::254", 128, "ipv6"], ["100.100.100.200", 32, "ipv4"]]);
const NOWHERE = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["ff00::", 8, "ipv6"],
  ["2001:db8::", 32, "ipv6"],
]);

/** An IPv4 address carried inside an IPv6 one (::ffff:a.b.c.d mapped, 64:ff9b::/96 NAT64), else null. */
function embeddedIpv4(address: string): string | null {
  const mapped = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** Why the endpoint may not connect to `address`, or null when it may. */
export function addressProblem(address: string, policy: NetworkPolicy): string | null {
  const inner = net.isIPv6(address) ? embeddedIpv4(address) : null;
  if (inner) return addressProblem(inner, policy);
  const type = net.isIPv4(address) ? "ipv4" : "ipv6";
  if (LINK_LOCAL.check(address, type)) return "a link-local address (where cloud metadata services answer)";
  if (METADATA.check(address, type)) return "a cloud metadata service address";
  if (NOWHERE.check(address, type)) return "an unspecified, multicast or reserved address";
  if (policy.allowPrivate) return null;
  if (LOOPBACK.check(address, type)) return "a loopback address (this machine)";
  if (PRIVATE.check(address, type)) return "a private-network address";
  return null;
}

const HOW_TO_ALLOW =
  "to let endpoints reach model servers on this machine or a private network, set ENDPOINT_ALLOW_PRIVATE=true, or list the host in ENDPOINT_ALLOWED_HOSTS";

/** A connection the policy refused; never retried. */
export class BlockedAddressError extends Error {
  constructor(host: string, address: string, problem: string) {
    super(`${host}${host === address ? "" : ` (${address})`} is ${problem}; ${HOW_TO_ALLOW}`);
    this.name = "BlockedAddressError";
  }
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

function allowedHost(hostname: string, policy: NetworkPolicy): boolean {
  const host = bareHost(hostname);
  return policy.allowedHosts.some((h) => bareHost(h) === host);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup for the socket, refusing when any address the name resolves to is not allowed. */
function guardedLookup(policy: NetworkPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const problem = addressProblem(address, policy);
        if (problem) return callback(new BlockedAddressError(hostname, address, problem) as NodeJS.ErrnoException, []);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Checks an endpoint URL where that can be decided now: an IP literal, or a name that resolves. A name that does
 * not resolve (yet) is left to the check at connection time. Throws BlockedAddressError.
 */
export async function checkEndpointUrl(url: string, policy: NetworkPolicy = networkPolicy()): Promise<void> {
  const { hostname } = new URL(url);
  if (allowedHost(hostname, policy)) return;
  const host = bareHost(hostname);
  const addresses = net.isIP(host)
    ? [{ address: host }]
    : await dns.promises.lookup(host, { all: true }).catch(() => [] as dns.LookupAddress[]);
  for (const { address } of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) throw new BlockedAddressError(host, address, problem);
  }
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the body, or null when it passed maxBytes (reading stopped there) */
  text: string | null;
}

/** One POST with a JSON body, under the policy; a redirect comes back as its 3xx response, not followed. */
export function postJson(
  url: string,
  opts: { headers: Record<string, string>; body: string; signal: AbortSignal; maxBytes: number; policy?: NetworkPolicy },
): Promise<OutboundResponse> {
  const policy = opts.policy ?? networkPolicy();
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const host = bareHost(target.hostname);
    const trusted = allowedHost(target.hostname, policy);
    if (!trusted && net.isIP(host)) {
      const problem = addressProblem(host, policy);
      if (problem) return reject(new BlockedAddressError(host, host, problem));
    }
    const transport = target.protocol === "https:" ? https : http;
    const req = transport.request(
      target,
      {
        method: "POST",
        headers: { ...opts.headers, "content-length": String(Buffer.byteLength(opts.body)) },
        signal: opts.signal,
        ...(trusted ? {} : { lookup: guardedLookup(policy) as unknown as typeof dns.lookup }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: null });
          } else chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
