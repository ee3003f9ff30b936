// Limits of the tRPC API that the client and the server must agree on (imported by both).

/**
 * Calls one request may batch. The client's batch link splits larger batches; the server answers a larger one with
 * 400 (both of its handlers), so one anonymous request cannot fan out into hundreds of database queries.
 */
export const MAX_BATCH_CALLS = 20;

/** tRPC's own message when a batch exceeds its maxBatchSize; the error formatter replaces it with ours. */
export const TRPC_BATCH_TOO_LARGE = "Batch call exceeds maximum size";

export const BATCH_TOO_LARGE_MESSAGE = `A request may batch at most ${MAX_BATCH_CALLS} calls; send them in smaller batches.`;
