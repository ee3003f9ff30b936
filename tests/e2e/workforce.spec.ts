// Caps and pauses, as an admin and an annotator see them in Chromium side by side: the admin sets a daily cap of 3
// (a cap of 0 is refused beside its field), the annotator judges three pairwise items by keyboard and then reads the
// cap message instead of a fourth; the admin pauses the project and the annotator reads the pause message; after the
// resume the cap still holds, and the annotator's statistics page shows their 3 judgements today.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, createProject, createUser, signIn, withDb } from "./helpers";

const ready = (page: Page) => page.locator('[data-testid="item"][data-ready="true"]');

function items(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    prompt: `Workforce question ${i}: how do I sort a list in Python?`,
    candidates: [`Use \`sorted(xs)\` (${i}); it returns a new list.`, `Call \`xs.sort()\` (${i}); it sorts in place.`],
  }));
}

test("a daily cap of 3 stops the annotator after three items; a project pause shows its message; statistics count the three", async ({ browser }) => {
  test.setTimeout(180_000);
  const slug = await createProject({ taskType: "PAIRWISE", items: items(8) });
  const annotator = await createUser();
  const projectId = await withDb(async (db) => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug]);
    await db.query(`INSERT INTO "ProjectMember"("projectId", "userId") VALUES ($1, $2)`, [rows[0].id, annotator.id]);
    return rows[0].id;
  });

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN, "/admin");
  await admin.goto(`/admin/projects/${projectId}`);
  const dailyCap = admin.getByLabel("Daily cap (items per annotator)");
  await dailyCap.fill("0");
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect(admin.locator("#dailyCap-error")).toHaveText("a cap is at least 1 item (empty: no cap)");
  await expect(dailyCap).toHaveAttribute("aria-invalid", "true");
  await dailyCap.fill("3");
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  expect(await withDb(async (db) => (await db.query(`SELECT "dailyCap" FROM "Project" WHERE id = $1`, [projectId])).rows[0].dailyCap)).toBe(3);
  await dailyCap.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: "/tmp/workforce-admin-caps.png" });

  const page = await (await browser.newContext()).newPage();
  await signIn(page, annotator, `/annotate/${slug}`);
  let previous = "";
  for (let i = 0; i < 3; i++) {
    await expect(ready(page)).toBeVisible();
    await expect(ready(page)).not.toHaveAttribute("data-assignment-id", previous);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("item");
    previous = (await ready(page).getAttribute("data-assignment-id"))!;
    await page.keyboard.press(String(i + 1));
    await expect(page.getByRole("radio", { checked: true }).first()).toBeVisible();
    await page.keyboard.press("Enter");
  }
  const refused = page.getByTestId("queue-refused");
  await expect(refused).toHaveAttribute("data-reason", "daily_cap");
  await expect(refused).toContainText("You have reached your daily limit of 3 items in this project.");
  await expect(refused).toContainText("(midnight UTC)");
  await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
  await expect(page.getByTestId("done-today")).toHaveText("3");
  await page.screenshot({ path: "/tmp/workforce-annotator-cap.png" });
  const stored = await withDb(async (db) => (await db.query<{ n: number; held: number }>(
    `SELECT (SELECT count(*)::int FROM "Annotation" WHERE "userId" = $1) AS n,
            (SELECT count(*)::int FROM "Assignment" WHERE "userId" = $1 AND state = 'ACTIVE') AS held`,
    [annotator.id],
  )).rows[0]);
  expect(stored).toEqual({ n: 3, held: 0 });

  // the admin pauses the project: the annotator reads the message (a pause outranks the cap)
  await admin.getByLabel("Message to annotators").fill("Paused while we fix the guidelines — back after lunch.");
  await admin.getByRole("button", { name: "Pause project" }).click();
  await expect(admin.getByRole("heading", { name: /^Paused since/ })).toBeVisible();
  await admin.screenshot({ path: "/tmp/workforce-admin-paused.png" });
  await page.reload();
  await expect(refused).toHaveAttribute("data-reason", "project_paused");
  await expect(refused).toContainText("This project is paused");
  await expect(refused).toContainText("Paused while we fix the guidelines — back after lunch.");
  await page.screenshot({ path: "/tmp/workforce-annotator-paused.png" });

  await admin.getByRole("button", { name: "Resume project" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Project resumed." })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Pause", exact: true })).toBeVisible();
  await page.reload();
  await expect(refused).toHaveAttribute("data-reason", "daily_cap");
  const audit = await withDb(async (db) => (await db.query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE "targetId" = $1 AND action LIKE 'project.%' ORDER BY "createdAt"`, [projectId])).rows.map((r) => r.action));
  expect(audit).toEqual(["project.update", "project.pause", "project.resume"]);

  await page.getByTestId("session-header").getByRole("link", { name: "Statistics" }).click();
  await expect(page).toHaveURL(/\/account\/statistics$/);
  const stats = page.locator(`[data-testid="project-statistics"][data-slug="${slug}"]`);
  await expect(stats.getByTestId("stat-today")).toHaveText("3");
  await expect(stats.getByTestId("stat-week")).toHaveText("3");
  await expect(stats.getByTestId("stat-total")).toHaveText("3");
  await expect(stats).toContainText("of 3 a day");
  await expect(stats).toContainText("3 judgements in the last 30 days (UTC days), on 1 day.");
  await expect(stats.getByTestId("stat-gold")).toHaveCount(0);
  await page.screenshot({ path: "/tmp/workforce-statistics.png", fullPage: true });
});
