// The token API against its own description: /api/v1/openapi.json is a valid OpenAPI 3.1 document (checked by
// @seriousme/openapi-schema-validator against the published 3.1 schema), every route file under app/api/v1 mounts an
// operation of the table at its folder's path (and every operation is mounted), and every documented operation is
// called — as an admin, an annotator, with the wrong scope, with bad input — with each answer's status among the
// documented ones and its JSON body valid against the documented schema (Ajv, JSON Schema 2020-12).
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/api/route";
import { operationList, type Operation } from "@/server/api/v1/operations";
import { db } from "@/server/db";
import { env } from "@/server/env";
import type { TokenScope } from "@/server/generated/prisma/client";
import { createToken } from "@/server/services/api-tokens";
import { saveEndpoint } from "@/server/services/endpoints";
import { runKinds } from "@/server/schemas/runs";
import { buildFixture, type Fixture } from "@/tests/fixtures/export/fixture";
import { pythonWithTorch } from "@/tests/integration/worker/helpers";
import { TRAINER_DIR } from "@/trainer/worker/process";

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const V1 = path.resolve(__dirname, "../../../app/api/v1");
const METHODS = ["GET", "POST", "PATCH", "DELETE"] as const;

/** Every route file under app/api/v1 with the OpenAPI path its folder stands for. */
function routeFiles(dir = V1, segments: string[] = []): { file: string; path: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return routeFiles(path.join(dir, entry.name), [...segments, entry.name.replace(/^\[(.+)\]$/, "{$1}")]);
    return entry.name === "route.ts" ? [{ file: path.join(dir, entry.name), path: ["/api/v1", ...segments].join("/") }] : [];
  });
}

const handlers = new Map<string, RouteHandler<Record<string, string>>>();
let doc: Doc;
let ajv: Ajv2020;
let fx: Fixture;
const tokens: Record<string, string> = {};
const called = new Set<string>();

beforeAll(async () => {
  for (const { file, path: routePath } of routeFiles()) {
    const mod = (await import(file)) as Record<string, RouteHandler<Record<string, string>> | undefined>;
    for (const method of METHODS) {
      const handler = mod[method];
      if (!handler) continue;
      const spec = handler.spec as Operation;
      // a mounted v1 route is an operation of the table, at the path and method the table says
      expect(operationList, `${method} ${routePath} mounts a spec of operations.ts`).toContain(spec);
      expect(`${spec.doc.method} ${spec.doc.path}`).toBe(`${method} ${routePath}`);
      handlers.set(spec.doc.operationId, handler);
    }
  }
  const res = await handlers.get("getOpenApiDocument")!(new Request("http://localhost/api/v1/openapi.json"), { params: Promise.resolve({}) });
  doc = (await res.json()) as Doc;
  // strict off: the document's OpenAPI keywords (paths, operationId …) are not JSON Schema's
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc as object, "openapi");

  fx = await buildFixture();
  await db.projectMember.create({ data: { projectId: fx.projects.a.id, userId: fx.users.alice.id } });
  const make = async (who: "admin" | "alice" | "bob", scope: TokenScope) => (await createToken({ userId: fx.users[who].id, name: `openapi ${scope}`, scope })).token;
  for (const scope of ["READ", "WRITE", "IMPORT", "EXPORT", "RUNS", "ANNOTATIONS"] as const) tokens[scope] = await make("admin", scope);
  tokens.aliceRead = await make("alice", "READ");
  tokens.aliceAnnotations = await make("alice", "ANNOTATIONS");
  tokens.bobAnnotations = await make("bob", "ANNOTATIONS");
});

const pointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  raw?: string;
  token?: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer, already checked against the document by Ajv
type Json = any;

