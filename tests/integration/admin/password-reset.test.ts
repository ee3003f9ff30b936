// Password reset links: an admin issues one under People, the person opens it and chooses a password. The token is
// stored only as a hash, works once, expires, replaces the person's previous link, and ends their sessions.
import { describe, expect, it } from "vitest";
import { createContext } from "@/server/api/trpc";
import { db } from "@/server/db";
import { sha256 } from "@/server/services/hashing";
import { inspectResetLink } from "@/server/services/account-links";
import { verifyCredentials } from "@/server/services/users";
import { callerFor, makeUser, uid } from "../fixtures/annotation";

const anonymous = callerFor(null);

async function stillSignedIn(userId: string, sessionVersion: number): Promise<boolean> {
  return (await createContext({ session: { userId, sessionVersion } })).user !== null;
}

describe("password reset links", () => {
  it("an admin's link lets the person choose a new password once, and ends their sessions", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { token, expiresAt } = await callerFor(admin).user.createResetLink({ userId: person.id });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    // at rest only the hash
    const row = await db.accountLink.findFirstOrThrow({ where: { userId: person.id } });
    expect(row.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await inspectResetLink({ token })).toMatchObject({ email: person.email, name: person.name });

    expect(await stillSignedIn(person.id, 0)).toBe(true);
    await anonymous.account.completeReset({ token, password: "chosen by the person", confirm: "chosen by the person" });
    expect(await stillSignedIn(person.id, 0)).toBe(false);
    expect(await verifyCredentials({ email: person.email, password: "chosen by the person", ip: `t-${uid()}` })).toMatchObject({ ok: true });
    expect(await db.auditLog.count({ where: { targetId: person.id, action: { in: ["user.password.reset_link", "user.password.reset"] } } })).toBe(2);

    const again = await anonymous.account.completeReset({ token, password: "someone else's", confirm: "someone else's" }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/already used/) });
    expect(await verifyCredentials({ email: person.email, password: "chosen by the person", ip: `t-${uid()}` })).toMatchObject({ ok: true });
  });

  it("a newer link replaces the older one; expired and made-up links are refused with what to do", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const first = await callerFor(admin).user.createResetLink({ userId: person.id });
    const second = await callerFor(admin).user.createResetLink({ userId: person.id });
    expect(await inspectResetLink({ token: first.token }).catch((e: unknown) => e)).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/not valid.*Ask an admin/) });
    await db.accountLink.updateMany({ where: { tokenHash: sha256(second.token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await anonymous.account.completeReset({ token: second.token, password: "too late now", confirm: "too late now" }).catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/expired.*Ask an admin/) });
    const forged = await anonymous.account.completeReset({ token: `forged-${uid()}-token`, password: "whatever it is", confirm: "whatever it is" }).catch((e: unknown) => e);
    expect(forged).toMatchObject({ code: "NOT_FOUND" });
  });

  it("a deactivated person gets no link, and a link stops working when they are deactivated", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { token } = await callerFor(admin).user.createResetLink({ userId: person.id });
    await callerFor(admin).user.setActive({ userId: person.id, active: false });
    expect(await anonymous.account.completeReset({ token, password: "new password here", confirm: "new password here" }).catch((e: unknown) => e)).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/deactivated/),
    });
    expect(await callerFor(admin).user.createResetLink({ userId: person.id }).catch((e: unknown) => e)).toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("a setup link's page does not take a reset token, nor the other way round", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { token } = await callerFor(admin).user.createResetLink({ userId: person.id });
    const asSetup = await anonymous.account
      .completeSetup({ token, email: `x-${uid()}@test.local`, name: "Intruder", password: "intruder password", confirm: "intruder password" })
      .catch((e: unknown) => e);
    expect(asSetup).toMatchObject({ code: "NOT_FOUND" });
    expect(await db.user.count({ where: { name: "Intruder" } })).toBe(0);
  });
});
