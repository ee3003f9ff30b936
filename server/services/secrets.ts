// Encryption at rest for endpoint API keys: AES-256-GCM under a key derived from the auth secret.
//
// Stored as "v2.<key id>.<iv>.<tag>.<ciphertext>" (base64 parts). The key id names the key a value was encrypted
// with, so after a rotation (README: "Rotating the secret") a value is decrypted with the key it names — the current
// one or NEXTAUTH_SECRET_PREVIOUS — or refused with a message that says which. The associated data binds a value
// to its row ("endpoint:<id>:apiKey"): a ciphertext copied onto another endpoint does not decrypt there. GCM
// authenticates, so a tampered value or a wrong key fails loudly instead of yielding a garbage key that would be
// sent to a third party; the tag must be the full 16 bytes (Node accepts truncated tags, which weaken it).
//
// Values written before key ids ("iv.tag.ciphertext", no associated data) still decrypt; `npm run cli --
// rotate-secrets` rewrites them, and values under a previous key, in the current format.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "@/server/errors";
import { env } from "@/server/env";
import { authSecret, deriveKey } from "@/server/secret";

const VERSION = "v2";
const TAG_BYTES = 16;
const IV_BYTES = 12;

function key(secret: string): Buffer {
  return deriveKey("endpoint-api-key/v1", secret);
}

/** A short public name of the key: a hash of the derived key, which tells keys apart without revealing one. */
export function keyId(secret: string): string {
  return createHash("sha256").update("rlhf-studio key id\n").update(key(secret)).digest("hex").slice(0, 16);
}

/** The secrets a stored value may be under: the current one first, then the one before a rotation. */
function knownSecrets(): string[] {
  return [authSecret(), ...(env.NEXTAUTH_SECRET_PREVIOUS ? [env.NEXTAUTH_SECRET_PREVIOUS] : [])];
}

/** `context` names what the value belongs to (e.g. "endpoint:<id>:apiKey"); decrypting needs the same. */
export function encryptSecret(plaintext: string, context: string, secret: string = authSecret()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key(secret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, keyId(secret), ...[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64"))].join(".");
}

const REENTER = "enter the API key again";

function open(secret: string, iv: Buffer, tag: Buffer, ciphertext: Buffer, context: string | null): string | null {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(secret), iv, { authTagLength: TAG_BYTES });
    if (context !== null) decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

export interface Decrypted {
  plaintext: string;
  /** not in the current format under the current key: `rotate-secrets` would rewrite it */
  stale: boolean;
}

/** Decrypts a stored value with whichever known key it names (see the header). */
export function openSecret(stored: string, context: string, secrets: string[] = knownSecrets()): Decrypted {
  const parts = stored.split(".");
  if (parts.length === 3) {
    // before key ids: no associated data, and the key is found by trying
    const [iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, "base64"));
    for (const secret of secrets) {
      const plaintext = open(secret, iv, tag, ciphertext, null);
      if (plaintext !== null) return { plaintext, stale: true };
    }
    throw new AppError("PRECONDITION_FAILED", `the stored API key cannot be decrypted with the current secret or NEXTAUTH_SECRET_PREVIOUS; ${REENTER}`);
  }
  if (parts.length !== 5 || parts[0] !== VERSION) throw new AppError("PRECONDITION_FAILED", `the stored API key is malformed; ${REENTER}`);
  const [, id, ...rest] = parts;
  const [iv, tag, ciphertext] = rest.map((p) => Buffer.from(p, "base64"));
  const index = secrets.findIndex((s) => keyId(s) === id);
  if (index < 0) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `the stored API key was encrypted under another secret (key id ${id}): set NEXTAUTH_SECRET_PREVIOUS to that secret, or ${REENTER}`,
    );
  }
  const plaintext = open(secrets[index], iv, tag, ciphertext, context);
  if (plaintext === null) throw new AppError("PRECONDITION_FAILED", `the stored API key fails its integrity check (altered, or not this endpoint's); ${REENTER}`);
  return { plaintext, stale: index > 0 };
}

export function decryptSecret(stored: string, context: string, secrets?: string[]): string {
  return openSecret(stored, context, secrets).plaintext;
}
