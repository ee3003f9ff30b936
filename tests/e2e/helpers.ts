import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import pg from "pg";

/** The e2e database (created by scripts/e2e-server.ts), for asserting what the product stored. */
export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = fs.readFileSync(path.resolve(".data", "e2e", "database-url"), "utf8").trim();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const ADMIN = { email: "admin@demo.local", password: "demo-admin-pass" };
export const ANNOTATOR = { email: "annotator@demo.local", password: "demo-annotator-pass" };

export async function signIn(page: Page, who: { email: string; password: string }, callbackUrl = "/annotate") {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("whoami")).toBeVisible();
}
