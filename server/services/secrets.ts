// Encryption at rest for endpoint API keys: AES-256-GCM, key derived from the auth secret, stored as
// "iv.tag.ciphertext" (base64). GCM authenticates, so a tampered value or a changed secret fails loudly
// instead of yielding a garbage key that would be sent to a third party.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "@/server/errors";
import { authSecret, deriveKey } from "@/server/secret";

function key(secret: string): Buffer {
  return deriveKey("endpoint-api-key/v1", secret);
}

export function encryptSecret(plaintext: string, secret: string = authSecret()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(secret), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64")).join(".");
}

export function decryptSecret(stored: string, secret: string = authSecret()): string {
  const parts = stored.split(".");
  if (parts.length !== 3) throw new AppError("INTERNAL_SERVER_ERROR", "stored secret is malformed");
  const [iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, "base64"));
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(secret), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError(
      "INTERNAL_SERVER_ERROR",
      "stored secret cannot be decrypted (was NEXTAUTH_SECRET changed?); enter the API key again",
    );
  }
}
