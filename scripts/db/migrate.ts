// `npm run db:migrate`: applies pending prisma/migrations to DATABASE_URL, or to the embedded PostgreSQL
// under .data/postgres when DATABASE_URL is unset (the same database `npm start` uses).
import { ensureDatabase } from "@/scripts/db/lib/embedded-postgres";
import { MigrationError, migrate } from "@/scripts/db/lib/migrate";

async function main(): Promise<void> {
  const database = await ensureDatabase();
  try {
    const started = Date.now();
    const { applied } = await migrate({ url: database.url, log: (line) => console.log(line) });
    console.log(
      applied.length === 0
        ? "Database is up to date: no migration to apply."
        : `Applied ${applied.length} migration${applied.length === 1 ? "" : "s"} in ${Date.now() - started} ms.`,
    );
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof MigrationError ? `db:migrate: ${error.message}` : error);
  process.exit(1);
});
