// Endpoint API keys at rest (server/services/secrets.ts): a key id names the key, the row id is authenticated with
// the value, the GCM tag must be whole, and values in the format before key ids still decrypt.
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, keyId, openSecret } from "@/server/services/secrets";

const OLD = "the-secret-before-the-rotation";
const NEW = "the-secret-after-the-rotation!";
const CONTEXT = "endpoint:ep1:apiKey";

/** A value as the code before key ids wrote it: "iv.tag.ciphertext", no associated data. */
function legacyEncrypt(plaintext: string, secret: string): string {
  const key = Buffer.from(hkdfSync("sha256", secret, "rlhf-studio", "endpoint-api-key/v1", 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64")).join(".");
}

const part = (stored: string, i: number) => Buffer.from(stored.split(".")[i], "base64");
const withPart = (stored: string, i: number, value: Buffer) => stored.split(".").map((p, k) => (k === i ? value.toString("base64") : p)).join(".");

describe("endpoint API key encryption", () => {
  it("round-trips, differs per encryption, and names its key", () => {
    const a = encryptSecret("sk-abc", CONTEXT, NEW);
    const b = encryptSecret("sk-abc", CONTEXT, NEW);
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-abc");
    expect(a.split(".").slice(0, 2)).toEqual(["v2", keyId(NEW)]);
    expect(keyId(NEW)).not.toBe(keyId(OLD));
    expect(openSecret(a, CONTEXT, [NEW])).toEqual({ plaintext: "sk-abc", stale: false });
  });

  it("refuses a tampered value, another row's value, and a truncated tag", () => {
    const stored = encryptSecret("sk-abc", CONTEXT, NEW);
    const flipped = part(stored, 4);
    flipped[0] ^= 1;
    expect(() => decryptSecret(withPart(stored, 4, flipped), CONTEXT, [NEW])).toThrow(/integrity check/);
    expect(() => decryptSecret(stored, "endpoint:ep2:apiKey", [NEW])).toThrow(/integrity check.*enter the API key again/);
    // GCM verifies a tag cut to its first 4 bytes if nobody insists on 16: a forger then needs 2^32 tries, not 2^128
    expect(() => decryptSecret(withPart(stored, 3, part(stored, 3).subarray(0, 4)), CONTEXT, [NEW])).toThrow(/integrity check/);
    const legacy = legacyEncrypt("sk-old", NEW);
    expect(() => decryptSecret(withPart(legacy, 1, part(legacy, 1).subarray(0, 4)), CONTEXT, [NEW])).toThrow(/cannot be decrypted/);
  });

  it("after a rotation, decrypts with the previous secret the value names, or says which key is missing", () => {
    const underOld = encryptSecret("sk-abc", CONTEXT, OLD);
    expect(openSecret(underOld, CONTEXT, [NEW, OLD])).toEqual({ plaintext: "sk-abc", stale: true });
    expect(() => decryptSecret(underOld, CONTEXT, [NEW])).toThrow(
      `the stored API key was encrypted under another secret (key id ${keyId(OLD)}): set NEXTAUTH_SECRET_PREVIOUS to that secret, or enter the API key again`,
    );
  });

  it("still decrypts values stored before key ids, under either secret", () => {
    expect(openSecret(legacyEncrypt("sk-legacy", NEW), CONTEXT, [NEW])).toEqual({ plaintext: "sk-legacy", stale: true });
    expect(openSecret(legacyEncrypt("sk-legacy", OLD), CONTEXT, [NEW, OLD])).toEqual({ plaintext: "sk-legacy", stale: true });
    expect(() => decryptSecret(legacyEncrypt("sk-legacy", OLD), CONTEXT, [NEW])).toThrow(/cannot be decrypted.*enter the API key again/);
    expect(() => decryptSecret("not.a-valid", CONTEXT, [NEW])).toThrow(/malformed/);
  });
});
