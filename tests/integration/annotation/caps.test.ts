// Caps per annotator: at a project's (or a member's own) daily or total cap the queue hands out no new item and says
// why, while leases already held still come back and can be submitted. Judgements before today's UTC midnight do
// not count against a daily cap.
import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { db } from "@/server/db";
import { zodFieldErrors } from "@/server/errors";
import { callerFor, makeProject, makeUser, pairItems, pickFirst } from "../fixtures/annotation";

type User = Awaited<ReturnType<typeof makeUser>>;

/** Judges `n` items one after the other as the page would (next, submit); returns how many it got. */
async function judge(slug: string, user: User, n: number): Promise<number> {
  const api = callerFor(user).annotation;
  for (let i = 0; i < n; i++) {
    const { item } = await api.next({ projectSlug: slug });
    if (!item) return i;
    await api.submit(pickFirst(item));
  }
  return n;
}

/** Moves the user's judgements in the project to yesterday (as if they had been given then). */
async function toYesterday(projectId: string, userId: string) {
  await db.annotation.updateMany({ where: { projectId, userId }, data: { createdAt: new Date(Date.now() - 26 * 3600_000) } });
}

function nextUtcMidnight(): Date {
  const d = new Date();
  d.setUTCHours(24, 0, 0, 0);
  return d;
}

describe("annotator caps", () => {
  it("a daily cap stops new items at the cap, says when it resets, and yesterday's judgements do not count", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(10), members: [u.id], dailyCap: 3 });
    expect(await judge(project.slug, u, 2)).toBe(2);
    await toYesterday(project.id, u.id);
    // two yesterday, none today: three more today
    expect(await judge(project.slug, u, 10)).toBe(3);
    const at = await callerFor(u).annotation.next({ projectSlug: project.slug });
    expect(at.item).toBeNull();
    expect(at.refusal).toMatchObject({ reason: "daily_cap", message: expect.stringContaining("daily limit of 3 items") });
    expect(at.refusal!.resetsAt!.getTime()).toBe(nextUtcMidnight().getTime());
    expect(await db.assignment.count({ where: { userId: u.id, projectId: project.id } })).toBe(5);
    // raised by the admin: the queue opens again at once
    await db.project.update({ where: { id: project.id }, data: { dailyCap: 4 } });
    expect(await judge(project.slug, u, 10)).toBe(1);
  });

  it("a total cap counts every judgement in the project, yesterday's included", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(10), members: [u.id], totalCap: 3 });
    const { project: other } = await makeProject({ items: pairItems(3), members: [u.id], totalCap: 3 });
    expect(await judge(project.slug, u, 2)).toBe(2);
    await toYesterday(project.id, u.id);
    expect(await judge(project.slug, u, 10)).toBe(1);
    const at = await callerFor(u).annotation.next({ projectSlug: project.slug });
    expect(at).toMatchObject({ item: null, refusal: { reason: "total_cap", message: expect.stringContaining("limit of 3 items") } });
    expect(at.refusal!.resetsAt).toBeUndefined();
    // caps are per project
    expect(await judge(other.slug, u, 3)).toBe(3);
  });

  it("a member's own caps replace the project's, for that member only", async () => {
    const [more, less, plain] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const { project } = await makeProject({ items: pairItems(12), members: [more.id, less.id, plain.id], dailyCap: 2, totalCap: 10 });
    await db.projectMember.update({ where: { projectId_userId: { projectId: project.id, userId: more.id } }, data: { dailyCap: 4 } });
    await db.projectMember.update({ where: { projectId_userId: { projectId: project.id, userId: less.id } }, data: { totalCap: 1 } });
    expect(await judge(project.slug, more, 10)).toBe(4);
    expect(await judge(project.slug, less, 10)).toBe(1);
    expect(await judge(project.slug, plain, 10)).toBe(2);
    expect((await callerFor(less).annotation.next({ projectSlug: project.slug })).refusal?.reason).toBe("total_cap");
    expect((await callerFor(more).annotation.next({ projectSlug: project.slug })).refusal?.reason).toBe("daily_cap");
  });

  it("live leases count toward the cap; a lease held at the cap still comes back and can be submitted", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(6), members: [u.id], dailyCap: 2 });
    const api = callerFor(u).annotation;
    const a = (await api.next({ projectSlug: project.slug })).item!;
    // the page's prefetch: one item on screen, one ahead — both count
    const b = (await api.next({ projectSlug: project.slug, exclude: [a.assignmentId] })).item!;
    expect(b.assignmentId).not.toBe(a.assignmentId);
    const third = await api.next({ projectSlug: project.slug, exclude: [a.assignmentId, b.assignmentId] });
    expect(third).toMatchObject({ item: null, refusal: { reason: "daily_cap" } });
    // a reload at the cap shows the held item, with the refusal for what comes after it
    const reload = await api.next({ projectSlug: project.slug });
    expect(reload.item?.assignmentId).toBe(a.assignmentId);
    await api.submit(pickFirst(a));
    expect((await api.next({ projectSlug: project.slug, exclude: [b.assignmentId] })).item).toBeNull();
    expect((await api.next({ projectSlug: project.slug })).item?.assignmentId).toBe(b.assignmentId);
    await api.submit(pickFirst(b));
    expect(await api.next({ projectSlug: project.slug })).toMatchObject({ item: null, refusal: { reason: "daily_cap" } });
    expect(await db.annotation.count({ where: { userId: u.id, projectId: project.id } })).toBe(2);
    expect(await db.assignment.count({ where: { userId: u.id, projectId: project.id } })).toBe(2);
  });

  it("an expired lease no longer counts", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(4), members: [u.id], dailyCap: 1 });
    const api = callerFor(u).annotation;
    const a = (await api.next({ projectSlug: project.slug })).item!;
    expect((await api.next({ projectSlug: project.slug, exclude: [a.assignmentId] })).refusal?.reason).toBe("daily_cap");
    await db.assignment.update({ where: { id: a.assignmentId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await api.next({ projectSlug: project.slug, exclude: [a.assignmentId] })).item).not.toBeNull();
  });

  it("without caps the queue answers no refusal", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(2), members: [u.id] });
    expect(await callerFor(u).annotation.next({ projectSlug: project.slug })).toMatchObject({ refusal: null });
    expect(await judge(project.slug, u, 5)).toBe(2);
    expect(await callerFor(u).annotation.next({ projectSlug: project.slug })).toMatchObject({ item: null, refusal: null });
  });
});

