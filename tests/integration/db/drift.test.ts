// Drift: schema.prisma and the database the migrations build must describe the same schema. When this fails,
// someone edited schema.prisma without `npm run db:new-migration -- <name>` (or edited SQL by hand).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, test } from "vitest";
import { env } from "@/server/env";
import { migrate } from "@/scripts/db/lib/migrate";
import { SCHEMA_PATH } from "@/scripts/db/lib/migrations";
import { drift, pendingSchemaChange } from "@/scripts/db/lib/schema-engine";
import { createEmptyDatabase } from "@/tests/setup/database";

describe("drift", () => {
  test("the migrated test database matches prisma/schema.prisma", async () => {
    const sql = await drift({ url: env.DATABASE_URL! });
    expect(sql, `schema.prisma and the migrations disagree; this SQL would reconcile them:\n${sql}`).toBe("");
  });

  test("the migrations folder needs no new migration for prisma/schema.prisma", async () => {
    expect(await pendingSchemaChange({ url: env.DATABASE_URL! })).toBe("");
  });

  test("a database changed behind the migrations' back is reported, with the SQL to undo it", async () => {
    const database = await createEmptyDatabase();
    try {
      await migrate({ url: database.url });
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(`ALTER TABLE "User" ADD COLUMN "nickname" TEXT`);
      await client.end();
      expect(await drift({ url: database.url })).toMatch(/ALTER TABLE "User" DROP COLUMN "nickname"/);
    } finally {
      await database.drop();
    }
  });

  test("a schema change yields the SQL of the next migration", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schema-"));
    try {
      const schemaPath = path.join(dir, "schema.prisma");
      const schema = fs.readFileSync(SCHEMA_PATH, "utf8");
      const changed = schema.replace(/model User \{\n/, "model User {\n  nickname String?\n");
      expect(changed).not.toBe(schema);
      fs.writeFileSync(schemaPath, changed);
      const sql = await pendingSchemaChange({ url: env.DATABASE_URL!, schemaPath });
      expect(sql).toMatch(/^ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT;$/m);
      expect(await drift({ url: env.DATABASE_URL!, schemaPath })).toMatch(/ADD COLUMN\s+"nickname" TEXT;/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
