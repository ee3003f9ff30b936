// `npm run bench:page`: the annotation page as an annotator meets it, in Debian's Chromium against the production
// build on a fresh database.
//
//   npm run bench:page -- [--runs 7] [--submits 40] [--port 3300]
//
// The demo data's items (markdown, code, lists, long answers) are copied into two projects of their own, one
// pairwise and one 4-way ranking, so the walk never runs dry. Measured for each:
//   first_load_js_gzip_kb  the scripts the page's HTML loads (Next's "first load JS": what must arrive before the
//                          page is interactive), each body gzipped (level 6, as a server sends it), summed;
//   all_js_gzip_kb         every script loaded until the first item is ready plus a second (code split off the
//                          first load — the markdown parser, the tRPC client, highlighting — arrives meanwhile);
//   cold_first_item_ms     a fresh browser context (no cache) already signed in: from navigation start to the first
//                          item on screen and hydrated (keys work), median of --runs.
//   next_item_p95_ms       a signed-in annotator judging --submits items by keyboard: from the submit keystroke to
//                          the next item painted (the next frame after the new item is in the DOM), 95th percentile.
// Ends with: RESULT first_load_js_gzip_kb=… cold_first_item_ms=… next_item_p95_ms=… (the pairwise project; the
// ranking project's figures follow with a ranking_ prefix).
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import pg from "pg";
import { chromiumArgs } from "@/playwright.config";
import { DEMO_ANNOTATOR } from "@/prisma/seed/demo-accounts";
import { startApp } from "@/scripts/start";
import { createTestDatabase } from "@/tests/setup/database";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    submits: { type: "string", default: "40" },
    port: { type: "string", default: "3300" },
    // what "ready to judge" looks like; the default is the page's own mark (set once it has hydrated)
    ready: { type: "string", default: '[data-testid="item"][data-ready="true"]' },
  },
});
function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number (got "${v}")`);
  return n;
}
const RUNS = positiveInt("runs", args.runs);
const SUBMITS = positiveInt("submits", args.submits);
const PORT = positiveInt("port", args.port);
const BASE = `http://localhost:${PORT}`;

/** Copies the items of demo project `from` `copies` times into a new project `slug` with the demo annotator. */
async function copyProject(client: pg.Client, from: string, slug: string, copies: number) {
  await client.query(
    `INSERT INTO "Project"(id, name, slug, guidelines, "taskType", criteria, "allowTies", overlap, "updatedAt")
     SELECT $2, 'Bench ' || $2, $2, guidelines, "taskType", criteria, "allowTies", 1, now() FROM "Project" WHERE slug = $1`,
    [from, slug],
  );
  await client.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, id FROM "User" WHERE email = $2`, [slug, DEMO_ANNOTATOR.email]);
  await client.query(
    `INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "createdAt")
     SELECT i.id || '-' || r, $2, i."promptId", i."itemKey" || '-' || r, now() - make_interval(secs => r * 1000) + (i."createdAt" - date_trunc('day', i."createdAt"))
       FROM "Item" i JOIN "Project" p ON p.id = i."projectId", generate_series(1, $3) r WHERE p.slug = $1`,
    [from, slug, copies],
  );
  await client.query(
    `INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
     SELECT ic."itemId" || '-' || r, ic."candidateId", ic.position
       FROM "ItemCandidate" ic JOIN "Item" i ON i.id = ic."itemId" JOIN "Project" p ON p.id = i."projectId", generate_series(1, $2) r WHERE p.slug = $1`,
    [from, copies],
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function signedInState(browser: Browser): Promise<Awaited<ReturnType<BrowserContext["storageState"]>>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/signin?callbackUrl=/annotate`);
  await page.getByLabel("Email").fill(DEMO_ANNOTATOR.email);
  await page.getByLabel("Password").fill(DEMO_ANNOTATOR.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("whoami").waitFor();
  const state = await context.storageState();
  await context.close();
  return state;
}

/** The item is on screen and the page has hydrated (the page marks its item `data-ready` once keys work). */
const READY = args.ready!;

async function coldLoad(browser: Browser, state: Awaited<ReturnType<typeof signedInState>>, slug: string) {
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  const scripts: Promise<[string, number]>[] = [];
  page.on("response", (res) => {
    if (res.request().resourceType() === "script") scripts.push(res.body().then((b) => [res.url(), zlib.gzipSync(b, { level: 6 }).length] as [string, number], () => [res.url(), 0]));
  });
  const nav = await page.goto(`${BASE}/annotate/${slug}`, { waitUntil: "commit" });
  const html = (await nav?.text()) ?? "";
  await page.waitForSelector(READY);
  const readyMs = await page.evaluate(() => performance.now());
  await page.waitForTimeout(1000);
  const sizes = await Promise.all(scripts);
  const inHtml = new Set([...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => new URL(m[1].replace(/&amp;/g, "&"), BASE).href));
  await context.close();
  const kb = (xs: [string, number][]) => xs.reduce((a, [, n]) => a + n, 0) / 1024;
  return { readyMs, gzipKb: kb(sizes.filter(([u]) => inHtml.has(u))), allKb: kb(sizes) };
}

