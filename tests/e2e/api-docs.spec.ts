// The token API the way a pipeline author meets it: an admin creates a narrow token by keyboard, follows the link to
// the API reference (rendered by us, no script), finds the import operation, and the token does exactly what its
// scope says against the production server.
import { expect, test } from "@playwright/test";
import { ADMIN, ANNOTATOR, createProject, signIn, withDb } from "./helpers";

test("an import token made by keyboard imports through /api/v1, and the reference page documents it", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const slug = await createProject({ taskType: "PAIRWISE", items: [{ prompt: "Say hi", candidates: ["Hi!", "Hello."] }] });

  await signIn(page, ADMIN, "/admin/tokens");
  await page.getByLabel("Name").focus();
  await page.keyboard.type("nightly import job");
  await page.keyboard.press("Tab");
  // the radio group: arrows move the choice (Read → Import)
  await expect(page.getByRole("radio", { name: /^Read/ })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: /^Import/ })).toBeChecked();
  await page.keyboard.press("Enter");
  const token = await page.getByTestId("new-token").inputValue();
  expect(token).toMatch(/^rlhf_/);
  await expect(page.getByRole("row", { name: /nightly import job/ })).toContainText("import");

  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: /RLHF Studio API/ })).toBeVisible();
  for (const tag of ["Projects", "Items", "Annotations", "Snapshots", "Runs", "Models"]) await expect(page.getByRole("heading", { name: tag, exact: true })).toBeVisible();
  await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: "Import a file of prompts and responses" }).click();
  const importOp = page.locator("#importFile");
  await expect(importOp).toContainText("/api/v1/projects/{projectId}/imports");
  await expect(importOp).toContainText("Scope IMPORT");
  await expect(importOp.getByRole("cell", { name: "skipInvalid?" })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("api-reference.png"), fullPage: false });

  const doc = await page.request.get("/api/v1/openapi.json");
  expect(doc.status()).toBe(200);
  expect(((await doc.json()) as { openapi: string }).openapi).toBe("3.1.0");

  const auth = { authorization: `Bearer ${token}` };
  const jsonl = `${JSON.stringify({ prompt: "Say bye", candidates: [{ text: "Bye" }, { text: "See you" }] })}\n`;
  const imported = await page.request.post(`/api/v1/projects/${slug}/imports?fileName=e2e.jsonl`, { headers: auth, data: jsonl });
  expect(imported.status()).toBe(200);
  expect(await imported.json()).toMatchObject({ status: "SUCCEEDED", counts: { items: 1 } });
  const items = await page.request.get(`/api/v1/projects/${slug}/items`, { headers: auth });
  expect(((await items.json()) as { items: unknown[] }).items).toHaveLength(2);
  // an import token cannot launch runs
  const launch = await page.request.post("/api/v1/runs", { headers: { ...auth, "content-type": "application/json" }, data: { kind: "SCORE", name: "x", projectId: slug } });
  expect(launch.status()).toBe(403);
  expect(((await launch.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  expect(errors).toEqual([]);
});

test("an annotator makes a read token on their account page, and it sees only their projects and their own judgements", async ({ page }) => {
  const mine = await createProject({ taskType: "PAIRWISE", items: [{ prompt: "Mine", candidates: ["a", "b"] }] });
  await signIn(page, ANNOTATOR, "/account");
  const scopes = page.getByRole("radio");
  await expect(scopes).toHaveCount(2);
  await page.getByLabel("Name").focus();
  await page.keyboard.type("my notebook");
  await page.keyboard.press("Tab");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: /^Annotations/ })).toBeChecked();
  await page.keyboard.press("Enter");
  const token = await page.getByTestId("new-token").inputValue();
  await page.screenshot({ path: test.info().outputPath("account-token.png"), fullPage: true });

  const auth = { authorization: `Bearer ${token}` };
  const projects = (await (await page.request.get("/api/v1/projects", { headers: auth })).json()) as { projects: { slug: string }[] };
  expect(projects.projects.map((p) => p.slug)).toContain(mine);
  const other = await withDb(async (db) => (await db.query<{ slug: string }>(`SELECT slug FROM "Project" p WHERE NOT EXISTS (SELECT 1 FROM "ProjectMember" m JOIN "User" u ON u.id = m."userId" WHERE m."projectId" = p.id AND u.email = $1) LIMIT 1`, [ANNOTATOR.email])).rows[0]);
  if (other) expect((await page.request.get(`/api/v1/projects/${other.slug}`, { headers: auth })).status()).toBe(404);
  const annotations = await page.request.get(`/api/v1/projects/${mine}/annotations`, { headers: auth });
  expect(annotations.status()).toBe(200);
  expect((await page.request.get("/api/v1/runs", { headers: auth })).status()).toBe(403);
});
