// Prisma 7 CLI configuration. Every Prisma CLI command first looks for a native schema engine and tries to
// download one when absent, which fails offline. We never use the CLI's migrate commands (scripts/db applies
// and generates migrations through the WebAssembly schema engine), so when no real engine is installed the
// CLI is pointed at a stub; `prisma generate`, `validate` and `format` need no engine at all.
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";

const stub = path.join(__dirname, "scripts", "db", "schema-engine-stub.sh");
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && fs.existsSync(stub)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
