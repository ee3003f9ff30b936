// Invite links: shown once, stored hashed, one-time, expiring, pre-assigned to projects; clear errors otherwise.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { verifyCredentials } from "@/server/services/users";
import { callerFor, makeProject, makeUser, pairItems, uid } from "../fixtures/annotation";

const anonymous = callerFor(null);

describe("admin: invites", () => {
  it("creates a one-time link that makes an account with the chosen role and projects", async () => {
    const admin = await makeUser("ADMIN");
    const { project } = await makeProject({ items: pairItems(1), members: [] });
    const email = `invitee-${uid()}@test.local`;
    const invite = await callerFor(admin).invite.create({ email, role: "ANNOTATOR", projectIds: [project.id] });

    const row = await db.invite.findUniqueOrThrow({ where: { id: invite.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(invite.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(invite.token);
    const days = (row.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    // the audit entry describes the invite but holds neither the token nor its hash
    const entry = await db.auditLog.findFirstOrThrow({ where: { action: "invite.create", targetId: invite.id } });
    expect(JSON.stringify(entry.after)).not.toContain(invite.token);
    expect(JSON.stringify(entry.after)).not.toContain(row.tokenHash);
    // later listings never show the token again
    expect(JSON.stringify(await callerFor(admin).invite.list())).not.toContain(invite.token);

    expect(await anonymous.invite.inspect({ token: invite.token })).toMatchObject({ email, role: "ANNOTATOR" });
    const user = await anonymous.invite.accept({ token: invite.token, name: "Invited Person", password: "my own password" });
    expect(user.email).toBe(email);
    expect(await verifyCredentials({ email, password: "my own password", ip: `t-${uid()}` })).toMatchObject({ ok: true, user: { role: "ANNOTATOR" } });
    const asNew = callerFor({ id: user.id, email, name: "Invited Person", role: "ANNOTATOR" });
    expect((await asNew.annotation.projects()).map((p) => p.id)).toEqual([project.id]);

    const again = await anonymous.invite.accept({ token: invite.token, name: "Someone else", email: `x-${uid()}@test.local`, password: "another password" }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/already used/) });
    expect(await anonymous.invite.inspect({ token: invite.token }).catch((e: unknown) => e)).toMatchObject({ message: expect.stringMatching(/already used/) });
  });

  it("refuses an expired link with the date it expired", async () => {
    const admin = await makeUser("ADMIN");
    const invite = await callerFor(admin).invite.create({ role: "ANNOTATOR", projectIds: [], expiresInDays: 1 });
    await db.invite.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const err = await anonymous.invite.accept({ token: invite.token, name: "Late", email: `late-${uid()}@test.local`, password: "late password" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/expired on \d{4}-\d{2}-\d{2}/) });
    expect(await db.invite.findUniqueOrThrow({ where: { id: invite.id } })).toMatchObject({ usedAt: null });
  });

  it("refuses an unknown token and a revoked invite", async () => {
    const admin = await makeUser("ADMIN");
    const unknown = await anonymous.invite.inspect({ token: "x".repeat(43) }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/not valid/) });

    const invite = await callerFor(admin).invite.create({ role: "ANNOTATOR", projectIds: [] });
    await callerFor(admin).invite.revoke({ id: invite.id });
    expect(await anonymous.invite.inspect({ token: invite.token }).catch((e: unknown) => e)).toMatchObject({ code: "NOT_FOUND" });
    expect(await db.auditLog.count({ where: { action: "invite.revoke", targetId: invite.id } })).toBe(1);
  });

  it("an open invite asks for an email; an email made out in the invite cannot be swapped", async () => {
    const admin = await makeUser("ADMIN");
    const open = await callerFor(admin).invite.create({ role: "ADMIN", projectIds: [] });
    const missing = await anonymous.invite.accept({ token: open.token, name: "No Mail", password: "long enough" }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "BAD_REQUEST", cause: { fieldErrors: [{ field: "email", message: "required" }] } });
    const chosen = `chosen-${uid()}@test.local`;
    const made = await anonymous.invite.accept({ token: open.token, name: "Chooser", email: chosen, password: "long enough" });
    expect(await db.user.findUniqueOrThrow({ where: { id: made.id } })).toMatchObject({ email: chosen, role: "ADMIN" });

    const fixedEmail = `fixed-${uid()}@test.local`;
    const fixed = await callerFor(admin).invite.create({ email: fixedEmail, role: "ANNOTATOR", projectIds: [] });
    const other = await anonymous.invite.accept({ token: fixed.token, name: "Swapper", email: `swap-${uid()}@test.local`, password: "long enough" });
    expect(other.email).toBe(fixedEmail);
  });

  it("two simultaneous accepts of one link make one account", async () => {
    const admin = await makeUser("ADMIN");
    const invite = await callerFor(admin).invite.create({ role: "ANNOTATOR", projectIds: [] });
    const tag = uid();
    const results = await Promise.allSettled(
      [0, 1, 2].map((i) => anonymous.invite.accept({ token: invite.token, name: `Racer ${i}`, email: `racer-${i}-${tag}@test.local`, password: "long enough" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.user.count({ where: { email: { endsWith: `-${tag}@test.local` } } })).toBe(1);
  });

  it("rate-limits repeated attempts on one link", async () => {
    const admin = await makeUser("ADMIN");
    // every attempt fails (the email is taken), so the link stays unused and keeps being tried
    const { email } = await makeUser();
    const invite = await callerFor(admin).invite.create({ role: "ANNOTATOR", projectIds: [] });
    const codes: string[] = [];
    for (let i = 0; i < 11; i++) {
      const err = await anonymous.invite.accept({ token: invite.token, name: "Again", email, password: "long enough" }).catch((e: { code: string }) => e);
      codes.push((err as { code: string }).code);
    }
    expect(codes.slice(0, 10).every((c) => c === "CONFLICT")).toBe(true);
    expect(codes[10]).toBe("TOO_MANY_REQUESTS");
  });

  it("refuses an invite for an email that already has an account", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const err = await callerFor(admin).invite.create({ email: person.email, role: "ANNOTATOR", projectIds: [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CONFLICT", cause: { fieldErrors: [{ field: "email", message: "already has an account" }] } });
  });
});