describe("setting caps", () => {
  it("admins set a project's caps and a member's own; a cap must be a positive whole number, named by field", async () => {
    const [admin, u, outsider] = await Promise.all([makeUser("ADMIN"), makeUser(), makeUser()]);
    const { project } = await makeProject({ items: pairItems(4), members: [u.id] });
    const api = callerFor(admin).project;
    for (const [bad, message] of [[0, "a cap is at least 1 item (empty: no cap)"], [-3, "a cap is at least 1 item (empty: no cap)"], [2.5, "a whole number of items"]] as const) {
      const err = await api.update({ id: project.id, dailyCap: bad, totalCap: 5 }).catch((e: unknown) => e);
      expect(zodFieldErrors((err as { cause: ZodError }).cause)).toEqual([{ field: "dailyCap", message }]);
      const memberErr = await api.setMemberCaps({ projectId: project.id, userId: u.id, dailyCap: null, totalCap: bad }).catch((e: unknown) => e);
      expect(zodFieldErrors((memberErr as { cause: ZodError }).cause)).toEqual([{ field: "totalCap", message }]);
    }
    expect(await db.project.findUniqueOrThrow({ where: { id: project.id } })).toMatchObject({ dailyCap: null, totalCap: null });

    await api.update({ id: project.id, dailyCap: 2, totalCap: 3, showGoldAccuracy: true });
    expect(await db.project.findUniqueOrThrow({ where: { id: project.id } })).toMatchObject({ dailyCap: 2, totalCap: 3, showGoldAccuracy: true });
    await api.setMemberCaps({ projectId: project.id, userId: u.id, dailyCap: 1, totalCap: null });
    expect((await api.members({ projectId: project.id })).find((m) => m.id === u.id)).toMatchObject({ dailyCap: 1, totalCap: null });
    expect(await judge(project.slug, u, 4)).toBe(1);
    expect(await db.auditLog.findFirst({ where: { action: "member.caps", targetId: project.id } })).toMatchObject({ actorId: admin.id, after: { userId: u.id, dailyCap: 1, totalCap: null } });

    await expect(api.setMemberCaps({ projectId: project.id, userId: outsider.id, dailyCap: 1, totalCap: null })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(u).project.setMemberCaps({ projectId: project.id, userId: u.id, dailyCap: null, totalCap: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
