// The tRPC API over Node's http server (server/web.ts), in tRPC's own wire format (httpBatchLink + superjson).
//
// Calls the app's client makes — queries by GET, mutations by POST, JSON, batched or not — are answered by calling
// the procedures with tRPC's public building blocks (the procedure call, getErrorShape, transformTRPCResponse,
// getHTTPStatusCode), mirroring what resolveResponse does for them, body errors included. Everything else (an unknown
// path, a method that does not fit the procedure, another content type, streaming or SSE requests, a batch over
// MAX_BATCH_CALLS) goes to tRPC's standard Node adapter. Why: tRPC v11's adapters turn every Node request into a Fetch Request and the answer into
// a Fetch Response; on the annotation hot path (2 cores, 100 annotators) that conversion cost more CPU than all of
// the request's database round trips. tests/integration/api/http.test.ts sends the same requests to this handler
// and to the standard adapter and requires identical answers.
import type http from "node:http";
import { getErrorShape, getTRPCErrorFromUnknown, transformTRPCResponse, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { getHTTPStatusCode } from "@trpc/server/http";
import { MAX_BATCH_CALLS } from "@/server/api/limits";

export interface TrpcHttpOptions<TContext> {
  router: AnyTRPCRouter;
  /** e.g. "/api/trpc/" (with the trailing slash) */
  basePath: string;
  maxBodySize: number;
  createContext: (req: http.IncomingMessage) => Promise<TContext>;
  onError?: (opts: { error: TRPCError; path: string | undefined }) => void;
  /** headers every tRPC response carries (security headers) */
  headers?: { key: string; value: string }[];
}

type Procedure = ((opts: {
  path: string;
  getRawInput: () => Promise<unknown>;
  ctx: unknown;
  type: "query" | "mutation";
  signal: AbortSignal | undefined;
  batchIndex: number;
}) => Promise<unknown>) & { _def: { type: "query" | "mutation" | "subscription" } };

interface Call {
  path: string;
  procedure: Procedure;
}

const JSON_TYPE = /^application\/json(\s*;|$)/i;

/** The calls of a request the direct path can answer, or null for the standard adapter. */
function directCalls(router: AnyTRPCRouter, req: http.IncomingMessage, url: URL, basePath: string): { calls: Call[]; batch: boolean } | null {
  const type = req.method === "GET" ? "query" : req.method === "POST" ? "mutation" : null;
  if (!type) return null;
  if (req.method === "POST" && !JSON_TYPE.test(req.headers["content-type"] ?? "")) return null;
  if (req.headers["trpc-accept"] || (req.headers.accept ?? "").includes("text/event-stream")) return null;
  const batchParam = url.searchParams.get("batch");
  if (batchParam !== null && batchParam !== "1") return null;
  let pathPart: string;
  try {
    pathPart = decodeURIComponent(url.pathname.slice(basePath.length));
  } catch {
    return null;
  }
  const batch = batchParam === "1";
  const paths = batch ? pathPart.split(",") : [pathPart];
  // the standard adapter refuses it (maxBatchSize), in the same words
  if (paths.length > MAX_BATCH_CALLS) return null;
  const procedures = router._def.procedures as Record<string, Procedure | undefined>;
  const calls: Call[] = [];
  for (const path of paths) {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (!procedure || procedure._def.type !== type) return null;
    calls.push({ path, procedure });
  }
  return { calls, batch };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function createTrpcHttpHandler<TContext>(opts: TrpcHttpOptions<TContext>): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const config = opts.router._def._config;
  const standard = createHTTPHandler({
    router: opts.router,
    basePath: opts.basePath,
    maxBodySize: opts.maxBodySize,
    maxBatchSize: MAX_BATCH_CALLS,
    createContext: ({ req }) => opts.createContext(req),
    onError: ({ error, path }) => opts.onError?.({ error, path }),
  });

  /**
   * Answers the calls. As in tRPC's resolveResponse: one context per request; the body is parsed and deserialized
   * once, lazily, when a procedure first reads its input, and a failure there (bad JSON, too large) becomes that
   * call's BAD_REQUEST / PAYLOAD_TOO_LARGE.
   */
  async function direct(req: http.IncomingMessage, res: http.ServerResponse, plan: { calls: Call[]; batch: boolean }, raw: string | TRPCError | null) {
    let parsed: Promise<unknown[]> | null = null;
    let inputs: unknown[] | null = null;
    const readInputs = (): Promise<unknown[]> =>
      (parsed ??= (async () => {
        if (raw instanceof TRPCError) throw raw;
        const json: unknown = raw === null || (req.method === "GET" && raw === "") ? undefined : JSON.parse(raw);
        if (json === undefined) return [];
        if (!plan.batch) return [config.transformer.input.deserialize(json)];
        if (typeof json !== "object" || json === null || Array.isArray(json)) {
          throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
        }
        return plan.calls.map((_, i) => {
          const v = (json as Record<string, unknown>)[i];
          return v === undefined ? undefined : config.transformer.input.deserialize(v);
        });
      })().then(
        (v) => (inputs = v),
        (cause: unknown) => {
          if (cause instanceof TRPCError) throw cause;
          throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
        },
      ));
    let ctx: TContext | undefined;
    let ctxError: TRPCError | null = null;
    try {
      ctx = await opts.createContext(req);
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }
    const results = await Promise.all(
      plan.calls.map(async (call, index) => {
        try {
          if (ctxError) throw ctxError;
          const data = await call.procedure({
            path: call.path,
            getRawInput: async () => (await readInputs())[index],
            ctx,
            type: call.procedure._def.type as "query" | "mutation",
            signal: undefined,
            batchIndex: index,
          });
          return { result: { data } };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          opts.onError?.({ error, path: call.path });
          return { error: getErrorShape({ config, ctx, error, input: inputs?.[index], path: call.path, type: call.procedure._def.type }) };
        }
      }),
    );
    const untransformed = plan.batch ? results : results[0];
    const body = JSON.stringify(transformTRPCResponse(config, untransformed as Parameters<typeof transformTRPCResponse>[1]));
    res.statusCode = getHTTPStatusCode(untransformed as Parameters<typeof getHTTPStatusCode>[0]);
    res.setHeader("content-type", "application/json");
    res.setHeader("vary", "trpc-accept, accept");
    res.end(body);
  }

  return (req, res) => {
    for (const h of opts.headers ?? []) res.setHeader(h.key, h.value);
    const url = new URL(req.url ?? "/", "http://localhost");
    const plan = directCalls(opts.router, req, url, opts.basePath);
    if (!plan) return standard(req, res);
    const body: Promise<string | TRPCError | null> =
      req.method === "POST"
        ? readBody(req, opts.maxBodySize).then((raw) => raw ?? new TRPCError({ code: "PAYLOAD_TOO_LARGE" }))
        : Promise.resolve(url.searchParams.get("input"));
    body
      .then((raw) => direct(req, res, plan, raw))
      .catch((err: unknown) => {
        console.error("tRPC HTTP handler:", err);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      });
  };
}
