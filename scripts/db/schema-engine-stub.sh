#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded offline (see prisma.config.ts).
# Migrations go through scripts/db (WebAssembly schema engine); reaching this stub means a Prisma CLI
# migrate command was called: say so instead of pretending to succeed.
echo "The native Prisma schema engine is not installed. Use npm run db:migrate / npm run db:new-migration." >&2
exit 1
