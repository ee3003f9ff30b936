// The trainer from the admin pages, against the e2e app's real worker and Python trainer (tiny backend, CPU):
// a reward model trained from a snapshot of judgements with a hidden rule, the reward model scoring a project,
// then PPO against it and generation from the new policy into a project an annotator works on.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type Page } from "@playwright/test";
import { findPython } from "../../trainer/worker/python";
import { ADMIN, ANNOTATOR, createProject, signIn, withDb } from "./helpers";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const TRAINER_DIR = path.join(ROOT, "trainer");

// The hidden rule: of two answers, annotators always prefer the one with the marker word.
const MARKER = "gold";
const WORDS = "blue red tree sand rock wind rain snow leaf moon star lake hill road book lamp door wall fish bird".split(" ");
const TOPICS = ["the sea", "a city", "winter", "music", "a garden", "the night sky", "old books", "a long trip"];

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function hiddenRuleItems(n: number, seed: number) {
  const rand = rng(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const sentence = (marker: boolean) => {
    const words = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => pick(WORDS));
    if (marker) words[Math.floor(rand() * words.length)] = MARKER;
    return words.join(" ");
  };
  return Array.from({ length: n }, (_, i) => {
    const good = sentence(true);
    const bad = sentence(false);
    // the marked answer is shown first or second at random, so position says nothing
    // a content hash of its own, not the random slug's: the snapshot's order and train/test split (both follow the
    // hash) and so the trained model are the same on every run
    return { prompt: `About ${pick(TOPICS)} (${seed}-${i}).`, candidates: rand() < 0.5 ? [good, bad] : [bad, good], key: `hidden-rule-${seed}-${i}` };
  });
}

/** One judgement per item by the demo annotator, the marked answer chosen: annotations and their comparisons. */
async function judgeByHiddenRule(slug: string): Promise<number> {
  return withDb(async (db) => {
    const res = await db.query(
      `WITH pairs AS (
         SELECT i.id AS item_id, i."promptId" AS prompt_id, i."projectId" AS project_id,
                (SELECT c.id FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId"
                  WHERE ic."itemId" = i.id AND c.text ~ $2) AS chosen,
                (SELECT c.id FROM "ItemCandidate" ic JOIN "Candidate" c ON c.id = ic."candidateId"
                  WHERE ic."itemId" = i.id AND c.text !~ $2) AS rejected
           FROM "Item" i JOIN "Project" p ON p.id = i."projectId" WHERE p.slug = $1),
       judge AS (SELECT id FROM "User" WHERE email = $3),
       ann AS (
         INSERT INTO "Annotation"(id, "submissionId", "itemId", "projectId", "userId", ranking, strength, "timeSpentMs", "updatedAt")
         SELECT 'ann' || md5(item_id), 'sub' || md5(item_id), item_id, project_id, judge.id,
                jsonb_build_array(jsonb_build_array(chosen), jsonb_build_array(rejected)), 'BETTER', 4000, now()
           FROM pairs, judge
         RETURNING id, "itemId")
       INSERT INTO "Comparison"("annotationId", "projectId", "itemId", "promptId", "userId", "chosenId", "rejectedId", margin)
       SELECT ann.id, pairs.project_id, pairs.item_id, pairs.prompt_id, judge.id, pairs.chosen, pairs.rejected, 1
         FROM ann JOIN pairs ON pairs.item_id = ann."itemId", judge`,
      [slug, `\\m${MARKER}\\M`, ANNOTATOR.email],
    );
    return res.rowCount ?? 0;
  });
}

async function databaseUrl(): Promise<string> {
  return fs.readFileSync(path.join(ROOT, ".data", "e2e", "database-url"), "utf8").trim();
}

async function one<T>(sql: string, params: unknown[]): Promise<T> {
  return withDb(async (db) => {
    const res = await db.query(sql, params);
    expect(res.rows, sql).toHaveLength(1);
    return res.rows[0] as T;
  });
}

