import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, makeProject, makeUser, pairItems, pickFirst, rankItems } from "../fixtures/annotation";

/** Waits until a lease has expired by the clock. */
async function leaseRunsOut(item: { expiresAt: Date }) {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, item.expiresAt.getTime() - Date.now()) + 50));
}

describe("work queue", () => {
  it("returns the caller's own live lease on reload instead of burning a new item", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(5), members: [u.id] });
    const api = callerFor(u);
    const first = await api.annotation.next({ projectSlug: project.slug });
    const again = await api.annotation.next({ projectSlug: project.slug });
    expect(again.item?.assignmentId).toBe(first.item?.assignmentId);
    expect(await db.assignment.count({ where: { userId: u.id } })).toBe(1);
    // A prefetch (excluding the held lease) claims a second, different item.
    const prefetched = await api.annotation.next({ projectSlug: project.slug, exclude: [first.item!.assignmentId] });
    expect(prefetched.item?.itemId).not.toBe(first.item?.itemId);
  });

  it("serves the highest priority first, then the oldest", async () => {
    const u = await makeUser();
    const items = pairItems(3);
    items[1].priority = 10;
    const { project, itemIds } = await makeProject({ items, members: [u.id] });
    const api = callerFor(u);
    const served: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { item } = await api.annotation.next({ projectSlug: project.slug });
      served.push(item!.itemId);
      await api.annotation.submit(pickFirst(item!));
    }
    expect(served).toEqual([itemIds[1], itemIds[0], itemIds[2]]);
  });

  for (const overlap of [1, 3]) {
    it(`50 parallel annotators never push an item past overlap ${overlap} nor see an item twice`, async () => {
      const users = await Promise.all(Array.from({ length: 50 }, () => makeUser()));
      const { project, itemIds } = await makeProject({ items: pairItems(40), members: users.map((u) => u.id), overlap });
      const servedTo = new Map<string, string[]>();
      await Promise.all(
        users.map(async (u) => {
          const api = callerFor(u);
          for (;;) {
            const { item } = await api.annotation.next({ projectSlug: project.slug });
            if (!item) return;
            servedTo.set(u.id, [...(servedTo.get(u.id) ?? []), item.itemId]);
            await api.annotation.submit(pickFirst(item));
          }
        }),
      );
      for (const items of servedTo.values()) expect(new Set(items).size).toBe(items.length);
      const perItem = await db.annotation.groupBy({ by: ["itemId"], where: { projectId: project.id }, _count: true });
      expect(perItem).toHaveLength(itemIds.length);
      for (const row of perItem) expect(row._count).toBe(overlap);
      expect(await db.annotation.count({ where: { projectId: project.id, surplus: true } })).toBe(0);
      expect(await db.item.count({ where: { projectId: project.id, status: "COMPLETE" } })).toBe(itemIds.length);
    });
  }

  it("frees an expired lease for others without any cron, and still stores the late submit as surplus", async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    // a one-second lease, so it runs out for real: the item comes back through the clock alone
    const { project } = await makeProject({ items: pairItems(1), members: [a.id, b.id], overlap: 1, leaseSeconds: 1 });
    const first = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item).toBeNull();
    await leaseRunsOut(first);
    const second = (await callerFor(b).annotation.next({ projectSlug: project.slug })).item!;
    expect(second.itemId).toBe(first.itemId);
    const bResult = await callerFor(b).annotation.submit(pickFirst(second));
    expect(bResult).toMatchObject({ late: false, surplus: false });
    const aResult = await callerFor(a).annotation.submit(pickFirst(first));
    expect(aResult).toMatchObject({ late: true, surplus: true, duplicate: false });
    expect(await db.annotation.count({ where: { itemId: first.itemId } })).toBe(2);
  });

  it("renews the caller's own expired lease on reload when the item still has room", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(2), members: [u.id], leaseSeconds: 1 });
    const first = (await callerFor(u).annotation.next({ projectSlug: project.slug })).item!;
    await leaseRunsOut(first);
    const again = (await callerFor(u).annotation.next({ projectSlug: project.slug })).item!;
    expect(again.assignmentId).toBe(first.assignmentId);
    expect(again.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("raising a project's overlap opens its leased items to more annotators at once", async () => {
    const [a, b, admin] = [await makeUser(), await makeUser(), await makeUser("ADMIN")];
    const { project } = await makeProject({ items: pairItems(1), members: [a.id, b.id], overlap: 1 });
    const held = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item).toBeNull();
    await callerFor(admin).project.update({ id: project.id, overlap: 2 });
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item?.itemId).toBe(held.itemId);
  });

  it("progress: judgements today and in the project, and the open items left for each annotator", async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    const gold = pairItems(1).map((it) => ({ ...it, isGold: true, goldRanking: [[0], [1]] }));
    const { project } = await makeProject({ items: [...pairItems(4), ...gold], members: [a.id, b.id], overlap: 1 });
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug })).toEqual({ doneToday: 0, doneInProject: 0, leftForYou: 4 });
    const first = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;
    // a lease of one's own is still left to do
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug })).toMatchObject({ leftForYou: 4 });
    await callerFor(a).annotation.submit(pickFirst(first));
    const held = (await callerFor(b).annotation.next({ projectSlug: project.slug })).item!; // b holds a lease on a second item
    // gold items are quality control, not work: they count nowhere; an item on loan to b is still left for a
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug })).toEqual({ doneToday: 1, doneInProject: 1, leftForYou: 3 });
    expect(await callerFor(b).annotation.progress({ projectSlug: project.slug })).toEqual({ doneToday: 0, doneInProject: 0, leftForYou: 3 });
    // "today" starts where the annotator's day starts
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug, dayStart: tomorrow })).toMatchObject({ doneToday: 0, doneInProject: 1 });
    await callerFor(b).annotation.skip({ assignmentId: held.assignmentId, reason: "Prompt is broken or unclear" });
    expect(await callerFor(b).annotation.progress({ projectSlug: project.slug })).toMatchObject({ leftForYou: 2 });
    // work the queue dry: "left" reaches 0 exactly when the queue has nothing more
    for (;;) {
      const { item } = await callerFor(a).annotation.next({ projectSlug: project.slug });
      if (!item) break;
      await callerFor(a).annotation.submit(pickFirst(item));
    }
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug })).toEqual({ doneToday: 4, doneInProject: 4, leftForYou: 0 });
  });

  it("skip releases the item for others and never serves it to the skipper again", async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    const { project } = await makeProject({ items: pairItems(1), members: [a.id, b.id] });
    const item = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;
    await callerFor(a).annotation.skip({ assignmentId: item.assignmentId, reason: "Needs expertise I don't have" });
    expect((await callerFor(a).annotation.next({ projectSlug: project.slug })).item).toBeNull();
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item?.itemId).toBe(item.itemId);
    const skipped = await db.assignment.findUniqueOrThrow({ where: { id: item.assignmentId } });
    expect(skipped).toMatchObject({ state: "SKIPPED", skipReason: "Needs expertise I don't have" });
  });

  it("interleaves gold items at the project's gold rate and scores them", async () => {
    const u = await makeUser();
    const gold = pairItems(4).map((it) => ({ ...it, isGold: true, goldRanking: [[0], [1]] }));
    const { project } = await makeProject({ items: [...pairItems(12), ...gold], members: [u.id], goldRate: 0.25 });
    const api = callerFor(u);
    let goldServed = 0;
    for (let i = 0; i < 8; i++) {
      const { item } = await api.annotation.next({ projectSlug: project.slug });
      const row = await db.item.findUniqueOrThrow({ where: { id: item!.itemId } });
      if (row.isGold) {
        goldServed++;
        const goldFirst = (row.goldRanking as string[][])[0][0];
        const other = item!.candidates.find((c) => c.id !== goldFirst)!.id;
        // Answer gold items correctly on odd turns, wrongly on even ones.
        const ranking = goldServed % 2 ? [[goldFirst], [other]] : [[other], [goldFirst]];
        await api.annotation.submit({ ...pickFirst(item!), ranking });
      } else {
        await api.annotation.submit(pickFirst(item!));
      }
    }
    expect(goldServed).toBe(2);
    const scored = await db.annotation.findMany({ where: { userId: u.id, isGold: true }, orderBy: { createdAt: "asc" } });
    expect(scored.map((a) => a.goldCorrect)).toEqual([true, false]);
  });

  it("a project is not found for non-members, and its name is not given away", async () => {
    const [member, outsider] = [await makeUser(), await makeUser()];
    const { project } = await makeProject({ items: pairItems(1), members: [member.id] });
    const err: unknown = await callerFor(outsider).annotation.next({ projectSlug: project.slug }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NOT_FOUND" });
    expect((err as Error).message).not.toContain(project.name);
    await expect(callerFor(outsider).annotation.progress({ projectSlug: project.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a member removed while holding leases can no longer submit, skip or edit, and their items go back", async () => {
    const [admin, a, b] = [await makeUser("ADMIN"), await makeUser(), await makeUser()];
    const { project } = await makeProject({ items: pairItems(3), members: [a.id, b.id] });
    const api = callerFor(a);
    const first = (await api.annotation.next({ projectSlug: project.slug })).item!;
    const done = await api.annotation.submit(pickFirst(first));
    const held = (await api.annotation.next({ projectSlug: project.slug })).item!;
    const prefetched = (await api.annotation.next({ projectSlug: project.slug, exclude: [held.assignmentId] })).item!;
    await callerFor(admin).project.setMembers({ projectId: project.id, userIds: [b.id] });
    await expect(api.annotation.submit(pickFirst(held))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.annotation.skip({ assignmentId: prefetched.assignmentId, reason: "Needs expertise I don't have" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { submissionId: _s, assignmentId: _a, ...judgement } = pickFirst(first);
    await expect(api.annotation.editLast({ ...judgement, annotationId: done.annotationId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.annotation.count({ where: { projectId: project.id } })).toBe(1);
    // their leases ended with the membership: b gets both items at once
    const forB: { assignmentId: string; itemId: string }[] = [];
    for (let i = 0; i < 2; i++) forB.push((await callerFor(b).annotation.next({ projectSlug: project.slug, exclude: forB.map((x) => x.assignmentId) })).item!);
    expect(forB.map((x) => x.itemId).sort()).toEqual([held.itemId, prefetched.itemId].sort());
  });

  it("an archived project takes no more judgements, even through a lease held before", async () => {
    const [admin, a] = [await makeUser("ADMIN"), await makeUser()];
    const { project } = await makeProject({ items: pairItems(2), members: [a.id] });
    const held = (await callerFor(a).annotation.next({ projectSlug: project.slug })).item!;
    await callerFor(admin).project.setArchived({ id: project.id, archived: true });
    await expect(callerFor(a).annotation.submit(pickFirst(held))).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await db.annotation.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("changing the overlap reopens or completes items to match their judgements", async () => {
    const [admin, a, b] = [await makeUser("ADMIN"), await makeUser(), await makeUser()];
    const { project } = await makeProject({ items: pairItems(2), members: [a.id, b.id], overlap: 1 });
    for (let i = 0; i < 2; i++) await callerFor(a).annotation.submit(pickFirst((await callerFor(a).annotation.next({ projectSlug: project.slug })).item!));
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item).toBeNull();
    expect(await callerFor(b).annotation.progress({ projectSlug: project.slug })).toMatchObject({ leftForYou: 0 });
    await callerFor(admin).project.update({ id: project.id, overlap: 2 });
    expect(await callerFor(b).annotation.progress({ projectSlug: project.slug })).toMatchObject({ leftForYou: 2 });
    expect(await callerFor(a).annotation.progress({ projectSlug: project.slug })).toMatchObject({ leftForYou: 0 });
    expect((await callerFor(b).annotation.next({ projectSlug: project.slug })).item).not.toBeNull();
    await callerFor(admin).project.update({ id: project.id, overlap: 1 });
    expect(await db.item.count({ where: { projectId: project.id, status: "COMPLETE" } })).toBe(2);
  });
});

describe("submit", () => {
  it("is idempotent on the client submission id: the same submit 5 times stores one annotation", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(1), members: [u.id] });
    const item = (await callerFor(u).annotation.next({ projectSlug: project.slug })).item!;
    const input = pickFirst(item, "MUCH_BETTER");
    const results = await Promise.all(Array.from({ length: 5 }, () => callerFor(u).annotation.submit(input)));
    expect(new Set(results.map((r) => r.annotationId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.annotation.count({ where: { projectId: project.id } })).toBe(1);
    const comparisons = await db.comparison.findMany({ where: { projectId: project.id } });
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]).toMatchObject({ chosenId: item.candidates[0].id, rejectedId: item.candidates[1].id, margin: 3 });
  });

  it("rejects bad judgements with field errors and writes nothing", async () => {
    const u = await makeUser();
    const { project } = await makeProject({
      items: rankItems(1, 3),
      members: [u.id],
      taskType: "RANKING",
      allowTies: false,
      criteria: [{ key: "helpfulness", label: "Helpfulness", description: "" }],
    });
    const api = callerFor(u);
    const item = (await api.annotation.next({ projectSlug: project.slug })).item!;
    const [a, b, c] = item.candidates.map((x) => x.id);
    const base = { ...pickFirst(item), strength: undefined, ranking: [[a], [b], [c]] };
    const cases: [string, object][] = [
      ["unknown candidate", { ranking: [[a], [b], ["nope"]] }],
      ["not a permutation", { ranking: [[a], [b]] }],
      ["repeated candidate", { ranking: [[a], [b], [c], [a]] }],
      ["tie not allowed", { ranking: [[a, b], [c]] }],
      ["unknown criterion", { ratings: { [a]: { creativity: 3 } } }],
      ["strength on ranking", { strength: "BETTER" }],
    ];
    for (const [, patch] of cases) {
      await expect(api.annotation.submit({ ...base, submissionId: randomUUID(), ...patch })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    // zod-level limits come back field by field
    const zodCases: object[] = [{ ratings: { [a]: { helpfulness: 8 } } }, { rationale: "x".repeat(5001) }, { ranking: [] }];
    for (const patch of zodCases) {
      const err = await api.annotation.submit({ ...base, submissionId: randomUUID(), ...patch } as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(await db.annotation.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.comparison.count({ where: { projectId: project.id } })).toBe(0);
    const ok = await api.annotation.submit({ ...base, submissionId: randomUUID(), ratings: { [a]: { helpfulness: 7 } } });
    expect(ok.duplicate).toBe(false);
  });

  it("a 9-way ranking with a tie yields every ordered pair with rank-distance margins and no pair inside the tie", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: rankItems(1, 9), members: [u.id], taskType: "RANKING" });
    const item = (await callerFor(u).annotation.next({ projectSlug: project.slug })).item!;
    const ids = item.candidates.map((c) => c.id);
    // groups: [0,1] tied, then 2..8 one by one → 8 groups
    const ranking = [[ids[0], ids[1]], ...ids.slice(2).map((id) => [id])];
    await callerFor(u).annotation.submit({ ...pickFirst(item), strength: undefined, ranking });
    const comps = await db.comparison.findMany({ where: { projectId: project.id } });
    expect(comps).toHaveLength(36 - 1);
    expect(comps.some((c) => [ids[0], ids[1]].includes(c.chosenId) && [ids[0], ids[1]].includes(c.rejectedId))).toBe(false);
    const m = comps.find((c) => c.chosenId === ids[0] && c.rejectedId === ids[8]);
    expect(m?.margin).toBe(7);
  });

  it("a pairwise tie is stored on the annotation but produces no comparison", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(1), members: [u.id] });
    const item = (await callerFor(u).annotation.next({ projectSlug: project.slug })).item!;
    const [a, b] = item.candidates.map((c) => c.id);
    await callerFor(u).annotation.submit({ ...pickFirst(item), ranking: [[a, b]], strength: "TIE" });
    expect(await db.annotation.count({ where: { projectId: project.id, strength: "TIE" } })).toBe(1);
    expect(await db.comparison.count({ where: { projectId: project.id } })).toBe(0);
  });
});

describe("edit last", () => {
  it("edits the last submission and the derived comparisons follow; older ones are locked", async () => {
    const u = await makeUser();
    const { project } = await makeProject({ items: pairItems(2), members: [u.id] });
    const api = callerFor(u);
    const first = (await api.annotation.next({ projectSlug: project.slug })).item!;
    const r1 = await api.annotation.submit(pickFirst(first));
    const second = (await api.annotation.next({ projectSlug: project.slug })).item!;
    const r2 = await api.annotation.submit(pickFirst(second));
    const [a, b] = second.candidates.map((c) => c.id);
    const { submissionId: _s, assignmentId: _a, ...judgement } = pickFirst(second);
    await api.annotation.editLast({ ...judgement, annotationId: r2.annotationId, ranking: [[b], [a]], strength: "SLIGHTLY_BETTER", timeSpentMs: 100 });
    const comps = await db.comparison.findMany({ where: { annotationId: r2.annotationId } });
    expect(comps).toEqual([expect.objectContaining({ chosenId: b, rejectedId: a, margin: 1 })]);
    await expect(api.annotation.editLast({ ...judgement, annotationId: r1.annotationId })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await db.annotation.update({ where: { id: r2.annotationId }, data: { createdAt: new Date(Date.now() - 6 * 60_000) } });
    await expect(api.annotation.editLast({ ...judgement, annotationId: r2.annotationId })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
