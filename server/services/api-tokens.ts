// Personal API tokens for the HTTP API (/api/v1, described at /api/v1/openapi.json): shown once at creation,
// stored only as a sha256 hash, revocable, with one scope (`scopeGrants`). A token acts as its owner with the
// owner's current role: an annotator's token sees only the projects the annotator is a member of.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import type { Role, TokenScope } from "@/server/generated/prisma/client";
import { ANNOTATOR_SCOPES } from "@/server/schemas/token";

/** Every token starts with this, so secret scanners and people can recognize one. */
export const TOKEN_PREFIX = "rlhf_";
// characters shown in lists so a person can tell tokens apart; far too few to guess the rest
const SHOWN_CHARS = TOKEN_PREFIX.length + 6;
// lastUsedAt is informational: writing it at most once a minute keeps a busy token from costing a write per request
const LAST_USED_RESOLUTION_MS = 60_000;

export interface TokenUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tokenId: string;
  scope: TokenScope;
}

/**
 * What a token's scope lets it do. WRITE is everything its owner may do (as before scopes were split); each
 * narrow scope is READ plus one job, so a pipeline that only imports holds a token that cannot launch runs or read
 * who judged what. READ does not include ANNOTATIONS: individual judgements name their annotators.
 */
export const scopeGrants: Record<TokenScope, readonly TokenScope[]> = {
  READ: ["READ"],
  WRITE: ["READ", "WRITE", "IMPORT", "EXPORT", "RUNS", "ANNOTATIONS"],
  IMPORT: ["READ", "IMPORT"],
  EXPORT: ["READ", "EXPORT"],
  RUNS: ["READ", "RUNS"],
  ANNOTATIONS: ["READ", "ANNOTATIONS"],
};


export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** `role`: the owner's, when the request comes from them (the tokens page); annotators get read scopes only. */
export async function createToken(opts: { userId: string; name: string; scope: TokenScope; role?: Role }) {
  const name = opts.name.trim();
  if (name.length === 0 || name.length > 100) throw new AppError("BAD_REQUEST", "Give the token a name of 1–100 characters.");
  if (opts.role && opts.role !== "ADMIN" && !ANNOTATOR_SCOPES.includes(opts.scope)) {
    throw new AppError("FORBIDDEN", `An annotator's token reads only: choose ${ANNOTATOR_SCOPES.join(" or ")}.`, [{ field: "scope", message: "read scopes only" }]);
  }
  const secret = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({
    data: { userId: opts.userId, name, scope: opts.scope, tokenHash: hashToken(secret), prefix: secret.slice(0, SHOWN_CHARS) },
    select: { id: true, name: true, scope: true, prefix: true, createdAt: true },
  });
  return { ...row, token: secret };
}

export async function listTokens(opts: { userId: string }) {
  return db.apiToken.findMany({
    where: { userId: opts.userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, scope: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

export async function revokeToken(opts: { userId: string; tokenId: string }): Promise<void> {
  const { count } = await db.apiToken.updateMany({
    where: { id: opts.tokenId, userId: opts.userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "No such active token.");
}

/**
 * The user behind `secret` when the token is valid for `scope`. UNAUTHORIZED: missing, unknown or revoked
 * token, or a deactivated owner. FORBIDDEN: a token whose scope does not grant `scope` (scopeGrants).
 */
export async function verifyToken(opts: { secret: string | null | undefined; scope: TokenScope }): Promise<TokenUser> {
  const secret = opts.secret?.trim();
  if (!secret) throw new AppError("UNAUTHORIZED", "Send a personal API token: Authorization: Bearer rlhf_…");
  if (!secret.startsWith(TOKEN_PREFIX)) throw new AppError("UNAUTHORIZED", `That is not an API token (they start with ${TOKEN_PREFIX}).`);
  const token = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(secret) },
    include: { user: { select: { id: true, email: true, name: true, role: true, active: true } } },
  });
  if (!token || token.revokedAt) throw new AppError("UNAUTHORIZED", "The API token is unknown or revoked.");
  if (!token.user.active) throw new AppError("UNAUTHORIZED", "The token's owner is deactivated.");
  if (!scopeGrants[token.scope].includes(opts.scope)) {
    throw new AppError("FORBIDDEN", `This token's scope is ${token.scope}; this operation needs a token with ${opts.scope} scope (or WRITE).`);
  }
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  const { id, email, name, role } = token.user;
  return { id, email, name, role, tokenId: token.id, scope: token.scope };
}
