// The only reader of process.env. Everything else imports `env` from here, validated once at start-up.
import os from "node:os";
import path from "node:path";
import { z } from "zod";

/** true / false when set, undefined when unset or empty (the caller picks the default). */
const optionalBool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1"));

/** true when set to true/1, else false. */
const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const boolDefaultTrue = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === undefined || v === "" || v === "true" || v === "1");

/**
 * One web process per core, at most 4: each process keeps up to 20 database connections, and 4 × 20 stays well
 * inside PostgreSQL's default max_connections (100) beside the trainer workers and the tools.
 */
function defaultConcurrency(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  // When unset, scripts/start.ts starts an embedded PostgreSQL and sets it for the processes it spawns.
  DATABASE_URL: z.string().url().optional(),
  // Tests create (and drop) a fresh database per run on this server; else DATABASE_URL's server; else an
  // embedded one under <DATA_DIR>/test-postgres.
  TEST_DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // Web server processes sharing PORT (server/web.ts); default: one per CPU core, at most 4.
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(defaultConcurrency()),
  NEXTAUTH_URL: z.string().url().optional(),
  // Signs session JWTs and keys endpoint API keys at rest and export pseudonyms (server/secret.ts). Unset: every
  // process reads <DATA_DIR>/auth-secret, created by the first one that needs it.
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  // During a rotation, the secret before NEXTAUTH_SECRET: endpoint API keys stored under it still decrypt until
  // `npm run cli -- rotate-secrets` has re-encrypted them (README: "Rotating the secret").
  NEXTAUTH_SECRET_PREVIOUS: z.string().min(16).optional(),
  DATA_DIR: z.string().default(".data"),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  // Reverse proxies in front of the app that append to X-Forwarded-For. 0: the client is the socket's peer and
  // X-Forwarded-For (which any client can write) is ignored (server/client-address.ts).
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1).default(2 * 1024 * 1024 * 1024),
  IMPORT_MAX_LINE_BYTES: z.coerce.number().int().min(1).default(8 * 1024 * 1024),
  GITHUB_ID: z.string().optional(),
  GITHUB_SECRET: z.string().optional(),
  GOOGLE_ID: z.string().optional(),
  GOOGLE_SECRET: z.string().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_ID: z.string().optional(),
  OIDC_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("SSO"),
  // Endpoints (OpenAI-compatible model servers) may reach loopback and private-network addresses only when this
  // is true; link-local addresses (cloud metadata) stay refused. See server/services/outbound.ts.
  ENDPOINT_ALLOW_PRIVATE: bool,
  // Host names or IPs (comma-separated, as written in endpoint URLs) that endpoints may reach whatever they resolve to.
  ENDPOINT_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((h) => h.trim()).filter(Boolean)),
  TRAINER_PYTHON: z.string().optional(),
  // how often the web process takes new judgements into the analytics summaries (ms; 0 = off: a read counts 50 items)
  ANALYTICS_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  // Folders (separated by ":") where model directories may be besides <DATA_DIR>/runs and <DATA_DIR>/models
  // (server/services/model-paths.ts).
  TRAINER_MODEL_ROOTS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(path.delimiter).map((r) => r.trim()).filter(Boolean)),
  // Where snapshots, checkpoints and model directories are shared between hosts (server/services/artifacts/):
  // s3://bucket/prefix (S3-compatible object storage) or file:///folder (a folder every host mounts). Unset: each
  // process's DATA_DIR only, for a web app and workers on one machine.
  ARTIFACTS_URL: z
    .string()
    .regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.+)$/, "s3://bucket/prefix or file:///folder")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  // the S3 API's address for a store other than AWS (MinIO, Ceph, R2: e.g. http://minio:9000), and its region
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  // bucket in the path (http://host/bucket/key) instead of the host name; default: yes when S3_ENDPOINT is set
  S3_FORCE_PATH_STYLE: optionalBool,
  TRAINER_GPUS: z.string().optional(),
  TRAINER_HOST: z.string().optional(),
  TRAINER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).default(5),
  TRAINER_STALE_SECONDS: z.coerce.number().int().min(2).default(60),
  TRAINER_POLL_MS: z.coerce.number().int().min(50).default(1000),
  // `npm start` runs the trainer worker beside the web app unless this is false
  START_WORKER: boolDefaultTrue,
  // Webhook delivery (server/services/webhooks/dispatch.ts): a receiver's time to answer, and the first retry's
  // delay (doubling per attempt, capped at 2 hours; a delivery is given up a day after its event).
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  // Demo data (public passwords) in an empty database: unset = yes for `npm run dev`, no for `npm start`
  // (`npm start -- --demo` asks for it too).
  SEED_DEMO: optionalBool,
  // Internal, set by server/web.ts's cluster primary on its warm spare worker (not a setting).
  RLHF_WEB_SPARE: bool,
});

export type Env = z.infer<typeof schema>;

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment variables:\n${lines.join("\n")}\nSee .env.example.`);
  }
  return parsed.data;
}

export const env = load();

/**
 * Where people reach the app, for links printed on a console (there is no request to read the host from):
 * NEXTAUTH_URL, else this machine on the app's port.
 */
export function consoleUrl(port: number = env.PORT): string {
  return (env.NEXTAUTH_URL ?? `http://localhost:${port}`).replace(/\/+$/, "");
}
