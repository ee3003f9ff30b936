// Session JWTs in next-auth v4's own wire format (JWE, dir + A256GCM, key = HKDF-SHA256 of the secret), with the
// derived key computed once per secret instead of on every request: next-auth's default encode/decode run HKDF
// through the thread pool each time, which was the single biggest cost of reading a session on the annotation hot
// path. Tokens written by either implementation are read by the other.
import { hkdfSync, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { parse as parseCookies } from "cookie";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "next-auth/jwt";
import { getToken } from "next-auth/jwt";
import { env } from "@/server/env";
import { authSecret } from "@/server/secret";
import type { SessionRef } from "@/server/services/users";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;
const keys = new Map<string, Uint8Array>();

function secretString(secret: JWTEncodeParams["secret"]): string {
  return typeof secret === "string" ? secret : Buffer.from(secret).toString("utf8");
}

function encryptionKey(secret: string, salt: string): Uint8Array {
  const id = `${salt}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
    key = new Uint8Array(hkdfSync("sha256", secret, salt, info, 32));
    keys.set(id, key);
  }
  return key;
}

export async function encode({ token = {}, secret, maxAge = DEFAULT_MAX_AGE, salt = "" }: JWTEncodeParams): Promise<string> {
  return new EncryptJWT(token)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + maxAge)
    .setJti(randomUUID())
    .encrypt(encryptionKey(secretString(secret), salt));
}

export async function decode({ token, secret, salt = "" }: JWTDecodeParams): Promise<JWT | null> {
  if (!token) return null;
  const { payload } = await jwtDecrypt(token, encryptionKey(secretString(secret), salt), { clockTolerance: 15 });
  return payload as JWT;
}

/**
 * Whose session a request carries (cookie, chunked or not) and its session version, or null when there is none or
 * it does not decrypt, has expired or was signed with another secret. Whether the session still counts is the
 * database's call (activeUser). Reads only: it never re-issues the cookie.
 */
export async function sessionOf(req: Parameters<typeof getToken>[0]["req"]): Promise<SessionRef | null> {
  const secureCookie = (env.NEXTAUTH_URL ?? "").startsWith("https://");
  const token = await getToken({ req, secret: authSecret(), decode, secureCookie });
  if (typeof token?.uid !== "string" || !token.uid) return null;
  // sessions issued before session versions existed carry none; every account started at version 0
  return { userId: token.uid, sessionVersion: typeof token.sv === "number" ? token.sv : 0 };
}

/** The same, from cookies alone (Server Components: next/headers). */
export function sessionFromCookies(cookies: Record<string, string>): Promise<SessionRef | null> {
  return sessionOf({ cookies, headers: {} } as Parameters<typeof getToken>[0]["req"]);
}

/** The same, for a plain Node request (the tRPC server in server/web.ts). */
export function sessionFromHeaders(headers: IncomingHttpHeaders): Promise<SessionRef | null> {
  return sessionOf({ cookies: parseCookies(headers.cookie ?? ""), headers } as Parameters<typeof getToken>[0]["req"]);
}

/** The same, for a Fetch Request (the HTTP routes' wrapper, server/api/route.ts). */
export function sessionFromRequest(req: Request): Promise<SessionRef | null> {
  return sessionFromCookies(parseCookies(req.headers.get("cookie") ?? ""));
}
