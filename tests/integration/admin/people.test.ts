// People management: accounts, roles, deactivation (sign-in and sessions stop), project assignment.
import { describe, expect, it } from "vitest";
import { createContext } from "@/server/api/trpc";
import { db } from "@/server/db";
import { verifyCredentials } from "@/server/services/users";
import { callerFor, makeProject, makeUser, pairItems, uid } from "../fixtures/annotation";

const PASSWORD = "correct horse battery";

describe("admin: people", () => {
  it("creates an account that can sign in, audited; a taken email is a field error", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const email = `New.Person-${uid()}@Test.local`;
    const { id } = await api.user.create({ email, name: "New Person", password: "s3cret-enough", role: "ANNOTATOR" });
    const signIn = await verifyCredentials({ email, password: "s3cret-enough", ip: `t-${uid()}` });
    expect(signIn).toMatchObject({ ok: true, user: { id, email: email.toLowerCase(), role: "ANNOTATOR" } });
    expect(await db.auditLog.count({ where: { action: "user.create", targetId: id, actorId: admin.id } })).toBe(1);

    const dup = await api.user.create({ email, name: "Again", password: "s3cret-enough", role: "ANNOTATOR" }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: "CONFLICT", cause: { fieldErrors: [{ field: "email", message: "already in use" }] } });
    const short = await api.user.create({ email: `x-${uid()}@test.local`, name: "X", password: "short", role: "ANNOTATOR" }).catch((e: unknown) => e);
    expect(short).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("lists people with role, active flag, last sign-in and projects", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { project } = await makeProject({ items: [], members: [person.id] });
    await verifyCredentials({ email: person.email, password: PASSWORD, ip: `t-${uid()}` });
    const row = (await callerFor(admin).user.list()).find((p) => p.id === person.id);
    expect(row).toMatchObject({ role: "ANNOTATOR", active: true, projectIds: [project.id], annotations: 0 });
    expect(row?.lastLoginAt).toBeInstanceOf(Date);
    expect(row).not.toHaveProperty("passwordHash");
  });

  it("changes roles with an audit entry; an admin cannot demote themselves", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const api = callerFor(admin);
    await api.user.setRole({ userId: person.id, role: "ADMIN" });
    expect((await db.user.findUniqueOrThrow({ where: { id: person.id } })).role).toBe("ADMIN");
    const entry = await db.auditLog.findFirst({ where: { action: "user.role", targetId: person.id } });
    expect(entry?.before).toMatchObject({ role: "ANNOTATOR" });
    expect(entry?.after).toMatchObject({ role: "ADMIN" });

    const self = await api.user.setRole({ userId: admin.id, role: "ANNOTATOR" }).catch((e: unknown) => e);
    expect(self).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/your own admin role/) });
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("ADMIN");
  });

  it("deactivation keeps the data, blocks sign-in, ends sessions and live leases; reactivation restores access", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { project } = await makeProject({ items: pairItems(2), members: [person.id] });
    const mine = callerFor(person);
    const { item } = await mine.annotation.next({ projectSlug: project.slug });
    await mine.annotation.submit({
      submissionId: crypto.randomUUID(),
      assignmentId: item!.assignmentId,
      ranking: [[item!.candidates[0].id], [item!.candidates[1].id]],
      strength: "BETTER",
      bothBad: false,
      ratings: {},
      rationale: "",
      flags: [],
      flagNote: "",
      timeSpentMs: 1000,
    });
    const held = await mine.annotation.next({ projectSlug: project.slug });
    expect(held.item).not.toBeNull();
    expect((await createContext({ session: { userId: person.id, sessionVersion: 0 } })).user?.id).toBe(person.id);

    await callerFor(admin).user.setActive({ userId: person.id, active: false });
    expect(await verifyCredentials({ email: person.email, password: PASSWORD, ip: `t-${uid()}` })).toEqual({ ok: false, reason: "inactive" });
    expect(await createContext({ session: { userId: person.id, sessionVersion: 0 } })).toEqual({ user: null });
    expect(await db.annotation.count({ where: { userId: person.id } })).toBe(1);
    // the item they were holding is free for someone else now, not after the lease runs out
    const other = await makeUser();
    await callerFor(admin).project.setMembers({ projectId: project.id, userIds: [person.id, other.id] });
    expect((await callerFor(other).annotation.next({ projectSlug: project.slug })).item?.itemId).toBe(held.item!.itemId);
    expect(await db.auditLog.count({ where: { action: "user.deactivate", targetId: person.id } })).toBe(1);

    await callerFor(admin).user.setActive({ userId: person.id, active: true });
    expect(await verifyCredentials({ email: person.email, password: PASSWORD, ip: `t-${uid()}` })).toMatchObject({ ok: true });
    expect((await createContext({ session: { userId: person.id, sessionVersion: 0 } })).user?.id).toBe(person.id);
  });

  it("an admin cannot deactivate themselves", async () => {
    const admin = await makeUser("ADMIN");
    const err = await callerFor(admin).user.setActive({ userId: admin.id, active: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/cannot deactivate your own account/) });
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).active).toBe(true);
  });

  it("assigns a person to exactly the chosen projects", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    const { project: p1 } = await makeProject({ items: pairItems(1), members: [person.id] });
    const { project: p2 } = await makeProject({ items: pairItems(1), members: [] });
    const api = callerFor(admin);
    await api.user.setProjects({ userId: person.id, projectIds: [p2.id] });
    const visible = (await callerFor(person).annotation.projects()).map((p) => p.id);
    expect(visible).toContain(p2.id);
    expect(visible).not.toContain(p1.id);
    const entry = await db.auditLog.findFirst({ where: { action: "user.projects", targetId: person.id } });
    expect(entry).toMatchObject({ before: [p1.id], after: [p2.id] });

    const bad = await api.user.setProjects({ userId: person.id, projectIds: ["nope"] }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: "NOT_FOUND" });
  });
});
