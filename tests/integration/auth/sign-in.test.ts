// Sign-in budgets: every attempt is counted (in PostgreSQL, shared by every app instance) before the password is
// checked, per account and per client address. Past the account's budget each attempt waits a doubling delay —
// the right password works again after it, and the refusal says how long to wait.
import { describe, expect, it, vi } from "vitest";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { take } from "@/server/services/rate-limit";
import { verifyCredentials } from "@/server/services/users";
import { makeUser, uid } from "../fixtures/annotation";

const PASSWORD = "correct horse battery";
const ip = () => `ip-${uid()}`;

async function failures(email: string, n: number, address: string | null = null) {
  for (let i = 0; i < n; i++) expect(await verifyCredentials({ email, password: "wrong", ip: address ?? ip() })).toEqual({ ok: false, reason: "invalid" });
}

/** Moves a pending delay into the past, as if the wait had passed. */
async function endDelay(key: string) {
  await db.$executeRaw`UPDATE "RateLimit" SET "blockedUntil" = now() - interval '1 millisecond' WHERE key = ${key}`;
}

describe("sign-in budgets", () => {
  it("counts parallel wrong passwords before checking them: no more than the budget get a verdict", async () => {
    const user = await makeUser();
    const results = await Promise.all(
      Array.from({ length: env.LOGIN_MAX_ATTEMPTS * 3 }, () => verifyCredentials({ email: user.email, password: "wrong", ip: ip() })),
    );
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(env.LOGIN_MAX_ATTEMPTS);
    expect(results.filter((r) => !r.ok && r.reason === "rate_limited")).toHaveLength(env.LOGIN_MAX_ATTEMPTS * 2);
  });

  it("past the budget backs off instead of locking: the right password works after the wait, which doubles", async () => {
    const user = await makeUser();
    await failures(user.email, env.LOGIN_MAX_ATTEMPTS);
    // right away even the right password waits, and the answer says for how long
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: ip() })).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: 1 });
    // after the wait one more guess is allowed, and the next wait is twice as long
    await new Promise((r) => setTimeout(r, 1100));
    await failures(user.email, 1);
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: ip() })).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: 2 });
    await endDelay(`login:acct:${user.email}`);
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: ip() })).toMatchObject({ ok: true });
    // and the success forgets the failures
    await failures(user.email, env.LOGIN_MAX_ATTEMPTS - 1);
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: ip() })).toMatchObject({ ok: true });
  });

  it("a successful sign-in clears the account's failures", async () => {
    const user = await makeUser();
    const address = ip();
    await failures(user.email, env.LOGIN_MAX_ATTEMPTS - 1, address);
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: address })).toMatchObject({ ok: true });
    await failures(user.email, 1, address);
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: address })).toMatchObject({ ok: true });
  });

  it("limits one address spraying many accounts, without holding up other addresses", async () => {
    const address = ip();
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS * 5; i++) {
      await verifyCredentials({ email: `nobody-${uid()}@test.local`, password: "guess", ip: address });
    }
    const victim = await makeUser();
    expect(await verifyCredentials({ email: victim.email, password: PASSWORD, ip: address })).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await verifyCredentials({ email: victim.email, password: PASSWORD, ip: ip() })).toMatchObject({ ok: true });
  });

  it("successes do not use up an address's budget (an office behind one NAT)", async () => {
    const address = ip();
    const user = await makeUser();
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS * 5 + 1; i++) {
      expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: address })).toMatchObject({ ok: true });
    }
  });

  it("clients whose address is unknown do not share one budget", async () => {
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS * 5; i++) {
      await verifyCredentials({ email: `nobody-${uid()}@test.local`, password: "guess", ip: null });
    }
    const other = await makeUser();
    expect(await verifyCredentials({ email: other.email, password: PASSWORD, ip: null })).toMatchObject({ ok: true });
    expect(await db.rateLimit.count({ where: { key: { in: ["login:ip:unknown", "login:ip:null", "login:ip:"] } } })).toBe(0);
  });

  it("unknown emails and wrong passwords get the same answer", async () => {
    const user = await makeUser();
    const unknown = await verifyCredentials({ email: `ghost-${uid()}@test.local`, password: PASSWORD, ip: ip() });
    const wrong = await verifyCredentials({ email: user.email, password: "nope", ip: ip() });
    expect(unknown).toEqual(wrong);
  });
});

describe("budget rows", () => {
  it("rows of windows that are over are purged, rows with a pending delay are kept", async () => {
    const [stale, waiting, current] = [`test:stale:${uid()}`, `test:waiting:${uid()}`, `test:current:${uid()}`];
    await db.$executeRaw`INSERT INTO "RateLimit"(key, count, "windowEnd", "blockedUntil") VALUES
      (${stale}, 3, now() - interval '1 hour', NULL),
      (${waiting}, 30, now() - interval '1 hour', now() + interval '1 minute'),
      (${current}, 1, now() + interval '1 hour', NULL)`;
    // the purge runs at most once a minute per process: let a minute pass
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    try {
      expect(await take({ key: `test:trigger:${uid()}`, max: 5, windowSeconds: 60 })).toEqual({ allowed: true });
    } finally {
      vi.useRealTimers();
    }
    const keys = (await db.rateLimit.findMany({ where: { key: { in: [stale, waiting, current] } }, select: { key: true } })).map((r) => r.key);
    expect(keys.sort()).toEqual([current, waiting].sort());
  });
});

describe("sign-in audit", () => {
  it("records every attempt with its outcome and address, never the password", async () => {
    const user = await makeUser();
    const address = ip();
    await verifyCredentials({ email: user.email, password: "wrong guess", ip: address });
    await verifyCredentials({ email: user.email.toUpperCase(), password: PASSWORD, ip: address });
    await verifyCredentials({ email: `nobody-${uid()}@test.local`, password: "x", ip: address });
    const rows = await db.auditLog.findMany({ where: { action: { startsWith: "auth.sign_in" }, after: { path: ["ip"], equals: address } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.targetId, (r.after as { reason?: string }).reason ?? null])).toEqual([
      ["auth.sign_in_failed", user.id, "wrong email or password"],
      ["auth.sign_in", user.id, null],
      ["auth.sign_in_failed", null, "wrong email or password"],
    ]);
    const stored = JSON.stringify(rows.map((r) => [r.before, r.after]));
    expect(stored).not.toContain("wrong guess");
    expect(stored).not.toContain(PASSWORD);
  });
});
