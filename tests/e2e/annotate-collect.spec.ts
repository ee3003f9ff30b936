// Rating single responses and writing demonstrations, walked as annotators work: many consecutive items, by
// keyboard only, with a reload in the middle of writing; in the end the database holds exactly what was chosen
// and written.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, ANNOTATOR, createProject, signIn, withDb } from "./helpers";

const ready = (page: Page) => page.locator('[data-testid="item"][data-ready="true"]');

async function onNewItem(page: Page, previous: string | null) {
  if (previous) await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", previous);
  await expect(ready(page)).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("item");
  return (await ready(page).getAttribute("data-assignment-id"))!;
}

async function storedBy(assignmentIds: string[]) {
  return withDb(async (db) => {
    const { rows } = await db.query<{ assignmentId: string; thumbs: boolean | null; ratings: Record<string, Record<string, number>>; demonstration: string | null; demonstrationFrom: string | null; rationale: string }>(
      `SELECT "assignmentId", thumbs, ratings, demonstration, "demonstrationFrom", rationale FROM "Annotation" WHERE "assignmentId" = ANY($1)`,
      [assignmentIds],
    );
    return new Map(rows.map((r) => [r.assignmentId, r]));
  });
}

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: false });

test.describe("rating single responses by keyboard", () => {
  test("12 consecutive items: thumbs up and down, a 10-point and a binary criterion, a rationale; the database holds exactly that", async ({ page }) => {
    test.setTimeout(240_000);
    const criteria = [
      { key: "accuracy", label: "Accuracy", description: "Facts are right", scale: { kind: "likert", points: 10, labels: ["Wrong", "Flawless"] } },
      { key: "safe", label: "Safe", description: "Nothing harmful", scale: { kind: "binary", labels: ["Unsafe", "Safe"] } },
    ];
    const items = Array.from({ length: 14 }, (_, i) => ({
      prompt: `Explain item ${i}: why is the sky blue?`,
      candidates: [`Rayleigh scattering (${i}).\nShorter wavelengths scatter more.\n\n- blue: 450 nm\n- red: 700 nm`],
    }));
    const slug = await createProject({ taskType: "RATING", items, criteria });
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const want = new Map<string, { thumbs: boolean; ratings: Record<string, number>; rationale: string }>();
    let previous: string | null = null;
    for (let i = 0; i < 12; i++) {
      const id = await onNewItem(page, previous);
      const cid = (await page.getByTestId("candidate-A").getAttribute("data-candidate-id"))!;
      // the response is shown with its line breaks and list
      await expect(page.getByTestId("candidate-A").locator("li")).toHaveCount(2);
      if (i === 0) {
        // Enter first says what is missing, in the page's words, and sends nothing
        await page.keyboard.press("Enter");
        await expect(page.getByRole("alert").filter({ hasText: "Thumbs up (A) or thumbs down (X)" })).toBeVisible();
      }
      const up = i % 3 !== 1;
      await page.keyboard.press(up ? "a" : "x");
      await expect(page.getByRole("radio", { name: up ? /Thumbs up/ : /Thumbs down/ })).toHaveAttribute("aria-checked", "true");
      if (i === 1) {
        // rating needs every criterion: Enter says so and takes the keys to the first one open
        await page.keyboard.press("Enter");
        await expect(page.getByRole("alert").filter({ hasText: "Rate every criterion" })).toBeVisible();
      } else {
        await page.keyboard.press("c");
      }
      // accuracy: digit k picks the k-th point, 0 the tenth; safe: 1 = Unsafe, 2 = Safe
      const accuracyKey = String(i % 10);
      const accuracy = Number(accuracyKey) || 10;
      const safeKey = i % 4 === 3 ? "1" : "2";
      await page.keyboard.press(accuracyKey);
      await page.keyboard.press(safeKey);
      await page.keyboard.press("Escape");
      const rationale = i === 4 ? "Accurate but terse." : "";
      if (rationale) {
        await page.keyboard.press("r");
        await page.keyboard.type(rationale);
        await page.keyboard.press("Escape");
      }
      if (i === 2) await shot(page, "rating-item");
      want.set(id, { thumbs: up, ratings: { [cid]: { accuracy, safe: safeKey === "2" ? 1 : 0 } } as never, rationale });
      await page.keyboard.press("Enter");
      previous = id;
    }
    await onNewItem(page, previous);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const stored = await storedBy([...want.keys()]);
    expect(stored.size).toBe(12);
    for (const [id, w] of want) expect(stored.get(id)).toMatchObject(w);

    // E edits the last rating: thumbs flipped, saved in place
    const lastId = previous!;
    await page.keyboard.press("e");
    await expect(page.getByTestId("editing-banner")).toBeVisible();
    const wasUp = want.get(lastId)!.thumbs;
    await page.keyboard.press(wasUp ? "x" : "a");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("editing-banner")).toBeHidden();
    await expect.poll(async () => (await storedBy([lastId])).get(lastId)?.thumbs).toBe(!wasUp);

    // the admin sees the ratings on the analytics page: thumbs, each criterion's distribution, the annotator
    const projectId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).rows[0].id);
    const admin = await page.context().browser()!.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(admin, ADMIN, `/admin/projects/${projectId}/analytics`);
    const section = admin.getByTestId("rating-analytics");
    await expect(section).toContainText("12 ratings");
    await expect(section.getByTestId("criterion-accuracy")).toContainText("Krippendorff");
    await expect(section.getByRole("row", { name: /Demo Annotator/ })).toContainText("12");
    await shot(admin, "rating-analytics");
    await admin.close();
  });
});

