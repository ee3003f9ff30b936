// The browser's tRPC client: one HTTP request per tick (httpBatchLink batches the calls made together, at most as many
// as the server takes in one request), superjson for dates. Used by the TanStack Query provider of the admin pages
// and, on its own, by the annotation page, which keeps its state in a reducer and does not load TanStack Query at all.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import { MAX_BATCH_CALLS } from "@/server/api/limits";
import type { AppRouter } from "@/server/api/root";

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson, maxItems: MAX_BATCH_CALLS })] });
}

export type TrpcClient = ReturnType<typeof makeTrpcClient>;
