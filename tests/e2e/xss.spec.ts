// Model text is untrusted: every payload below must show up as inert text. The test fails if any dialog opens,
// any payload script runs (they all set window.__pwned), or a dangerous element or URL reaches the DOM.
import { expect, test } from "@playwright/test";
import { ANNOTATOR, createProject, signIn } from "./helpers";

const PAYLOADS = [
  `<script>window.__pwned = "script"; alert("script")</script>`,
  `<img src=x onerror="window.__pwned='img'; alert('img')">`,
  `[click me](javascript:window.__pwned='link';alert('link'))`,
  `<a href="javascript:window.__pwned='a';alert('a')">a tag</a>`,
  `<iframe src="javascript:alert('iframe')"></iframe><iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>`,
  `<svg onload="window.__pwned='svg';alert('svg')"><script>window.__pwned='svg-script'</script></svg>`,
  `![img](javascript:alert('md-image'))  ![x](https://example.invalid/track.png "tracker")`,
  `[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [vb](vbscript:msgbox(1))`,
  `<details open ontoggle="window.__pwned='details'">toggle</details> <math><mtext><img src=x onerror="window.__pwned='math'"></mtext></math>`,
  "```html\n<script>window.__pwned='codeblock'</script>\n```",
];

test("candidates with script, event-handler, javascript: and SVG payloads render inert", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const items = [];
  for (let i = 0; i < PAYLOADS.length; i += 2) {
    items.push({ prompt: `Payload pair ${i / 2} <script>window.__pwned='prompt'</script>`, candidates: [PAYLOADS[i], PAYLOADS[i + 1] ?? "plain"] });
  }
  const slug = await createProject({ taskType: "PAIRWISE", items });
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  for (let i = 0; i < items.length; i++) {
    const item = page.getByTestId("item");
    await expect(item).toBeVisible();
    const id = await item.getAttribute("data-assignment-id");
    // The raw markup is visible as text (the annotator can judge it), not interpreted.
    await expect(item).toContainText("Payload pair");
    await page.waitForTimeout(300);
    const dom = await item.evaluate((el) => ({
      scripts: el.querySelectorAll("script").length,
      frames: el.querySelectorAll("iframe, object, embed").length,
      images: el.querySelectorAll("img").length,
      svg: el.querySelectorAll("svg").length,
      handlers: [...el.querySelectorAll("*")].filter((n) => [...n.attributes].some((a) => a.name.startsWith("on"))).length,
      badLinks: [...el.querySelectorAll("a")].filter((a) => !/^(https?:|mailto:|#|$)/i.test(a.getAttribute("href") ?? "")).length,
    }));
    expect(dom).toEqual({ scripts: 0, frames: 0, images: 0, svg: 0, handlers: 0, badLinks: 0 });
    // neutralised links keep their target visible as text, so a harmlessness judge sees what the model linked to
    if (i === 1) await expect(item).toContainText("(javascript:window.__pwned='link';alert('link'))");
    await page.keyboard.press("Digit1");
    await page.keyboard.press("Enter");
    if (i < items.length - 1) await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id!);
  }
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null)).toBeNull();
  expect(dialogs).toEqual([]);
});
