// Sign-in checks: wrong passwords count against the account and the IP (in PostgreSQL, shared by every app
// instance); past the limit even the right password is refused until the window passes.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { verifyCredentials } from "@/server/services/users";
import { makeUser, uid } from "../fixtures/annotation";

const PASSWORD = "correct horse battery";

describe("sign-in rate limits", () => {
  it("locks an account after too many wrong passwords, whatever the IP", async () => {
    const user = await makeUser();
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS; i++) {
      expect(await verifyCredentials({ email: user.email, password: "wrong", ip: `ip-${uid()}` })).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: `ip-${uid()}` })).toEqual({ ok: false, reason: "rate_limited" });
    // Once the window has passed the right password works again.
    await db.rateLimit.updateMany({ where: { key: { contains: user.email } }, data: { windowStart: new Date(Date.now() - (env.LOGIN_WINDOW_SECONDS + 1) * 1000) } });
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: `ip-${uid()}` })).toMatchObject({ ok: true });
  });

  it("a successful sign-in clears the account's failures", async () => {
    const user = await makeUser();
    const ip = `ip-${uid()}`;
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS - 1; i++) await verifyCredentials({ email: user.email, password: "wrong", ip });
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true });
    expect(await verifyCredentials({ email: user.email, password: "wrong", ip })).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true });
  });

  it("limits one IP spraying many accounts, without locking others out", async () => {
    const ip = `ip-${uid()}`;
    const perIp = env.LOGIN_MAX_ATTEMPTS * 5;
    for (let i = 0; i < perIp; i++) {
      await verifyCredentials({ email: `nobody-${uid()}@test.local`, password: "guess", ip });
    }
    const victim = await makeUser();
    expect(await verifyCredentials({ email: victim.email, password: PASSWORD, ip })).toEqual({ ok: false, reason: "rate_limited" });
    expect(await verifyCredentials({ email: victim.email, password: PASSWORD, ip: `ip-${uid()}` })).toMatchObject({ ok: true });
  });

  it("unknown emails and wrong passwords get the same answer", async () => {
    const user = await makeUser();
    const unknown = await verifyCredentials({ email: `ghost-${uid()}@test.local`, password: PASSWORD, ip: `ip-${uid()}` });
    const wrong = await verifyCredentials({ email: user.email, password: "nope", ip: `ip-${uid()}` });
    expect(unknown).toEqual(wrong);
  });
});
