// What the annotator sees: model text exactly as written (compared line by line with the stored text), inert
// links that still show where they point, no accessibility violations that matter, and a phone layout made for
// fingers.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ANNOTATOR, createProject, signIn } from "./helpers";

const PLAIN = [
  "Line one\nLine two, right under it\n\tA tabbed line\tand a tab inside",
  "0.8 × P = 96\nP = 96 ÷ 0.8\nP = 120",
  "שלום עולם, זו תשובה בעברית\nمرحبا بالعالم، هذه إجابة",
  "Emoji: 😀 👩‍👩‍👧 🇺🇳 🏳️‍🌈 — and a combining é (e\u0301)",
  `A long unbroken string: ${"a1b2c3d4".repeat(80)}`,
];
const CODE = {
  python: "def f(xs):\n\treturn [x * 2 for x in xs]  # keep  two  spaces",
  rust: "fn main() {\n    let v: Vec<i32> = vec![1, 2, 3];\n    println!(\"{:?}\", v);\n}",
  sql: "SELECT id, count(*)\n  FROM t\n GROUP BY id;",
  bash: "for f in *.txt; do\n  echo \"$f\"\ndone",
  typescript: "const x: Record<string, number> = {};\nexport default x;",
  html: "<script>alert('not run')</script>\n<p>shown as code</p>",
};
const codeMarkdown = Object.entries(CODE).map(([lang, code]) => "```" + lang + "\n" + code + "\n```").join("\n\n");

const ready = (page: Page) => page.locator('[data-testid="item"][data-ready="true"]');
/** The response showing `text` (each assignment shows the candidates in an order of its own). */
const response = (page: Page, text: string) => page.locator('section[data-testid^="candidate-"]', { hasText: text });

test("model text renders as written: line breaks, tabs, RTL, emoji, long strings and code of many languages", async ({ page }) => {
  const slug = await createProject({
    taskType: "PAIRWISE",
    items: [
      { prompt: PLAIN.join("\n\n"), candidates: [PLAIN[0], codeMarkdown] },
      { prompt: "Second", candidates: [PLAIN[2], `admin\u202Eresu\u202C and ${PLAIN[4]}`] },
    ],
  });
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  await expect(ready(page)).toBeVisible();
  // the prompt: each paragraph's visible lines are the stored lines
  const prompt = await page.getByTestId("message").locator(".md").innerText();
  expect(prompt.split("\n").filter(Boolean)).toEqual(PLAIN.join("\n").split("\n").filter(Boolean));
  expect(await response(page, "Line one").locator(".md").innerText()).toBe(PLAIN[0]);
  // every code block, character for character, also once its colours have loaded
  const code = response(page, "def f(xs)");
  await expect(code.locator(".hljs-keyword").first()).toBeVisible();
  expect(await code.locator("pre code").allInnerTexts()).toEqual(Object.values(CODE));
  expect(await code.locator("script").count()).toBe(0);
  // RTL paragraphs take their direction from their own text
  await expect(page.getByTestId("message").locator("p", { hasText: "שלום" })).toHaveJSProperty("dir", "auto");
  expect(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="message"] p:nth-of-type(3)')!).direction)).toBe("rtl");
  // nothing pushes the page sideways
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  await page.keyboard.press("1");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("item")).toContainText("Second");
  const b = response(page, "admin");
  // a bidi override is shown, not obeyed
  await expect(b).toContainText("admin⟨RLO⟩resu⟨PDF⟩");
  expect(await b.evaluate((el) => el.textContent!.includes("\u202E"))).toBe(false);
  expect(await b.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
});

test("links that are not followed still show their target; followed ones show their real host", async ({ page }) => {
  const slug = await createProject({
    taskType: "PAIRWISE",
    items: [{ prompt: "Links", candidates: ["[click me](javascript:window.__pwned=1)", "[https://bank.example](https://evil.example/login)"] }],
  });
  await signIn(page, ANNOTATOR, `/annotate/${slug}`);
  await expect(response(page, "click me")).toContainText("click me (javascript:window.__pwned=1)");
  expect(await response(page, "click me").locator("a").count()).toBe(0);
  await expect(response(page, "bank.example")).toContainText("https://bank.example (evil.example)");
  await expect(response(page, "bank.example").getByRole("link")).toHaveAttribute("href", "https://evil.example/login");
});

for (const taskType of ["PAIRWISE", "RANKING"] as const) {
  test(`no serious accessibility violations on a ${taskType.toLowerCase()} item, with its panels open`, async ({ page }) => {
    const slug = await createProject({
      taskType,
      criteria: [{ key: "helpfulness", label: "Helpfulness", description: "" }],
      items: [{ prompt: "Explain **recursion** with a `code` example.", candidates: ["It calls itself.\n\n```python\ndef f(n):\n    return 1 if n < 2 else n * f(n - 1)\n```", "See recursion.", "A function that solves a smaller case first.", "Loops."].slice(0, taskType === "PAIRWISE" ? 2 : 4) }],
    });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`/annotate/${slug}`);
      await expect(ready(page)).toBeVisible();
      await page.keyboard.press("f");
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`)).toEqual([]);
      await page.keyboard.press("?");
      const help = await new AxeBuilder({ page }).include('[data-testid="drawer-help"]').analyze();
      expect(help.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    }
  });
}

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("big targets, no key hints, Submit always in reach: five items judged by tapping", async ({ page }) => {
    const slug = await createProject({
      taskType: "PAIRWISE",
      items: Array.from({ length: 6 }, (_, i) => ({ prompt: `Phone question ${i}`, candidates: [`A long answer ${i}. `.repeat(40), `Short ${i}.`] })),
    });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    for (let i = 0; i < 5; i++) {
      await expect(ready(page)).toBeVisible();
      const id = await ready(page).getAttribute("data-assignment-id");
      // no keyboard hints on a touch screen
      expect(await page.locator("kbd:visible").count()).toBe(0);
      const scale = page.getByTestId("scale").getByRole("radio");
      await expect(scale).toHaveCount(7);
      for (const box of await scale.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(box.top).toBeGreaterThanOrEqual(0);
        expect(box.bottom).toBeLessThanOrEqual(844);
      }
      // one row of seven
      expect(new Set(await scale.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)))).size).toBe(1);
      const submit = page.getByTestId("submit");
      const s = (await submit.boundingBox())!;
      expect(s.height).toBeGreaterThanOrEqual(44);
      expect(s.y + s.height).toBeLessThanOrEqual(844);
      await scale.nth(i % 7).tap();
      await submit.tap();
      await expect(page.getByTestId("item")).not.toHaveAttribute("data-assignment-id", id!);
    }
    await expect(page.getByTestId("outbox-status")).toHaveText("All saved");
  });
});
