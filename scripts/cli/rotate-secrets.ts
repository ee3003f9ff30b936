// `npm run cli -- rotate-secrets`: after NEXTAUTH_SECRET was changed (with the old one in NEXTAUTH_SECRET_PREVIOUS),
// re-encrypts every stored endpoint API key and webhook signing secret under the current secret. README: "Rotating
// the secret".
import { reencryptEndpointKeys } from "@/server/services/endpoints";
import { reencryptWebhookSecrets } from "@/server/services/webhooks";

export const usage = `rotate-secrets: re-encrypt the stored endpoint API keys and webhook secrets under the current NEXTAUTH_SECRET
  npm run cli -- rotate-secrets     (set NEXTAUTH_SECRET_PREVIOUS to the old secret first)`;

export async function run(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write(`rotate-secrets takes no options\n\n${usage}\n`);
    return 2;
  }
  const result = await reencryptEndpointKeys();
  process.stdout.write(`re-encrypted ${result.reencrypted.length} API key(s), ${result.unchanged} already under the current secret\n`);
  for (const { name, reason } of result.unreadable) process.stderr.write(`endpoint "${name}": ${reason}\n`);
  const hooks = await reencryptWebhookSecrets();
  process.stdout.write(`re-encrypted ${hooks.reencrypted.length} webhook secret(s), ${hooks.unchanged} already under the current secret\n`);
  for (const { name, reason } of hooks.unreadable) process.stderr.write(`webhook ${name}: ${reason}\n`);
  // unreadable values are not lost data the command could fix: the admin enters the key again / makes a new secret
  return result.unreadable.length + hooks.unreadable.length > 0 ? 1 : 0;
}