/**
 * Judges `n` items by keyboard; returns submit keystroke → next item painted, per item, for as many items as the
 * page let it judge (a next item that does not appear within 15 s ends the walk: `completed` says how far it got).
 */
async function walk(page: Page, n: number, ranking: boolean): Promise<{ times: number[]; completed: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const ready = await page.waitForSelector(READY, { timeout: 15_000 }).catch(() => null);
    if (!ready) return { times, completed: i };
    const id = await page.getAttribute(READY, "data-assignment-id");
    if (ranking) {
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Alt+ArrowUp");
    } else {
      await page.keyboard.press(String(1 + (i % 2)));
    }
    // the timer starts in the page, at the keystroke, and stops at the frame after the next item is in the DOM; the
    // listener is in place before the key is pressed (a string, not a function: tsx would wrap a function's inner
    // helpers in a __name call the page lacks)
    await page.evaluate(`window.__benchNext = new Promise((resolve) => {
      let t0 = 0;
      window.addEventListener("keydown", () => { t0 = performance.now(); }, { capture: true, once: true });
      const check = () => {
        const el = document.querySelector('[data-testid="item"]');
        if (t0 && el && el.getAttribute("data-assignment-id") !== ${JSON.stringify(id)}) requestAnimationFrame(() => resolve(performance.now() - t0));
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }); true`);
    await page.keyboard.press("Enter");
    const done = page.evaluate("window.__benchNext") as Promise<number>;
    const t = await Promise.race([done, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    if (t === null) return { times, completed: i };
    times.push(t);
  }
  return { times, completed: n };
}

async function measure(browser: Browser, state: Awaited<ReturnType<typeof signedInState>>, slug: string, ranking: boolean) {
  const cold: { readyMs: number; gzipKb: number; allKb: number }[] = [];
  for (let r = 0; r < RUNS; r++) cold.push(await coldLoad(browser, state, slug));
  const context = await browser.newContext({ storageState: state, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/annotate/${slug}`);
  const { times: next, completed } = await walk(page, SUBMITS, ranking);
  await context.close();
  return {
    first_load_js_gzip_kb: Math.round(median(cold.map((c) => c.gzipKb)) * 10) / 10,
    all_js_gzip_kb: Math.round(median(cold.map((c) => c.allKb)) * 10) / 10,
    cold_first_item_ms: Math.round(median(cold.map((c) => c.readyMs))),
    next_item_p50_ms: Math.round(percentile(next, 50) * 10) / 10,
    next_item_p95_ms: Math.round(percentile(next, 95) * 10) / 10,
    judged: completed,
  };
}

async function main() {
  if (!fs.existsSync("/usr/bin/chromium")) throw new Error("Debian's chromium is not installed (apt-get install chromium); `npm test` installs it.");
  console.log(`bench:page — ${RUNS} cold loads and ${SUBMITS} keyboard judgements per project; ${os.cpus().length} CPUs`);
  const database = await createTestDatabase();
  let app: { stop: () => Promise<void> } | null = null;
  let browser: Browser | null = null;
  try {
    app = await startApp({ dev: false, port: PORT, worker: false, demo: true, setupLink: false, databaseUrl: database.url, log: (l) => console.log(`[start] ${l}`) });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const copies = Math.ceil((SUBMITS + 5) / 10);
    await copyProject(client, "demo-pairwise", "bench-page-pairwise", copies);
    await copyProject(client, "demo-ranking", "bench-page-ranking", copies * 2);
    await client.end();
    for (let i = 0; i < 600; i++) {
      const ok = await fetch(`${BASE}/signin`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs, headless: true });
    const state = await signedInState(browser);
    // one warm-up load so the server's first-request compilation of each route is not measured
    await coldLoad(browser, state, "bench-page-pairwise");
    await coldLoad(browser, state, "bench-page-ranking");
    const pairwise = await measure(browser, state, "bench-page-pairwise", false);
    console.log("pairwise", pairwise);
    const ranking = await measure(browser, state, "bench-page-ranking", true);
    console.log("ranking", ranking);
    const fields = [
      ...Object.entries(pairwise).map(([k, v]) => `${k}=${v}`),
      ...Object.entries(ranking).map(([k, v]) => `ranking_${k}=${v}`),
    ];
    console.log(`RESULT ${fields.join(" ")}`);
  } finally {
    await browser?.close();
    await app?.stop();
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
