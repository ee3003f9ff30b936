// A project reviewer's day, as walked in Chromium: four annotators have judged 40 pairwise items (160 judgements,
// some flagged, some disagreeing); the reviewer signs in, filters the browser (the filters land in the URL), opens
// a judgement in the order its annotator saw it, rejects it, works the review queue and corrects one; the admin's
// next export no longer has the rejected pair and has the corrected one the other way round.
import { expect, test } from "@playwright/test";
import { ADMIN, createProject, createUser, signIn, withDb } from "./helpers";

const TOPICS = ["reverse a list in Python", "center a div in CSS", "read a file line by line in Go", "sort a map by value in Java", "debounce a function in JavaScript"];

function items(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length];
    return {
      prompt: `Question ${i}: how do I ${topic}?`,
      candidates: [
        `Here is the usual way to ${topic} (answer ${i}):\n\n1. Start from the input.\n2. Apply the standard library call.\n\n\`\`\`\nexample_${i}()\n\`\`\`\n\nThis keeps the original intact.`,
        `You can't really ${topic}; try a search engine. (answer ${i})`,
      ],
    };
  });
}

/** Each annotator judges every item; the shown order alternates; annotator k prefers the weak answer on every item i with (i + k) % 5 = 0. */
async function seedJudgements(slug: string, annotatorIds: string[]) {
  await withDb(async (db) => {
    for (const [k, userId] of annotatorIds.entries()) {
      await db.query(
        `WITH its AS (
           SELECT i.id AS item_id, i."projectId" AS project_id, i."promptId" AS prompt_id,
                  row_number() OVER (ORDER BY i."createdAt") - 1 AS n,
                  (SELECT array_agg(ic."candidateId" ORDER BY ic.position) FROM "ItemCandidate" ic WHERE ic."itemId" = i.id) AS c
             FROM "Item" i JOIN "Project" p ON p.id = i."projectId" WHERE p.slug = $1),
         picked AS (
           SELECT *, CASE WHEN (n + $3) % 5 = 0 THEN c[2] ELSE c[1] END AS best, CASE WHEN (n + $3) % 5 = 0 THEN c[1] ELSE c[2] END AS worst,
                  'a-' || $3 || '-' || item_id AS assignment_id, 'n-' || $3 || '-' || item_id AS annotation_id
             FROM its),
         asg AS (
           INSERT INTO "Assignment"(id, "itemId", "userId", "projectId", state, "leasedAt", "expiresAt", "shownOrder")
           SELECT assignment_id, item_id, $2, project_id, 'SUBMITTED', now() - make_interval(mins => (n * 4 + $3)::int), now(),
                  CASE WHEN (n + $3) % 2 = 0 THEN c ELSE ARRAY[c[2], c[1]] END
             FROM picked RETURNING id),
         ann AS (
           INSERT INTO "Annotation"(id, "submissionId", "assignmentId", "itemId", "projectId", "userId", ranking, strength, "timeSpentMs", flags, rationale, "createdAt", "updatedAt")
           SELECT annotation_id, gen_random_uuid()::text, assignment_id, item_id, project_id, $2,
                  jsonb_build_array(jsonb_build_array(best), jsonb_build_array(worst)),
                  (ARRAY['MUCH_BETTER', 'BETTER', 'SLIGHTLY_BETTER'])[1 + (n + $3) % 3]::"Strength",
                  2000 + ((n * 7919 + $3 * 104729) % 58000)::int,
                  CASE WHEN $3 = 0 AND n % 17 = 0 THEN ARRAY['unsafe'] ELSE '{}' END,
                  CASE WHEN n % 3 = 0 THEN 'The first answer shows code.' ELSE '' END,
                  now() - make_interval(mins => (n * 4 + $3)::int), now()
             FROM picked RETURNING id)
         INSERT INTO "Comparison"("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
         SELECT annotation_id, project_id, item_id, prompt_id, $2, best, worst, 2 FROM picked`,
        [slug, userId, k],
      );
    }
    await db.query(`UPDATE "Item" SET "completedCount" = $2, status = 'COMPLETE' WHERE "projectId" = (SELECT id FROM "Project" WHERE slug = $1)`, [slug, annotatorIds.length]);
  });
}