test.describe("writing demonstrations by keyboard", () => {
  test("8 prompts written from scratch with a reload mid-writing: preview, counter and the stored texts as typed", async ({ page }) => {
    test.setTimeout(240_000);
    const items = Array.from({ length: 9 }, (_, i) => ({ prompt: `Write a short checklist for task ${i}.`, candidates: [] }));
    const slug = await createProject({ taskType: "DEMONSTRATION", items });
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const want = new Map<string, string>();
    let previous: string | null = null;
    for (let i = 0; i < 8; i++) {
      const id = await onNewItem(page, previous);
      await expect(page.getByTestId("demonstration")).toContainText("Write the ideal response");
      if (i === 0) {
        // Enter with nothing written says so and puts the keys in the editor
        await page.keyboard.press("Enter");
        await expect(page.getByRole("alert").filter({ hasText: "Write the response first" })).toBeVisible();
      } else {
        await page.keyboard.press("w");
      }
      await expect(page.getByTestId("demonstration-editor")).toBeFocused();
      const text = `**Checklist ${i}**\n\n1. First step\n2. Second step\n\nDone: line one\nline two`;
      // typed as a person types: Enter makes the new lines, nothing leaks into the page's keys
      await page.keyboard.type(text.split("\n")[0]);
      for (const line of text.split("\n").slice(1)) {
        await page.keyboard.press("Enter");
        await page.keyboard.type(line);
      }
      await expect(page.getByTestId("demonstration-preview").locator("strong")).toHaveText(`Checklist ${i}`);
      await expect(page.getByTestId("demonstration-preview").locator("ol > li")).toHaveCount(2);
      await expect(page.getByTestId("demonstration-length")).toContainText(`${text.length} / 100,000 characters`);
      if (i === 3) {
        await shot(page, "demonstration-writing");
        // a reload (a crashed tab, a closed laptop) keeps the text written so far, on the same item
        await page.waitForTimeout(400);
        await page.reload();
        await expect(ready(page)).toHaveAttribute("data-assignment-id", id);
        await expect(page.getByTestId("demonstration-editor")).toHaveValue(text);
        await page.keyboard.press("w");
        await page.keyboard.press("Control+Enter");
      } else if (i % 2 === 0) {
        await page.keyboard.press("Control+Enter");
      } else {
        await page.keyboard.press("Escape");
        await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("item");
        await page.keyboard.press("Enter");
      }
      want.set(id, text);
      previous = id;
    }
    await onNewItem(page, previous);
    // the next item's editor is empty: nothing of the previous text followed it
    await expect(page.getByTestId("demonstration-editor")).toHaveValue("");
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const stored = await storedBy([...want.keys()]);
    expect(stored.size).toBe(8);
    for (const [id, text] of want) expect(stored.get(id)).toMatchObject({ demonstration: text, demonstrationFrom: null });
  });

  test("6 model responses improved: the editor starts from the response, D shows the changes, edited ≻ original is stored", async ({ page }) => {
    test.setTimeout(240_000);
    const items = Array.from({ length: 7 }, (_, i) => ({ prompt: `Fix the grammar of answer ${i}.`, candidates: [`Their is ${i} reasons to recieve it.\nSecond line stays.`] }));
    const slug = await createProject({ taskType: "DEMONSTRATION", items, editsAsPreference: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const want = new Map<string, { text: string; original: string }>();
    let previous: string | null = null;
    for (let i = 0; i < 6; i++) {
      const id = await onNewItem(page, previous);
      const original = `Their is ${i} reasons to recieve it.\nSecond line stays.`;
      await expect(page.getByTestId("demonstration")).toContainText("Improve this response");
      await expect(page.getByTestId("demonstration-editor")).toHaveValue(original);
      await page.keyboard.press("w");
      // fix the first line: select it and type over it
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("Shift+End");
      const fixed = `There are ${i} reasons to receive it.`;
      await page.keyboard.type(fixed);
      const text = i === 5 ? original : `${fixed}\nSecond line stays.`;
      if (i === 5) {
        // an annotator may find the response right as it is: Reset brings the original back
        await page.keyboard.press("Escape");
        await page.getByRole("button", { name: "Reset to the original" }).click();
        await expect(page.getByTestId("demonstration-editor")).toHaveValue(original);
        await page.getByTestId("item").focus();
      } else {
        await page.keyboard.press("Escape");
      }
      await page.keyboard.press("d");
      const diff = page.getByTestId("text-diff");
      if (i === 5) await expect(diff).toContainText("No changes to the original");
      else {
        await expect(diff.locator("del").first()).toContainText("Their");
        await expect(diff.locator("ins").first()).toContainText("There");
      }
      if (i === 1) await shot(page, "demonstration-improve-diff");
      await page.keyboard.press("Enter");
      want.set(id, { text, original });
      previous = id;
    }
    await onNewItem(page, previous);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const stored = await storedBy([...want.keys()]);
    for (const [id, w] of want) expect(stored.get(id)?.demonstration).toBe(w.text);
    const pairs = await withDb(async (db) =>
      (await db.query<{ chosen: string; rejected: string }>(
        `SELECT ch.text AS chosen, rj.text AS rejected FROM "Comparison" c JOIN "Annotation" n ON n.id = c."annotationId"
           JOIN "Candidate" ch ON ch.id = c."chosenId" JOIN "Candidate" rj ON rj.id = c."rejectedId" WHERE n."assignmentId" = ANY($1) ORDER BY ch.text`,
        [[...want.keys()]],
      )).rows,
    );
    // five improved responses are five preferences; the unchanged one is none
    expect(pairs).toHaveLength(5);
    for (const p of pairs) {
      expect(p.chosen).toMatch(/^There are \d reasons to receive it\.\nSecond line stays\.$/);
      expect(p.rejected).toMatch(/^Their is \d reasons/);
    }
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const fitsTheScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  test("rating by tapping: thumbs and a 10-point scale in reach, nothing wider than the screen, four items stored", async ({ page }) => {
    const criteria = [{ key: "accuracy", label: "Accuracy", description: "Facts are right", scale: { kind: "likert", points: 10, labels: ["Wrong", "Flawless"] } }];
    const slug = await createProject({
      taskType: "RATING",
      criteria,
      items: Array.from({ length: 5 }, (_, i) => ({ prompt: `Phone rating ${i}: summarise the article`, candidates: [`A summary ${i}. `.repeat(30) + "\n\n| col | value |\n|---|---|\n| a | 1 |"] })),
    });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      await expect(ready(page)).toBeVisible();
      const id = (await ready(page).getAttribute("data-assignment-id"))!;
      ids.push(id);
      expect(await fitsTheScreen(page)).toBe(true);
      // no keyboard hints on a touch screen
      expect(await page.locator("kbd:visible").count()).toBe(0);
      const thumbs = page.getByTestId("thumbs").getByRole("radio");
      for (const box of await thumbs.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) expect(box.height).toBeGreaterThanOrEqual(44);
      const points = page.getByTestId("criterion-accuracy").getByRole("radio");
      await expect(points).toHaveCount(10);
      for (const box of await points.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(box.right).toBeLessThanOrEqual(390);
      }
      if (i === 0) await page.screenshot({ path: test.info().outputPath("phone-rating.png") });
      await thumbs.nth(i % 2).tap();
      await points.nth(i + 3).tap();
      const submit = page.getByTestId("submit");
      const s = (await submit.boundingBox())!;
      expect(s.y + s.height).toBeLessThanOrEqual(844);
      await submit.tap();
      await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id);
    }
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const stored = await storedBy(ids);
    expect(ids.map((id) => stored.get(id)?.thumbs)).toEqual([true, false, true, false]);
    expect(ids.map((id) => Object.values(stored.get(id)!.ratings)[0].accuracy)).toEqual([4, 5, 6, 7]);
  });

  test("writing on a phone: the editor and preview stack, the counter follows, three demonstrations stored as typed", async ({ page }) => {
    const slug = await createProject({ taskType: "DEMONSTRATION", items: Array.from({ length: 4 }, (_, i) => ({ prompt: `Phone prompt ${i}: write a haiku about rain`, candidates: [] })) });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const ids: string[] = [];
    const texts = ["Rain on the window\nsoft drums for a sleeping town\nthe gutters hum low", "Grey sky, *open* hands\ncatch what the clouds let go of\n- puddle\n- mirror", "Umbrella blossoms\nbloom along the morning street\nclosing by noon"];
    for (const [i, text] of texts.entries()) {
      await expect(ready(page)).toBeVisible();
      const id = (await ready(page).getAttribute("data-assignment-id"))!;
      ids.push(id);
      const editor = page.getByTestId("demonstration-editor");
      const preview = page.getByTestId("demonstration-preview");
      await editor.tap();
      await editor.fill(text);
      await expect(page.getByTestId("demonstration-length")).toContainText(`${text.length} / `);
      // stacked: the preview is below the editor, both as wide as the screen allows
      const [e, p] = [(await editor.boundingBox())!, (await preview.boundingBox())!];
      expect(p.y).toBeGreaterThanOrEqual(e.y + e.height - 1);
      expect(e.width).toBeGreaterThan(300);
      expect(await fitsTheScreen(page)).toBe(true);
      if (i === 1) {
        await expect(preview.locator("em")).toHaveText("open");
        await expect(preview.locator("li")).toHaveCount(2);
        await page.screenshot({ path: test.info().outputPath("phone-writing.png") });
      }
      await page.getByTestId("submit").tap();
      await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id);
    }
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const stored = await storedBy(ids);
    expect(ids.map((id) => stored.get(id)?.demonstration)).toEqual(texts);
  });
});
