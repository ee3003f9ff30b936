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

test("an admin keeps both-bad judgements flagged in a snapshot, and sees them per model on the analytics page", async ({ page }) => {
  const slug = await createProject({
    taskType: "PAIRWISE",
    items: Array.from({ length: 10 }, (_, i) => ({ prompt: `Both-bad prompt ${i}`, candidates: [`meh answer ${i}`, `worse answer ${i}`] })),
  });
  await judge(slug);
  // three of the ten judgements say both responses are bad
  const projectId = await withDb(async (db) => {
    await db.query(
      `UPDATE "Annotation" SET "bothBad" = true WHERE id IN (
         SELECT a.id FROM "Annotation" a JOIN "Project" p ON p.id = a."projectId" WHERE p.slug = $1 ORDER BY a.id LIMIT 3)`,
      [slug],
    );
    return (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id;
  });
  await signIn(page, ADMIN, "/admin/exports");
  // the form is folded away once snapshots exist: the summary opens it (Enter, as a person would)
  if (!(await page.getByRole("form", { name: "New snapshot" }).isVisible())) {
    await page.locator("summary", { hasText: "New snapshot" }).focus();
    await page.keyboard.press("Enter");
  }
  await page.getByLabel("Name", { exact: true }).fill("e2e-both-bad");
  await page.getByLabel(`E2E ${slug}`).check();
  // by keyboard: the select takes the next option on ArrowDown
  const bothBad = page.getByLabel("Both bad");
  await expect(bothBad).toHaveValue("drop");
  await bothBad.focus();
  await page.keyboard.press("ArrowDown");
  await expect(bothBad).toHaveValue("keep");
  await page.getByRole("button", { name: "Create snapshot" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: /e2e-both-bad v\d+/ }).first().click();
  await expect(page.getByText("ready", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  const rows: Record<string, unknown>[] = [];
  for (const name of ["train.jsonl", "test.jsonl"]) {
    const res = await page.request.get((await page.getByRole("link", { name: new RegExp(`^${name.replace(".", "\\.")}$`) }).getAttribute("href"))!);
    expect(res.status()).toBe(200);
    rows.push(...(await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
  }
  expect(rows).toHaveLength(10);
  for (const row of rows) expect(Object.keys(row)).toEqual(["prompt_id", "prompt", "chosen", "rejected", "margin", "both_bad"]);
  expect(rows.filter((r) => r.both_bad === true)).toHaveLength(3);
  expect(rows.filter((r) => r.both_bad === false)).toHaveLength(7);
  await expect(page.getByText(/Both bad \(`?bothBad: keep`?\): 3 judgement\(s\)/).first()).toBeVisible();

  // the leaderboard counts them against both models of each judgement
  await page.goto(`/admin/projects/${projectId}/analytics`);
  // beside the heading: how fresh the figures are, counting up live between the page's refreshes
  const freshness = page.getByTestId("analytics-freshness");
  await expect(freshness).toHaveText(/^updated \d+ s ago$/);
  const age = async () => Number((await freshness.textContent())!.match(/updated (\d+) s/)![1]);
  const first = await age();
  await expect.poll(age, { timeout: 5_000 }).toBeGreaterThanOrEqual(first + 2);
  const board = page.getByRole("table", { name: /Model leaderboard/ });
  await expect(board.getByRole("columnheader", { name: "Both bad" })).toBeVisible();
  for (const model of ["m0", "m1"]) await expect(board.getByRole("row", { name: new RegExp(`\\b${model}\\b`) }).getByRole("cell").last()).toHaveText("3");
  await board.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/bothbad-analytics.png", fullPage: true });
});
