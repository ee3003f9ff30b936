// The demo shows what the product is for: `npm run dev` / `npm start -- --demo` seed a pairwise project that three
// demo raters have partly judged (agreement, gold accuracy and a leaderboard are there from the start), while the
// demo annotator still has work in both projects. A database of its own: the demo's slugs and emails are fixed.
import { dropOwnDatabase } from "../worker/own-database";
import { afterAll, describe, expect, it } from "vitest";
import { seedDemo } from "@/prisma/seed/demo";
import { DEMO_ADMIN, DEMO_ANNOTATOR } from "@/prisma/seed/demo-accounts";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { projectAnalytics } from "@/server/services/analytics";
import { refreshSummaries } from "@/server/services/analytics/summaries";
import { next } from "@/server/services/annotation/queue";
import { verifyCredentials } from "@/server/services/users";

afterAll(async () => {
  await db.$disconnect();
  await pool().end();
  await dropOwnDatabase();
});

describe.sequential("demo data", () => {
  it("has judged pairwise work with more than one annotator, gold answered, and open items for the demo annotator", async () => {
    expect(await seedDemo(db)).toEqual({ created: true });
    const pairwise = await db.project.findUniqueOrThrow({ where: { slug: "demo-pairwise" } });
    // counted as the web process's take-in loop counts them (a read counts a few dozen items itself)
    await refreshSummaries({ projectId: pairwise.id });
    const figures = await projectAnalytics({ projectId: pairwise.id, bootstrapRounds: 20 });
    const raters = figures.annotators.filter((a) => a.annotations > 0);
    expect(raters.map((a) => a.email).every((e) => e.endsWith("@demo.local"))).toBe(true);
    expect(raters.length).toBeGreaterThanOrEqual(3);
    expect(figures.agreement.items).toBeGreaterThanOrEqual(10);
    expect(figures.agreement.alpha).not.toBeNull();
    for (const rater of raters) expect(rater.goldAccuracy, rater.email).not.toBeNull();
    // the raters differ in care, and the figures show it
    const [careful, sloppy] = ["ada.rater@demo.local", "cleo.rater@demo.local"].map((e) => raters.find((a) => a.email === e)!);
    expect(careful.majorityAgreement! - sloppy.majorityAgreement!).toBeGreaterThan(0.1);
    expect(careful.goldAccuracy!).toBeGreaterThan(sloppy.goldAccuracy!);
    expect(figures.leaderboard.rows.length).toBeGreaterThan(1);
    // spread over the last day and a half, not one burst
    expect(figures.progress.perHour.filter((h) => h.annotations > 0).length).toBeGreaterThan(10);

    const annotator = await db.user.findUniqueOrThrow({ where: { email: DEMO_ANNOTATOR.email } });
    for (const slug of ["demo-pairwise", "demo-ranking"]) {
      const { item } = await next({ slug, userId: annotator.id, isAdmin: false });
      expect(item, slug).not.toBeNull();
    }
  });

  it("keeps the demo logins, gives the raters no password, and changes nothing when seeded again", async () => {
    expect(await verifyCredentials({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password, ip: "demo-test" })).toMatchObject({ ok: true, user: { role: "ADMIN" } });
    expect(await verifyCredentials({ email: DEMO_ANNOTATOR.email, password: DEMO_ANNOTATOR.password, ip: "demo-test" })).toMatchObject({ ok: true });
    expect(await db.user.count({ where: { email: { endsWith: ".rater@demo.local" }, passwordHash: { not: null } } })).toBe(0);
    const before = await db.annotation.count();
    expect(await seedDemo(db)).toEqual({ created: false });
    expect(await db.annotation.count()).toBe(before);
  });
});
