// Vitest global setup: one fresh, migrated PostgreSQL database per run, dropped afterwards. Runs in the main
// Vitest process before any worker starts; workers inherit its environment, so server/env.ts in every worker
// parses DATABASE_URL = the fresh database.
import type { TestProject } from "vitest/node";
import { createTestDatabase } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

// The embedded PostgreSQL package registers async-exit-hook, whose 'beforeExit' handler ends the process with
// process.exit(0): a run with failed tests then exited 0 (npm test's total still failed, from the JUnit counts, but
// its "vitest: ok" line lied). Keep the code Vitest set.
let exitCodeBeforeHooks: number | string | undefined;
process.on("beforeExit", () => (exitCodeBeforeHooks = process.exitCode ?? undefined));
process.on("exit", () => {
  if (exitCodeBeforeHooks && !process.exitCode) process.exitCode = exitCodeBeforeHooks;
});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  project.provide("databaseUrl", database.url);
  return () => database.drop();
}
