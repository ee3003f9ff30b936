// Self-Instruct walked as an admin does it: register the team's model server, open a demonstration project's import
// page, upload a seed file (a broken one first: every bad line named), queue the run, follow it on its run page to
// the end, and find the kept instructions as items an annotator writes demonstrations for. Into a pairwise project the
// same endpoint answers each kept instruction twice, and the annotator compares the answers by keyboard.
import { writeFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { startFakeOpenAI, type FakeServer } from "../integration/generation/openai-server";
import { ADMIN, ANNOTATOR, annotationCount, createProject, signIn, withDb } from "./helpers";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

// new tasks the "teacher" writes, two per answer, with a near-copy of a seed and a too-short one in each
const NEW_TASKS = [
  "Suggest a name for a bakery that sells bagels.",
  "Describe how volcanoes erupt underwater.",
  "Compose an email declining a meeting politely.",
  "Compare jazz with blues rhythmically.",
  "Recommend board games suitable for families.",
  "Outline steps when changing car tyres.",
  "Explain why bread dough needs kneading.",
  "Draft a packing list for a rainy hike.",
];

let server: FakeServer;
test.beforeAll(async () => {
  let n = 0;
  server = await startFakeOpenAI((_i, body) => {
    const asked = body.messages[0].content;
    // a kept instruction asked alone: the endpoint answers it n times, differently
    if (!asked.startsWith("Come up with a series of tasks")) {
      return { kind: "ok", texts: Array.from({ length: body.n ?? 1 }, (_, k) => `**Answer ${k + 1}** to "${asked}": ${k === 0 ? "short and direct." : "longer, with <b>markup</b> kept inert."}`) };
    }
    const [a, b] = [NEW_TASKS[n % NEW_TASKS.length], NEW_TASKS[(n + 1) % NEW_TASKS.length]];
    n += 2;
    return { kind: "ok", texts: [` ${a}\n10. Give three tips for staying very healthy.\n11. Add numbers\n12. ${b}`] };
  }, 150);
});
test.afterAll(async () => server.close());

test("Self-Instruct from the import page: seed file checked by line, run followed to the end, prompts ready to answer", async ({ page }, info) => {
  test.setTimeout(180_000);
  const slug = await createProject({ taskType: "DEMONSTRATION", items: [] });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, ADMIN, "/admin/endpoints");

  const endpointName = `teacher-${slug}`;
  await page.getByLabel("Name").fill(endpointName);
  await page.getByLabel("Model").fill("teacher-7b");
  await page.getByLabel("Base URL").fill(`${server.url}`);
  await page.getByLabel("Concurrency").fill("2");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByRole("cell", { name: endpointName, exact: true })).toBeVisible();

  const projectId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id);
  await page.goto(`/admin/projects/${projectId}/import`);
  await expect(page.getByText("Demonstration project: a prompt alone is an item to write a response for")).toBeVisible();
  const panel = page.getByRole("region", { name: "Bootstrap prompts with Self-Instruct" });
  await expect(panel).toBeVisible();

  // a broken seed file: every bad line is named, and nothing is queued
  const broken = info.outputPath("broken-seeds.jsonl");
  await writeFile(broken, ['{"instruction": "Give three tips for staying healthy."}', "{not json", '{"input": "no instruction"}', ""].join("\n"));
  await panel.getByLabel("Seed tasks (JSONL)").setInputFiles(broken);
  const problems = panel.getByRole("alert");
  await expect(problems).toContainText("broken-seeds.jsonl has 2 problems");
  await expect(problems).toContainText("line 2: not valid JSON");
  await expect(problems).toContainText("line 3: instruction");
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.getByText("fix the seed file first")).toBeVisible();
  await shot(page, "self-instruct-broken-seeds");

  const seeds = info.outputPath("seed_tasks.jsonl");
  await writeFile(
    seeds,
    [
      { instruction: "Give three tips for staying healthy.", input: "", output: "1. Eat well. 2. Move. 3. Sleep." },
      { instruction: "Translate the sentence into French.", input: "The cat sleeps.", output: "Le chat dort." },
      { instruction: "Write a limerick about a programmer." },
      { instruction: "List five countries in South America." },
      { instruction: "Explain why the sky is blue to a child." },
      { instruction: "Summarize the paragraph in one sentence." },
    ]
      .map((s) => JSON.stringify(s))
      .join("\n"),
  );
  await panel.getByLabel("Seed tasks (JSONL)").setInputFiles(seeds);
  await expect(panel.getByText("6 seed tasks in seed_tasks.jsonl")).toBeVisible();
  await panel.getByLabel("Generator", { exact: true }).selectOption({ label: `${endpointName} (teacher-7b)` });
  // a target out of range is refused by the server, naming the field
  await panel.getByLabel("Instructions to keep").fill("0");
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.locator("#config\\.target-error")).toContainText(/at least 1|too small|>=1/i);
  await panel.getByLabel("Instructions to keep").fill("6");
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.getByRole("status")).toContainText("Queued.");
  await shot(page, "self-instruct-queued");

  // the run page: it ends, with the kept and filtered counts charted and the summary in its log
  await panel.getByRole("link", { name: "Follow the run" }).click();
  await expect(page.getByRole("heading", { name: /Self-Instruct 6 for/ })).toBeVisible();
  await expect(page.getByTestId("run-status")).toHaveText(/succeeded/i, { timeout: 90_000 });
  await expect(page.getByRole("figure", { name: "Instructions" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Filtered, by reason" })).toBeVisible();
  await expect(page.getByText(/kept 6 new instructions as items/)).toBeVisible();
  // a point per round: 4 kept after the first, 6 after the second
  await expect(page.getByRole("figure", { name: "Instructions" })).toContainText("kept 6 at step 4");
  await expect(page.getByText("… and 3 more")).toBeVisible();
  await shot(page, "self-instruct-run");

  // back on the import page, the run is listed done; the project holds the 6 new prompts and nothing else
  await page.goto(`/admin/projects/${projectId}/import`);
  const runs = page.getByRole("table", { name: "Self-Instruct runs of this project" });
  await expect(runs.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  const prompts = await withDb(async (db) =>
    (await db.query<{ text: string }>(`SELECT p.messages -> 0 ->> 'content' AS text FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId" WHERE i."projectId" = $1`, [projectId])).rows.map((r) => r.text),
  );
  expect(prompts.sort()).toEqual(NEW_TASKS.slice(0, 6).sort());
  // two rounds of 2 requests (the endpoint's concurrency), 2 new tasks per answer: 4 kept, then the last 2
  expect(server.requests.length).toBe(4);

  // an annotator gets them as prompts to write for
  await page.context().clearCookies();
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  await expect(page.locator('[data-testid="item"][data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId("item")).toContainText(/bagels|volcanoes|email|jazz|board games|tyres/);
  await shot(page, "self-instruct-annotator");
});

test("Self-Instruct into a pairwise project: each kept instruction answered twice, compared by keyboard", async ({ page }) => {
  test.setTimeout(180_000);
  const slug = await createProject({ taskType: "PAIRWISE", items: [] });
  const projectId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id);
  const endpointName = `answerer-${slug}`;
  await withDb((db) => db.query(`INSERT INTO "Endpoint" (id, name, "baseUrl", model, concurrency) VALUES (gen_random_uuid()::text, $1, $2, 'teacher-7b', 2)`, [endpointName, server.url]));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, ADMIN, `/admin/projects/${projectId}/import`);
  const panel = page.getByRole("region", { name: "Bootstrap prompts with Self-Instruct" });
  await expect(panel).toContainText("the same generator then answers each kept one");
  await expect(panel.getByLabel("Responses per instruction")).toHaveValue("2");
  const seeds = test.info().outputPath("seeds.jsonl");
  await writeFile(seeds, ["Give three tips for staying healthy.", "Write a limerick about a programmer.", "List five countries in South America."].map((instruction) => JSON.stringify({ instruction })).join("\n"));
  await panel.getByLabel("Seed tasks (JSONL)").setInputFiles(seeds);
  await panel.getByLabel("Generator", { exact: true }).selectOption({ label: `${endpointName} (teacher-7b)` });
  // one answer cannot be compared: the server refuses it, naming the field
  await panel.getByLabel("Responses per instruction").fill("1");
  await panel.getByLabel("Instructions to keep").fill("4");
  await panel.getByLabel("Examples per request").fill("3");
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.locator("#config\\.responses-error")).toContainText("at least 2");
  await panel.getByLabel("Responses per instruction").fill("2");
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.getByRole("status")).toContainText("each with its responses");
  await panel.getByRole("link", { name: "Follow the run" }).click();
  await expect(page.getByTestId("run-status")).toHaveText(/succeeded/i, { timeout: 90_000 });
  await expect(page.getByText(/kept 4 new instructions as items/)).toBeVisible();
  await shot(page, "self-instruct-pairwise-run");

  // four items, each a pair of the endpoint's answers to its instruction
  const items = await withDb(async (db) =>
    (await db.query<{ prompt: string; texts: string[] }>(
      `SELECT p.messages -> 0 ->> 'content' AS prompt, array_agg(c.text ORDER BY ic.position) AS texts
         FROM "Item" i JOIN "Prompt" p ON p.id = i."promptId" JOIN "ItemCandidate" ic ON ic."itemId" = i.id JOIN "Candidate" c ON c.id = ic."candidateId"
        WHERE i."projectId" = $1 GROUP BY i.id, p.messages`,
      [projectId],
    )).rows,
  );
  expect(items).toHaveLength(4);
  for (const it of items) expect(it.texts).toEqual([`**Answer 1** to "${it.prompt}": short and direct.`, `**Answer 2** to "${it.prompt}": longer, with <b>markup</b> kept inert.`]);

  // the annotator compares all four by keyboard; the answers render as markdown, the markup as text
  await page.context().clearCookies();
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const item = page.locator('[data-testid="item"][data-ready="true"]');
    await expect(item).toBeVisible();
    const id = (await item.getAttribute("data-assignment-id"))!;
    seen.add(id);
    // the prompt is one of the kept instructions; both answers to it, bold rendered, the tag shown as text
    await expect(item).toContainText(/bagels|volcanoes|email|jazz|board games|tyres|kneading|hike/);
    await expect(page.getByTestId("candidate-A").locator("strong")).toHaveText(/^Answer [12]$/);
    await expect(page.getByTestId("candidate-B").locator("strong")).toHaveText(/^Answer [12]$/);
    await expect(item.getByText("<b>markup</b>", { exact: false })).toBeVisible();
    if (i === 0) await shot(page, "self-instruct-pairwise-annotator");
    await page.keyboard.press(String(i + 1));
    await page.keyboard.press("Enter");
    if (i < 3) await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id);
  }
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  expect(seen.size).toBe(4);
  await expect.poll(() => annotationCount(ANNOTATOR.email, slug)).toBe(4);
});

