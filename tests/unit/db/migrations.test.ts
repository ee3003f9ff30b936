import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { checksum, checksumMatches, newMigrationFolderName, readMigrations } from "@/scripts/db/lib/migrations";

describe("checksum", () => {
  test("is Prisma's: lowercase hex SHA-256 of the file bytes", () => {
    const sql = 'CREATE TABLE "é" (id int);\n';
    expect(checksum(sql)).toBe(crypto.createHash("sha256").update(Buffer.from(sql, "utf8")).digest("hex"));
    expect(checksum(sql)).toMatch(/^[0-9a-f]{64}$/);
  });

  test("matches across LF/CRLF checkouts but not across edits", () => {
    const lf = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    const crlf = lf.replace(/\n/g, "\r\n");
    expect(checksumMatches(crlf, checksum(lf))).toBe(true);
    expect(checksumMatches(lf, checksum(crlf))).toBe(true);
    expect(checksumMatches(lf + "-- edit\n", checksum(lf))).toBe(false);
  });
});

describe("readMigrations", () => {
  test("lists migration folders in timestamp order with their checksums, skipping the lockfile", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    try {
      for (const name of ["20260102000000_second", "20260101000000_first"]) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, "migration.sql"), `-- ${name}\n`);
      }
      fs.writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
      const migrations = readMigrations(dir);
      expect(migrations.map((m) => m.name)).toEqual(["20260101000000_first", "20260102000000_second"]);
      expect(migrations[0].checksum).toBe(checksum("-- 20260101000000_first\n"));

      fs.mkdirSync(path.join(dir, "20260103000000_empty"));
      expect(() => readMigrations(dir)).toThrow(/20260103000000_empty has no migration.sql/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("newMigrationFolderName", () => {
  const now = new Date("2026-11-24T07:12:24.500Z");

  test("prefixes the UTC time and snake-cases the name like Prisma", () => {
    expect(newMigrationFolderName("Add item priority!", [], now)).toBe("20261124071224_add_item_priority");
    expect(newMigrationFolderName("--- ", [], now)).toBeNull();
  });

  test("always sorts after existing migrations, even with a clock behind them", () => {
    expect(newMigrationFolderName("next", ["20261124071224_init"], now)).toBe("20261124071225_next");
    expect(newMigrationFolderName("next", ["20300101000000_future"], now)).toBe("20300101000001_next");
  });
});
