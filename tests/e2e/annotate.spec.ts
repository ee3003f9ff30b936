// The annotator's path as people walk it: many consecutive items, keyboard only, every kind of choice, checking
// after each submit that the next item is on screen with the keys on it, that the counters say what the database
// says, and in the end that the database holds exactly what was chosen.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, ANNOTATOR, annotationCount, createProject, signIn, withDb } from "./helpers";

const CRITERIA = [
  { key: "helpfulness", label: "Helpfulness", description: "Answers the request well" },
  { key: "honesty", label: "Honesty", description: "No fabrication" },
  { key: "clarity", label: "Clarity", description: "Easy to follow" },
];

function pairItems(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    prompt: `Question ${tag}-${i}: how do I reverse a list in Python?`,
    candidates: [`Use \`reversed(xs)\` (${i}).\nIt returns an iterator.`, `Call \`xs.reverse()\` — in place (${i}).\n\n\`\`\`python\nxs = [1, 2, 3]\nxs.reverse()\n\`\`\``],
  }));
}

const ready = (page: Page) => page.locator('[data-testid="item"][data-ready="true"]');

async function assignmentId(page: Page): Promise<string> {
  return (await ready(page).getAttribute("data-assignment-id"))!;
}

async function nextItem(page: Page, previous: string) {
  await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", previous);
  await expect(ready(page)).toBeVisible();
  // the keys are on the new item, not on a text field of the old one
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("item");
}

/** The counters as the database has them, counted from the rows (not from the counts the page reads). */
async function countersInDb(slug: string) {
  return withDb(async (db) => {
    const { rows } = await db.query<{ today: string; mine: string; left: string }>(
      `WITH u AS (SELECT id FROM "User" WHERE email = $1), p AS (SELECT id FROM "Project" WHERE slug = $2)
       SELECT (SELECT count(*) FROM "Annotation" a WHERE a."userId" = (SELECT id FROM u) AND a."projectId" = (SELECT id FROM p)
                 AND a."createdAt" >= date_trunc('day', now())) AS today,
              (SELECT count(*) FROM "Annotation" a WHERE a."userId" = (SELECT id FROM u) AND a."projectId" = (SELECT id FROM p)) AS mine,
              (SELECT count(*) FROM "Item" i WHERE i."projectId" = (SELECT id FROM p) AND i.status = 'OPEN' AND NOT i."isGold"
                 AND NOT EXISTS (SELECT 1 FROM "Assignment" s WHERE s."itemId" = i.id AND s."userId" = (SELECT id FROM u)
                                   AND s.state IN ('SUBMITTED', 'SKIPPED', 'EXPIRED'))) AS left`,
      [ANNOTATOR.email, slug],
    );
    return { doneToday: rows[0].today, doneInProject: rows[0].mine, leftForYou: rows[0].left };
  });
}

async function countersOnPage(page: Page) {
  return {
    doneToday: (await page.getByTestId("done-today").textContent())!,
    doneInProject: (await page.getByTestId("done-project").textContent())!,
    leftForYou: (await page.getByTestId("left-for-you").textContent())!,
  };
}

async function expectTrueCounters(page: Page, slug: string) {
  await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
  await expect.poll(async () => JSON.stringify(await countersOnPage(page))).toBe(JSON.stringify(await countersInDb(slug)));
}

interface Stored {
  ranking: string[][];
  strength: string | null;
  bothBad: boolean;
  flags: string[];
  flagNote: string;
  rationale: string;
  ratings: Record<string, Record<string, number>>;
}

async function stored(assignmentIds: string[]): Promise<Map<string, Stored>> {
  return withDb(async (db) => {
    const { rows } = await db.query<Stored & { assignmentId: string }>(
      `SELECT "assignmentId", ranking, strength, "bothBad", flags, "flagNote", rationale, ratings FROM "Annotation" WHERE "assignmentId" = ANY($1)`,
      [assignmentIds],
    );
    return new Map(rows.map(({ assignmentId, ...r }) => [assignmentId, r]));
  });
}

