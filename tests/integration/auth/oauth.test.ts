// Who an OAuth/OIDC sign-in is: a provider account is linked to an invited user only on a verified email, and from
// then on found by its account id, whatever email the provider sends later. (The whole flow through next-auth and a
// real OIDC provider: tests/e2e/oidc.spec.ts.)
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { resolveOAuthUser } from "@/server/services/oauth";
import { githubVerifiedEmail } from "@/server/auth/providers";
import { makeUser, uid } from "../fixtures/annotation";

const links = (userId: string) => db.oAuthAccount.count({ where: { userId } });

describe("resolveOAuthUser", () => {
  it("refuses an email the provider did not verify, even an invited user's, and links nothing", async () => {
    const user = await makeUser();
    const sub = `sub-${uid()}`;
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: user.email, emailVerified: false })).toEqual({ ok: false, reason: "unverified" });
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: null, emailVerified: true })).toEqual({ ok: false, reason: "unverified" });
    expect(await links(user.id)).toBe(0);
  });

  it("links a verified email of an invited user, then finds the user by account id whatever the email says", async () => {
    const [user, other] = [await makeUser(), await makeUser()];
    const sub = `sub-${uid()}`;
    const first = await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: user.email.toUpperCase(), emailVerified: true });
    expect(first).toEqual({ ok: true, user: { id: user.id, email: user.email, name: user.name, role: "ANNOTATOR" } });
    expect(await links(user.id)).toBe(1);
    // the address changed at the provider (not verified yet), or now names somebody else here: still the linked user
    for (const email of [`moved-${uid()}@elsewhere.example`, other.email, null]) {
      expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email, emailVerified: false })).toMatchObject({ ok: true, user: { id: user.id } });
    }
    // the same account id at another provider is another account
    expect(await resolveOAuthUser({ provider: "github", providerAccountId: sub, email: null, emailVerified: false })).toEqual({ ok: false, reason: "unverified" });
  });

  it("refuses a verified email nobody here has (no self sign-up)", async () => {
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: `sub-${uid()}`, email: `stranger-${uid()}@x.example`, emailVerified: true })).toEqual({
      ok: false,
      reason: "not_invited",
    });
  });

  it("refuses a deactivated user, linked or not", async () => {
    const user = await makeUser();
    const sub = `sub-${uid()}`;
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: user.email, emailVerified: true })).toMatchObject({ ok: true });
    await db.user.update({ where: { id: user.id }, data: { active: false } });
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: user.email, emailVerified: true })).toEqual({ ok: false, reason: "inactive" });
    expect(await resolveOAuthUser({ provider: "oidc", providerAccountId: `sub-${uid()}`, email: user.email, emailVerified: true })).toEqual({ ok: false, reason: "inactive" });
  });

  it("two first sign-ins at once make one link and both sign in", async () => {
    const user = await makeUser();
    const sub = `sub-${uid()}`;
    const both = await Promise.all([0, 1].map(() => resolveOAuthUser({ provider: "oidc", providerAccountId: sub, email: user.email, emailVerified: true })));
    expect(both.map((r) => r.ok)).toEqual([true, true]);
    expect(await links(user.id)).toBe(1);
  });
});

describe("githubVerifiedEmail", () => {
  it("takes only the primary address, and only when GitHub verified it", () => {
    expect(githubVerifiedEmail([
      { email: "old@x.example", primary: false, verified: true },
      { email: "me@x.example", primary: true, verified: true },
    ])).toEqual({ email: "me@x.example", email_verified: true });
    // next-auth's own fallback took the primary (or the first) address without looking at `verified`
    expect(githubVerifiedEmail([
      { email: "victim@x.example", primary: true, verified: false },
      { email: "mine@x.example", primary: false, verified: true },
    ])).toEqual({ email: undefined, email_verified: false });
    expect(githubVerifiedEmail({ message: "Bad credentials" })).toEqual({ email: undefined, email_verified: false });
  });
});
