// The server secret. It signs session JWTs and, through HKDF with a purpose label, keys everything else that must
// not be computable without it (endpoint API keys at rest, export pseudonyms). Every entry point — the web server,
// the trainer worker, the CLI, the benchmarks, the seed and `npm start` itself — resolves it here, so they all agree:
// NEXTAUTH_SECRET, else <DATA_DIR>/auth-secret, which the first process that needs it creates (mode 0600).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/server/env";

/** Public (it is in this file), so it may only ever sign anything under the test runner. */
export const TEST_RUNNER_SECRET = "test-runner-secret-public-never-use-outside-tests";
const MIN_LENGTH = 16;

export function secretFilePath(dataDir: string): string {
  return path.resolve(dataDir, "auth-secret");
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

function readSecretFile(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    // absent, or DATA_DIR is not a directory (creating it will then say so)
    if (errorCode(err) === "ENOENT" || errorCode(err) === "ENOTDIR") return null;
    throw new Error(`Cannot read the session secret ${file} (${errorCode(err)}). Fix its permissions or set NEXTAUTH_SECRET.`);
  }
  if (text.length < MIN_LENGTH) {
    throw new Error(`The session secret ${file} is shorter than ${MIN_LENGTH} characters. Delete it to have a new one generated, or set NEXTAUTH_SECRET.`);
  }
  return text;
}

/**
 * Writes a fresh secret to `file` unless another process got there first, and returns whichever is on disk. The
 * secret goes to a private temporary file that is then hard-linked into place: a concurrent reader sees either no
 * file or the whole secret, never a half-written one, and exactly one creator wins.
 */
function createSecretFile(file: string): string {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, crypto.randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if (errorCode(err) !== "EEXIST") throw err;
    }
  } catch (err) {
    throw new Error(
      `No session secret: NEXTAUTH_SECRET is not set and ${file} cannot be created (${errorCode(err)}). ` +
        `Set NEXTAUTH_SECRET (at least ${MIN_LENGTH} characters) or make DATA_DIR writable.`,
    );
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never written, so nothing to remove
    }
  }
  return readSecretFile(file)!;
}

/**
 * The secret for this configuration. `testRunner` (NODE_ENV=test, which Vitest sets) allows the public test secret
 * instead of creating a file, so test runs leave DATA_DIR alone; nothing else ever falls back to a known value.
 */
export function resolveSecret(opts: { configured?: string; dataDir: string; testRunner: boolean }): string {
  if (opts.configured) return opts.configured;
  const file = secretFilePath(opts.dataDir);
  const stored = readSecretFile(file);
  if (stored) return stored;
  return opts.testRunner ? TEST_RUNNER_SECRET : createSecretFile(file);
}

let cached: string | undefined;

/** This process's secret (resolved once). */
export function authSecret(): string {
  cached ??= resolveSecret({ configured: env.NEXTAUTH_SECRET, dataDir: env.DATA_DIR, testRunner: env.NODE_ENV === "test" });
  return cached;
}

/**
 * A 256-bit key for one purpose, derived from the secret with HKDF: the secret serves several uses (sessions, keys at
 * rest, pseudonyms), and knowing the output of one must not help with another.
 */
export function deriveKey(purpose: string, secret: string = authSecret()): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", secret, "rlhf-studio", purpose, 32));
}