/** Waits on the run page until the run ends; a failure shows the trainer's error in the test output. */
async function waitForRun(page: Page, timeout: number) {
  const status = page.getByTestId("run-status");
  await expect(status).toHaveText(/succeeded|failed|cancelled/, { timeout });
  const text = await status.textContent();
  if (text !== "succeeded") {
    const error = await page.getByRole("alert").filter({ hasText: /./ }).allTextContents();
    throw new Error(`run ended ${text}: ${error.join(" | ")}`);
  }
}

/** Waits until React has taken the launch form over: a value typed before that is reset by hydration (seen on a loaded box). */
async function launchFormHydrated(page: Page) {
  await page.waitForFunction(() => {
    const form = document.querySelector('form[aria-label="Launch a run"]');
    return form !== null && Object.keys(form).some((k) => k.startsWith("__reactFiber"));
  });
}

async function launch(page: Page) {
  await page.getByRole("button", { name: "Launch run" }).click();
  await page.waitForURL(/\/admin\/runs\/(?!new)[^/]+$/);
  return page.url().split("/").pop() as string;
}

test.describe.serial("trainer", () => {
  let rmProject: { slug: string; id: string };
  let rewardModel: { id: string; name: string };
  let snapshotId: string;
  let base: { id: string; name: string };
  let policy: { id: string; name: string };
  let ppoPolicy: { id: string; name: string };

  test("admin launches a tiny reward-model run from a snapshot and watches it finish with charts", async ({ page }) => {
    test.setTimeout(150_000);
    const slug = await createProject({ taskType: "PAIRWISE", items: hiddenRuleItems(320, 7), allowTies: false });
    rmProject = { slug, id: (await one<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [slug])).id };
    expect(await judgeByHiddenRule(slug)).toBe(320);
    const snapshotName = `rm-${slug}`;
    await execFileAsync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/cli.ts", "export", "--name", snapshotName, "--project", slug], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: await databaseUrl() },
    });
    const snapshot = await one<{ id: string }>(`SELECT id FROM "Snapshot" WHERE name = $1 AND status = 'SUCCEEDED'`, [snapshotName]);
    snapshotId = snapshot.id;

    await signIn(page, ADMIN, "/admin/runs/new");
    await expect(page.getByRole("heading", { name: "Launch a run" })).toBeVisible();
    await launchFormHydrated(page);
    const name = `tiny rm ${slug}`;
    await page.getByLabel("Run name").fill(name);
    await page.getByLabel("Snapshot", { exact: true }).selectOption(snapshot.id);
    // The form starts from the tiny backend's defaults; a shallower model on short sequences learns the rule in seconds.
    await expect(page.getByLabel("Learning rate")).toHaveValue("0.003");
    await expect(page.getByLabel("Epochs")).toHaveValue("3");
    await page.getByLabel("Layers").fill("2");
    await page.getByLabel("Heads").fill("4");
    // the marker task learns best without the warmup the prompt-dependent tasks need (rlhf.synthetic RM_TASK)
    await expect(page.getByLabel("Warmup ratio")).toHaveValue("0.1");
    await page.getByLabel("Warmup ratio").fill("0");
    await page.getByLabel("Max length").fill("96");
    await page.getByLabel("Width").fill("64");
    await page.getByLabel("Logging steps").fill("5");
    const runId = await launch(page);

    await expect(page.getByRole("heading", { name })).toBeVisible();
    await waitForRun(page, 120_000);
    const accuracy = page.getByRole("figure", { name: "Accuracy" });
    await expect(accuracy.locator("svg .recharts-line").first()).toBeVisible();
    await expect(accuracy.locator("figcaption")).toContainText("eval");
    await expect(page.getByRole("figure", { name: "Loss" }).locator("svg .recharts-line").first()).toBeVisible();
    await expect(page.getByRole("progressbar", { name: "Run progress" })).toHaveAttribute("aria-valuenow", "100");
    await expect(page.getByRole("link", { name })).toBeVisible(); // the registered model
    await expect(page.getByLabel("Run log")).toContainText("rlhf.reward");

    rewardModel = await one<{ id: string; name: string }>(`SELECT id, name FROM "Model" WHERE "runId" = $1 AND kind = 'REWARD'`, [runId]);
    await page.goto("/admin/runs");
    const row = page.getByTestId("run-row").filter({ hasText: name });
    await expect(row).toContainText("succeeded");
  });

  test("admin makes a starting policy with SFT on the snapshot's chosen responses, sees its charts, and DPO offers it", async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page, ADMIN, "/admin/runs/new");
    // by keyboard: the kind, then the run's name, the snapshot and the fields
    await page.getByRole("radio", { name: /^SFT/ }).check();
    await expect(page.getByRole("radio", { name: "a new tiny model" })).toBeChecked();
    const snapshot = page.getByLabel("Snapshot", { exact: true });
    // the snapshot of pairs is offered (SFT learns its chosen responses); its label names the format
    await expect(snapshot.locator("option", { hasText: `rm-${rmProject.slug}` })).toContainText("trl");
    await snapshot.selectOption({ label: (await snapshot.locator("option", { hasText: `rm-${rmProject.slug}` }).textContent()) ?? "" });
    const name = `tiny sft ${rmProject.slug}`;
    await page.getByLabel("Run name").fill(name);
    // the trainer's tiny defaults, as a user gets them
    await expect(page.getByLabel("Learning rate")).toHaveValue("0.003");
    await expect(page.getByLabel("Epochs")).toHaveValue("3");
    await page.getByLabel("Width").focus();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("64");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/runs\/(?!new)[^/]+$/);
    const runId = page.url().split("/").pop() as string;

    await expect(page.getByRole("heading", { name })).toBeVisible();
    await waitForRun(page, 120_000);
    const loss = page.getByRole("figure", { name: "Loss" });
    await expect(loss.locator("svg .recharts-line").first()).toBeVisible();
    await expect(loss.locator("figcaption")).toContainText("eval");
    await expect(page.getByRole("figure", { name: "Token accuracy" }).locator("svg .recharts-line").first()).toBeVisible();
    await expect(page.getByLabel("Run log")).toContainText("rlhf.sft");
    await expect(page.getByRole("link", { name })).toBeVisible(); // the registered policy
    const points = await one<{ n: string }>(`SELECT count(*)::text AS n FROM "RunMetric" WHERE "runId" = $1 AND name = 'loss'`, [runId]);
    expect(Number(points.n)).toBeGreaterThan(1);
    const policy = await one<{ id: string; backend: string }>(`SELECT id, backend FROM "Model" WHERE "runId" = $1 AND kind = 'POLICY'`, [runId]);
    expect(policy.backend).toBe("tiny");

    // the SFT result is the starting policy DPO and KTO pick from the registry
    for (const kind of ["DPO", "KTO"]) {
      await page.goto(`/admin/runs/new?kind=${kind}`);
      await expect(page.getByLabel("Starting policy", { exact: true }).locator("option", { hasText: name })).toHaveCount(1);
    }
  });

  test("the active reward model scores the project's items on the queue and agrees with the annotators", async ({ page }) => {
    test.setTimeout(90_000);
    await signIn(page, ADMIN, "/admin/models");
    const row = page.getByTestId("model-row").filter({ hasText: rewardModel.name });
    await expect(row).toContainText("eval accuracy");
    await expect(row).toContainText(/snapshot rm-/);
    await row.getByRole("button", { name: `Mark ${rewardModel.name} active` }).click();
    // the badge, not the button's own words: leaving before the mutation lands would leave no model active
    await expect(row.getByText("active", { exact: true })).toBeVisible();

    await page.goto(`/admin/projects/${rmProject.id}/analytics`);
    const panel = page.getByRole("region", { name: "Reward model" });
    await expect(panel.getByText("Active reward model", { exact: true })).toBeVisible();
    await expect(panel).toContainText(rewardModel.name);
    await page.getByRole("button", { name: "Score the project's items with the active reward model" }).click();
    // a SCORE run on the trainer queue, followed on the page until the worker is done
    await expect(page.getByRole("link", { name: "Scoring run" })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /^Scored 320 items \(\d+ candidates\)\.$/ })).toBeVisible({ timeout: 60_000 });
    // 320 judged pairs, all following the rule the model learned
    await expect(page.getByTestId("rm-agreement")).toHaveText(/^(9\d|100)\.\d%$/);
  });

  test("admin runs PPO against the reward model, then generation into a project, and the annotator gets the new items", async ({ page, browser }) => {
    test.setTimeout(210_000);
    // A starting policy that already writes short answers: a few seconds of SFT on the trainer's synthetic task.
    const python = await findPython({ trainerPython: process.env.TRAINER_PYTHON, pathVar: process.env.PATH });
    if (!python.ok) throw new Error(python.message);
    // under <DATA_DIR>/models: model directories elsewhere are refused at launch
    const models = path.resolve(ROOT, process.env.DATA_DIR ?? ".data", "models");
    fs.mkdirSync(models, { recursive: true });
    const work = fs.mkdtempSync(path.join(models, "e2e-trainer-"));
    const pyEnv = { ...process.env, PYTHONPATH: TRAINER_DIR };
    await execFileAsync(python.python, ["-m", "rlhf.synthetic", "--out", work, "--pairs", "8", "--test-pairs", "2", "--prompts", "8"], { cwd: TRAINER_DIR, env: pyEnv });
    const sftRows = fs.readFileSync(path.join(work, "sft.jsonl"), "utf8").split("\n").slice(0, 96).join("\n");
    fs.writeFileSync(path.join(work, "sft-small.jsonl"), `${sftRows}\n`);
    fs.writeFileSync(
      path.join(work, "sft.json"),
      JSON.stringify({ output_dir: path.join(work, "sft"), train_file: path.join(work, "sft-small.jsonl"), batch_size: 16, max_length: 64, n_layer: 1, n_embd: 32, n_head: 2 }),
    );
    await execFileAsync(python.python, ["-m", "rlhf.sft", "--config", path.join(work, "sft.json")], { cwd: TRAINER_DIR, env: pyEnv });

    // The starting policy joins the registry as a base model: launch forms pick models, never type paths.
    await signIn(page, ADMIN, "/admin/models");
    const register = page.getByRole("form", { name: "Register a base model" });
    const baseName = `sft base ${rmProject.slug}`;
    await register.getByLabel("Name").fill(baseName);
    await register.getByLabel("Directory").fill(path.join(work, "nowhere"));
    await register.getByRole("button", { name: "Register" }).click();
    await expect(register.getByText(/no config\.json: not a model directory|does not exist on this host/).first()).toBeVisible();
    await register.getByLabel("Directory").fill(path.join(work, "sft", "model"));
    await register.getByRole("button", { name: "Register" }).click();
    await expect(register.getByRole("status")).toHaveText(`Registered ${baseName} (tiny, chat template).`);
    const baseRow = page.getByTestId("model-row").filter({ hasText: baseName });
    await expect(baseRow).toContainText("base model");
    base = await one<{ id: string; name: string }>(`SELECT id, name FROM "Model" WHERE name = $1`, [baseName]);
    // the registry records the directory's digest (sha256 of its manifest), shown beside its path
    const { sha256 } = await one<{ sha256: string }>(`SELECT sha256 FROM "Model" WHERE id = $1`, [base.id]);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(baseRow).toContainText(`sha256 ${sha256.slice(0, 12)}…`);
    await page.screenshot({ path: test.info().outputPath("models-registered.png"), fullPage: true });

    await page.goto("/admin/runs/new?kind=PPO");
    await launchFormHydrated(page);
    const ppoName = `tiny ppo ${rmProject.slug}`;
    await page.getByLabel("Run name").fill(ppoName);
    await page.getByLabel("Reward model", { exact: true }).selectOption(rewardModel.id);
    await page.getByLabel("Project", { exact: true }).selectOption(rmProject.id);
    await expect(page.getByLabel("Policy directory")).toHaveCount(0);
    await page.getByLabel("Starting policy", { exact: true }).selectOption(base.id);
    await expect(page.getByLabel("KL coefficient (β)")).toHaveValue("0.2");
    await expect(page.getByLabel("KL controller")).toHaveValue("adaptive");
    await expect(page.getByLabel("Clip range", { exact: true })).toHaveValue("0.2");
    await page.getByLabel("Total episodes").fill("16");
    await page.getByLabel("Batch size").fill("8");
    await page.getByLabel("PPO epochs").fill("1");
    await page.getByLabel("Max new tokens").fill("12");
    const ppoRunId = await launch(page);
    await waitForRun(page, 150_000);
    await expect(page.getByRole("figure", { name: "RLHF reward" }).locator("svg .recharts-line").first()).toBeVisible();
    await expect(page.getByRole("figure", { name: "KL to the reference" }).locator("svg .recharts-line").first()).toBeVisible();
    await expect(page.getByRole("figure", { name: "Response length" }).locator("svg .recharts-line").first()).toBeVisible();
    const samples = page.getByRole("table", { name: /Responses sampled at step/ });
    await expect(samples.locator("tbody tr").first()).toBeVisible();
    const registered = await one<{ id: string; name: string; rewardModelId: string }>(`SELECT id, name, "rewardModelId" FROM "Model" WHERE "runId" = $1 AND kind = 'POLICY'`, [ppoRunId]);
    expect(registered.rewardModelId).toBe(rewardModel.id);
    policy = registered;
    ppoPolicy = { id: registered.id, name: registered.name };

    // The lineage on the models page: policy ← PPO run ← reward model ← snapshot.
    await page.goto("/admin/models");
    const policyRow = page.getByTestId("model-row").filter({ hasText: "policy" }).filter({ hasText: ppoName });
    await expect(policyRow).toContainText(`run ${ppoName}`);
    await expect(policyRow).toContainText(`reward model ${rewardModel.name}`);
    await expect(policyRow).toContainText("snapshot rm-");
    await expect(policyRow).toContainText(`started from policy ${baseName}`);

    // Generation into a fresh project whose own items are done, so the annotator's queue holds only new ones.
    const genSlug = await createProject({ taskType: "PAIRWISE", items: hiddenRuleItems(4, 11) });
    const genProject = await one<{ id: string }>(`SELECT id FROM "Project" WHERE slug = $1`, [genSlug]);
    await withDb((db) => db.query(`UPDATE "Item" SET status = 'ARCHIVED' WHERE "projectId" = $1`, [genProject.id]));
    await page.goto("/admin/runs/new?kind=GENERATE");
    await launchFormHydrated(page);
    await page.getByLabel("Run name").fill(`sample ${ppoName}`);
    await page.getByLabel("Target project").selectOption(genProject.id);
    await page.getByRole("radio", { name: "a registered policy" }).check();
    await page.getByLabel("Policy", { exact: true }).selectOption(policy.id);
    await page.getByLabel("Samples per prompt (k)").fill("3");
    await page.getByLabel("Max new tokens").fill("16");
    await page.getByLabel("Temperature").fill("1");
    const genRunId = await launch(page);
    await waitForRun(page, 90_000);
    const generated = await one<{ n: string }>(
      `SELECT count(DISTINCT ic."itemId")::text AS n FROM "Candidate" c JOIN "ItemCandidate" ic ON ic."candidateId" = c.id WHERE c."runId" = $1`,
      [genRunId],
    );
    expect(Number(generated.n)).toBeGreaterThan(0);

    const annotatorContext = await browser.newContext();
    const annotator = await annotatorContext.newPage();
    await signIn(annotator, ANNOTATOR, `/annotate/${genSlug}`);
    const item = annotator.getByTestId("item");
    await expect(item).toBeVisible();
    const assignmentId = await item.getAttribute("data-assignment-id");
    const shown = await one<{ runs: string[] }>(
      `SELECT array_agg(DISTINCT c."runId") AS runs FROM "Assignment" a JOIN "ItemCandidate" ic ON ic."itemId" = a."itemId"
         JOIN "Candidate" c ON c.id = ic."candidateId" WHERE a.id = $1`,
      [assignmentId],
    );
    expect(shown.runs).toEqual([genRunId]);
    await annotatorContext.close();
  });

  test("admin evaluates the PPO policy against its starting policy, opens a human arena from the result, and the annotator's judgements rank both", async ({ page, browser }) => {
    test.setTimeout(180_000);
    await signIn(page, ADMIN, "/admin/runs/new?kind=EVAL");
    const evalName = `eval ${policy.name}`;
    await page.getByLabel("Run name").fill(evalName);
    await page.getByLabel("Policy", { exact: true }).selectOption(policy.id);
    await page.getByLabel("Reference policy", { exact: true }).selectOption(base.id);
    await page.getByLabel("Judged by", { exact: true }).selectOption(rewardModel.id);
    await page.getByLabel("Held-out prompts", { exact: true }).selectOption(snapshotId);
    await page.getByLabel("Samples per prompt", { exact: true }).fill("2");
    await page.getByLabel("Max new tokens").fill("12");
    const evalRunId = await launch(page);
    await waitForRun(page, 120_000);
    await expect(page.getByRole("link", { name: "compared with other evaluations" })).toBeVisible();
    const result = await one<{ winRate: number; winRateLow: number; winRateHigh: number; prompts: number; pairs: number }>(
      `SELECT "winRate", "winRateLow", "winRateHigh", prompts, pairs FROM "EvalResult" WHERE "runId" = $1`,
      [evalRunId],
    );
    expect(result.pairs).toBe(2 * result.prompts);
    expect(result.winRateLow).toBeLessThanOrEqual(result.winRate);

    await page.goto("/admin/models#evaluations");
    const row = page.getByTestId("eval-row").filter({ hasText: evalName });
    await expect(row).toContainText(`${policy.name} vs ${base.name}`);
    await expect(row).toContainText(`${(result.winRate * 100).toFixed(1)}%`);
    await expect(row).toContainText(`${(result.winRateLow * 100).toFixed(1)}%–${(result.winRateHigh * 100).toFixed(1)}%`);
    await expect(page.getByRole("img", { name: /Win-rates of \d+ evaluations/ }).getByTestId("eval-point")).not.toHaveCount(0);
    await expect(page.getByTestId("model-row").filter({ hasText: policy.name }).first()).toContainText(`vs ${base.name}`);
    await page.screenshot({ path: test.info().outputPath("evaluations.png"), fullPage: true });

    // One action: the arena project, its generation run pairing new and old on the snapshot's held-out prompts.
    await row.getByRole("button", { name: `Human arena: ${policy.name} vs ${base.name}` }).click();
    await page.waitForURL(/\/admin\/projects\/[^/]+$/);
    const arenaId = page.url().split("/").pop() as string;
    const arena = await one<{ slug: string; run: string }>(
      `SELECT p.slug, r.id AS run FROM "Project" p JOIN "TrainingRun" r ON r."projectId" = p.id WHERE p.id = $1 AND r.kind = 'GENERATE'`,
      [arenaId],
    );
    await page.goto(`/admin/runs/${arena.run}`);
    await expect(page.getByText("Second policy (arena)")).toBeVisible();
    await waitForRun(page, 90_000);
    const items = await one<{ n: number }>(`SELECT count(*)::int AS n FROM "Item" WHERE "projectId" = $1`, [arenaId]);
    expect(items.n).toBeGreaterThan(0);
    await withDb((db) => db.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, id FROM "User" WHERE email = $2 ON CONFLICT DO NOTHING`, [arenaId, ANNOTATOR.email]));

    // The annotator judges every arena item by keyboard, always for the response shown first: blind, no model names.
    const annotatorContext = await browser.newContext();
    const annotator = await annotatorContext.newPage();
    await signIn(annotator, ANNOTATOR, `/annotate/${arena.slug}`);
    for (let i = 0; i < items.n; i++) {
      const item = annotator.locator('[data-testid="item"][data-ready="true"]');
      await expect(item).toBeVisible();
      await expect.poll(() => annotator.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("item");
      await expect(item).not.toContainText(policy.name);
      const assignment = (await item.getAttribute("data-assignment-id")) as string;
      await annotator.keyboard.press("2");
      await annotator.keyboard.press("Enter");
      if (i < items.n - 1) await expect(annotator.getByTestId("item")).not.toHaveAttribute("data-assignment-id", assignment);
    }
    await expect(annotator.getByText("There is nothing left for you to judge in this project. Thank you!")).toBeVisible();
    await annotatorContext.close();
    await page.goto(`/admin/projects/${arenaId}/analytics`);
    const leaderboard = page.getByRole("region", { name: "Model leaderboard" });
    await expect(leaderboard).toContainText(policy.name);
    await expect(leaderboard).toContainText(base.name);
    await page.screenshot({ path: test.info().outputPath("arena-leaderboard.png"), fullPage: true });
  });

  test("admin queues the next iteration from the project's loop page and sees its chain wait", async ({ page }) => {
    await signIn(page, ADMIN, `/admin/projects/${rmProject.id}/loop`);
    const form = page.getByRole("form", { name: "Queue the next iteration" });
    await form.getByLabel("Iteration name", { exact: true }).fill(`iter ${rmProject.slug}`);
    await form.getByLabel("Snapshot", { exact: true }).selectOption(snapshotId);
    await form.getByLabel("Starting policy", { exact: true }).selectOption(policy.id);
    await form.getByLabel("Evaluation judged by", { exact: true }).selectOption(rewardModel.id);
    // one GPU per run: the e2e worker has none, so the chain stays queued while we look at it
    await form.getByLabel("GPUs per run", { exact: true }).fill("1");
    await form.getByRole("button", { name: "Queue iteration" }).click();
    await expect(form.getByRole("status")).toHaveText(`Queued iter ${rmProject.slug}: 3 runs.`);
    const iteration = page.getByTestId("iteration").filter({ hasText: `iter ${rmProject.slug}` });
    await expect(iteration).toContainText("DPO");
    await expect(iteration).toContainText("Evaluation");
    await expect(iteration).toContainText("arena leaderboard");
    await page.screenshot({ path: test.info().outputPath("loop.png"), fullPage: true });
    // the chain is cancelled from its first run: the rest fail with the reason
    const dpo = await one<{ id: string }>(`SELECT id FROM "TrainingRun" WHERE name = $1`, [`iter ${rmProject.slug}: DPO`]);
    const evaluation = await one<{ id: string }>(`SELECT id FROM "TrainingRun" WHERE name = $1`, [`iter ${rmProject.slug}: eval`]);
    await page.goto(`/admin/runs/${evaluation.id}`);
    await expect(page.getByText(`waits for "iter ${rmProject.slug}: DPO"`)).toBeVisible();
    await page.goto(`/admin/runs/${dpo.id}`);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("cancelled");
    await page.goto(`/admin/projects/${rmProject.id}/loop`);
    // the evaluation and the arena's generation both needed the DPO run
    await expect(iteration.getByText(`needs run "iter ${rmProject.slug}: DPO", which was cancelled`)).toHaveCount(2);

    // retrying the cancelled step resumes the chain: the steps behind it are queued again, waiting for the retry
    await page.goto(`/admin/runs/${dpo.id}`);
    await page.getByRole("button", { name: "Retry" }).click();
    await expect(page.getByRole("heading", { name: `iter ${rmProject.slug}: DPO (retry)` })).toBeVisible();
    await page.goto(`/admin/projects/${rmProject.id}/loop`);
    await expect(iteration.getByRole("link", { name: /\(retry\)$/ })).toHaveCount(3);
    await expect(iteration.getByText("which was cancelled")).toHaveCount(0);
    await expect(iteration.locator("li", { hasText: "(retry)" }).filter({ hasText: "queued" })).toHaveCount(3);
    const evalRetry = await one<{ id: string }>(`SELECT id FROM "TrainingRun" WHERE name = $1`, [`iter ${rmProject.slug}: eval (retry)`]);
    await page.goto(`/admin/runs/${evalRetry.id}`);
    await expect(page.getByText(`waits for "iter ${rmProject.slug}: DPO (retry)"`)).toBeVisible();

    // the next iteration builds its own snapshot of the project's judgements: nothing to export first
    await page.goto(`/admin/projects/${rmProject.id}/loop`);
    await form.getByLabel("Iteration name", { exact: true }).fill(`own ${rmProject.slug}`);
    await expect(form.getByLabel("Snapshot", { exact: true })).toHaveValue("");
    await form.getByLabel("Held-out prompts (%)", { exact: true }).fill("30");
    await form.getByLabel("Starting policy", { exact: true }).selectOption(policy.id);
    await form.getByLabel("Evaluation judged by", { exact: true }).selectOption(rewardModel.id);
    await form.getByLabel("GPUs per run", { exact: true }).fill("1");
    await form.getByRole("button", { name: "Queue iteration" }).click();
    await expect(form.getByRole("status")).toHaveText(`Queued own ${rmProject.slug}: 3 runs.`);
    const own = page.getByTestId("iteration").filter({ hasText: `own ${rmProject.slug}` });
    await expect(own).toContainText(`on loop ${rmProject.slug} v1`);
    await page.screenshot({ path: test.info().outputPath("loop-own-snapshot.png"), fullPage: true });
    // nothing of this test is left for the next one to claim
    await withDb((db) => db.query(`UPDATE "TrainingRun" SET status = 'CANCELLED', "cancelRequested" = true WHERE status = 'QUEUED' AND name LIKE $1`, [`%${rmProject.slug}%`]));
  });

  test("admin launches GRPO from the PPO policy by keyboard and watches its reward, KL, β and samples", async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page, ADMIN, "/admin/runs/new?kind=PPO");
    await launchFormHydrated(page);
    // the kinds are one radio group: the arrow key moves from PPO to GRPO
    await page.getByRole("radio", { name: /^PPO/ }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("radio", { name: /^GRPO/ })).toBeChecked();
    const name = `tiny grpo ${rmProject.slug}`;
    await page.getByLabel("Run name", { exact: true }).fill(name);
    await page.getByLabel("Reward model", { exact: true }).selectOption(rewardModel.id);
    await expect(page.getByLabel("Reward model", { exact: true })).toHaveAccessibleDescription(/scores every completion/);
    await page.getByLabel("Project", { exact: true }).selectOption(rmProject.id);
    await page.getByLabel("Starting policy", { exact: true }).selectOption(ppoPolicy.id);
    // the trainer's own defaults for GRPO on the tiny backend
    await expect(page.getByLabel("Completions per prompt", { exact: true })).toHaveValue("4");
    await expect(page.getByLabel("KL coefficient (β)", { exact: true })).toHaveValue("0.2");
    await expect(page.getByLabel("KL target", { exact: true })).toHaveValue("6");
    await expect(page.getByLabel("Clip range (ε)", { exact: true })).toHaveValue("0.2");
    await expect(page.getByLabel("Reward scaling", { exact: true })).toHaveValue("group");
    // a batch that is not a whole number of groups is refused on the page, naming the field
    await page.getByLabel("Batch size", { exact: true }).fill("10");
    await page.getByLabel("Batch size", { exact: true }).press("Enter");
    await expect(page.getByLabel("Batch size", { exact: true })).toHaveAccessibleDescription(/multiple of num_generations/);
    await page.getByLabel("Batch size", { exact: true }).fill("8");
    await page.getByLabel("Total episodes", { exact: true }).fill("24");
    await page.getByLabel("Max completion length", { exact: true }).fill("12");
    await page.getByLabel("Max completion length", { exact: true }).press("Enter");
    await page.waitForURL(/\/admin\/runs\/(?!new)[^/]+$/);
    const runId = page.url().split("/").pop() as string;
    await waitForRun(page, 120_000);
    for (const chart of ["Reward", "KL to the reference", "KL coefficient (β)", "Completion length", "Entropy and clipping", "Time spent generating"]) {
      await expect(page.getByRole("figure", { name: chart, exact: true }).locator("svg .recharts-line").first()).toBeVisible();
    }
    const samples = page.getByRole("table", { name: /Responses sampled at step/ });
    await expect(samples.locator("tbody tr").first()).toBeVisible();
    await expect(page.getByLabel("Run log")).toContainText("rlhf.grpo");
    const policy = await one<{ rewardModelId: string; parentId: string; metrics: Record<string, number> }>(
      `SELECT "rewardModelId", "parentId", metrics FROM "Model" WHERE "runId" = $1 AND kind = 'POLICY'`,
      [runId],
    );
    expect(policy).toMatchObject({ rewardModelId: rewardModel.id, parentId: ppoPolicy.id });
    expect(Object.keys(policy.metrics)).toEqual(expect.arrayContaining(["reward", "kl", "beta", "generation_share"]));

    await page.goto("/admin/models");
    const row = page.getByTestId("model-row").filter({ hasText: name });
    await expect(row).toContainText(`GRPO run ${name}`);
    await expect(row).toContainText(`reward model ${rewardModel.name}`);
    await expect(row).toContainText("KL");
  });
});
