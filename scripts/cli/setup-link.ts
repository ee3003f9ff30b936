// `npm run cli -- setup-link`: prints a one-time link that creates the first admin, while the install has none.
// `npm start` runs it once the server answers; run it again for a fresh link (the earlier one stops working).
export const usage = `setup-link: print a one-time link that creates the first admin (only while there is no active admin)
  npm run cli -- setup-link`;

export async function run(argv: string[]): Promise<number> {
  if (argv.length) {
    process.stderr.write(`error: unknown option ${argv[0]}\n\n${usage}\n`);
    return 2;
  }
  const { createSetupLink, SETUP_LINK_HOURS } = await import("@/server/services/account-links");
  const { consoleUrl } = await import("@/server/env");
  const link = await createSetupLink();
  if (!link) {
    process.stderr.write(`This install already has an admin: sign in at ${consoleUrl()}/signin (another admin: npm run cli -- create-admin).\n`);
    return 1;
  }
  process.stdout.write(
    [
      "",
      `No admin account yet. Open this link to create the first one (it works once, for ${SETUP_LINK_HOURS} hours):`,
      "",
      `    ${consoleUrl()}/setup/${link.token}`,
      "",
      "Or from a shell: npm run cli -- create-admin --email you@example.com",
      "",
    ].join("\n") + "\n",
  );
  return 0;
}
