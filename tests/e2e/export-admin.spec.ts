// The admin's data path in the browser: create a project, import a file with progress, then export a snapshot
// of a judged project and download its files.
import { expect, test } from "@playwright/test";
import { ADMIN, createProject, judge, signIn, withDb } from "./helpers";

test("an admin creates a project and imports a JSONL file through the browser", async ({ page }) => {
  await signIn(page, ADMIN, "/admin/projects/new");
  const slug = `e2e-import-${Date.now().toString(36)}`;
  await page.getByLabel("Name", { exact: true }).fill("E2E import");
  await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL((url) => /^\/admin\/projects\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith("/new"));
  const projectUrl = page.url();
  await page.goto(`${projectUrl}/import`);
  const lines = [
    { prompt: "What is 2+2?", candidates: [{ text: "4", model: "a" }, { text: "5", model: "b" }] },
    { prompt: [{ role: "user", content: "Say hi" }], candidates: [{ text: "Hi!", model: "a" }, { text: "Hello.", model: "b" }] },
    { prompt: "Name a colour", candidates: [{ text: "Blue", model: "a" }, { text: "Seven", model: "b" }] },
  ];
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "items.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(`\ufeff${lines.map((l) => JSON.stringify(l)).join("\r\n")}\r\n`),
  });
  await page.getByRole("button", { name: "Upload and import" }).click();
  const job = page.getByTestId("import-job");
  await expect(job).toContainText("Items created");
  await expect(job.locator("dd").first()).toHaveText("3");
  const items = await withDb(async (db) => {
    const res = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Item" i JOIN "Project" p ON p.id = i."projectId" WHERE p.slug = $1`, [slug]);
    return Number(res.rows[0].n);
  });
  expect(items).toBe(3);
});

test("an admin exports a snapshot of a judged project and downloads its files", async ({ page }) => {
  const slug = await createProject({
    taskType: "PAIRWISE",
    items: Array.from({ length: 10 }, (_, i) => ({ prompt: `Export prompt ${i}`, candidates: [`good answer ${i}`, `bad answer ${i}`] })),
  });
  await judge(slug);
  await signIn(page, ADMIN, "/admin/exports");
  await page.getByLabel("Name", { exact: true }).fill("e2e-export");
  await page.getByLabel(`E2E ${slug}`).check();
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await page.getByRole("link", { name: /e2e-export v\d+/ }).first().click();
  await expect(page.getByText("ready", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  const link = page.getByRole("link", { name: /^train\.jsonl$/ });
  await expect(link).toBeVisible();
  const res = await page.request.get((await link.getAttribute("href"))!);
  expect(res.status()).toBe(200);
  const rows = (await res.text()).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    expect(row).toMatchObject({ chosen: expect.stringContaining("good answer"), rejected: expect.stringContaining("bad answer") });
  }
  // Resumable: a Range request returns just the bytes asked for.
  const partial = await page.request.get((await link.getAttribute("href"))!, { headers: { Range: "bytes=0-9" } });
  expect(partial.status()).toBe(206);
  expect((await partial.body()).length).toBe(10);
});
