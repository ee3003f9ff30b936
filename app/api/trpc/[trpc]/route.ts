import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { NextRequest } from "next/server";
import { MAX_BATCH_CALLS } from "@/server/api/limits";
import { appRouter } from "@/server/api/root";
import { createContext, logTrpcError } from "@/server/api/trpc";
import { sessionOf } from "@/server/auth/jwt";

export const dynamic = "force-dynamic";

function handler(req: NextRequest) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    maxBatchSize: MAX_BATCH_CALLS,
    // only reads the session: /api/auth/session (polled by the page) is what keeps it alive
    createContext: async () => createContext({ session: await sessionOf(req) }),
    onError: logTrpcError,
  });
}

export { handler as GET, handler as POST };