test.describe("annotating pairwise items by keyboard", () => {
  test("14 consecutive items: every strength, tie, both bad, flags, ratings, a rationale; the database holds exactly that", async ({ page }) => {
    test.setTimeout(240_000);
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(16, "walk"), criteria: CRITERIA });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const expected = new Map<string, Partial<Stored>>();
    const strengths = ["MUCH_BETTER", "BETTER", "SLIGHTLY_BETTER", "TIE", "SLIGHTLY_BETTER", "BETTER", "MUCH_BETTER"];
    for (let i = 0; i < 14; i++) {
      await expect(ready(page)).toBeVisible();
      const id = await assignmentId(page);
      const a = (await page.getByTestId("candidate-A").getAttribute("data-candidate-id"))!;
      const b = (await page.getByTestId("candidate-B").getAttribute("data-candidate-id"))!;
      const position = (i % 7) + 1;
      const strength = strengths[position - 1];
      const ranking = position === 4 ? [[a, b]] : position < 4 ? [[a], [b]] : [[b], [a]];
      const want: Partial<Stored> = { ranking, strength, bothBad: false, flags: [], flagNote: "", rationale: "", ratings: {} };
      if (i === 8) {
        // Enter before choosing says what is missing and sends nothing
        await page.keyboard.press("Enter");
        await expect(page.getByRole("alert").filter({ hasText: "Pick how the responses compare" })).toBeVisible();
        await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", id);
      }
      await page.keyboard.press(String(position));
      await expect(page.getByRole("radio", { checked: true }).first()).toBeVisible();
      if (i === 5) {
        // the item after a Ctrl+Enter from the rationale: the digit chose, nothing was typed into this rationale
        await expect(page.getByRole("textbox", { name: /Rationale/ })).toHaveValue("");
      }
      if (i === 1) {
        await page.keyboard.press("x");
        want.bothBad = true;
      }
      if (i === 2) {
        await page.keyboard.press("f");
        await expect(page.getByTestId("flags-panel")).toBeVisible();
        await page.keyboard.press("u");
        await page.keyboard.press("p");
        // digits still choose while the flags are open
        await page.keyboard.press("2");
        want.strength = "BETTER";
        want.ranking = [[a], [b]];
        want.flags = ["unsafe", "pii"];
      }
      if (i === 6) {
        await page.keyboard.press("c");
        for (const v of ["7", "6", "5", "4", "3", "2"]) await page.keyboard.press(v);
        await page.keyboard.press("Escape");
        want.ratings = { [a]: { helpfulness: 7, honesty: 5, clarity: 3 }, [b]: { helpfulness: 6, honesty: 4, clarity: 2 } };
      }
      if (i === 7) {
        await page.keyboard.press("f");
        await page.keyboard.press("n");
        await expect(page.getByLabel("What is the problem?")).toBeFocused();
        await page.keyboard.type("odd formatting in B");
        await page.keyboard.press("Escape");
        want.flags = ["other"];
        want.flagNote = "odd formatting in B";
      }
      if (i === 4) {
        await page.keyboard.press("r");
        await page.keyboard.type("B is slightly clearer");
        want.rationale = "B is slightly clearer";
        expected.set(id, want);
        // Ctrl+Enter from the text field: the next item's keys must not type into its rationale
        await page.keyboard.press("Control+Enter");
        await nextItem(page, id);
        continue;
      }
      expected.set(id, want);
      await page.keyboard.press("Enter");
      await nextItem(page, id);
      if (i % 4 === 0) await expectTrueCounters(page, slug);
    }
    await expectTrueCounters(page, slug);
    const rows = await stored([...expected.keys()]);
    expect(rows.size).toBe(14);
    for (const [id, want] of expected) expect({ id, ...rows.get(id) }).toEqual({ id, ...want });
  });

  test("a reload mid-draft keeps the item, the choice, the ratings and the half-written rationale", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(3, "reload"), criteria: CRITERIA });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const id = await assignmentId(page);
    await page.keyboard.press("6");
    await page.keyboard.press("c");
    await page.keyboard.press("5");
    await page.keyboard.press("Escape");
    await page.keyboard.press("r");
    await page.keyboard.type("half-written because");
    await page.keyboard.press("Escape");
    await page.reload();
    await expect(ready(page)).toHaveAttribute("data-assignment-id", id);
    await expect(page.getByRole("radio", { name: "B better" })).toHaveAttribute("aria-checked", "true");
    await expect(page.getByRole("textbox", { name: /Rationale/ })).toHaveValue("half-written because");
    await expect(page.getByRole("radio", { name: "Helpfulness of response A: 5" })).toHaveAttribute("aria-checked", "true");
    await page.keyboard.press("Enter");
    await nextItem(page, id);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    expect((await stored([id])).get(id)).toMatchObject({ strength: "BETTER", rationale: "half-written because" });
  });

  test("offline and back: the submit waits in the outbox, the next item is already there, and it lands exactly once", async ({ page, context }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(4, "offline") });
    const prefetched = page.waitForResponse((r) => r.url().includes("annotation.next"));
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    await expect(page.getByTestId("item")).toBeVisible();
    // the prefetched item is in before the network goes
    await prefetched;
    const first = await assignmentId(page);
    await context.setOffline(true);
    await page.keyboard.press("2");
    await page.keyboard.press("Enter");
    await nextItem(page, first);
    await expect(page.getByTestId("outbox-status")).toContainText("1 pending");
    // the judging goes on offline: the next item is chosen and waits too
    const second = await assignmentId(page);
    await page.keyboard.press("3");
    await expect(page.getByRole("radio", { name: "A slightly better" })).toHaveAttribute("aria-checked", "true");
    // back online, the browser's "online" event sends what waited, without waiting for the next retry
    await context.setOffline(false);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved", { timeout: 40_000 });
    await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", second);
    expect(await annotationCount(ANNOTATOR.email, slug)).toBe(1);
    expect((await stored([first])).get(first)).toMatchObject({ strength: "BETTER" });
  });

  test("a submit the server cannot take is kept, retried, and lands exactly once", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(3, "retry") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    await page.route("**/api/trpc/**annotation.submit**", (route) => route.abort("internetdisconnected"));
    const first = await assignmentId(page);
    await page.keyboard.press("1");
    await page.keyboard.press("Enter");
    await nextItem(page, first);
    await expect(page.getByTestId("outbox-status")).toContainText("pending");
    await page.reload();
    await expect(page.getByTestId("outbox-status")).toContainText("pending");
    expect(await annotationCount(ANNOTATOR.email, slug)).toBe(0);
    await page.unroute("**/api/trpc/**annotation.submit**");
    await page.getByRole("button", { name: "Retry now" }).click({ timeout: 2_000 }).catch(() => undefined);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved", { timeout: 40_000 });
    expect(await annotationCount(ANNOTATOR.email, slug)).toBe(1);
  });

  test("edit last: E opens the last judgement as it was, a new choice saves over it, Esc leaves an edit unsaved", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(3, "edit") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const first = await assignmentId(page);
    const a = (await page.getByTestId("candidate-A").getAttribute("data-candidate-id"))!;
    const b = (await page.getByTestId("candidate-B").getAttribute("data-candidate-id"))!;
    await page.keyboard.press("1");
    await page.keyboard.press("Enter");
    await nextItem(page, first);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const second = await assignmentId(page);
    await page.keyboard.press("e");
    await expect(page.getByTestId("editing-banner")).toBeVisible();
    await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", first);
    await expect(page.getByRole("radio", { name: "A much better" })).toHaveAttribute("aria-checked", "true");
    await page.keyboard.press("7");
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("editing-banner")).toBeHidden();
    await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", second);
    expect((await stored([first])).get(first)).toMatchObject({ strength: "MUCH_BETTER", ranking: [[a], [b]] });
    await page.keyboard.press("e");
    await expect(page.getByTestId("editing-banner")).toBeVisible();
    await page.keyboard.press("7");
    await page.keyboard.press("Enter");
    await expect(page.getByText("Your last submission was updated.")).toBeVisible();
    await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", second);
    expect((await stored([first])).get(first)).toMatchObject({ strength: "MUCH_BETTER", ranking: [[b], [a]] });
    expect(await annotationCount(ANNOTATOR.email, slug)).toBe(1);
  });

  test("skip asks why in a dialog; 1–4 pick the reason and the item does not come back", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(2, "skip") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const first = await assignmentId(page);
    await page.keyboard.press("s");
    const dialog = page.getByRole("dialog", { name: "Why skip this item?" });
    await expect(dialog).toBeVisible();
    // the page behind takes no keys while the dialog is open
    await page.keyboard.press("x");
    await page.keyboard.press("2");
    await expect(dialog).toBeHidden();
    await nextItem(page, first);
    await expect(page.getByRole("button", { name: /Both bad/ })).toHaveAttribute("aria-pressed", "false");
    const skipped = await withDb((db) => db.query<{ state: string; skipReason: string }>(`SELECT state, "skipReason" FROM "Assignment" WHERE id = $1`, [first]));
    expect(skipped.rows[0]).toEqual({ state: "SKIPPED", skipReason: "Prompt is broken or unclear" });
    await expectTrueCounters(page, slug);
  });

  test("an empty queue says so, with counters that agree with the database", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(2, "dry") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    for (let i = 0; i < 2; i++) {
      const id = await assignmentId(page);
      await page.keyboard.press("3");
      await page.keyboard.press("Enter");
      if (i === 0) await nextItem(page, id);
    }
    await expect(page.getByTestId("queue-empty")).toContainText("The queue is empty");
    await expectTrueCounters(page, slug);
    expect(await countersOnPage(page)).toEqual({ doneToday: "2", doneInProject: "2", leftForYou: "0" });
  });

  test("an annotator who opens an admin URL is refused", async ({ page }) => {
    await signIn(page, ANNOTATOR);
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: /403/ })).toBeVisible();
    const res = await page.request.get("/api/trpc/project.list");
    expect(res.status()).toBe(403);
  });

  test("each judgement is one HTTP request that also brings the next item", async ({ page }) => {
    const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(5, "batch") });
    // the page's first prefetch is in before the first judgement (a submit made while it is still on its way goes
    // alone, and that prefetch brings the next item)
    const prefetched = page.waitForResponse((r) => r.url().includes("annotation.next"));
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    await prefetched;
    const submits: string[] = [];
    // requests bringing the next item still on their way (the last judgement's own included: the page shows the
    // prefetched item at once, before that request is back). A submit made meanwhile goes alone, by design, so each
    // judgement below waits for them: what is checked is the batching, not how fast the box answers.
    const prefetching = new Set<unknown>();
    page.on("request", (r) => {
      if (r.url().includes("annotation.submit")) submits.push(new URL(r.url()).pathname);
      if (r.url().includes("annotation.next")) prefetching.add(r);
    });
    const settled = (r: unknown) => prefetching.delete(r);
    page.on("requestfinished", settled);
    page.on("requestfailed", settled);
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => prefetching.size).toBe(0);
      const id = await assignmentId(page);
      await page.keyboard.press(String(i + 1));
      await page.keyboard.press("Enter");
      await nextItem(page, id);
    }
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    expect(submits).toEqual(Array(3).fill("/api/trpc/annotation.submit,annotation.next"));
  });
});

