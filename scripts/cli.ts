// `npm run cli -- <command> [options]`: the command-line entry for admins and scripts.
// Each command lives in scripts/cli/<command>.ts and exports `run(argv: string[]): Promise<number>`.
const commands: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number>; usage: string }>> = {
  import: () => import("./cli/import"),
  export: () => import("./cli/export"),
  "self-instruct": () => import("./cli/self-instruct"),
  "rotate-secrets": () => import("./cli/rotate-secrets"),
  "create-admin": () => import("./cli/create-admin"),
  "setup-link": () => import("./cli/setup-link"),
};

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === "--help" || name === "-h" || !(name in commands)) {
    const lines = await Promise.all(Object.entries(commands).map(async ([, load]) => (await load()).usage));
    process.stderr.write(`usage: npm run cli -- <command> [options]\n\n${lines.join("\n\n")}\n`);
    return name && !(name in commands) && name !== "--help" && name !== "-h" ? 2 : 0;
  }
  const command = await commands[name]();
  return command.run(rest);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
