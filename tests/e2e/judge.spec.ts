// The AI judge walked as a data team uses it: the admin queues a judge run from the analytics page (a broken prompt
// template first, refused at its field), follows it to the end, and turns on prefilled suggestions; the annotator
// works six items by keyboard, confirming the judge's verdict with a second Enter or overruling it; the judge panel
// then compares the judge with the annotator. In a project that shows the verdict after submitting, it appears
// beside the annotator's own once each judgement is sent.
import { expect, test, type Page } from "@playwright/test";
import { startFakeOpenAI, type FakeServer } from "../integration/generation/openai-server";
import { ADMIN, ANNOTATOR, annotationCount, createProject, signIn, withDb } from "./helpers";

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

let server: FakeServer;
test.beforeAll(async () => {
  // the judge prefers the answer that states the sum; on the question about 5 it always picks the first shown
  server = await startFakeOpenAI((_i, body) => {
    const user = body.messages.find((m) => m.role === "user")?.content ?? "";
    if (user.includes("What is 5 + 5?")) return { kind: "ok", texts: ["Assistant A reads better. [[A>B]]"] };
    const a = /<\|The Start of Assistant A's Answer\|>\n([\s\S]*?)\n<\|The End/.exec(user)?.[1] ?? "";
    return { kind: "ok", texts: [a.startsWith("The sum is") ? "A states the sum correctly. [[A>>B]]" : "B states the sum correctly. [[B>>A]]"] };
  }, 50);
});
test.afterAll(async () => server.close());

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ prompt: `What is ${i} + ${i}?`, candidates: [`The sum is **${2 * i}**.`, `Probably ${2 * i + 1}, <i>roughly</i>.`] }));

async function projectId(slug: string): Promise<string> {
  return withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id);
}

