// The gold-accuracy pause: an annotator who falls below the project's minimum after N gold items is paused there
// (no items, no submits, a message saying why), other projects untouched; an admin reinstates them and their gold
// counts afresh.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, makeProject, makeUser, pairItems } from "../fixtures/annotation";

describe("gold-accuracy pause", () => {
  it("pauses below the minimum after N gold answers, refuses further work, and an admin reinstates", async () => {
    const [admin, annotator] = await Promise.all([makeUser("ADMIN"), makeUser()]);
    const { project, itemIds } = await makeProject({ items: pairItems(12), members: [annotator.id], goldRate: 0.5, minGoldAccuracy: 0.7, minGoldAnswers: 3 });
    const { project: other } = await makeProject({ items: pairItems(2), members: [annotator.id] });
    // four items gold, the first candidate right
    for (const id of itemIds.slice(0, 4)) {
      const first = await db.itemCandidate.findMany({ where: { itemId: id }, orderBy: { position: "asc" } });
      await db.item.update({ where: { id }, data: { isGold: true, goldRanking: [[first[0].candidateId], [first[1].candidateId]] } });
    }
    const api = callerFor(annotator).annotation;
    let goldAnswered = 0;
    // answers every gold item wrongly: paused once three gold answers are in
    for (let i = 0; i < 12; i++) {
      const { item } = await api.next({ projectSlug: project.slug });
      if (!item) break;
      const gold = await db.item.findUniqueOrThrow({ where: { id: item.itemId } });
      const ranked = gold.isGold ? (gold.goldRanking as string[][]).slice().reverse() : [[item.candidates[0].id], [item.candidates[1].id]];
      await api.submit({ submissionId: randomUUID(), assignmentId: item.assignmentId, ranking: ranked, strength: "BETTER", bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 1000 });
      if (gold.isGold) goldAnswered++;
    }
    expect(goldAnswered).toBe(3);
    // the queue answers the pause as its refusal, with the reason, and no item — not even a held one
    expect(await api.next({ projectSlug: project.slug })).toMatchObject({ item: null, refusal: { reason: "paused", message: expect.stringContaining("0% after 3 gold items (the minimum is 70%)") } });
    await expect(api.lastEditable({ projectSlug: project.slug })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    const member = await db.projectMember.findUniqueOrThrow({ where: { projectId_userId: { projectId: project.id, userId: annotator.id } } });
    expect(member.pausedAt).not.toBeNull();
    expect(await db.auditLog.count({ where: { action: "member.pause", targetId: project.id } })).toBe(1);
    // other projects go on
    expect((await api.next({ projectSlug: other.slug })).item).not.toBeNull();

    const members = await callerFor(admin).project.members({ projectId: project.id });
    expect(members.find((m) => m.id === annotator.id)).toMatchObject({ pauseReason: expect.stringContaining("gold accuracy") });
    await expect(callerFor(annotator).project.reinstate({ projectId: project.id, userId: annotator.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await callerFor(admin).project.reinstate({ projectId: project.id, userId: annotator.id });
    await expect(callerFor(admin).project.reinstate({ projectId: project.id, userId: annotator.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // counted afresh: the old wrong answers no longer count, so work goes on
    const { item } = await api.next({ projectSlug: project.slug });
    expect(item).not.toBeNull();
  });

  it("a submit of a lease held when the pause came is refused", async () => {
    const annotator = await makeUser();
    const { project } = await makeProject({ items: pairItems(2), members: [annotator.id] });
    const { item } = await callerFor(annotator).annotation.next({ projectSlug: project.slug });
    await db.projectMember.update({ where: { projectId_userId: { projectId: project.id, userId: annotator.id } }, data: { pausedAt: new Date(), pauseReason: "test" } });
    await expect(
      callerFor(annotator).annotation.submit({ submissionId: randomUUID(), assignmentId: item!.assignmentId, ranking: [[item!.candidates[0].id], [item!.candidates[1].id]], strength: "BETTER", bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 1000 }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("paused") });
  });
});

describe("gold from the review pages", () => {
  it("a reviewer makes an item gold with an expected ranking; the next judgement of it is scored; unmarking stops it", async () => {
    const [admin, reviewer, annotator] = await Promise.all([makeUser("ADMIN"), makeUser(), makeUser()]);
    const { project, itemIds } = await makeProject({ items: pairItems(3), members: [reviewer.id, annotator.id] });
    await callerFor(admin).project.setMembers({ projectId: project.id, userIds: [reviewer.id, annotator.id], reviewerIds: [reviewer.id] });
    const [a, b] = (await db.itemCandidate.findMany({ where: { itemId: itemIds[0] }, orderBy: { position: "asc" } })).map((c) => c.candidateId);
    const api = callerFor(reviewer).review;
    await expect(api.setGold({ projectId: project.id, itemId: itemIds[0], gold: true })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("expected ranking") });
    await expect(api.setGold({ projectId: project.id, itemId: itemIds[0], gold: true, ranking: [[a], ["zzz"]] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(annotator).review.setGold({ projectId: project.id, itemId: itemIds[0], gold: true, ranking: [[a], [b]] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await api.setGold({ projectId: project.id, itemId: itemIds[0], gold: true, ranking: [[a], [b]] });
    expect(await db.item.findUniqueOrThrow({ where: { id: itemIds[0] } })).toMatchObject({ isGold: true, goldRanking: [[a], [b]] });
    expect(await db.auditLog.count({ where: { action: "item.gold", targetId: itemIds[0] } })).toBe(1);

    // the annotator meets it (gold is served once the project's gold rate asks for it; at rate 0, as real work)
    await db.project.update({ where: { id: project.id }, data: { goldRate: 0.5 } });
    const served: { itemId: string; goldCorrect: boolean | null }[] = [];
    for (;;) {
      const { item } = await callerFor(annotator).annotation.next({ projectSlug: project.slug });
      if (!item) break;
      const { annotationId } = await callerFor(annotator).annotation.submit({ submissionId: randomUUID(), assignmentId: item.assignmentId, ranking: [[item.candidates.find((c) => c.id === b)?.id ?? item.candidates[1].id], [item.candidates.find((c) => c.id === a)?.id ?? item.candidates[0].id]], strength: "BETTER", bothBad: false, ratings: {}, rationale: "", flags: [], flagNote: "", timeSpentMs: 1000 });
      const n = await db.annotation.findUniqueOrThrow({ where: { id: annotationId } });
      served.push({ itemId: n.itemId, goldCorrect: n.goldCorrect });
    }
    expect(served.find((s) => s.itemId === itemIds[0])).toEqual({ itemId: itemIds[0], goldCorrect: false });

    await api.setGold({ projectId: project.id, itemId: itemIds[0], gold: false });
    expect(await db.item.findUniqueOrThrow({ where: { id: itemIds[0] } })).toMatchObject({ isGold: false });
  });
});
