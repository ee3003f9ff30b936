// The HTTP API's own schemas (/api/v1, described by server/api/v1/openapi.ts): the query strings of its lists and
// the JSON it answers. Request bodies reuse the schemas the tRPC procedures validate with (project settings, a
// snapshot definition, a run launch); what is here is only what the token API has and the pages do not. Response
// schemas are checked on every answer (server/api/route.ts), so the document cannot promise a field the code
// does not send — and fields that only make sense on the server (file paths) are trimmed away by them.
import { z } from "zod";
import { importFormatSchema } from "@/server/schemas/import";
import { FLAGS, TASK_TYPES } from "@/server/schemas/judgement";
import { criterionSchema } from "@/server/schemas/project";
import { runKindSchema, runStatusSchema } from "@/server/schemas/runs";
import { snapshotFileSchema } from "@/server/schemas/export";

// ── building blocks ─────────────────────────────────────────────────────────────────────────────────────────────

const id = z.string().min(1);
const when = z.iso.datetime({ offset: true });
const json = z.record(z.string(), z.unknown());
const jobStatus = z.enum(["PENDING", "RUNNING", "SUCCEEDED", "FAILED"]);
/** a query-string boolean: true/false or 1/0 */
const queryFlag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const fieldErrorSchema = z.object({
  field: z.string().meta({ description: "dotted path of the field, e.g. candidates.1.text" }),
  message: z.string(),
  line: z.number().int().optional().meta({ description: "1-based line of an uploaded file, when the error is about one" }),
});

/** Every failure of every route: server/api/route.ts errorResponse. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED", "PAYLOAD_TOO_LARGE", "TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]),
      message: z.string(),
      fieldErrors: z.array(fieldErrorSchema),
    }),
  })
  .meta({ id: "Error", description: "Every error: a code, a sentence for people and the bad fields (`field.0.name`) with what is wrong." });

// ── path parameters ─────────────────────────────────────────────────────────────────────────────────────────────

export const projectParams = z.object({ projectId: id.meta({ description: "the project's id or slug" }) });
export const projectJobParams = projectParams.extend({ jobId: id.meta({ description: "the import's id" }) });
export const idParams = z.object({ id });
export const snapshotFileParams = z.object({ id, name: z.string().min(1).meta({ description: "a file name from the snapshot's `files`" }) });

// ── projects ────────────────────────────────────────────────────────────────────────────────────────────────────

export const projectListQuery = z.object({ includeArchived: queryFlag.default(false) });

export const projectSchema = z
  .object({
    id,
    slug: z.string(),
    name: z.string(),
    guidelines: z.string(),
    taskType: z.enum(TASK_TYPES),
    criteria: z.array(criterionSchema),
    allowTies: z.boolean(),
    requireRationale: z.boolean(),
    overlap: z.number().int(),
    leaseSeconds: z.number().int(),
    goldRate: z.number(),
    showModelNames: z.boolean(),
    activeLearning: z.boolean(),
    thumbs: z.boolean(),
    editsAsPreference: z.boolean(),
    archived: z.boolean(),
    itemCount: z.number().int(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Project" });

export const projectListSchema = z.object({ projects: z.array(projectSchema) });

// ── items ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const itemListQuery = z.object({
  cursor: z.string().optional().meta({ description: "nextCursor of the previous page" }),
  limit: limit(1000, 100),
  status: z.enum(["OPEN", "COMPLETE", "ARCHIVED"]).optional(),
  gold: queryFlag.optional().meta({ description: "only gold items (true) or only the others (false)" }),
});

const messageSchema = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() });

export const itemSchema = z
  .object({
    id,
    promptId: id,
    status: z.enum(["OPEN", "COMPLETE", "ARCHIVED"]),
    isGold: z.boolean(),
    priority: z.number().int(),
    completedCount: z.number().int(),
    /** gold items' expected ranking (groups of candidate ids, best first): admins' tokens only */
    goldRanking: z.array(z.array(id)).nullable().optional(),
    goldThumbs: z.boolean().nullable().optional(),
    createdAt: when,
    prompt: z.object({ messages: z.array(messageSchema), metadata: json }),
    candidates: z.array(z.object({ id, text: z.string(), model: z.string().nullable(), metadata: json, position: z.number().int() })),
  })
  .meta({ id: "Item" });

export const itemPageSchema = z.object({ items: z.array(itemSchema), nextCursor: z.string().nullable() });

// ── imports ─────────────────────────────────────────────────────────────────────────────────────────────────────

const importCounts = z.record(z.string(), z.number());
const lineError = z.object({ line: z.number().int(), field: z.string(), message: z.string() });

export const importSummarySchema = z
  .object({
    jobId: id,
    projectId: id,
    status: z.enum(["SUCCEEDED", "FAILED"]),
    format: importFormatSchema,
    fileName: z.string(),
    bytesRead: z.number().int(),
    linesRead: z.number().int(),
    counts: importCounts,
    errors: z.array(lineError),
    errorCount: z.number().int(),
    hasRejectedLines: z.boolean(),
    durationMs: z.number(),
  })
  .meta({ id: "ImportSummary" });

export const importJobSchema = z
  .object({
    id,
    projectId: id,
    fileName: z.string(),
    format: z.string(),
    status: jobStatus,
    bytesTotal: z.number().int(),
    bytesRead: z.number().int(),
    linesRead: z.number().int(),
    counts: importCounts,
    errors: z.array(lineError),
    errorCount: z.number().int(),
    skipInvalid: z.boolean(),
    hasRejectedLines: z.boolean(),
    message: z.string().nullable(),
    createdAt: when,
    finishedAt: when.nullable(),
  })
  .meta({ id: "ImportJob" });

