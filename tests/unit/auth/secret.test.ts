// The server secret every entry point resolves: NEXTAUTH_SECRET, else <DATA_DIR>/auth-secret (created once, private),
// and the public test secret only under the test runner. Outside tests a secret that cannot be had fails closed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveSecret, secretFilePath, TEST_RUNNER_SECRET } from "@/server/secret";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
});
afterEach(() => {
  fs.chmodSync(dir, 0o700);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("resolveSecret", () => {
  it("uses NEXTAUTH_SECRET when it is set, without touching DATA_DIR", () => {
    expect(resolveSecret({ configured: "x".repeat(32), dataDir: dir, testRunner: false })).toBe("x".repeat(32));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("outside tests creates <DATA_DIR>/auth-secret once, mode 0600, and every later process reads the same", () => {
    const dataDir = path.join(dir, "data");
    const first = resolveSecret({ dataDir, testRunner: false });
    expect(first).not.toBe(TEST_RUNNER_SECRET);
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = secretFilePath(dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(["auth-secret"]);
    expect(resolveSecret({ dataDir, testRunner: false })).toBe(first);
    // the test runner reads an existing file too, so tests and the app under test agree
    expect(resolveSecret({ dataDir, testRunner: true })).toBe(first);
  });

  it("falls back to the public test secret only under the test runner", () => {
    expect(resolveSecret({ dataDir: dir, testRunner: true })).toBe(TEST_RUNNER_SECRET);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("fails closed with a clear message when the file cannot be created", () => {
    // a read-only directory; root ignores permissions, so for root a DATA_DIR below a plain file
    let dataDir = dir;
    if (process.getuid?.() === 0) {
      dataDir = path.join(dir, "file", "data");
      fs.writeFileSync(path.join(dir, "file"), "");
    } else fs.chmodSync(dir, 0o500);
    expect(() => resolveSecret({ dataDir, testRunner: false })).toThrow(/No session secret: NEXTAUTH_SECRET is not set and .* cannot be created .*Set NEXTAUTH_SECRET/);
  });

  it("refuses a secret file that is too short instead of signing with it", () => {
    fs.writeFileSync(secretFilePath(dir), "short\n");
    expect(() => resolveSecret({ dataDir: dir, testRunner: false })).toThrow(/shorter than 16 characters/);
  });
});
