// Pausing a whole project: nobody is handed a new item and the queue says so with the admin's message; an item held
// when the pause came still comes back and can be submitted; resuming opens the queue again. Both are audited.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, makeProject, makeUser, pairItems, pickFirst } from "../fixtures/annotation";

describe("project pause", () => {
  it("stops new items for everyone, keeps held ones submittable, shows the message, and resumes", async () => {
    const [admin, a, b] = await Promise.all([makeUser("ADMIN"), makeUser(), makeUser()]);
    const { project } = await makeProject({ items: pairItems(6), members: [a.id, b.id] });
    const held = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;

    await callerFor(admin).project.pause({ id: project.id, message: "  Guidelines are being revised — back on Monday.  " });
    expect(await db.project.findUniqueOrThrow({ where: { id: project.id } })).toMatchObject({ pausedAt: expect.any(Date), pauseMessage: "Guidelines are being revised — back on Monday." });

    // b holds nothing: refused with the message
    expect(await callerFor(b).annotation.next({ projectSlug: project.slug })).toMatchObject({
      item: null,
      refusal: { reason: "project_paused", message: "Guidelines are being revised — back on Monday." },
    });
    // a gets the item held, submits it, and then is refused too
    const again = await callerFor(a).annotation.next({ projectSlug: project.slug });
    expect(again.item?.assignmentId).toBe(held.assignmentId);
    expect(again.refusal?.reason).toBe("project_paused");
    await callerFor(a).annotation.submit(pickFirst(held));
    expect((await callerFor(a).annotation.next({ projectSlug: project.slug })).item).toBeNull();
    expect(await db.assignment.count({ where: { projectId: project.id } })).toBe(1);

    await callerFor(admin).project.resume({ id: project.id });
    await expect(callerFor(admin).project.resume({ id: project.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await callerFor(b).annotation.next({ projectSlug: project.slug })).toMatchObject({ item: expect.objectContaining({ itemId: expect.any(String) }), refusal: null });

    const log = await db.auditLog.findMany({ where: { targetId: project.id, action: { in: ["project.pause", "project.resume"] } }, orderBy: { createdAt: "asc" } });
    expect(log.map((l) => [l.action, l.actorId])).toEqual([["project.pause", admin.id], ["project.resume", admin.id]]);
    expect(log[0].after).toMatchObject({ pauseMessage: "Guidelines are being revised — back on Monday." });
  });

  it("without a message annotators read a standard one; only admins pause, and a too long message is refused by field", async () => {
    const [admin, a] = await Promise.all([makeUser("ADMIN"), makeUser()]);
    const { project } = await makeProject({ items: pairItems(2), members: [a.id] });
    await expect(callerFor(a).project.pause({ id: project.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(admin).project.pause({ id: project.id, message: "x".repeat(1001) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [expect.objectContaining({ path: ["message"], message: "at most 1,000 characters" })] },
    });
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).pausedAt).toBeNull();
    await callerFor(admin).project.pause({ id: project.id });
    expect((await callerFor(a).annotation.next({ projectSlug: project.slug })).refusal).toMatchObject({ reason: "project_paused", message: expect.stringContaining("paused this project") });
  });
});
