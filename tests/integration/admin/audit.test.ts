// Browsing the audit log: newest first, cursor pages without gaps or repeats, filter by target type.
import { describe, expect, it } from "vitest";
import * as audit from "@/server/services/audit";
import { callerFor, makeUser } from "../fixtures/annotation";

describe("admin: audit log", () => {
  it("pages newest first with a cursor and filters by target type", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await makeUser());
    for (const p of people) await api.user.setRole({ userId: p.id, role: "ADMIN" });
    await api.token.create({ name: "between", scope: "READ" });

    // only this admin's entries: other test files write to the same log at the same time
    const first = await api.audit.list({ limit: 2, actorId: admin.id, targetType: "user" });
    expect(first.rows.map((r) => r.targetId)).toEqual([people[4].id, people[3].id]);
    expect(first.rows[0]).toMatchObject({ action: "user.role", actor: { email: admin.email }, before: { role: "ANNOTATOR" }, after: { role: "ADMIN" } });
    const second = await api.audit.list({ limit: 2, actorId: admin.id, targetType: "user", cursor: first.nextCursor! });
    const third = await api.audit.list({ limit: 2, actorId: admin.id, targetType: "user", cursor: second.nextCursor! });
    expect([...second.rows, ...third.rows].map((r) => r.targetId)).toEqual([people[2].id, people[1].id, people[0].id]);
    expect(third.nextCursor).toBeNull();

    const tokens = await api.audit.list({ limit: 10, actorId: admin.id, targetType: "token" });
    expect(tokens.rows.map((r) => r.action)).toEqual(["token.create"]);
    const all = await api.audit.list({ limit: 10, actorId: admin.id });
    expect(all.rows[0].action).toBe("token.create");
    expect(all.rows).toHaveLength(6);
  });
});

describe("sign-in entries", () => {
  it("record a success as the user's own action and a failure with the email tried, never a password", async () => {
    const admin = await makeUser("ADMIN");
    const person = await makeUser();
    await audit.recordSignIn({ success: true, email: person.email, userId: person.id, method: "credentials" });
    await audit.recordSignIn({ success: false, email: ` ${person.email.toUpperCase()} `, userId: person.id, method: "credentials", reason: "wrong password", ip: "203.0.113.9" });
    const rows = (await callerFor(admin).audit.list({ limit: 10, targetType: "user" })).rows.filter((r) => r.targetId === person.id);
    expect(rows.map((r) => ({ action: r.action, actor: r.actor?.email ?? null, after: r.after }))).toEqual([
      { action: "auth.sign_in_failed", actor: null, after: { email: person.email, method: "credentials", reason: "wrong password", ip: "203.0.113.9" } },
      { action: "auth.sign_in", actor: person.email, after: { email: person.email, method: "credentials" } },
    ]);
  });
});
