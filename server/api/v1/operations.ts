// Every operation of the token API (/api/v1) as a route spec: who may call (token scope, owner's role), the path,
// query and body schemas route() parses with, and the documentation with the response schema route() checks
// answers against. The route files under app/api/v1 mount these specs with their handlers; openapi.ts builds
// /api/v1/openapi.json from this table; tests/integration/api/openapi.test.ts requires every route file's methods to
// be operations of this table at the path of their folder, and every operation to be mounted — so the document,
// the parsing and the routing are one thing.
//
// Scopes (server/services/api-tokens.ts scopeGrants): READ reads; IMPORT, EXPORT, RUNS, ANNOTATIONS each add one
// job; WRITE is all. Without `role`, annotators' tokens pass too and see only the projects they are members of.
import { z, type ZodType } from "zod";
import type { CallerAuth, RouteAuth, RouteDoc, RouteSpec } from "@/server/api/route";
import { UPLOAD_QUERY_ERROR, uploadQuery } from "@/server/api/routes/imports";
import * as api from "@/server/schemas/api";
import { snapshotNameSchema } from "@/server/schemas/export";
import { baseModelInput } from "@/server/schemas/model";
import { projectSettingsSchema, projectUpdateSchema } from "@/server/schemas/project";
import { launchRunInput } from "@/server/schemas/run-launch";

export type Operation<Q extends ZodType | undefined = ZodType | undefined, B extends ZodType | undefined = ZodType | undefined, PS extends ZodType | undefined = ZodType | undefined, A extends RouteAuth = RouteAuth> = RouteSpec<Q, B, PS, A> & { doc: RouteDoc };

/** Keeps each spec's own types (for its handler) while checking it is a whole operation. */
function op<Q extends ZodType | undefined = undefined, B extends ZodType | undefined = undefined, PS extends ZodType | undefined = undefined, A extends RouteAuth = CallerAuth>(
  spec: Operation<Q, B, PS, A>,
): Operation<Q, B, PS, A> {
  return spec;
}

const admin = <S extends "READ" | "WRITE" | "IMPORT" | "EXPORT" | "RUNS">(token: S) => ({ token, role: "ADMIN" as const });
const anyone = <S extends "READ" | "ANNOTATIONS">(token: S) => ({ token });

// a snapshot definition names its projects by id or slug; the rest is the definition the snapshot page sends,
// validated by the service with every bad field named (its date filters are ISO 8601 strings here)
const snapshotCreateBody = z
  .looseObject({ name: snapshotNameSchema, projects: z.array(z.string().min(1)).min(1).meta({ description: "project ids or slugs" }) })
  .meta({ description: "A snapshot definition (filters, aggregation, bothBad, split, format, fileType, gzip; see the README's Exports) with `projects`." });

