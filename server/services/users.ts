// Users and passwords. Passwords are hashed with argon2id; sign-in checks go through `verifyCredentials`,
// which also enforces the per-account and per-IP login rate limits.
import { hash, verify } from "@node-rs/argon2";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import type { Role } from "@/server/generated/prisma/client";
import * as rateLimit from "@/server/services/rate-limit";

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "invalid" | "inactive" | "rate_limited" };

export async function verifyCredentials(opts: { email: string; password: string; ip: string }): Promise<SignInResult> {
  const email = opts.email.trim().toLowerCase();
  const limits = { max: env.LOGIN_MAX_ATTEMPTS, windowSeconds: env.LOGIN_WINDOW_SECONDS };
  const accountKey = `login:acct:${email}`;
  const ipKey = `login:ip:${opts.ip}`;
  // The IP budget is wider than the account one: a shared office NAT should not lock everyone out.
  if ((await rateLimit.isLimited({ key: accountKey, ...limits })) ||
      (await rateLimit.isLimited({ key: ipKey, ...limits, max: limits.max * 5 }))) {
    return { ok: false, reason: "rate_limited" };
  }
  const user = await db.user.findUnique({ where: { email } });
  const valid = user?.passwordHash ? await verify(user.passwordHash, opts.password).catch(() => false) : false;
  if (!user || !valid) {
    await rateLimit.hit({ key: accountKey, ...limits });
    await rateLimit.hit({ key: ipKey, ...limits, max: limits.max * 5 });
    return { ok: false, reason: "invalid" };
  }
  if (!user.active) return { ok: false, reason: "inactive" };
  await rateLimit.reset(accountKey);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

export async function createUser(opts: {
  email: string;
  name: string;
  password?: string;
  role: Role;
}): Promise<{ id: string }> {
  const email = opts.email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) throw new AppError("CONFLICT", `A user with email ${email} already exists.`, [{ field: "email", message: "already in use" }]);
  const passwordHash = opts.password ? await hashPassword(opts.password) : null;
  return db.user.create({ data: { email, name: opts.name, role: opts.role, passwordHash }, select: { id: true } });
}
