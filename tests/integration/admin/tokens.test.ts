// Personal API tokens through the admin procedures: secret shown once, hashed at rest, revocable.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { verifyToken } from "@/server/services/api-tokens";
import { callerFor, makeUser } from "../fixtures/annotation";

describe("admin: API tokens", () => {
  it("shows the secret once, stores only its hash, and lists the caller's tokens without it", async () => {
    const admin = await makeUser("ADMIN");
    const api = callerFor(admin);
    const created = await api.token.create({ name: "nightly export", scope: "WRITE" });
    expect(created.token).toMatch(/^rlhf_/);

    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(created.token.startsWith(row.prefix)).toBe(true);
    expect(row.prefix.length).toBeLessThan(created.token.length / 2);

    const listed = await api.token.list();
    expect(listed.map((t) => t.id)).toEqual([created.id]);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(row.tokenHash);
    expect(listed[0]).toMatchObject({ name: "nightly export", scope: "WRITE", revokedAt: null });

    // another admin sees only their own tokens
    expect(await callerFor(await makeUser("ADMIN")).token.list()).toEqual([]);
    expect(await db.auditLog.count({ where: { action: "token.create", targetId: created.id, actorId: admin.id } })).toBe(1);
    expect(JSON.stringify((await db.auditLog.findFirstOrThrow({ where: { targetId: created.id } })).after)).not.toContain(created.token);
  });

  it("revokes: the token stops working at once; nobody else can revoke it", async () => {
    const admin = await makeUser("ADMIN");
    const created = await callerFor(admin).token.create({ name: "ci", scope: "READ" });
    expect((await verifyToken({ secret: created.token, scope: "READ" })).id).toBe(admin.id);

    const stranger = await callerFor(await makeUser("ADMIN")).token.revoke({ id: created.id }).catch((e: unknown) => e);
    expect(stranger).toMatchObject({ code: "NOT_FOUND" });
    expect((await verifyToken({ secret: created.token, scope: "READ" })).id).toBe(admin.id);

    await callerFor(admin).token.revoke({ id: created.id });
    await expect(verifyToken({ secret: created.token, scope: "READ" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await callerFor(admin).token.list())[0].revokedAt).toBeInstanceOf(Date);
    expect(await db.auditLog.count({ where: { action: "token.revoke", targetId: created.id } })).toBe(1);
  });

  it("reports a missing name as a field error", async () => {
    const err = await callerFor(await makeUser("ADMIN")).token.create({ name: "  ", scope: "READ" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST", cause: { issues: [{ path: ["name"] }] } });
  });

  it("lets an annotator make read tokens only, from their account page's procedures", async () => {
    const annotator = await makeUser("ANNOTATOR");
    const api = callerFor(annotator);
    const read = await api.token.create({ name: "my judgements", scope: "ANNOTATIONS" });
    expect(await verifyToken({ secret: read.token, scope: "ANNOTATIONS" })).toMatchObject({ id: annotator.id, role: "ANNOTATOR" });
    for (const scope of ["WRITE", "IMPORT", "EXPORT", "RUNS"] as const) {
      await expect(api.token.create({ name: "too much", scope })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect((await api.token.list()).map((t) => t.scope)).toEqual(["ANNOTATIONS"]);
    await expect(callerFor(null).token.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
