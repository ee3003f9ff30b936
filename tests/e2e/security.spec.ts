// The production app's defences as a browser and an attacker meet them: the page CSP (nonce + 'strict-dynamic'),
// redirects after sign-in, the sign-in budgets (backoff, client address), cross-site uploads, and export
// pseudonyms that the CLI and the HTTP API derive from the same secret.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, ANNOTATOR, createProject, judge, signIn, withDb } from "./helpers";

/** The directives of a CSP header, by name. */
function directives(header: string | undefined): Map<string, string[]> {
  return new Map((header ?? "").split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));
}

/** Adds an inline script and an inline event handler to the HTML of the next sign-in page, keeping its headers. */
async function injectIntoSignInPage(page: Page, opts: { dropCsp?: boolean } = {}) {
  await page.route(/\/signin/, async (route) => {
    if (route.request().resourceType() !== "document") return route.continue();
    const response = await route.fetch();
    const html = (await response.text()).replace(
      "</body>",
      `<script>window.__inlineRan = true</script><img src="/no-such-image" onerror="window.__handlerRan = true"></body>`,
    );
    const headers = response.headers();
    if (opts.dropCsp) delete headers["content-security-policy"];
    await route.fulfill({ response, body: html, headers });
  });
}

const ran = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __inlineRan?: boolean; __handlerRan?: boolean };
    return { inline: w.__inlineRan ?? false, handler: w.__handlerRan ?? false };
  });

test.describe("Content-Security-Policy", () => {
  test("pages carry a nonce policy with 'strict-dynamic', a new nonce per response, on every script Next renders", async ({ page, request }) => {
    const policies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request.get("/signin");
      policies.push(res.headers()["content-security-policy"]);
    }
    const [first, second] = policies.map(directives);
    const script = first.get("script-src")!;
    expect(script).toEqual(expect.arrayContaining(["'strict-dynamic'", expect.stringMatching(/^'nonce-[A-Za-z0-9+/=]{16,}'$/)]));
    expect(script).not.toContain("'unsafe-inline'");
    expect(script).not.toContain("'unsafe-eval'");
    expect(first.get("object-src")).toEqual(["'none'"]);
    expect(first.get("frame-ancestors")).toEqual(["'none'"]);
    expect(second.get("script-src")).not.toEqual(script);

    await signIn(page, ADMIN, "/admin");
    for (const url of ["/admin", "/annotate"]) {
      const res = await page.goto(url);
      const nonce = directives(res!.headers()["content-security-policy"]).get("script-src")!.find((v) => v.startsWith("'nonce-"))!.slice(7, -1);
      // browsers hide the attribute from the DOM after parsing; the property keeps it
      const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.nonce));
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.every((n) => n === nonce)).toBe(true);
    }
  });

  test("API answers get a policy that allows nothing, tRPC's (served ahead of Next) included", async ({ request }) => {
    for (const url of ["/api/trpc/annotation.projects", "/api/v1/exports", "/api/auth/csrf"]) {
      const res = await request.get(url);
      expect(directives(res.headers()["content-security-policy"]).get("default-src"), url).toEqual(["'none'"]);
      expect(res.headers()["x-content-type-options"], url).toBe("nosniff");
    }
  });

  test("an injected inline script and inline handler do not run, while the app's own scripts do: sign in and annotate", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await injectIntoSignInPage(page);
    // the sign-in form submits through next-auth's client script: signing in proves the page hydrated
    const slug = await createProject({ taskType: "PAIRWISE", items: [{ prompt: "CSP prompt", candidates: ["first", "second"] }] });
    await signIn(page, ANNOTATOR, `/annotate/${slug}`);
    expect(violations.length).toBeGreaterThanOrEqual(2);
    await page.unroute(/\/signin/);
    const item = page.getByTestId("item");
    await expect(item).toContainText("CSP prompt");
    // the keys are the app's own script's: wait for it to have taken the page over (hydrated)
    await expect(page.locator('[data-testid="item"][data-ready="true"]')).toBeVisible();
    await page.keyboard.press("Digit1");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("queue-empty")).toBeVisible();
    // the page moves on before the server acknowledges the submit (it is in the outbox): wait for it to be stored
    await expect.poll(() => withDb(async (db) => (await db.query(`SELECT 1 FROM "Annotation" a JOIN "Project" p ON p.id = a."projectId" WHERE p.slug = $1`, [slug])).rowCount)).toBe(1);
  });

  test("the injection itself is live: the same page without the policy runs both", async ({ page }) => {
    // the control for the test above — without it, "did not run" could mean "was never there"
    await injectIntoSignInPage(page, { dropCsp: true });
    await page.goto("/signin");
    await expect.poll(() => ran(page)).toEqual({ inline: true, handler: true });
  });

  test("with the policy, neither runs", async ({ page }) => {
    await injectIntoSignInPage(page);
    await page.goto("/signin");
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    await page.waitForLoadState("load");
    expect(await ran(page)).toEqual({ inline: false, handler: false });
  });
});

test.describe("redirects after sign-in", () => {
  test("a callback URL that leaves the site is replaced by a page on it", async ({ page }) => {
    // "/\evil.com": browsers read the backslash as a slash, so a prefix check takes it for a path
    await page.goto("/signin?callbackUrl=/%5Cevil.example");
    await page.getByLabel("Email").fill(ANNOTATOR.email);
    await page.getByLabel("Password").fill(ANNOTATOR.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("whoami")).toBeVisible();
    expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);

    // signed in already, the sign-in page redirects at once: to a path on this site
    for (const callback of ["/%5Cevil.example", "//evil.example", "https://evil.example/", "/%09/evil.example"]) {
      const res = await page.request.get(`/signin?callbackUrl=${callback}`, { maxRedirects: 0 });
      expect(res.status(), callback).toBe(307);
      expect(res.headers().location, callback).toBe("/");
    }
  });
});

