// Rotating the secret, as the README describes it: NEXTAUTH_SECRET changed, the old one in NEXTAUTH_SECRET_PREVIOUS,
// then `npm run cli -- rotate-secrets` re-encrypts every stored endpoint key under the new one. Run as a separate
// process because the secrets are read from the environment at start-up.
import { execFile } from "node:child_process";
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { db } from "@/server/db";
import { decryptSecret, encryptSecret, keyId } from "@/server/services/secrets";

const execFileAsync = promisify(execFile);
const CLI = path.resolve(__dirname, "../../../scripts/cli.ts");
const OLD = `old-${randomBytes(12).toString("hex")}`;
const NEW = `new-${randomBytes(12).toString("hex")}`;

function legacyEncrypt(plaintext: string, secret: string): string {
  const key = Buffer.from(hkdfSync("sha256", secret, "rlhf-studio", "endpoint-api-key/v1", 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64")).join(".");
}

async function rotate(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx", CLI, "rotate-secrets"], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it("re-encrypts keys stored under the previous secret or in the old format; names those no secret opens", async () => {
  const tag = randomBytes(4).toString("hex");
  const make = (name: string) => db.endpoint.create({ data: { name: `${name} ${tag}`, baseUrl: "https://api.example.com", model: "m" } });
  const [underOld, legacy, current, lost] = await Promise.all([make("under-old"), make("legacy"), make("current"), make("lost")]);
  const ctx = (id: string) => `endpoint:${id}:apiKey`;
  await db.endpoint.update({ where: { id: underOld.id }, data: { apiKeyEncrypted: encryptSecret("sk-1", ctx(underOld.id), OLD) } });
  await db.endpoint.update({ where: { id: legacy.id }, data: { apiKeyEncrypted: legacyEncrypt("sk-2", OLD) } });
  const currentValue = encryptSecret("sk-3", ctx(current.id), NEW);
  await db.endpoint.update({ where: { id: current.id }, data: { apiKeyEncrypted: currentValue } });
  await db.endpoint.update({ where: { id: lost.id }, data: { apiKeyEncrypted: encryptSecret("sk-4", ctx(lost.id), "a-secret-nobody-has-anymore") } });

  const run = await rotate({ NEXTAUTH_SECRET: NEW, NEXTAUTH_SECRET_PREVIOUS: OLD });
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toMatch(/^re-encrypted \d+ API key\(s\)/);
  expect(run.stderr).toContain(`endpoint "lost ${tag}": the stored API key was encrypted under another secret`);

  const stored = async (id: string) => (await db.endpoint.findUniqueOrThrow({ where: { id } })).apiKeyEncrypted as string;
  expect(decryptSecret(await stored(underOld.id), ctx(underOld.id), [NEW])).toBe("sk-1");
  expect(decryptSecret(await stored(legacy.id), ctx(legacy.id), [NEW])).toBe("sk-2");
  expect((await stored(legacy.id)).split(".").slice(0, 2)).toEqual(["v2", keyId(NEW)]);
  expect(await stored(current.id)).toBe(currentValue);
  await db.endpoint.deleteMany({ where: { id: lost.id } });
});

it("re-encrypts webhook signing secrets too: the receiver's secret stays the same", async () => {
  const id = `whrot${randomBytes(6).toString("hex")}`;
  const ctx = `webhook:${id}:secret`;
  await db.webhookSubscription.create({ data: { id, url: "https://hooks.example.com/x", events: ["run.failed"], active: false, secretEncrypted: encryptSecret("whsec_kept", ctx, OLD) } });
  const run = await rotate({ NEXTAUTH_SECRET: NEW, NEXTAUTH_SECRET_PREVIOUS: OLD });
  expect(run.stdout).toMatch(/re-encrypted [1-9]\d* webhook secret\(s\)/);
  const stored = (await db.webhookSubscription.findUniqueOrThrow({ where: { id } })).secretEncrypted;
  expect(stored.split(".").slice(0, 2)).toEqual(["v2", keyId(NEW)]);
  expect(decryptSecret(stored, ctx, [NEW])).toBe("whsec_kept");
  await db.webhookSubscription.delete({ where: { id } });
});