test("Self-Instruct with a registered policy as the generator, chosen by keyboard; the choice is checked on the field", async ({ page }, info) => {
  test.setTimeout(120_000);
  const slug = await createProject({ taskType: "DEMONSTRATION", items: [] });
  const projectId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id);
  const policyName = `zq-policy-${slug}`;
  // registered, but its directory is not on the worker's disk: the run is queued and then fails, saying so
  const policyId = await withDb(async (db) =>
    (await db.query<{ id: string }>(`INSERT INTO "Model" (id, name, kind, backend, path) VALUES (gen_random_uuid()::text, $1, 'POLICY', 'tiny', '/nonexistent/zq-policy') RETURNING id`, [policyName])).rows[0].id,
  );
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, ADMIN, `/admin/projects/${projectId}/import`);
  const panel = page.getByRole("region", { name: "Bootstrap prompts with Self-Instruct" });
  const seeds = info.outputPath("seeds.jsonl");
  await writeFile(seeds, ["Give three tips for staying healthy.", "Write a limerick about a programmer."].map((instruction) => JSON.stringify({ instruction })).join("\n"));
  await panel.getByLabel("Seed tasks (JSONL)").setInputFiles(seeds);

  // the seed input, then the generator: one Tab; type-ahead picks the policy from the "Registered policies" group
  await panel.getByLabel("Seed tasks (JSONL)").focus();
  await page.keyboard.press("Tab");
  const generator = panel.getByLabel("Generator", { exact: true });
  await expect(generator).toBeFocused();
  await expect(generator.locator('optgroup[label="Registered policies"]')).toContainText(`${policyName} (policy, tiny)`);
  await page.keyboard.type(policyName);
  await expect(generator).toHaveValue(`policy:${policyId}`);
  await panel.getByLabel("Instructions to keep").fill("3");
  await panel.getByLabel("Instructions to keep").press("Enter");
  await expect(panel.getByRole("status")).toContainText("Queued.");
  await shot(page, "self-instruct-policy-queued");
  const config = await withDb(async (db) => (await db.query<{ config: Record<string, unknown> }>(`SELECT config FROM "TrainingRun" WHERE "projectId" = $1`, [projectId])).rows[0].config);
  expect(config).toMatchObject({ policy_model_id: policyId, target: 3 });
  expect(config).not.toHaveProperty("endpoint_id");

  // the policy is removed from the registry meanwhile: the next launch is refused on the generator field
  await withDb((db) => db.query(`DELETE FROM "Model" WHERE id = $1`, [policyId]));
  await panel.getByRole("button", { name: "Queue Self-Instruct run" }).click();
  await expect(panel.locator("#generator-error")).toHaveText("not a policy");
  await expect(generator).toHaveAttribute("aria-invalid", "true");
  await shot(page, "self-instruct-policy-refused");
});