/** Calls an operation through its mounted handler and checks the answer against the document. */
async function call(operationId: string, opts: Call = {}): Promise<{ status: number; body: Json; res: Response }> {
  const spec = operationList.find((o) => o.doc.operationId === operationId)!;
  const handler = handlers.get(operationId)!;
  const params = opts.params ?? {};
  const url = new URL(`http://localhost${spec.doc.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]))}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const token = opts.token === undefined ? tokens.WRITE : opts.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers["content-length"] = String(Buffer.byteLength(opts.raw));
  }
  const res = await handler(new Request(url, { method: spec.doc.method, headers, body }), { params: Promise.resolve(params) });
  called.add(operationId);
  const documented = doc.paths[spec.doc.path][spec.doc.method.toLowerCase()].responses;
  expect(Object.keys(documented), `${operationId} documents status ${res.status}`).toContain(String(res.status));
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) return { status: res.status, body: null, res };
  const json: unknown = await res.json();
  const ref = (documented[String(res.status)] as { $ref?: string }).$ref;
  const schemaPath = ref
    ? "openapi#/components/schemas/Error"
    : `openapi#/paths/${pointer(spec.doc.path)}/${spec.doc.method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
  const validate = ajv.getSchema(schemaPath)!;
  expect(validate(json), `${operationId} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json).slice(0, 500)}`).toBe(true);
  return { status: res.status, body: json, res };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as unknown as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("describes every operation of the table, each mounted by a route file", () => {
    expect([...handlers.keys()].sort()).toEqual(operationList.map((o) => o.doc.operationId).sort());
    for (const o of operationList) expect(doc.paths[o.doc.path][o.doc.method.toLowerCase()]).toBeDefined();
  });
});

