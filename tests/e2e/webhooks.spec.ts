// Webhooks as an admin sets them up and a pipeline receives them: a subscription made by keyboard on the admin page,
// its secret shown once, a test event that the receiver first refuses (500) and then takes, and the items an
// annotator completes on the annotation page arriving as signed item.completed events — all visible in the
// delivery log with their response codes. The receiver is a local HTTP server in this process.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { verifySignature } from "@/server/services/webhooks/signature";
import { ADMIN, ANNOTATOR, createProject, signIn } from "./helpers";

interface Got {
  id: string;
  type: string;
  signature: string;
  body: string;
}

test("an admin subscribes by keyboard, sends a test event, and completed items arrive signed", async ({ page, browser }) => {
  const received: Got[] = [];
  let refuseNext = true;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ id: String(req.headers["x-rlhf-event-id"]), type: String(req.headers["x-rlhf-event-type"]), signature: String(req.headers["x-rlhf-signature"]), body });
      res.statusCode = refuseNext ? 500 : 204;
      refuseNext = false;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  try {
    const items = Array.from({ length: 3 }, (_, i) => ({ prompt: `Webhook question ${i}: is water wet?`, candidates: [`Yes (${i}).`, `It depends (${i}).`] }));
    const slug = await createProject({ taskType: "PAIRWISE", items });

    await signIn(page, ADMIN, "/admin/webhooks");
    await page.getByLabel("URL").focus();
    await page.keyboard.type(url);
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Project")).toBeFocused();
    await page.getByLabel("Project").selectOption({ label: `E2E ${slug}` });
    await page.keyboard.press("Tab");
    await expect(page.getByRole("checkbox", { name: /Item completed/ })).toBeFocused();
    await expect(page.getByRole("checkbox", { name: /Item completed/ })).toBeChecked();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await expect(page.getByRole("checkbox", { name: /Import finished/ })).toBeChecked();
    await page.getByLabel("Description").focus();
    await page.keyboard.type("retrain pipeline");
    await page.keyboard.press("Enter");
    const secret = await page.getByTestId("webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_/);

    const card = page.getByRole("region", { name: `Webhook to ${url}` });
    await expect(card).toContainText(`E2E ${slug}`);
    await expect(card).toContainText("item.completed, import.finished — retrain pipeline");
    await card.getByRole("button", { name: "Send test event" }).focus();
    await page.keyboard.press("Enter");
    const log = card.getByRole("table", { name: "Delivery log" });
    // refused once (500), then taken on the retry
    await expect(log.getByTestId("delivery").first()).toContainText("delivered", { timeout: 30_000 });
    await expect(log.getByTestId("delivery").first()).toContainText("500 → 204");
    await expect(log.getByTestId("delivery").first()).toContainText("webhook.test");

    // the annotator completes every item on the annotation page, by keyboard
    const annotator = await browser.newPage();
    await signIn(annotator, ANNOTATOR, `/annotate/${slug}`);
    for (let i = 0; i < items.length; i++) {
      const item = annotator.locator('[data-testid="item"][data-ready="true"]');
      await expect(item).toBeVisible();
      const id = await item.getAttribute("data-assignment-id");
      await annotator.keyboard.press("2");
      await annotator.keyboard.press("Enter");
      if (i < items.length - 1) await expect(annotator.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id!);
    }
    await expect(annotator.getByText(/nothing left for you to judge/)).toBeVisible();
    await annotator.close();

    await expect(log.getByTestId("delivery").filter({ hasText: "item.completed" }).filter({ hasText: "delivered" })).toHaveCount(3, { timeout: 30_000 });
    await shot(page);
    const completed = received.filter((r) => r.type === "item.completed");
    expect(completed).toHaveLength(3);
    expect(new Set(completed.map((r) => r.id)).size).toBe(3);
    for (const r of received) expect(verifySignature({ secret, header: r.signature, body: r.body })).toBe(true);
    for (const r of completed) expect(JSON.parse(r.body)).toMatchObject({ id: r.id, type: "item.completed", data: { completedCount: 1 } });
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

async function shot(page: Page) {
  await page.screenshot({ path: test.info().outputPath("webhooks.png"), fullPage: true });
}