test("a reviewer filters, opens, rejects and corrects judgements; the next export reflects it", async ({ page }, testInfo) => {
  const slug = await createProject({ taskType: "PAIRWISE", items: items(40) });
  const annotators = await Promise.all([createUser(), createUser(), createUser(), createUser()]);
  const reviewer = await createUser();
  const projectId = await withDb(async (db) => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug]);
    await db.query(`UPDATE "Project" SET overlap = 4, "reviewSampleRate" = 0 WHERE id = $1`, [rows[0].id]);
    await db.query(`INSERT INTO "ProjectMember"("projectId", "userId", role) VALUES ($1, $2, 'REVIEWER')`, [rows[0].id, reviewer.id]);
    for (const a of annotators) await db.query(`INSERT INTO "ProjectMember"("projectId", "userId") VALUES ($1, $2)`, [rows[0].id, a.id]);
    return rows[0].id;
  });
  await seedJudgements(slug, annotators.map((a) => a.id));

  await signIn(page, reviewer, "/review");
  await page.getByRole("link", { name: "Browse judgements" }).click();
  await expect(page.getByRole("heading", { name: `E2E ${slug}: judgements` })).toBeVisible();
  await expect(page.getByTestId("judgement-row")).toHaveCount(50);
  await page.screenshot({ path: testInfo.outputPath("browser.png"), fullPage: true });

  // the second page by its link, then filters: one annotator's disagreeing judgements
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByTestId("judgement-row")).toHaveCount(50);
  await page.getByLabel("Annotator").selectOption({ label: annotators[1].name });
  await page.getByLabel("Disagrees").selectOption("yes");
  await page.getByLabel("Sort").selectOption("slowest");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`annotator=${annotators[1].id}.*disagree=yes.*sort=slowest`));
  // annotator 1 goes against the rest on 8 of the 40 items, and the rest go against them on 8 more where another does
  const rows = page.getByTestId("judgement-row");
  await expect(rows.first()).toBeVisible();
  const shown = await rows.count();
  expect(shown).toBeGreaterThanOrEqual(8);
  await expect(rows.filter({ hasText: "disagrees" })).toHaveCount(shown);
  await page.screenshot({ path: testInfo.outputPath("browser-filtered.png"), fullPage: true });

  // the filtered view is a link: a fresh load shows the same rows
  const url = page.url();
  await page.goto(url);
  await expect(page.getByTestId("judgement-row")).toHaveCount(shown);

  // open one: as its annotator saw it, every vote beside it
  const rejectedId = (await rows.first().getAttribute("data-annotation-id"))!;
  await rows.first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: `Judgement by ${annotators[1].name}` })).toBeVisible();
  const shownOrder = await withDb(async (db) => (await db.query<{ o: string[] }>(`SELECT a."shownOrder" AS o FROM "Assignment" a JOIN "Annotation" n ON n."assignmentId" = a.id WHERE n.id = $1`, [rejectedId])).rows[0].o);
  const firstText = await withDb(async (db) => (await db.query<{ text: string }>(`SELECT text FROM "Candidate" WHERE id = $1`, [shownOrder[0]])).rows[0].text);
  await expect(page.getByTestId("candidate-A")).toContainText(firstText.split("\n")[0]);
  await expect(page.getByTestId("votes").locator("thead th")).toHaveCount(5);
  await page.screenshot({ path: testInfo.outputPath("judgement.png"), fullPage: true });

  await page.getByRole("button", { name: "Reject…" }).click();
  await page.getByLabel("Reason").selectOption("Preferred the worse response");
  await page.getByLabel(/^Details/).fill("the second answer refuses to help");
  await page.getByRole("button", { name: "Reject judgement" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rejected." })).toBeVisible();
  await expect(page.getByTestId("history")).toContainText("rejected this judgement — “Preferred the worse response: the second answer refuses to help”");

  // the queue: flagged and disagreeing judgements, oldest first; correct the first one by keyboard
  await page.goto(`/review/${projectId}/queue`);
  await expect(page).toHaveURL(/\/judgements\/.+\?queue=1/);
  const correctedId = page.url().match(/judgements\/([^?]+)/)![1];
  await page.getByRole("button", { name: "Correct…" }).click();
  const before = await withDb(async (db) => (await db.query<{ ranking: string[][] }>(`SELECT ranking FROM "Annotation" WHERE id = $1`, [correctedId])).rows[0].ranking);
  const labelOf = async (candidateId: string) => {
    const order = await withDb(async (db) => (await db.query<{ o: string[] }>(`SELECT a."shownOrder" AS o FROM "Assignment" a JOIN "Annotation" n ON n."assignmentId" = a.id WHERE n.id = $1`, [correctedId])).rows[0].o);
    return "AB"[order.indexOf(candidateId)];
  };
  await page.getByLabel(`Rank of response ${await labelOf(before[0][0])}`, { exact: true }).fill("2");
  await page.getByLabel(`Rank of response ${await labelOf(before[1][0])}`, { exact: true }).fill("1");
  await page.getByLabel("Strength", { exact: true }).selectOption("MUCH_BETTER");
  await page.getByLabel("Note on the correction").fill("the refusal is not the better answer");
  await page.getByLabel("Note on the correction").press("Enter");
  // moves on to the next judgement of the queue
  await expect(page).toHaveURL((u) => u.searchParams.get("queue") === "1" && !u.pathname.endsWith(correctedId));
  await page.screenshot({ path: testInfo.outputPath("queue-next.png"), fullPage: true });

  // the annotators disagree on this one: set the final answer, and keep the item as gold with it
  const adjudicatedItem = await withDb(async (db) => (await db.query<{ item: string }>(`SELECT "itemId" AS item FROM "Annotation" WHERE id = $1`, [page.url().match(/judgements\/([^?]+)/)![1]])).rows[0].item);
  await page.getByLabel("Final rank of response A").fill("1");
  await page.getByLabel("Final rank of response B").fill("2");
  await page.getByLabel("Adjudication note").fill("A answers the question");
  await page.getByRole("button", { name: "Set final answer" }).click();
  await expect(page.getByTestId("adjudicated")).toContainText("A ≻ B");
  await page.getByRole("button", { name: "Make gold" }).click();
  await expect(page.getByTestId("gold-state")).toContainText("Gold item; expected answer: A ≻ B");
  await page.screenshot({ path: testInfo.outputPath("adjudicated.png"), fullPage: true });
  expect(await withDb(async (db) => (await db.query<{ g: boolean }>(`SELECT "isGold" AS g FROM "Item" WHERE id = $1`, [adjudicatedItem])).rows[0].g)).toBe(true);

  // the browser shows both reviews
  await page.goto(`/review/${projectId}?review=rejected`);
  await expect(page.getByTestId("judgement-row")).toHaveCount(1);
  await page.goto(`/review/${projectId}?review=corrected`);
  await expect(page.getByTestId("judgement-row")).toHaveCount(1);

  // the reviewer's own download of the filtered set
  const csv = await page.request.get(`/api/projects/${projectId}/judgements?format=csv&review=corrected`);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split("\r\n")[1]).toContain(correctedId);

  // the admin's next export
  await page.context().clearCookies();
  await signIn(page, ADMIN, "/admin/exports");
  // the form is folded away once any snapshot exists (other specs make some)
  await expect(page.getByRole("heading", { name: "Exports", exact: true })).toBeVisible();
  if (!(await page.getByLabel("Name", { exact: true }).isVisible())) await page.locator("summary", { hasText: "New snapshot" }).click();
  await page.getByLabel("Name", { exact: true }).fill("e2e-reviewed");
  await page.getByLabel(`E2E ${slug}`).check();
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await page.getByRole("link", { name: /e2e-reviewed v\d+/ }).first().click();
  await expect(page.getByText("ready", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  const res = await page.request.get((await page.getByRole("link", { name: /^train\.jsonl$/ }).getAttribute("href"))!);
  const test_ = await page.getByRole("link", { name: /^test\.jsonl$/ }).getAttribute("href");
  const text = (await res.text()) + (test_ ? await (await page.request.get(test_)).text() : "");
  const exported = text.trim().split("\n").filter(Boolean);
  // the form leaves flagged items out by default: 3 flagged items × 4 judgements, and the rejected judgement unless
  // its item is one of those
  const rejectedFlagged = await withDb(async (db) =>
    (await db.query<{ f: boolean }>(`SELECT EXISTS (SELECT 1 FROM "Annotation" o WHERE o."itemId" = a."itemId" AND cardinality(o.flags) > 0) AS f FROM "Annotation" a WHERE a.id = $1`, [rejectedId])).rows[0].f,
  );
  expect(exported).toHaveLength(160 - 12 - (rejectedFlagged ? 0 : 1));
  const texts = await withDb(async (db) =>
    (await db.query<{ chosen: string; rejected: string }>(
      `SELECT ch.text AS chosen, rj.text AS rejected FROM "Comparison" c JOIN "Candidate" ch ON ch.id = c."chosenId" JOIN "Candidate" rj ON rj.id = c."rejectedId" WHERE c."annotationId" = $1`,
      [correctedId],
    )).rows[0],
  );
  // the corrected judgement's pair is now the other way round
  expect(texts.chosen).toBe(await withDb(async (db) => (await db.query<{ text: string }>(`SELECT text FROM "Candidate" WHERE id = $1`, [before[1][0]])).rows[0].text));
});

test("an annotator paused for gold accuracy sees why on their page; an admin reinstates them", async ({ page }) => {
  const slug = await createProject({ taskType: "PAIRWISE", items: items(5) });
  const annotator = await createUser();
  await withDb(async (db) => {
    await db.query(
      `INSERT INTO "ProjectMember"("projectId", "userId", "pausedAt", "pauseReason") SELECT id, $2, now(), $3 FROM "Project" WHERE slug = $1`,
      [slug, annotator.id, "Your gold accuracy in this project is 20% after 10 gold items (the minimum is 70%). An admin reviews your work and can let you continue."],
    );
  });
  await signIn(page, annotator, `/annotate/${slug}`);
  // the queue answers with the refusal in place of an item: a heading, and the reason with the figures
  await expect(page.getByRole("heading", { name: "You are paused in this project" })).toBeVisible();
  await expect(page.getByText(/^You are paused in "/)).toContainText("20% after 10 gold items");
  await page.context().clearCookies();
  await signIn(page, ADMIN, "/admin");
  await page.getByRole("link", { name: `E2E ${slug}` }).click();
  const row = page.getByRole("listitem").filter({ hasText: annotator.email });
  await expect(row.getByText("paused")).toBeVisible();
  await row.getByRole("button", { name: "Reinstate" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${annotator.name} may judge again.` })).toBeVisible();
  await page.context().clearCookies();
  await signIn(page, annotator, `/annotate/${slug}`);
  await expect(page.getByTestId("candidate-A")).toBeVisible();
});
