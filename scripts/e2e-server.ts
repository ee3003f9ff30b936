// The app under Playwright: a fresh database (dropped on exit), migrations, demo seed, the production build, the
// web server and a trainer worker. The database URL is written to .data/e2e/database-url for the specs.
import fs from "node:fs";
import path from "node:path";
import { env } from "@/server/env";
import { startApp } from "@/scripts/start";
import { createTestDatabase } from "@/tests/setup/database";

async function main() {
  const database = await createTestDatabase();
  const file = path.resolve(env.DATA_DIR, "e2e", "database-url");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, database.url, { mode: 0o600 });
  const app = await startApp({ dev: false, port: env.PORT, worker: true, demo: true, setupLink: false, databaseUrl: database.url, log: (l) => console.log(`[e2e-server] ${l}`) });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await database.drop();
    fs.rmSync(file, { force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
