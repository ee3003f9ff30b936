// The web tier process (`npm start` runs it): Next.js serves the pages, and in production the tRPC API is answered in
// the same HTTP server, ahead of Next's router, by server/api/trpc-http.ts.
//
// Why not Next's route handler for tRPC: measured on a 2-core box an App Router route handler costs ~0.7 ms of CPU
// per request before any of our code runs (web-stream request/response wrapping, routing, tracing), a third of a
// whole annotation request. Same router, same context, same session cookie. In development Next keeps serving
// /api/trpc (app/api/trpc), so edits hot-reload.
//
// With WEB_CONCURRENCY > 1 this process is a cluster primary that forks that many workers sharing the port (the
// web tier is stateless: sessions are JWTs, queues and limits live in PostgreSQL), and restarts a worker that dies.
import cluster, { type Worker } from "node:cluster";
import http from "node:http";
import path from "node:path";
import next from "next";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { appRouter } from "@/server/api/root";
import { createContext, logTrpcError } from "@/server/api/trpc";
import { sessionFromHeaders } from "@/server/auth/jwt";
import { stampClientAddress } from "@/server/client-address";
import { env } from "@/server/env";
import { reapInterruptedSnapshots } from "@/server/services/export";
import { reapInterruptedImports } from "@/server/services/import";
import { JOB_REAP_INTERVAL_MS } from "@/server/services/job-heartbeat";
import { startTakeInLoop, type TakeInLoop } from "@/server/services/analytics/take-in-loop";

const ROOT = path.resolve(__dirname, "..");
/** tRPC request bodies are judgements and settings; uploads go through their own routes. */
const MAX_TRPC_BODY_BYTES = 1 << 20;
const RESTART_WINDOW_MS = 60_000;
const SPARE_ENV = "RLHF_WEB_SPARE";
const SPARE_READY_MESSAGE = "rlhf:spare-ready";
const SERVE_MESSAGE = "rlhf:serve";
const MAX_RESTARTS_PER_WINDOW = 5;

/** The headers next.config.js puts on API responses (nosniff, a policy that allows nothing, …), so tRPC's carry them too. */
async function securityHeaders(): Promise<{ key: string; value: string }[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the one config module Next itself loads
  const config = require(path.join(ROOT, "next.config.js")) as { headers?: () => Promise<{ source: string; headers: { key: string; value: string }[] }[]> };
  const rules = (await config.headers?.()) ?? [];
  return rules.filter((r) => r.source === "/:path*" || r.source === "/api/:path*").flatMap((r) => r.headers);
}

/** Resolves when the primary tells this warm spare to take over from a worker that died. */
function takeoverSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message === SERVE_MESSAGE) {
        process.off("message", onMessage);
        resolve();
      }
    };
    process.on("message", onMessage);
  });
}

async function serve(opts: { dev: boolean; port: number; spare: boolean }): Promise<http.Server> {
  const app = next({ dev: opts.dev, dir: ROOT, port: opts.port });
  await app.prepare();
  const handleNext = app.getRequestHandler();
  const headers = opts.dev ? [] : await securityHeaders();
  const handleTrpc = opts.dev ? null : createTrpcHttpHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: MAX_TRPC_BODY_BYTES,
    headers,
    createContext: async (req) => createContext({ session: await sessionFromHeaders(req.headers) }),
    onError: logTrpcError,
  });
  const server = http.createServer((req, res) => {
    stampClientAddress(req, env.TRUST_PROXY_HOPS);
    if (handleTrpc && req.url?.startsWith("/api/trpc/")) return handleTrpc(req, res);
    void handleNext(req, res);
  });
  // Keep idle connections open a little longer than the usual proxy's 60 s, so a proxy never reuses a closing one.
  server.keepAliveTimeout = 65_000;
  // a warm spare has done all of the above (the slow part: loading the modules and the build) and waits to listen
  if (opts.spare) {
    process.send?.(SPARE_READY_MESSAGE);
    await takeoverSignal();
  }
  await new Promise<void>((resolve) => server.listen(opts.port, resolve));
  return server;
}

