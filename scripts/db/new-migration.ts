// `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that takes the existing migrations to prisma/schema.prisma (Prisma's schema engine, WebAssembly build, diffing
// through a temporary shadow database on DATABASE_URL's server or the embedded one). Refuses when nothing changed.
import fs from "node:fs";
import path from "node:path";
import { ensureDatabase } from "@/scripts/db/lib/embedded-postgres";
import {
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  MIGRATIONS_DIR,
  newMigrationFolderName,
  readMigrations,
} from "@/scripts/db/lib/migrations";
import { pendingSchemaChange } from "@/scripts/db/lib/schema-engine";

const usage = "Usage: npm run db:new-migration -- <name>   e.g. npm run db:new-migration -- add_item_priority";

async function main(): Promise<void> {
  const folder = newMigrationFolderName(process.argv.slice(2).join(" "), readMigrations().map((m) => m.name));
  if (!folder) {
    console.error(`A migration needs a name with at least one letter or digit.\n${usage}`);
    process.exit(2);
  }

  const database = await ensureDatabase();
  let sql: string;
  try {
    const started = Date.now();
    sql = await pendingSchemaChange({ url: database.url });
    console.log(`Diffed prisma/migrations → prisma/schema.prisma in ${Date.now() - started} ms.`);
  } finally {
    await database.stop();
  }
  if (!sql) {
    console.error("No schema change: prisma/schema.prisma already matches prisma/migrations. Edit the schema first.");
    process.exit(1);
  }

  fs.mkdirSync(path.join(MIGRATIONS_DIR, folder), { recursive: true });
  fs.writeFileSync(path.join(MIGRATIONS_DIR, folder, "migration.sql"), sql);
  const lockfile = path.join(MIGRATIONS_DIR, LOCKFILE_NAME);
  if (!fs.existsSync(lockfile)) fs.writeFileSync(lockfile, LOCKFILE_CONTENT);

  console.log(`Wrote prisma/migrations/${folder}/migration.sql (${sql.split("\n").length} lines).`);
  console.log("Review it, then apply it with `npm run db:migrate` (npm start applies it too).");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
