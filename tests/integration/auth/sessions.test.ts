// Sessions end when they should: a session JWT carries the user's session version from sign-in, and every request
// compares it with the database (activeUser). A password change, an admin's reset and a sign-out raise the version,
// so tokens issued before — including a copied cookie — stop working at the next request.
import type { JWT } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createContext } from "@/server/api/trpc";
import { zodFieldErrors } from "@/server/errors";
import { encode, sessionFromHeaders } from "@/server/auth/jwt";
import { authOptions } from "@/server/auth/options";
import { db } from "@/server/db";
import { authSecret } from "@/server/secret";
import { verifyCredentials } from "@/server/services/users";
import { callerFor, makeUser, uid } from "../fixtures/annotation";

const PASSWORD = "correct horse battery";

/** What next-auth does at sign-in: the jwt callback fills the token, which becomes the cookie. */
async function signInCookie(user: { id: string; email: string; name: string; role: "ADMIN" | "ANNOTATOR" }): Promise<string> {
  const jwt = authOptions.callbacks!.jwt!;
  const token = (await jwt({ token: { email: user.email, name: user.name }, user: { ...user }, account: null, trigger: "signIn" } as Parameters<typeof jwt>[0])) as JWT;
  return `next-auth.session-token=${await encode({ token, secret: authSecret(), maxAge: 3600 })}`;
}

/** Who a request with this cookie is, as the tRPC context (and every page) sees it. */
async function whoIs(cookie: string): Promise<string | null> {
  return (await createContext({ session: await sessionFromHeaders({ cookie }) })).user?.id ?? null;
}

/** The error a call failed with, and its field errors as the form shows them (zod's or the service's). */
async function failure(call: Promise<unknown>): Promise<{ code: string; fields: { field: string; message: string }[] }> {
  const err = (await call.then(() => null, (e: unknown) => e)) as { code: string; cause?: unknown } | null;
  if (!err) throw new Error("the call succeeded");
  const cause = err.cause;
  const fields = cause instanceof ZodError ? zodFieldErrors(cause) : ((cause as { fieldErrors?: { field: string; message: string }[] })?.fieldErrors ?? []);
  return { code: err.code, fields: fields.map(({ field, message }) => ({ field, message })) };
}

async function signOut(cookie: string): Promise<void> {
  const token = await sessionFromHeaders({ cookie });
  await authOptions.events!.signOut!({ token: { uid: token!.userId, sv: token!.sessionVersion }, session: null } as never);
}

describe("session versions", () => {
  it("a sign-in's token carries the user's current version and works until the version moves", async () => {
    const user = await makeUser();
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: 5 } });
    const cookie = await signInCookie(user);
    expect((await sessionFromHeaders({ cookie }))?.sessionVersion).toBe(5);
    expect(await whoIs(cookie)).toBe(user.id);
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: 6 } });
    expect(await whoIs(cookie)).toBeNull();
  });

  it("changing one's password ends every session; the new password signs in again", async () => {
    const user = await makeUser();
    const laptop = await signInCookie(user);
    const phone = await signInCookie(user);
    await callerFor(user).account.changePassword({ currentPassword: PASSWORD, newPassword: "a much longer passphrase", confirm: "a much longer passphrase" });
    expect(await whoIs(laptop)).toBeNull();
    expect(await whoIs(phone)).toBeNull();
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: `t-${uid()}` })).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials({ email: user.email, password: "a much longer passphrase", ip: `t-${uid()}` })).toMatchObject({ ok: true });
    // the session the account page signs in again with works
    expect(await whoIs(await signInCookie(user))).toBe(user.id);
    expect(await db.auditLog.count({ where: { action: "user.password.change", targetId: user.id } })).toBe(1);
  });

  it("a password change needs the current password, a long enough new one typed twice, and names the field", async () => {
    const user = await makeUser();
    const caller = callerFor(user);
    const cookie = await signInCookie(user);
    expect(await failure(caller.account.changePassword({ currentPassword: "not it", newPassword: "another passphrase", confirm: "another passphrase" }))).toEqual({
      code: "BAD_REQUEST",
      fields: [{ field: "currentPassword", message: "not your current password" }],
    });
    expect(await failure(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "short", confirm: "short" }))).toEqual({
      code: "BAD_REQUEST",
      fields: [{ field: "newPassword", message: "at least 8 characters" }],
    });
    expect(await failure(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "another passphrase", confirm: "another passphrase!" }))).toEqual({
      code: "BAD_REQUEST",
      fields: [{ field: "confirm", message: "does not match the new password" }],
    });
    expect(await failure(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD, confirm: PASSWORD }))).toEqual({
      code: "BAD_REQUEST",
      fields: [{ field: "newPassword", message: "same as the current password" }],
    });
    // nothing changed: the old password still works and the session too
    expect(await verifyCredentials({ email: user.email, password: PASSWORD, ip: `t-${uid()}` })).toMatchObject({ ok: true });
    expect(await whoIs(cookie)).toBe(user.id);
  });

  it("wrong current passwords are rate-limited like sign-ins", async () => {
    const user = await makeUser();
    const caller = callerFor(user);
    const attempt = (currentPassword: string) =>
      caller.account.changePassword({ currentPassword, newPassword: "another passphrase", confirm: "another passphrase" }).catch((e: unknown) => e);
    for (let i = 0; i < 10; i++) expect(await attempt(`guess ${i}`)).toMatchObject({ code: "BAD_REQUEST" });
    expect(await attempt(PASSWORD)).toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("an admin sets a new password: that person's sessions end, the admin's do not", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const adminCookie = await signInCookie(admin);
    const personCookie = await signInCookie(person);
    await callerFor(admin).user.setPassword({ userId: person.id, password: "chosen by the admin" });
    expect(await whoIs(personCookie)).toBeNull();
    expect(await whoIs(adminCookie)).toBe(admin.id);
    expect(await verifyCredentials({ email: person.email, password: "chosen by the admin", ip: `t-${uid()}` })).toMatchObject({ ok: true });
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "user.password.set", targetId: person.id } });
    expect(audit.actorId).toBe(admin.id);
    expect(JSON.stringify([audit.before, audit.after])).not.toMatch(/argon2/);
    // an admin's own password goes through the account page, which asks for the current one
    expect(await callerFor(admin).user.setPassword({ userId: admin.id, password: "whatever it is" }).catch((e: unknown) => e)).toMatchObject({ code: "PRECONDITION_FAILED" });
    // annotators cannot
    expect(await callerFor(person).user.setPassword({ userId: admin.id, password: "takeover attempt" }).catch((e: unknown) => e)).toMatchObject({ code: "FORBIDDEN" });
  });

  it("signing out ends the session, so a copied cookie stops working; an ended session cannot sign the person out again", async () => {
    const user = await makeUser();
    const copied = await signInCookie(user);
    await signOut(copied);
    expect(await whoIs(copied)).toBeNull();
    const fresh = await signInCookie(user);
    expect(await whoIs(fresh)).toBe(user.id);
    // replaying the old cookie's sign-out does not end the session in use now
    await signOut(copied);
    expect(await whoIs(fresh)).toBe(user.id);
  });

  it("tokens issued before session versions existed count as version 0", async () => {
    const user = await makeUser();
    const legacy = `next-auth.session-token=${await encode({ token: { uid: user.id, role: "ANNOTATOR" }, secret: authSecret(), maxAge: 3600 })}`;
    expect(await whoIs(legacy)).toBe(user.id);
    await signOut(await signInCookie(user));
    expect(await whoIs(legacy)).toBeNull();
  });
});