export const operations = {
  // ── projects ──
  projectsList: op({
    auth: anyone("READ"),
    query: api.projectListQuery,
    doc: {
      method: "GET", path: "/api/v1/projects", operationId: "listProjects", tag: "Projects", summary: "List projects",
      description: "Admins' tokens list every project; an annotator's token the projects its owner is a member of.",
      response: api.projectListSchema,
    },
  }),
  projectsCreate: op({
    auth: admin("WRITE"),
    body: projectSettingsSchema,
    doc: { method: "POST", path: "/api/v1/projects", operationId: "createProject", tag: "Projects", summary: "Create a project", status: 201, response: api.projectSchema },
  }),
  projectsGet: op({
    auth: anyone("READ"),
    params: api.projectParams,
    doc: { method: "GET", path: "/api/v1/projects/{projectId}", operationId: "getProject", tag: "Projects", summary: "One project (by id or slug)", response: api.projectSchema },
  }),
  projectsUpdate: op({
    auth: admin("WRITE"),
    params: api.projectParams,
    body: projectUpdateSchema.omit({ id: true }).extend({ archived: z.boolean().optional() }),
    doc: {
      method: "PATCH", path: "/api/v1/projects/{projectId}", operationId: "updateProject", tag: "Projects", summary: "Change a project's settings",
      description: "Only the fields sent change. The task type cannot change once the project has items (412).",
      response: api.projectSchema,
    },
  }),

  // ── items and imports ──
  itemsList: op({
    auth: anyone("READ"),
    params: api.projectParams,
    query: api.itemListQuery,
    doc: {
      method: "GET", path: "/api/v1/projects/{projectId}/items", operationId: "listItems", tag: "Items", summary: "List a project's items with their prompts and candidates",
      description: "Keyset pages in creation order: pass `nextCursor` as `cursor` until it is null. Gold answers are shown to admins' tokens only.",
      response: api.itemPageSchema,
    },
  }),
  importsCreate: op({
    auth: admin("IMPORT"),
    params: api.projectParams,
    query: uploadQuery("api-upload"),
    queryError: UPLOAD_QUERY_ERROR,
    doc: {
      method: "POST", path: "/api/v1/projects/{projectId}/imports", operationId: "importFile", tag: "Items", summary: "Import a file of prompts and responses",
      description: "The body is the file (JSONL, TRL, HH-RLHF, OpenAI chat, CSV, Alpaca, Super-NaturalInstructions), streamed into the importer. Answers when the import is done, with its counts and the first line errors.",
      requestFile: { contentType: "application/octet-stream", description: "the file, as is (gzip not supported)" },
      response: api.importSummarySchema,
    },
  }),
  importsList: op({
    auth: admin("READ"),
    params: api.projectParams,
    doc: { method: "GET", path: "/api/v1/projects/{projectId}/imports", operationId: "listImports", tag: "Items", summary: "A project's imports, newest first", response: api.importJobListSchema },
  }),
  importsGet: op({
    auth: admin("READ"),
    params: api.projectJobParams,
    doc: { method: "GET", path: "/api/v1/projects/{projectId}/imports/{jobId}", operationId: "getImport", tag: "Items", summary: "One import: progress, counts, line errors", response: api.importJobSchema },
  }),
  importsRejected: op({
    auth: admin("READ"),
    params: api.projectJobParams,
    doc: {
      method: "GET", path: "/api/v1/projects/{projectId}/imports/{jobId}/rejected", operationId: "getImportRejectedLines", tag: "Items",
      summary: "The lines an import skipped (skipInvalid), as a file",
      response: { file: "application/x-ndjson", description: "the rejected lines as they were sent (text/csv for a CSV import)" },
    },
  }),

  // ── annotations ──
  annotationsList: op({
    auth: anyone("ANNOTATIONS"),
    params: api.projectParams,
    query: api.annotationListQuery,
    doc: {
      method: "GET", path: "/api/v1/projects/{projectId}/annotations", operationId: "listAnnotations", tag: "Annotations", summary: "Read a project's annotations",
      description: "Keyset pages in creation order (pass `nextCursor` as `cursor`), filtered by annotator, item, flag, gold and time. An annotator's token reads its owner's own annotations only.",
      response: api.annotationPageSchema,
    },
  }),

  // ── snapshots ──
  snapshotsList: op({
    auth: admin("READ"),
    query: api.snapshotListQuery,
    doc: { method: "GET", path: "/api/v1/exports", operationId: "listSnapshots", tag: "Snapshots", summary: "List snapshots, newest first", response: api.snapshotListSchema },
  }),
  snapshotsCreate: op({
    auth: admin("EXPORT"),
    body: snapshotCreateBody,
    bodyError: { message: "The body must be a JSON snapshot definition with `name` and `projects`: a list of project ids or slugs." },
    doc: {
      method: "POST", path: "/api/v1/exports", operationId: "createSnapshot", tag: "Snapshots", summary: "Build a snapshot",
      description: "Answers 202 at once with the snapshot (status RUNNING); poll getSnapshot until SUCCEEDED, then download its files.",
      status: 202, response: api.snapshotSchema,
    },
  }),
  snapshotsGet: op({
    auth: admin("READ"),
    params: api.idParams,
    doc: { method: "GET", path: "/api/v1/exports/{id}", operationId: "getSnapshot", tag: "Snapshots", summary: "One snapshot: status, progress, files with sha256, stats", response: api.snapshotSchema },
  }),
  snapshotsFile: op({
    auth: admin("READ"),
    params: api.snapshotFileParams,
    doc: {
      method: "GET", path: "/api/v1/exports/{id}/files/{name}", operationId: "getSnapshotFile", tag: "Snapshots", summary: "One file of a ready snapshot",
      description: "Streamed with Content-Length; resumable with Range (206) and If-Range (ETag = the file's sha256).",
      response: { file: "application/octet-stream", description: "the file (JSONL, Parquet, optionally gzipped; README.md is the dataset card)" },
    },
  }),
  snapshotsArchive: op({
    auth: admin("READ"),
    params: api.idParams,
    doc: {
      method: "GET", path: "/api/v1/exports/{id}/archive", operationId: "getSnapshotArchive", tag: "Snapshots", summary: "Every file of a ready snapshot as one tar",
      response: { file: "application/x-tar", description: "<name>-v<version>/… with every file of the snapshot" },
    },
  }),

  // ── runs ──
  runsList: op({
    auth: admin("READ"),
    query: api.runListQuery,
    doc: { method: "GET", path: "/api/v1/runs", operationId: "listRuns", tag: "Runs", summary: "List runs, newest first, with queue positions", response: api.runListSchema },
  }),
  runsLaunch: op({
    auth: admin("RUNS"),
    body: launchRunInput,
    bodyError: { what: "Invalid run" },
    doc: {
      method: "POST", path: "/api/v1/runs", operationId: "launchRun", tag: "Runs", summary: "Launch a run (REWARD, PPO, DPO, GENERATE, SCORE)",
      description: "`config` is checked against the trainer's own config schema for the kind and backend; the inputs (snapshot, models, project) against the database. Answers 201 with the QUEUED run.",
      status: 201, response: api.runSchema,
    },
  }),
  runsGet: op({
    auth: admin("READ"),
    params: api.idParams,
    doc: { method: "GET", path: "/api/v1/runs/{id}", operationId: "getRun", tag: "Runs", summary: "One run: status, progress, error", response: api.runSchema },
  }),
  runsMetrics: op({
    auth: admin("READ"),
    params: api.idParams,
    query: api.runMetricsQuery,
    doc: { method: "GET", path: "/api/v1/runs/{id}/metrics", operationId: "getRunMetrics", tag: "Runs", summary: "A run's metrics by step (TRL's names)", response: api.runMetricsSchema },
  }),
  runsLogs: op({
    auth: admin("READ"),
    params: api.idParams,
    query: api.runLogsQuery,
    doc: { method: "GET", path: "/api/v1/runs/{id}/logs", operationId: "getRunLogs", tag: "Runs", summary: "A run's log lines, oldest first; follow with afterId", response: api.runLogsSchema },
  }),
  runsCancel: op({
    auth: admin("RUNS"),
    params: api.idParams,
    doc: {
      method: "POST", path: "/api/v1/runs/{id}/cancel", operationId: "cancelRun", tag: "Runs", summary: "Cancel a run",
      description: "A queued run is cancelled at once; a running one is flagged and its worker stops it. 409 when it has finished.",
      response: api.runSchema,
    },
  }),

  // ── models ──
  modelsList: op({
    auth: admin("READ"),
    query: api.modelListQuery,
    doc: { method: "GET", path: "/api/v1/models", operationId: "listModels", tag: "Models", summary: "The model registry, newest first", response: api.modelListSchema },
  }),
  modelsRegister: op({
    auth: admin("RUNS"),
    body: baseModelInput,
    bodyError: { what: "Invalid model" },
    doc: {
      method: "POST", path: "/api/v1/models", operationId: "registerBaseModel", tag: "Models", summary: "Register a base policy from a model directory",
      description: "`path` is a directory on the app's host under a model folder (<DATA_DIR>/models, <DATA_DIR>/runs, TRAINER_MODEL_ROOTS): a tiny model, or a Hugging Face one (config.json, safetensors weights, a tokenizer and, unless `allowNoChatTemplate`, a chat template). With an artifact store (ARTIFACTS_URL) the directory is uploaded there, for workers on other hosts to fetch. Answers 201 with the POLICY model.",
      status: 201, response: api.modelSchema,
    },
  }),
  modelsActivate: op({
    auth: admin("RUNS"),
    params: api.idParams,
    doc: {
      method: "POST", path: "/api/v1/models/{id}/activate", operationId: "activateModel", tag: "Models", summary: "Make a model the active one of its kind",
      description: "The active reward model scores items for the queue's active learning; the active policy is the default to sample.",
      response: api.modelSchema,
    },
  }),

  // ── the description itself ──
  openapi: op({
    auth: { public: true },
    doc: {
      method: "GET", path: "/api/v1/openapi.json", operationId: "getOpenApiDocument", tag: "Meta", summary: "This document (OpenAPI 3.1)",
      response: z.record(z.string(), z.unknown()),
    },
  }),
};

/** Every operation, in the table's order (the document's order). */
export const operationList: Operation[] = Object.values(operations);
