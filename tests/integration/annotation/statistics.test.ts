// An annotator's own statistics page: per project their judgements today, in the last 7 days and in all, the median
// time per judgement, 30 UTC days of judgements, and gold accuracy only where the project shows it.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { annotatorStatistics } from "@/server/services/annotation/statistics";
import { callerFor, makeProject, makeUser, pairItems, pickFirst } from "../fixtures/annotation";

const DAY = 86_400_000;

async function judge(slug: string, user: Awaited<ReturnType<typeof makeUser>>, times: number[]): Promise<string[]> {
  const api = callerFor(user).annotation;
  const ids: string[] = [];
  for (const ms of times) {
    const { item } = await api.next({ projectSlug: slug });
    ids.push((await api.submit({ ...pickFirst(item!), timeSpentMs: ms })).annotationId);
  }
  return ids;
}

describe("annotator statistics", () => {
  it("counts the caller's own judgements by UTC day, with the median time, a 30-day series and gold only where shown", async () => {
    const [u, other] = await Promise.all([makeUser(), makeUser()]);
    const goldItems = pairItems(8).map((it, i) => ({ ...it, ...(i < 2 ? { isGold: true, goldRanking: [[0], [1]] } : {}) }));
    const { project: shown } = await makeProject({ items: goldItems, members: [u.id, other.id], showGoldAccuracy: true, goldRate: 0.5, dailyCap: 50 });
    const { project: hidden } = await makeProject({ items: pairItems(3, "h").map((it) => ({ ...it, isGold: true, goldRanking: [[0], [1]] })), members: [u.id], goldRate: 0.5 });
    const { project: untouched } = await makeProject({ items: pairItems(1), members: [u.id] });

    const ids = await judge(shown.slug, u, [1000, 2000, 3000, 4000, 5000, 6000]);
    await judge(shown.slug, other, [9000]);
    await judge(hidden.slug, u, [1000]);
    const now = new Date();
    const today = new Date(now).setUTCHours(0, 0, 0, 0);
    // one 3 days ago, one 10 days ago, one 40 days ago (out of the series); three stay today
    for (const [id, days] of [[ids[0], 3], [ids[1], 10], [ids[2], 40]] as const) {
      await db.annotation.update({ where: { id }, data: { createdAt: new Date(today + 3600_000 - days * DAY) } });
    }

    const stats = await annotatorStatistics({ userId: u.id, now });
    const s = stats.find((p) => p.projectId === shown.id)!;
    expect(s).toMatchObject({ slug: shown.slug, today: 3, last7Days: 4, total: 6, medianSeconds: 3.5, dailyCap: 50, totalCap: null });
    expect(s.perDay).toHaveLength(30);
    expect(s.perDay.at(-1)).toEqual({ day: new Date(today).toISOString(), annotations: 3 });
    expect(s.perDay.at(-4)).toEqual({ day: new Date(today - 3 * DAY).toISOString(), annotations: 1 });
    expect(s.perDay.at(-11)).toEqual({ day: new Date(today - 10 * DAY).toISOString(), annotations: 1 });
    expect(s.perDay.reduce((n, d) => n + d.annotations, 0)).toBe(5);
    // the queue served the two gold items; the first candidate shown is not always the gold's first
    const gold = await db.annotation.findMany({ where: { userId: u.id, projectId: shown.id, goldCorrect: { not: null } } });
    expect(s.gold).toEqual({ answered: gold.length, correct: gold.filter((g) => g.goldCorrect).length, accuracy: gold.filter((g) => g.goldCorrect).length / gold.length });
    expect(gold.length).toBeGreaterThan(0);

    // gold answered but not shown there
    const h = stats.find((p) => p.projectId === hidden.id)!;
    expect(await db.annotation.count({ where: { userId: u.id, projectId: hidden.id, goldCorrect: { not: null } } })).toBe(1);
    expect(h).toMatchObject({ total: 1, gold: null });
    // a member's project without judgements is listed with zeros
    expect(stats.find((p) => p.projectId === untouched.id)).toMatchObject({ today: 0, total: 0, medianSeconds: null });

    // through the API: the caller's own figures only, and never without a session
    const mine = await callerFor(other).account.statistics();
    expect(mine.map((p) => [p.projectId, p.total])).toEqual([[shown.id, 1]]);
    await expect(callerFor(null).account.statistics()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
