import { expect, test } from "@playwright/test";
import { ANNOTATOR, annotationCount, createProject, signIn, withDb } from "./helpers";

test.describe("annotating", () => {
  test("an annotator judges three prompts by keyboard alone and the database holds three judgements", async ({ page }) => {
    await signIn(page, ANNOTATOR, "/annotate/demo-pairwise");
    const before = await annotationCount(ANNOTATOR.email, "demo-pairwise");
    // each judgement reaches the server as one request that also brings the next item
    const submits: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("annotation.submit")) submits.push(new URL(r.url()).pathname);
    });
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const item = page.getByTestId("item");
      await expect(item).toBeVisible();
      const id = await item.getAttribute("data-assignment-id");
      expect(seen.has(id!)).toBe(false);
      seen.add(id!);
      // Two keystrokes per judgement: pick, submit.
      await page.keyboard.press(i % 2 ? "Digit2" : "Digit1");
      await page.keyboard.press("Enter");
      await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id!);
    }
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    expect(await annotationCount(ANNOTATOR.email, "demo-pairwise")).toBe(before + 3);
    expect(submits).toEqual(Array(3).fill("/api/trpc/annotation.submit,annotation.next"));
  });

  test("an annotator who opens an admin URL is refused", async ({ page }) => {
    await signIn(page, ANNOTATOR);
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: /403/ })).toBeVisible();
    const res = await page.request.get("/api/trpc/project.list");
    expect(res.status()).toBe(403);
  });

  test("a reload mid-item shows the same item again", async ({ page }) => {
    await signIn(page, ANNOTATOR, "/annotate/demo-pairwise");
    const id = await page.getByTestId("item").getAttribute("data-assignment-id");
    await page.reload();
    await expect(page.getByTestId("item")).toHaveAttribute("data-assignment-id", id!);
  });

  test("a submit made while the server is unreachable is kept, retried, and lands exactly once", async ({ page }) => {
    await signIn(page, ANNOTATOR, "/annotate/demo-pairwise");
    const before = await annotationCount(ANNOTATOR.email, "demo-pairwise");
    await page.route("**/api/trpc/**annotation.submit**", (route) => route.abort("internetdisconnected"));
    const first = await page.getByTestId("item").getAttribute("data-assignment-id");
    await page.keyboard.press("Digit1");
    await page.keyboard.press("Enter");
    // The next (prefetched) item is on screen at once; the judgement waits in the outbox.
    await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", first!);
    await expect(page.getByTestId("outbox-status")).toContainText("pending");
    // Still pending after a reload: the outbox lives in localStorage.
    await page.reload();
    await expect(page.getByTestId("outbox-status")).toContainText("pending");
    expect(await annotationCount(ANNOTATOR.email, "demo-pairwise")).toBe(before);
    await page.unroute("**/api/trpc/**annotation.submit**");
    // The outbox may already have retried on its own; only press "Retry now" if it is still there.
    await page.getByRole("button", { name: "Retry now" }).click({ timeout: 2_000 }).catch(() => undefined);
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved", { timeout: 40_000 });
    expect(await annotationCount(ANNOTATOR.email, "demo-pairwise")).toBe(before + 1);
  });

  test("a ranking session by keyboard: move, tie and submit", async ({ page }) => {
    const slug = await createProject({
      taskType: "RANKING",
      items: [{ prompt: "Rank these greetings", candidates: ["Hello!", "Hi there.", "Good day to you.", "Yo."] }],
    });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    const rows = page.getByTestId("ranking-row");
    await expect(rows).toHaveCount(4);
    const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-candidate-id")!));
    // Move the last response to the top with Alt+↑ three times, then tie the second with the first.
    await rows.nth(3).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("Alt+ArrowUp");
    await expect(rows.nth(0)).toHaveAttribute("data-candidate-id", order[3]);
    await rows.nth(1).focus();
    await page.keyboard.press("t");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("queue-empty")).toBeVisible();
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
    const ranking = await withDb(async (db) => {
      const res = await db.query<{ ranking: string[][] }>(
        `SELECT a.ranking FROM "Annotation" a JOIN "Project" p ON p.id = a."projectId" WHERE p.slug = $1`,
        [slug],
      );
      return res.rows.map((r) => r.ranking);
    });
    expect(ranking).toEqual([[[order[3], order[0]], [order[1]], [order[2]]]]);
  });
});