test.describe("sign-in budgets", () => {
  test("past the budget the form says how long to wait, and after the wait the next attempt is heard", async ({ page }) => {
    const email = `nobody-${Date.now().toString(36)}@budget.test`;
    await page.goto("/signin");
    const alert = page.getByRole("alert").filter({ hasText: /./ });
    /** One attempt through the form; the answer shown must match `expected`. */
    const attempt = async (expected: string | RegExp) => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("a guess");
      const answered = page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials"));
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await answered;
      await expect(alert).toHaveText(expected);
    };
    for (let i = 0; i < 10; i++) await attempt("Wrong email or password.");
    // the budget's first delay is 1 s, shorter than a form round trip on a busy machine: make it 3 s to see it
    await withDb((db) => db.query(`UPDATE "RateLimit" SET "blockedUntil" = now() + interval '3 seconds' WHERE key = $1`, [`login:acct:${email}`]));
    await attempt(/^Too many sign-in attempts\. Try again in [23] seconds\.$/);
    await page.waitForTimeout(3_100);
    await attempt("Wrong email or password.");
  });

  test("the address charged is the connection's, not what X-Forwarded-For claims", async ({ request }) => {
    const spoofed = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await request.post("/api/auth/callback/credentials", {
      headers: { "x-forwarded-for": spoofed, "x-rlhf-client-address": spoofed },
      form: { csrfToken, email: `nobody-${spoofed}@budget.test`, password: "a guess", json: "true" },
      maxRedirects: 0,
    });
    expect(res.status()).toBeLessThan(500);
    const keys = await withDb(async (db) => (await db.query<{ key: string }>(`SELECT key FROM "RateLimit" WHERE key LIKE 'login:ip:%'`)).rows.map((r) => r.key));
    expect(keys).not.toContain(`login:ip:${spoofed}`);
    expect(keys.some((k) => k === "login:ip:127.0.0.1" || k === "login:ip:::1")).toBe(true);
  });
});

test("the upload route refuses a cross-site request that carries the admin's session", async ({ page }) => {
  await signIn(page, ADMIN, "/admin");
  const projectId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Project" LIMIT 1`)).rows[0].id);
  const res = await page.request.post(`/api/projects/${projectId}/upload?fileName=x.jsonl`, {
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-type": "application/octet-stream" },
    data: Buffer.from(`${JSON.stringify({ prompt: "planted", candidates: [{ text: "a" }, { text: "b" }] })}\n`),
  });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^Cross-site request refused/);
});

test("the CLI and the HTTP API export the same definition byte for byte, pseudonyms included", async ({ page, request }) => {
  const slug = await createProject({
    taskType: "PAIRWISE",
    items: Array.from({ length: 6 }, (_, i) => ({ prompt: `Pseudonym prompt ${i}`, candidates: [`good ${i}`, `bad ${i}`] })),
  });
  await judge(slug);
  const name = `same-bytes-${slug}`;

  // by the HTTP API, with a token made on the tokens page
  await signIn(page, ADMIN, "/admin/tokens");
  await page.getByLabel("Name", { exact: true }).fill("e2e export");
  // the narrow scope a nightly export needs: build snapshots, read them
  await page.getByLabel(/^Export — read, and build snapshots/).check();
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByTestId("new-token").inputValue();
  const auth = { authorization: `Bearer ${token}` };
  const started = await request.post("/api/v1/exports", {
    headers: auth,
    data: { name, projects: [slug], format: "raw", split: { testRatio: 0.5, seed: "s" } },
  });
  expect(started.status()).toBe(202);
  const { id } = (await started.json()) as { id: string };
  await expect.poll(async () => ((await (await request.get(`/api/v1/exports/${id}`, { headers: auth })).json()) as { status: string }).status, { timeout: 60_000 }).toBe("SUCCEEDED");
  const api = async (file: string) => (await request.get(`/api/v1/exports/${id}/files/${file}`, { headers: auth })).body();

  // by the CLI, as an admin runs it beside `npm start`: no NEXTAUTH_SECRET, the same data directory
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "cli-export-"));
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: fs.readFileSync(path.resolve(".data", "e2e", "database-url"), "utf8").trim() };
  delete env.NEXTAUTH_SECRET;
  delete env.NODE_ENV;
  const cli = spawnSync(
    path.resolve("node_modules", ".bin", "tsx"),
    ["scripts/cli.ts", "export", "--name", name, "--project", slug, "--format", "raw", "--test-ratio", "0.5", "--split-seed", "s", "--out", out],
    { env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 90_000 },
  );
  expect(cli.status, cli.stderr).toBe(0);

  for (const file of ["train.jsonl", "test.jsonl"]) {
    const fromApi = await api(file);
    expect(fromApi.length, file).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(out, file)).equals(fromApi), `${file}: CLI and API bytes differ`).toBe(true);
  }
  const annotators = new Set(
    (await api("train.jsonl")).toString("utf8").trim().split("\n").map((l) => (JSON.parse(l) as { annotator: string }).annotator),
  );
  const annotatorId = await withDb(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [ANNOTATOR.email])).rows[0].id);
  expect([...annotators]).toEqual([expect.stringMatching(/^annotator-[0-9a-f]{10}$/)]);
  expect([...annotators][0]).not.toContain(annotatorId);
  fs.rmSync(out, { recursive: true, force: true });
});