test.describe("ranking by keyboard", () => {
  const rankItems = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({ prompt: `Rank these greetings (${tag} ${i})`, candidates: ["Hello!", "Hi there.", "Good day to you.", `Yo (${i}).`] }));

  /** The ranking the page shows right now, as stored groups. */
  async function shownRanking(page: Page): Promise<string[][]> {
    const rows = await page.getByTestId("ranking-row").evaluateAll((els) => els.map((e) => ({ id: e.getAttribute("data-candidate-id")!, tied: e.getAttribute("aria-label")!.includes("tied") })));
    const groups: string[][] = [];
    for (const r of rows) {
      if (r.tied) groups[groups.length - 1].push(r.id);
      else groups.push([r.id]);
    }
    return groups;
  }

  test("12 consecutive 4-way items: select, move, put at a rank, tie, confirm an untouched order", async ({ page }) => {
    test.setTimeout(240_000);
    const slug = await createProject({ taskType: "RANKING", items: rankItems(13, "walk") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const expected = new Map<string, string[][]>();
    for (let i = 0; i < 12; i++) {
      await expect(ready(page)).toBeVisible();
      await expect(page.getByTestId("ranking-row")).toHaveCount(4);
      const id = await assignmentId(page);
      const before = (await shownRanking(page)).flat();
      switch (i % 4) {
        case 0: // the third response up one place
          await page.keyboard.press("ArrowDown");
          await page.keyboard.press("ArrowDown");
          await page.keyboard.press("Alt+ArrowUp");
          expect((await shownRanking(page)).flat()).toEqual([before[0], before[2], before[1], before[3]]);
          break;
        case 1: // the last to the top, then tie the second with it
          for (let k = 0; k < 3; k++) await page.keyboard.press("j");
          await page.keyboard.press("1");
          await page.keyboard.press("ArrowDown");
          await page.keyboard.press("t");
          expect(await shownRanking(page)).toEqual([[before[3], before[0]], [before[1]], [before[2]]]);
          break;
        case 2: // as shown: Enter asks to confirm, a second Enter submits it
          await page.keyboard.press("Enter");
          await expect(page.getByRole("alert").filter({ hasText: "still in the order shown" })).toBeVisible();
          await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", id);
          break;
        case 3: // the top one down to the bottom with Shift+↓
          for (let k = 0; k < 3; k++) await page.keyboard.press("Shift+ArrowDown");
          expect((await shownRanking(page)).flat()).toEqual([before[1], before[2], before[3], before[0]]);
          break;
      }
      expected.set(id, await shownRanking(page));
      await page.keyboard.press("Enter");
      await nextItem(page, id);
      // the next item shows its own responses, ranked as they came, nothing carried over
      expect(await page.getByTestId("ranking-row").first().getAttribute("aria-label")).toMatch(/^Rank 1: response A$/);
    }
    await expectTrueCounters(page, slug);
    const rows = await stored([...expected.keys()]);
    for (const [id, ranking] of expected) expect({ id, ranking: rows.get(id)?.ranking }).toEqual({ id, ranking });
  });

  test("a reload keeps the order being built", async ({ page }) => {
    const slug = await createProject({ taskType: "RANKING", items: rankItems(2, "reload") });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const id = await assignmentId(page);
    await page.keyboard.press("j");
    await page.keyboard.press("1");
    const order = await shownRanking(page);
    await page.reload();
    await expect(ready(page)).toHaveAttribute("data-assignment-id", id);
    expect(await shownRanking(page)).toEqual(order);
  });
});

test("admins annotate too, and the counters count only their own judgements", async ({ page }) => {
  const slug = await createProject({ taskType: "PAIRWISE", items: pairItems(2, "admin") });
  await signIn(page, ADMIN, `/annotate/${slug}`);
  await expect(ready(page)).toBeVisible();
  await expect(page.getByTestId("done-project")).toHaveText("0");
});