/** Fails the imports and snapshot builds that a dead process left RUNNING (see server/services/job-heartbeat.ts). */
function reapInterruptedJobs(): void {
  const reap = () =>
    Promise.all([reapInterruptedImports(), reapInterruptedSnapshots()]).then(
      ([imports, snapshots]) => {
        if (imports.length + snapshots.length > 0) {
          console.log(`[web] marked ${imports.length} import(s) and ${snapshots.length} snapshot build(s) interrupted by a restart as failed`);
        }
      },
      (err: unknown) => console.error("[web] could not look for interrupted imports and snapshot builds:", err),
    );
  void reap();
  setInterval(reap, JOB_REAP_INTERVAL_MS).unref();
}

function workerMain(opts: { dev: boolean; port: number; spare: boolean }) {
  serve(opts).then(
    (server) => {
      reapInterruptedJobs();
      // new judgements into the analytics summaries every ANALYTICS_REFRESH_MS (0: off; a page read then counts at
      // most a few dozen items itself); with it on a read counts none and shows what is still being counted
      let takeIn: TakeInLoop | null = null;
      if (env.ANALYTICS_REFRESH_MS > 0) {
        takeIn = startTakeInLoop({ intervalMs: env.ANALYTICS_REFRESH_MS });
        console.log(`[analytics] take-in every ${env.ANALYTICS_REFRESH_MS} ms`);
      }
      const stop = () => {
        // the take-in's transaction under way commits (or is rolled back by the exit: its notes stay for the next)
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        void Promise.all([closed, takeIn?.stop()]).then(() => process.exit(0));
        // in-flight requests get ten seconds; idle keep-alive connections are closed at once
        server.closeIdleConnections();
        setTimeout(() => process.exit(0), 10_000).unref();
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    },
    (err: unknown) => {
      console.error("[web] could not start:", err);
      process.exit(1);
    },
  );
}

/**
 * The cluster primary: `workers` serving processes plus one warm spare, fully started but not listening. When a
 * serving worker dies the spare takes its place at once (a fresh worker needs seconds to load the app: the
 * survivors would carry the load meanwhile), and a new spare starts in the background.
 */
function primaryMain(workers: number) {
  const restarts: number[] = [];
  let stopping = false;
  const startedAt = new Map<number, number>();
  let spare: { worker: Worker; ready: boolean } | null = null;
  const fork = (role: "serve" | "spare") => {
    const w = cluster.fork(role === "spare" ? { [SPARE_ENV]: "1" } : {});
    startedAt.set(w.id, performance.now());
    if (role === "spare") {
      spare = { worker: w, ready: false };
      w.on("message", (message: unknown) => {
        if (message === SPARE_READY_MESSAGE && spare?.worker === w) spare.ready = true;
      });
    }
    return w;
  };
  for (let i = 0; i < workers; i++) fork("serve");
  fork("spare");
  // one line per worker that starts serving, with how long it took: after a crash this is the recovery time
  cluster.on("listening", (worker) => {
    const started = startedAt.get(worker.id);
    startedAt.delete(worker.id);
    const serving = Object.values(cluster.workers ?? {}).filter((w) => w && !startedAt.has(w.id)).length;
    console.log(`[web] worker ${worker.process.pid} serving (${serving} of ${workers}), ${started === undefined ? "?" : Math.round(performance.now() - started)} ms after ${worker === takenOver ? "the takeover" : "its start"}`);
  });
  let takenOver: Worker | null = null;
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    startedAt.delete(worker.id);
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_WINDOW) {
      console.error(`[web] workers keep dying (${restarts.length} in a minute, last: ${signal ?? `exit ${code}`}); stopping`);
      process.exit(1);
    }
    const current = spare as { worker: Worker; ready: boolean } | null;
    if (current?.worker === worker) {
      console.error(`[web] the spare worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); starting another`);
      fork("spare");
      return;
    }
    if (current?.ready) {
      console.error(`[web] worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); the spare ${current.worker.process.pid} takes over`);
      takenOver = current.worker;
      startedAt.set(current.worker.id, performance.now());
      current.worker.send(SERVE_MESSAGE);
      fork("spare");
    } else {
      console.error(`[web] worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); starting another`);
      fork("serve");
    }
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 12_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`[web] ${workers} workers on port ${env.PORT}`);
}

if (require.main === module) {
  const dev = process.argv.includes("--dev");
  // Next's dev server keeps its own state (compiler, hot reload): one process.
  const workers = dev ? 1 : env.WEB_CONCURRENCY;
  if (workers > 1 && cluster.isPrimary) primaryMain(workers);
  else workerMain({ dev, port: env.PORT, spare: env.RLHF_WEB_SPARE });
}
