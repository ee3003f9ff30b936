// A production first run, as the README says to do it: `npm start` (scripts/start.ts) on an empty database, no demo.
// It must seed no demo accounts, say when it is ready, print a one-time setup link, and the link must create the
// first admin in the browser; Ctrl-C ends with a "Stopped." line. A second app of its own, beside the e2e one (same
// build, its own database and a free port).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { withDb } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Resolves with the first match of `pattern` in the process's output so far or to come. */
function waitForOutput(child: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output.text}`)), timeoutMs);
    const check = () => {
      const match = output.text.match(pattern);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      resolve(match);
    };
    child.stdout!.on("data", check);
    check();
  });
}

test("npm start on an empty database: no demo, a ready line, a setup link that makes the first admin, a stopped line", async ({ page }) => {
  test.setTimeout(240_000);
  const name = `rlhf_e2e_first_run_${process.pid}_${Date.now()}`;
  await withDb((db) => db.query(`CREATE DATABASE ${name}`));
  // the e2e app's server, another database
  const url = new URL(fs.readFileSync(path.join(ROOT, ".data", "e2e", "database-url"), "utf8").trim());
  url.pathname = `/${name}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString(), PORT: String(port), WEB_CONCURRENCY: "1", START_WORKER: "false", NEXT_TELEMETRY_DISABLED: "1" };
  for (const key of ["NEXTAUTH_URL", "SEED_DEMO", "NODE_ENV"]) delete env[key];
  const output = { text: "" };
  const app = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  app.stdout!.on("data", (d: Buffer) => (output.text += d.toString()));
  app.stderr!.on("data", (d: Buffer) => (output.text += d.toString()));
  const exited = new Promise<number | null>((resolve) => app.on("exit", (code) => resolve(code)));
  try {
    const [, readyAt] = await waitForOutput(app, output, /RLHF Studio is ready at (\S+)\n/, 180_000);
    expect(readyAt).toBe(`http://localhost:${port}`);
    const [, link] = await waitForOutput(app, output, /^\s+(http:\/\/localhost:\d+\/setup\/[\w-]+)$/m, 60_000);
    expect(output.text).not.toMatch(/demo/i);

    await page.goto(link);
    await page.getByLabel("Email").fill("first.admin@example.com");
    await page.getByLabel("Your name").fill("First Admin");
    await page.getByLabel("Password", { exact: true }).fill("first admin passphrase");
    await page.getByLabel("Repeat the new password").fill("first admin passphrase!");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect(page.getByText("does not match the new password")).toBeVisible();
    await page.getByLabel("Repeat the new password").fill("first admin passphrase");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await page.waitForURL(`http://localhost:${port}/admin`);
    await expect(page.getByTestId("whoami")).toHaveText(/First Admin · admin/);
    // the link is spent
    await page.goto(link);
    await expect(page.getByRole("alert").filter({ hasText: /already (used|has an admin)/ })).toBeVisible();

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const users = await client.query<{ email: string; role: string }>(`SELECT email, role FROM "User"`);
    await client.end();
    expect(users.rows).toEqual([{ email: "first.admin@example.com", role: "ADMIN" }]);
  } finally {
    app.kill("SIGINT");
    const code = await exited;
    await withDb((db) => db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    expect(code).toBe(0);
    expect(output.text).toMatch(/\[start\] Stopped\.\n$/);
  }
});
