// ProjectItemCount is kept by triggers so the annotation page can read "left for you" instead of counting the
// queue per judgement; it must equal a fresh count of the items after every kind of write.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, makeProject, makeUser, pairItems, pickFirst } from "../fixtures/annotation";

async function kept(projectId: string) {
  const rows = await db.projectItemCount.findMany({ where: { projectId, count: { not: 0 } }, orderBy: [{ status: "asc" }, { isGold: "asc" }] });
  return rows.map((r) => `${r.status}/${r.isGold ? "gold" : "work"}=${r.count}`);
}

async function counted(projectId: string) {
  const rows = await db.item.groupBy({ by: ["status", "isGold"], where: { projectId }, _count: true, orderBy: [{ status: "asc" }, { isGold: "asc" }] });
  return rows.map((r) => `${r.status}/${r.isGold ? "gold" : "work"}=${r._count}`);
}

describe("project item counts", () => {
  it("equal a fresh count after imports, submits, overlap changes, item changes and deletes", async () => {
    const [admin, a, b] = [await makeUser("ADMIN"), await makeUser(), await makeUser()];
    const gold = pairItems(3).map((it) => ({ ...it, isGold: true, goldRanking: [[0], [1]] }));
    const { project, itemIds } = await makeProject({ items: [...pairItems(12), ...gold], members: [a.id, b.id], overlap: 1 });
    const other = await makeProject({ items: pairItems(5), members: [a.id] });
    const check = async () => {
      expect(await kept(project.id)).toEqual(await counted(project.id));
      expect(await kept(other.project.id)).toEqual(await counted(other.project.id));
    };
    await check();
    for (let i = 0; i < 5; i++) await callerFor(a).annotation.submit(pickFirst((await callerFor(a).annotation.next({ projectSlug: project.slug })).item!));
    await check();
    await callerFor(admin).project.update({ id: project.id, overlap: 2 });
    await check();
    await Promise.all([a, b].map(async (u) => {
      for (let i = 0; i < 4; i++) {
        const { item } = await callerFor(u).annotation.next({ projectSlug: project.slug });
        if (item) await callerFor(u).annotation.submit(pickFirst(item));
      }
    }));
    await check();
    await callerFor(admin).project.update({ id: project.id, overlap: 1 });
    await check();
    await db.item.updateMany({ where: { id: { in: itemIds.slice(0, 3) } }, data: { status: "ARCHIVED" } });
    await db.item.update({ where: { id: itemIds[5] }, data: { isGold: true } });
    await check();
    await db.annotation.deleteMany({ where: { itemId: { in: itemIds.slice(-4) } } });
    await db.item.deleteMany({ where: { id: { in: itemIds.slice(-4) } } });
    await check();
    await db.project.delete({ where: { id: other.project.id } });
    expect(await db.projectItemCount.count({ where: { projectId: other.project.id } })).toBe(0);
    await check();
  });
});
