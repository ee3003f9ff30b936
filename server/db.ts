// Prisma client singleton over node-postgres (driver adapter). One per process; reused across hot reloads.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/server/generated/prisma/client";
import { env } from "@/server/env";
import { logLostConnection, SESSION_OPTIONS } from "@/server/pg";

function databaseUrl(): string {
  if (!env.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set. Start the app with `npm start` (embedded PostgreSQL) or set DATABASE_URL.");
  }
  return env.DATABASE_URL;
}

function create(): PrismaClient {
  // The adapter listens for its pool's and its transactions' connection errors itself; these only log them.
  const adapter = new PrismaPg(
    { connectionString: databaseUrl(), max: 10, options: SESSION_OPTIONS },
    { onPoolError: logLostConnection, onConnectionError: logLostConnection },
  );
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const db: PrismaClient = globalForPrisma.prisma ?? create();
if (env.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