export const importJobListSchema = z.object({ imports: z.array(importJobSchema.omit({ errors: true, projectId: true })) });

// ── annotations ─────────────────────────────────────────────────────────────────────────────────────────────────

export const annotationListQuery = z.object({
  cursor: z.string().optional().meta({ description: "nextCursor of the previous page" }),
  limit: limit(1000, 100),
  annotatorId: id.optional().meta({ description: "only this annotator's judgements (a user id)" }),
  itemId: id.optional(),
  flag: z.enum(FLAGS).optional().meta({ description: "only judgements with this flag" }),
  gold: queryFlag.optional().meta({ description: "only judgements of gold items (true) or of the others (false)" }),
  goldCorrect: queryFlag.optional().meta({ description: "only gold judgements that matched (true) or missed (false)" }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "created at or after (ISO 8601)" }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "created before (ISO 8601)" }),
  updatedSince: z.iso.datetime({ offset: true }).optional().meta({ description: "created or edited at or after (ISO 8601)" }),
});

export const annotationSchema = z
  .object({
    id,
    itemId: id,
    projectId: id,
    annotatorId: id,
    ranking: z.array(z.array(id)),
    strength: z.enum(["MUCH_BETTER", "BETTER", "SLIGHTLY_BETTER", "TIE"]).nullable(),
    bothBad: z.boolean(),
    ratings: z.record(z.string(), z.record(z.string(), z.number())),
    thumbs: z.boolean().nullable(),
    demonstration: z.string().nullable(),
    demonstrationFrom: z.string().nullable(),
    rationale: z.string(),
    flags: z.array(z.string()),
    flagNote: z.string(),
    timeSpentMs: z.number().int(),
    late: z.boolean(),
    surplus: z.boolean(),
    isGold: z.boolean(),
    goldCorrect: z.boolean().nullable(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Annotation" });

export const annotationPageSchema = z.object({ annotations: z.array(annotationSchema), nextCursor: z.string().nullable() });

// ── snapshots ───────────────────────────────────────────────────────────────────────────────────────────────────

export const snapshotListQuery = z.object({ name: z.string().trim().min(1).max(200).optional(), limit: limit(500, 100) });

export const snapshotSchema = z
  .object({
    id,
    name: z.string(),
    version: z.number().int(),
    projectIds: z.array(id),
    definition: json,
    status: jobStatus,
    progress: z.number(),
    rowCounts: z.record(z.string(), z.number()),
    files: z.array(snapshotFileSchema),
    stats: json,
    error: z.string().nullable(),
    createdById: z.string().nullable(),
    createdByName: z.string().nullable(),
    createdAt: when,
    finishedAt: when.nullable(),
  })
  .meta({ id: "Snapshot" });

export const snapshotListSchema = z.object({ snapshots: z.array(snapshotSchema) });

// ── runs ────────────────────────────────────────────────────────────────────────────────────────────────────────

export const runListQuery = z.object({ status: runStatusSchema.optional(), kind: runKindSchema.optional(), limit: limit(500, 100) });

export const runSchema = z
  .object({
    id,
    kind: runKindSchema,
    name: z.string(),
    config: json,
    snapshotId: z.string().nullable(),
    modelId: z.string().nullable(),
    projectId: z.string().nullable(),
    status: runStatusSchema,
    gpuCount: z.number().int(),
    host: z.string().nullable(),
    gpuIds: z.array(z.string()),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    progress: z.number(),
    cancelRequested: z.boolean(),
    /** 1 = next to be claimed; null unless QUEUED */
    queuePosition: z.number().int().nullable(),
    error: z.string().nullable(),
    createdById: z.string().nullable(),
    createdAt: when,
    startedAt: when.nullable(),
    finishedAt: when.nullable(),
    heartbeatAt: when.nullable(),
  })
  .meta({ id: "Run" });

export const runListSchema = z.object({ runs: z.array(runSchema) });

export const runMetricsQuery = z.object({
  names: z.string().optional().meta({ description: "comma-separated metric names (e.g. loss,eval/accuracy); all when left out" }),
  afterStep: z.coerce.number().int().optional().meta({ description: "only steps after this one (poll for what is new)" }),
});

export const runMetricsSchema = z.object({ metrics: z.array(z.object({ step: z.number().int(), name: z.string(), value: z.number() })) });

export const runLogsQuery = z.object({
  afterId: z.string().regex(/^\d+$/).optional().meta({ description: "nextAfterId of the previous call" }),
  limit: limit(2000, 500),
});

export const runLogsSchema = z.object({
  logs: z.array(z.object({ id: z.string(), stream: z.string(), line: z.string(), createdAt: when })),
  /** pass as afterId to read on; null when nothing was read */
  nextAfterId: z.string().nullable(),
});

// ── models ──────────────────────────────────────────────────────────────────────────────────────────────────────

export const modelListQuery = z.object({ kind: z.enum(["REWARD", "POLICY"]).optional() });

export const modelSchema = z
  .object({
    id,
    name: z.string(),
    kind: z.enum(["REWARD", "POLICY"]),
    backend: z.string(),
    baseModel: z.string().nullable(),
    metrics: json,
    runId: z.string().nullable(),
    snapshotId: z.string().nullable(),
    rewardModelId: z.string().nullable(),
    parentId: z.string().nullable(),
    storeKey: z.string().nullable().describe("its key in the artifact store (ARTIFACTS_URL); null when it is only on a host's disk"),
    sha256: z.string().nullable().describe("sha256 of the directory's manifest (every file's path, size and sha256), checked whenever a worker fetches it"),
    active: z.boolean(),
    createdAt: when,
  })
  .meta({ id: "Model" });

export const modelListSchema = z.object({ models: z.array(modelSchema) });