describe("every operation, called as documented", () => {
  it("projects: list, create, get, update — with annotators limited to their projects", async () => {
    const all = await call("listProjects");
    expect(all.status).toBe(200);
    expect(all.body.projects.map((p: { slug: string }) => p.slug)).toEqual(expect.arrayContaining([fx.projects.a.slug, fx.projects.b.slug]));

    const mine = await call("listProjects", { token: tokens.aliceRead });
    expect(mine.body.projects.map((p: { slug: string }) => p.slug)).toEqual([fx.projects.a.slug]);
    expect((await call("listProjects", { token: null })).body.error.code).toBe("UNAUTHORIZED");

    const slug = `api-${fx.suffix}`;
    const created = await call("createProject", { body: { name: "From the API", slug, overlap: 2 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug, overlap: 2, taskType: "PAIRWISE", itemCount: 0 });
    const taken = await call("createProject", { body: { name: "Again", slug } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.fieldErrors).toEqual([{ field: "slug", message: "already in use" }]);
    const bad = await call("createProject", { body: { name: "", slug: "X", overlap: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fieldErrors.map((e: { field: string }) => e.field).sort()).toEqual(["name", "overlap", "slug"]);
    expect((await call("createProject", { body: { name: "n", slug: `n-${fx.suffix}` }, token: tokens.READ })).status).toBe(403);
    expect((await call("createProject", { body: { name: "n", slug: `n-${fx.suffix}` }, token: tokens.aliceRead })).status).toBe(403);

    const got = await call("getProject", { params: { projectId: slug } });
    expect(got.body.id).toBe(created.body.id);
    expect((await call("getProject", { params: { projectId: fx.projects.a.slug }, token: tokens.aliceRead })).status).toBe(200);
    // a project the annotator is not a member of does not exist for their token
    expect((await call("getProject", { params: { projectId: fx.projects.b.slug }, token: tokens.aliceRead })).status).toBe(404);

    const updated = await call("updateProject", { params: { projectId: slug }, body: { guidelines: "Prefer the honest answer.", goldRate: 0.1 } });
    expect(updated.body).toMatchObject({ guidelines: "Prefer the honest answer.", goldRate: 0.1, overlap: 2 });
    expect((await call("updateProject", { params: { projectId: slug }, body: { goldRate: 2 } })).body.error.fieldErrors[0].field).toBe("goldRate");
    expect((await call("updateProject", { params: { projectId: slug }, body: { archived: true } })).body.archived).toBe(true);
  });

  it("items and imports: import a file, read the job and its rejected lines, page through the items", async () => {
    const slug = `imp-${fx.suffix}`;
    await call("createProject", { body: { name: "Imports", slug } });
    const lines = [
      JSON.stringify({ prompt: "Say hi", candidates: [{ text: "Hi" }, { text: "Hello" }] }),
      "{ not json",
      ...Array.from({ length: 4 }, (_, i) => JSON.stringify({ prompt: `Count to ${i + 2}`, candidates: [{ text: "1 2" }, { text: "one two" }] })),
    ].join("\n");
    expect((await call("importFile", { params: { projectId: slug }, raw: lines, token: tokens.EXPORT })).status).toBe(403);
    const imported = await call("importFile", { params: { projectId: slug }, query: { skipInvalid: "true", fileName: "batch.jsonl" }, raw: lines, token: tokens.IMPORT });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ status: "SUCCEEDED", fileName: "batch.jsonl", errorCount: 1, hasRejectedLines: true });
    expect(imported.body.errors[0].line).toBe(2);
    expect("rejectedLinesPath" in imported.body).toBe(false);
    expect((await call("importFile", { params: { projectId: slug }, query: { format: "xml" }, raw: lines, token: tokens.IMPORT })).body.error.fieldErrors[0].field).toBe("format");
    // without skipInvalid a bad line fails the import, and the error names its line
    const refused = await call("importFile", { params: { projectId: slug }, raw: lines, token: tokens.IMPORT });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fieldErrors[0]).toMatchObject({ line: 2 });

    const jobs = await call("listImports", { params: { projectId: slug }, token: tokens.READ });
    expect(jobs.body.imports.map((j: { id: string }) => j.id)).toContain(imported.body.jobId);
    const job = await call("getImport", { params: { projectId: slug, jobId: imported.body.jobId }, token: tokens.READ });
    expect(job.body).toMatchObject({ status: "SUCCEEDED", errorCount: 1, hasRejectedLines: true });
    expect((await call("getImport", { params: { projectId: slug, jobId: "nope" } })).status).toBe(404);
    const rejected = await call("getImportRejectedLines", { params: { projectId: slug, jobId: imported.body.jobId }, token: tokens.READ });
    expect(rejected.status).toBe(200);
    expect((await rejected.res.text()).trim()).toBe("{ not json");

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const pageOf = await call("listItems", { params: { projectId: slug }, query: { limit: "2", ...(cursor ? { cursor } : {}) }, token: tokens.READ });
      seen.push(...pageOf.body.items.map((i: { id: string }) => i.id));
      cursor = pageOf.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    const first = await call("listItems", { params: { projectId: slug }, query: { limit: "1" } });
    expect(first.body.items[0].prompt.messages).toEqual([{ role: "user", content: "Say hi" }]);
    expect(first.body.items[0].candidates.map((c: { text: string }) => c.text)).toEqual(["Hi", "Hello"]);
    expect((await call("listItems", { params: { projectId: slug }, query: { cursor: "garbage" } })).body.error.fieldErrors[0].field).toBe("cursor");
    // annotators see their projects' items without the gold answers
    const aliceItems = await call("listItems", { params: { projectId: fx.projects.a.slug }, token: tokens.aliceRead });
    expect(aliceItems.body.items.length).toBeGreaterThan(0);
    for (const item of aliceItems.body.items) expect("goldRanking" in item).toBe(false);
  });

  it("annotations: keyset pages, filters, the ANNOTATIONS scope and annotators' own", async () => {
    const all = await db.annotation.findMany({ where: { projectId: fx.projects.a.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(all.length).toBeGreaterThan(2);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const pageOf = await call("listAnnotations", { params: { projectId: fx.projects.a.id }, query: { limit: "2", ...(cursor ? { cursor } : {}) }, token: tokens.ANNOTATIONS });
      ids.push(...pageOf.body.annotations.map((a: { id: string }) => a.id));
      cursor = pageOf.body.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(all.map((a) => a.id));

    const bob = await call("listAnnotations", { params: { projectId: fx.projects.a.id }, query: { annotatorId: fx.users.bob.id } });
    expect(bob.body.annotations.map((a: { id: string }) => a.id)).toEqual(all.filter((a) => a.userId === fx.users.bob.id).map((a) => a.id));
    const late = await call("listAnnotations", { params: { projectId: fx.projects.a.id }, query: { from: all[1].createdAt.toISOString() } });
    expect(late.body.annotations.length).toBe(all.filter((a) => a.createdAt >= all[1].createdAt).length);
    expect((await call("listAnnotations", { params: { projectId: fx.projects.a.id }, query: { from: "yesterday" } })).body.error.fieldErrors[0].field).toBe("from");

    expect((await call("listAnnotations", { params: { projectId: fx.projects.a.id }, token: tokens.READ })).status).toBe(403);
    const own = await call("listAnnotations", { params: { projectId: fx.projects.a.id }, token: tokens.aliceAnnotations });
    expect(own.body.annotations.length).toBe(all.filter((a) => a.userId === fx.users.alice.id).length);
    for (const a of own.body.annotations) expect(a.annotatorId).toBe(fx.users.alice.id);
    // a reviewer of the project reads every judgement of it, as the data browser shows them; not before
    expect((await call("listAnnotations", { params: { projectId: fx.projects.a.id }, token: tokens.bobAnnotations })).status).toBe(404);
    await db.projectMember.create({ data: { projectId: fx.projects.a.id, userId: fx.users.bob.id, role: "REVIEWER" } });
    const reviewed = await call("listAnnotations", { params: { projectId: fx.projects.a.id }, query: { limit: "500" }, token: tokens.bobAnnotations });
    expect(reviewed.body.annotations.length).toBe(all.length);
  });

  it("snapshots, runs and models: build, download, launch, follow, cancel, activate", async () => {
    const name = `api-snap-${fx.suffix}`;
    expect((await call("createSnapshot", { body: { name, projects: [fx.projects.a.slug] }, token: tokens.RUNS })).status).toBe(403);
    const started = await call("createSnapshot", { body: { name, projects: [fx.projects.a.slug], format: "trl" }, token: tokens.EXPORT });
    expect(started.status).toBe(202);
    const bad = await call("createSnapshot", { body: { name, projects: [fx.projects.a.slug], format: "nope" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fieldErrors[0].field).toBe("format");
    const ready = await waitFor(() => call("getSnapshot", { params: { id: started.body.id }, token: tokens.READ }), (r) => r.body.status !== "RUNNING");
    expect(ready.body.status).toBe("SUCCEEDED");
    expect((await call("listSnapshots", { query: { name }, token: tokens.READ })).body.snapshots.map((s: { id: string }) => s.id)).toEqual([started.body.id]);
    const file = await call("getSnapshotFile", { params: { id: started.body.id, name: ready.body.files[0].name }, token: tokens.READ });
    expect(file.status).toBe(200);
    expect(Number(file.res.headers.get("content-length"))).toBe(ready.body.files[0].bytes);
    expect((await call("getSnapshotFile", { params: { id: started.body.id, name: "nope.jsonl" } })).status).toBe(404);
    const archive = await call("getSnapshotArchive", { params: { id: started.body.id } });
    expect(archive.status).toBe(200);
    expect(archive.res.headers.get("content-type")).toBe("application/x-tar");

    expect((await call("launchRun", { body: { kind: "REWARD", name: "rm", snapshotId: started.body.id }, token: tokens.EXPORT })).status).toBe(403);
    const badRun = await call("launchRun", { body: { kind: "REWARD", name: "rm", snapshotId: started.body.id, config: { lr: "fast" } }, token: tokens.RUNS });
    expect(badRun.status).toBe(400);
    expect(badRun.body.error.fieldErrors[0].field).toBe("config.lr");
    const run = await call("launchRun", { body: { kind: "REWARD", name: "rm from the API", snapshotId: started.body.id }, token: tokens.RUNS });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body).toMatchObject({ kind: "REWARD", status: "QUEUED", snapshotId: started.body.id });
    expect(run.body.queuePosition).toBeGreaterThanOrEqual(1);
    expect((await call("getRun", { params: { id: run.body.id }, token: tokens.READ })).body.id).toBe(run.body.id);
    expect((await call("listRuns", { query: { kind: "REWARD" }, token: tokens.READ })).body.runs.map((r: { id: string }) => r.id)).toContain(run.body.id);
    expect((await call("getRun", { params: { id: "nope" } })).status).toBe(404);

    await db.runMetric.createMany({ data: [1, 2, 3].flatMap((step) => [{ runId: run.body.id, step, name: "loss", value: 1 / step }, { runId: run.body.id, step, name: "eval/accuracy", value: step / 4 }]) });
    await db.runLog.createMany({ data: ["starting", "epoch 1", "epoch 2"].map((line) => ({ runId: run.body.id, stream: "stdout", line })) });
    const metrics = await call("getRunMetrics", { params: { id: run.body.id }, query: { names: "loss", afterStep: "1" }, token: tokens.READ });
    expect(metrics.body.metrics).toEqual([{ step: 2, name: "loss", value: 0.5 }, { step: 3, name: "loss", value: 1 / 3 }]);
    const logs = await call("getRunLogs", { params: { id: run.body.id }, query: { limit: "2" }, token: tokens.READ });
    expect(logs.body.logs.map((l: { line: string }) => l.line)).toEqual(["starting", "epoch 1"]);
    const more = await call("getRunLogs", { params: { id: run.body.id }, query: { afterId: logs.body.nextAfterId } });
    expect(more.body.logs.map((l: { line: string }) => l.line)).toEqual(["epoch 2"]);

    const cancelled = await call("cancelRun", { params: { id: run.body.id }, token: tokens.RUNS });
    expect(cancelled.body.status).toBe("CANCELLED");
    expect((await call("cancelRun", { params: { id: run.body.id }, token: tokens.RUNS })).status).toBe(409);

    const model = await db.model.create({ data: { name: `rm-${fx.suffix}`, kind: "REWARD", backend: "tiny", path: "/data/models/x" } });
    const policy = await db.model.create({ data: { name: `policy-${fx.suffix}`, kind: "POLICY", backend: "tiny", path: "/data/models/p" } });
    const reference = await db.model.create({ data: { name: `reference-${fx.suffix}`, kind: "POLICY", backend: "tiny", path: "/data/models/r" } });
    const demos = await db.project.create({ data: { name: `demos ${fx.suffix}`, slug: `demos-${fx.suffix}`, taskType: "DEMONSTRATION" } });
    const endpoint = await saveEndpoint({ input: { name: `teacher ${fx.suffix}`, baseUrl: "http://127.0.0.1:9/v1", model: "teacher" } });
    // every other kind launches through the same operation, each with its own inputs (then cancelled: no worker here)
    const launches = [
      { kind: "PPO", name: "ppo", modelId: model.id, projectId: fx.projects.a.id, policyModelId: policy.id },
      { kind: "DPO", name: "dpo", snapshotId: started.body.id, policyModelId: policy.id },
      { kind: "GENERATE", name: "gen", projectId: fx.projects.a.id, modelId: policy.id, config: { num_samples: 2 } },
      { kind: "SCORE", name: "score", projectId: fx.projects.a.id, modelId: model.id },
      { kind: "GRPO", name: "grpo", modelId: model.id, projectId: fx.projects.a.id, policyModelId: policy.id },
      { kind: "RLOO", name: "rloo", modelId: model.id, snapshotId: started.body.id, policyModelId: policy.id },
      { kind: "SFT", name: "sft", snapshotId: started.body.id, policyModelId: policy.id },
      { kind: "KTO", name: "kto", snapshotId: started.body.id, policyModelId: policy.id },
      { kind: "EVAL", name: "eval", modelId: policy.id, referenceModelId: reference.id, rewardModelId: model.id, snapshotId: started.body.id },
      {
        kind: "SELF_INSTRUCT",
        name: "self-instruct",
        projectId: demos.id,
        endpointId: endpoint.id,
        config: { seed_tasks: [{ instruction: "Give three tips for staying healthy." }], target: 5 },
      },
      { kind: "JUDGE", name: "judge", projectId: fx.projects.a.id, endpointId: endpoint.id, config: { max_items: 50 } },
    ];
    // every kind the app knows goes through this one operation
    expect(new Set(launches.map((l) => l.kind))).toEqual(new Set(runKinds.filter((k) => k !== "REWARD")));
    for (const body of launches) {
      const launched = await call("launchRun", { body, token: tokens.RUNS });
      expect(launched.status, JSON.stringify(launched.body)).toBe(201);
      expect(launched.body.kind).toBe(body.kind);
      expect((await call("cancelRun", { params: { id: launched.body.id }, token: tokens.RUNS })).body.status).toBe("CANCELLED");
    }
    expect((await call("launchRun", { body: { kind: "SCORE", name: "score", projectId: "nope", modelId: model.id }, token: tokens.RUNS })).body.error.fieldErrors[0].field).toBe("projectId");
    const models = await call("listModels", { query: { kind: "REWARD" }, token: tokens.READ });
    const listed = models.body.models.find((m: { id: string }) => m.id === model.id);
    expect(listed).toMatchObject({ name: model.name, active: false });
    expect("path" in listed).toBe(false);
    expect((await call("activateModel", { params: { id: model.id }, token: tokens.READ })).status).toBe(403);
    expect((await call("activateModel", { params: { id: model.id }, token: tokens.RUNS })).body).toMatchObject({ id: model.id, active: true });
    expect((await call("activateModel", { params: { id: "nope" }, token: tokens.RUNS })).status).toBe(404);
  });

  it("models: register a base policy from a tiny model directory the trainer wrote, with a bad path named", async () => {
    // under <DATA_DIR>/models, a model folder of the app (server/services/model-paths.ts)
    const dir = path.resolve(env.DATA_DIR, "models", `openapi-${fx.suffix}`);
    await mkdir(path.dirname(dir), { recursive: true });
    await promisify(execFile)(
      await pythonWithTorch(),
      ["-c", "import sys\nfrom rlhf import model as m\nm.save_tiny(m.TinyTransformer(m.TinyConfig(n_embd=16, n_layer=1, n_head=2, block_size=32)), sys.argv[1])", dir],
      { cwd: TRAINER_DIR, env: { ...process.env, PYTHONPATH: TRAINER_DIR } },
    );
    try {
      const body = { name: `base-${fx.suffix}`, path: dir };
      expect((await call("registerBaseModel", { body, token: tokens.READ })).status).toBe(403);
      expect((await call("registerBaseModel", { body, token: tokens.aliceRead })).status).toBe(403);
      const registered = await call("registerBaseModel", { body, token: tokens.RUNS });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ name: body.name, kind: "POLICY", backend: "tiny", baseModel: "tiny", active: false, runId: null });
      expect("path" in registered.body).toBe(false);
      expect((await db.model.findUniqueOrThrow({ where: { id: registered.body.id } })).path).toBe(dir);
      const policies = await call("listModels", { query: { kind: "POLICY" }, token: tokens.READ });
      expect(policies.body.models.map((m: { id: string }) => m.id)).toContain(registered.body.id);

      const outside = await call("registerBaseModel", { body: { name: "x", path: "/etc" }, token: tokens.RUNS });
      expect(outside.status).toBe(400);
      expect(outside.body.error.fieldErrors[0].field).toBe("path");
      expect(outside.body.error.fieldErrors[0].message).toMatch(/must be under one of the model folders/);
      const blank = await call("registerBaseModel", { body: { name: " ", path: dir }, token: tokens.RUNS });
      expect(blank.body.error.fieldErrors).toEqual([{ field: "name", message: "name is required" }]);
      expect(await db.model.count({ where: { path: "/etc" } })).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the document itself needs no token, and every documented operation was called", async () => {
    expect((await call("getOpenApiDocument", { token: null })).status).toBe(200);
    expect([...called].sort()).toEqual(operationList.map((o) => o.doc.operationId).sort());
  });
});