test("an AI judge run from the analytics page, its verdicts prefilled for the annotator and compared with them", async ({ page }) => {
  test.setTimeout(180_000);
  const slug = await createProject({ taskType: "PAIRWISE", items: items(6) });
  const id = await projectId(slug);
  const endpointName = `judge-${slug}`;
  await withDb((db) => db.query(`INSERT INTO "Endpoint" (id, name, "baseUrl", model, concurrency) VALUES (gen_random_uuid()::text, $1, $2, 'judge-7b', 2)`, [endpointName, server.url]));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, ADMIN, `/admin/projects/${id}/analytics`);

  const panel = page.getByRole("region", { name: "AI judge" });
  await expect(panel).toContainText("No judge has judged this project yet.");
  await panel.getByLabel("Judge", { exact: true }).selectOption({ label: `${endpointName} (judge-7b)` });
  // a template that hides response B and the question from the judge is refused at its field
  await panel.getByText("Prompt template").click();
  await panel.getByLabel("User message").fill("Which is better? {{answer_a}}");
  await panel.getByRole("button", { name: "Queue AI judge run" }).click();
  await expect(panel.locator("#config\\.template-error")).toContainText("the template must contain {{question}}, {{answer_b}}");
  await shot(page, "judge-template-refused");
  await page.reload();
  await panel.getByLabel("Judge", { exact: true }).selectOption({ label: `${endpointName} (judge-7b)` });
  await panel.getByRole("button", { name: "Queue AI judge run" }).click();
  await expect(panel.getByRole("status")).toContainText("Queued.");

  await panel.getByRole("link", { name: "Follow the run" }).click();
  await expect(page.getByTestId("run-status")).toHaveText(/succeeded/i, { timeout: 90_000 });
  await expect(page.getByRole("figure", { name: "Items" })).toBeVisible();
  await expect(page.getByText("judged 6 of 6 items in 12 requests; the two orders disagreed on 1")).toBeVisible();
  await shot(page, "judge-run");
  // both orders were asked for every item; the judge saw the text as written, markup and all
  expect(server.requests).toHaveLength(12);
  expect(server.requests.some((r) => r.body.messages[1].content.includes("Probably 1, <i>roughly</i>."))).toBe(true);

  // the admin lets annotators see the verdicts as a prefill to confirm
  await page.goto(`/admin/projects/${id}`);
  await page.getByLabel("AI judge's suggestions").selectOption("PREFILL");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  // the annotator: every item arrives with the judge's verdict filled in; Enter asks to confirm, Enter again sends
  // it; on the question about 2 they overrule the judge by keyboard (1 or 7, the other side) and it goes at once
  await page.context().clearCookies();
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  for (let i = 0; i < 6; i++) {
    const item = page.locator('[data-testid="item"][data-ready="true"]');
    await expect(item).toBeVisible();
    const assignment = (await item.getAttribute("data-assignment-id"))!;
    const banner = page.getByTestId("suggestion-banner");
    await expect(banner).toContainText("Filled in from the AI judge (judge-7b)");
    const question = (await item.textContent()) ?? "";
    const checked = page.getByTestId("scale").locator('[aria-checked="true"]');
    if (question.includes("What is 5 + 5?")) {
      // the judge contradicted itself across the orders: its suggestion is a tie
      await expect(checked).toHaveAttribute("aria-label", "Tie");
    } else {
      await expect(checked).toHaveAttribute("aria-label", /^[AB] much better$/);
    }
    if (i === 0) await shot(page, "judge-prefill");
    if (question.includes("What is 2 + 2?")) {
      // the other side than the judge's, wherever the shuffle put the stated sum
      const sumIsA = ((await page.getByTestId("candidate-A").textContent()) ?? "").includes("The sum is");
      await page.keyboard.press(sumIsA ? "7" : "1");
      await expect(banner).toBeHidden();
      await page.keyboard.press("Enter");
    } else {
      await page.keyboard.press("Enter");
      await expect(page.getByText("The AI judge's suggestion is filled in.")).toBeVisible();
      if (i === 1) await shot(page, "judge-prefill-confirm");
      await page.keyboard.press("Enter");
    }
    if (i < 5) await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", assignment);
  }
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  await expect.poll(() => annotationCount(ANNOTATOR.email, slug)).toBe(6);
  const stored = await withDb(async (db) =>
    (await db.query<{ mode: string; strength: string; prompt: string }>(
      `SELECT a."suggestionMode"::text AS mode, a.strength::text AS strength, p.messages -> 0 ->> 'content' AS prompt
         FROM "Annotation" a JOIN "Item" i ON i.id = a."itemId" JOIN "Prompt" p ON p.id = i."promptId" WHERE a."projectId" = $1`,
      [id],
    )).rows,
  );
  expect(stored.every((r) => r.mode === "PREFILL")).toBe(true);
  expect(stored.find((r) => r.prompt === "What is 2 + 2?")?.strength).toBe("MUCH_BETTER");
  expect(stored.find((r) => r.prompt === "What is 5 + 5?")?.strength).toBe("TIE");

  // the judge panel: the annotator took 5 of its 6 verdicts; the orders agreed on 5 of 6 items
  await page.context().clearCookies();
  await signIn(page, ADMIN, `/admin/projects/${id}/analytics`);
  const figures = page.getByRole("region", { name: "AI judge" });
  await expect(figures.getByText("Judge–human agreement", { exact: true })).toBeVisible();
  await expect(figures.locator("dd", { hasText: "83%" }).first()).toBeVisible();
  await expect(figures.getByRole("img", { name: "judge-7b vs people, agreement with ties: 83%" })).toBeVisible();
  await expect(figures.getByText("Same verdict in both orders").locator("..")).toContainText("83%");
  await expect(figures.getByRole("table", { name: "Judge–human agreement per annotator" })).toBeVisible();
  await expect(figures.getByText("The judge's leaderboard")).toBeVisible();
  await figures.scrollIntoViewIfNeeded();
  await shot(page, "judge-panel");

  // an RLAIF dataset: the judge's verdicts mixed with the annotator's, each row saying whose it is
  await page.goto("/admin/exports");
  if (!(await page.getByRole("form", { name: "New snapshot" }).isVisible())) {
    await page.locator("summary", { hasText: "New snapshot" }).focus();
    await page.keyboard.press("Enter");
  }
  const name = `rlaif-${slug}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel(`E2E ${slug}`).check();
  await page.getByLabel("Labels").selectOption("both");
  await expect(page.getByLabel("AI judge", { exact: true })).toContainText("judge-7b");
  await page.getByLabel("Test ratio").fill("0");
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await page.getByRole("link", { name: new RegExp(`${name} v\\d+`) }).first().click();
  await expect(page.getByText("ready", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  const res = await page.request.get((await page.getByRole("link", { name: /^train\.jsonl$/ }).getAttribute("href"))!);
  const rows = (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  // five pairs each: the tie on the question about 5 (the judge's, confirmed by the annotator) gives none
  expect(rows.filter((r) => r.source === "human")).toHaveLength(5);
  expect(rows.filter((r) => r.source === "ai")).toHaveLength(5);
  expect(Object.keys(rows[0])).toEqual(["prompt_id", "prompt", "chosen", "rejected", "margin", "source"]);
  await expect(page.getByText(/Labels: people's judgements and the AI judge/).first()).toBeVisible();
  await shot(page, "judge-rlaif-snapshot");
});

test("shown after submitting: the judge's verdict beside the annotator's own, in the letters they saw", async ({ page }) => {
  test.setTimeout(120_000);
  const slug = await createProject({ taskType: "PAIRWISE", items: items(3) });
  const id = await projectId(slug);
  // a finished judge run's suggestions: for each item, the candidate stating the sum is better
  await withDb(async (db) => {
    const run = (await db.query<{ id: string }>(`INSERT INTO "TrainingRun" (id, kind, name, config, "projectId", status, "updatedAt") VALUES (gen_random_uuid()::text, 'JUDGE', 'judge', '{}', $1, 'SUCCEEDED', now()) RETURNING id`, [id])).rows[0].id;
    await db.query(
      `INSERT INTO "Suggestion" ("runId", "projectId", "itemId", judge, ranking, strength)
       SELECT $1, $2, i.id, 'judge-7b', jsonb_build_array(jsonb_build_array(c0."candidateId"), jsonb_build_array(c1."candidateId")), 'BETTER'
         FROM "Item" i JOIN "ItemCandidate" c0 ON c0."itemId" = i.id AND c0.position = 0 JOIN "ItemCandidate" c1 ON c1."itemId" = i.id AND c1.position = 1
        WHERE i."projectId" = $2`,
      [run, id],
    );
    await db.query(`UPDATE "Project" SET "suggestionMode" = 'AFTER_SUBMIT' WHERE id = $1`, [id]);
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  for (let i = 0; i < 3; i++) {
    const item = page.locator('[data-testid="item"][data-ready="true"]');
    await expect(item).toBeVisible();
    const assignment = (await item.getAttribute("data-assignment-id"))!;
    // nothing of the judge before submitting
    await expect(page.getByTestId("suggestion-banner")).toBeHidden();
    await expect(page.getByText("AI judge (judge-7b) on the item you just submitted")).toHaveCount(i === 0 ? 0 : 1);
    // the annotator always picks "B slightly better"; the stated sum is A or B as the assignment shuffled them
    const sumIsA = ((await page.getByTestId("candidate-A").textContent()) ?? "").includes("The sum is");
    await page.keyboard.press("5");
    await page.keyboard.press("Enter");
    const notice = page.getByRole("status").filter({ hasText: "AI judge (judge-7b) on the item you just submitted" });
    await expect(notice).toContainText(`AI judge (judge-7b) on the item you just submitted: ${sumIsA ? "A" : "B"} better. You: B slightly better.`);
    if (i === 0) await shot(page, "judge-after-submit");
    if (i < 2) await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", assignment);
  }
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  await expect.poll(() => annotationCount(ANNOTATOR.email, slug)).toBe(3);
  const modes = await withDb(async (db) => (await db.query<{ m: string }>(`SELECT DISTINCT "suggestionMode"::text AS m FROM "Annotation" WHERE "projectId" = $1`, [id])).rows.map((r) => r.m));
  expect(modes).toEqual(["AFTER_SUBMIT"]);
});
