// The Python client (trainer/client, package rlhf_studio) against the e2e app and its worker: pip installs it offline
// into a temporary folder (its own build backend, nothing to download), then its tests (trainer/client/tests/
// test_client.py) run with that install and an admin token made on the tokens page: an import with progress, a
// snapshot built and downloaded, a tiny reward model followed to success, models registered and activated, and
// bad requests raising the typed errors with the field named.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { findPython } from "../../trainer/worker/python";
import { ADMIN, createProject, judge, signIn, withDb } from "./helpers";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const CLIENT_DIR = path.join(ROOT, "trainer", "client");
const TRAINER_DIR = path.join(ROOT, "trainer");
// Debian's interpreter: it has pytest, and its pip is the one a user of this machine would run
const SYSTEM_PYTHON = "/usr/bin/python3";

test("the Python client installs offline with pip and drives the API: imports, snapshots, a reward model run, models, errors", async ({ page, baseURL }) => {
  test.setTimeout(480_000);
  const target = await mkdtemp(path.join(os.tmpdir(), "rlhf-studio-client-"));
  const modelDir = path.join(ROOT, ".data", "models", `python-client-${path.basename(target)}`);
  try {
    // the install: build isolation on, no index reachable, and the package imports from where pip put it
    const installed = await execFileAsync(SYSTEM_PYTHON, ["-m", "pip", "install", "--no-index", "--target", target, CLIENT_DIR], { env: { ...process.env, PIP_NO_INPUT: "1" } });
    expect(installed.stdout).toContain("Successfully installed rlhf_studio-0.1.0");
    expect((await readdir(target)).sort()).toEqual(["rlhf_studio", "rlhf_studio-0.1.0.dist-info"]);
    const imported = await execFileAsync(SYSTEM_PYTHON, ["-c", "import rlhf_studio, importlib.metadata as m; print(rlhf_studio.__file__); print(m.version('rlhf_studio'))"], {
      cwd: os.tmpdir(),
      env: { ...process.env, PYTHONPATH: target },
    });
    expect(imported.stdout.split("\n").slice(0, 2)).toEqual([path.join(target, "rlhf_studio", "__init__.py"), "0.1.0"]);

    // the data the tests read: a project with ten judged pairs (the first, "good …", answer chosen) and a tiny model
    // directory under the app's <DATA_DIR>/models, written by the trainer's own code
    const slug = await createProject({
      taskType: "PAIRWISE",
      items: Array.from({ length: 16 }, (_, i) => ({ prompt: `Python client prompt ${i}`, candidates: [`good answer ${i}`, `bad answer ${i}`] })),
    });
    await judge(slug);
    const pairs = await withDb(async (db) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Comparison" c JOIN "Project" p ON p.id = c."projectId" WHERE p.slug = $1`, [slug])).rows[0].n));
    expect(pairs).toBe(10);
    const python = await findPython({ pathVar: process.env.PATH });
    if (!python.ok) throw new Error(python.message);
    await execFileAsync(python.python, ["-c", "import sys\nfrom rlhf import model as m\nm.save_tiny(m.TinyTransformer(m.TinyConfig(n_embd=16, n_layer=1, n_head=2, block_size=32)), sys.argv[1])", modelDir], {
      cwd: TRAINER_DIR,
      env: { ...process.env, PYTHONPATH: TRAINER_DIR },
    });

    // an admin's token with every scope, made on the tokens page by keyboard
    await signIn(page, ADMIN, "/admin/tokens");
    await page.getByLabel("Name", { exact: true }).focus();
    await page.keyboard.type("python notebook");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("radio", { name: /^Read/ })).toBeFocused();
    // Write is the last choice: up from the first wraps round to it
    await page.keyboard.press("ArrowUp");
    await expect(page.getByRole("radio", { name: /^Write/ })).toBeChecked();
    await page.keyboard.press("Enter");
    const token = await page.getByTestId("new-token").inputValue();
    expect(token).toMatch(/^rlhf_/);
    await expect(page.getByRole("row", { name: /python notebook/ })).toContainText("write");
    await page.screenshot({ path: "/tmp/pyclient-tokens.png", fullPage: true });

    const junit = test.info().outputPath("pytest.xml");
    const result = await execFileAsync(
      SYSTEM_PYTHON,
      ["-m", "pytest", "-q", "-p", "no:cacheprovider", `--junitxml=${junit}`, path.join(CLIENT_DIR, "tests", "test_client.py")],
      {
        // from outside the checkout, so the installed package is the one imported
        cwd: target,
        env: {
          ...process.env,
          PYTHONPATH: target,
          RLHF_STUDIO_URL: baseURL ?? "",
          RLHF_STUDIO_TOKEN: token,
          RLHF_TEST_JUDGED_PROJECT: slug,
          RLHF_TEST_JUDGED_PAIRS: String(pairs),
          RLHF_TEST_TINY_MODEL_DIR: modelDir,
        },
        maxBuffer: 16 << 20,
      },
    ).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`pytest failed:\n${err.stdout ?? ""}\n${err.stderr ?? err.message}`);
    });
    // the counts from pytest's report, not its (coloured) terminal line: all seven ran, none skipped
    const suite = (await readFile(junit, "utf8")).match(/<testsuite [^>]*>/)?.[0] ?? result.stdout;
    const count = (name: string) => Number(suite.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1]);
    expect([count("tests"), count("failures"), count("errors"), count("skipped")], suite).toEqual([7, 0, 0, 0]);
  } finally {
    await rm(target, { recursive: true, force: true });
    await rm(modelDir, { recursive: true, force: true });
  }
});
