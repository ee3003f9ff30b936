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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  project.provide("databaseUrl", database.url);
  return () => database.drop();
}
