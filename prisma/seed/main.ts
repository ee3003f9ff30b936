// `npm run db:seed`: demo users and projects. Idempotent: running it again changes nothing.
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { seedDemo } from "./demo";
import { DEMO_ADMIN, DEMO_ANNOTATOR } from "./demo-accounts";

async function main() {
  const { created } = await seedDemo(db);
  if (created) {
    console.log("Demo data created. Demo logins (for demos only — change or deactivate them in production):");
    console.log(`  admin:     ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`);
    console.log(`  annotator: ${DEMO_ANNOTATOR.email} / ${DEMO_ANNOTATOR.password}`);
  } else {
    console.log("Demo data already present; nothing changed.");
  }
  await db.$disconnect();
  // the raters' judgements went through the annotation service's plain pool
  await pool().end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
