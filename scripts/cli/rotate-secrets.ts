// `npm run cli -- rotate-secrets`: after NEXTAUTH_SECRET was changed (with the old one in NEXTAUTH_SECRET_PREVIOUS),
// re-encrypts every stored endpoint API key under the current secret. README: "Rotating the secret".
import { reencryptEndpointKeys } from "@/server/services/endpoints";

export const usage = `rotate-secrets: re-encrypt the stored endpoint API keys under the current NEXTAUTH_SECRET
  npm run cli -- rotate-secrets     (set NEXTAUTH_SECRET_PREVIOUS to the old secret first)`;

export async function run(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write(`rotate-secrets takes no options\n\n${usage}\n`);
    return 2;
  }
  const result = await reencryptEndpointKeys();
  process.stdout.write(`re-encrypted ${result.reencrypted.length} API key(s), ${result.unchanged} already under the current secret\n`);
  for (const { name, reason } of result.unreadable) process.stderr.write(`endpoint "${name}": ${reason}\n`);
  // unreadable keys are not lost data the command could fix: the admin enters them again
  return result.unreadable.length > 0 ? 1 : 0;
}
