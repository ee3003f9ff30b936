// /api/v1/openapi.json: the OpenAPI 3.1 document of the token API, built from the operations table (./operations.ts)
// — the same specs route() parses requests and checks answers with — by zod 4's own JSON Schema output
// (z.toJSONSchema, draft 2020-12, which OpenAPI 3.1 uses as is). No third-party generator: the specs already carry
// everything the document says, and zod's converter is the one that knows zod's semantics (defaults, coercions,
// refinements it can express). Built once per process.
import { z, type ZodType } from "zod";
import type { RouteDoc } from "@/server/api/route";
import { operationList, type Operation } from "@/server/api/v1/operations";
import { errorBodySchema } from "@/server/schemas/api";
import { httpStatus } from "@/server/errors";
import { scopeGrants } from "@/server/services/api-tokens";

type JsonSchema = Record<string, unknown>;

export const API_VERSION = "1.0.0";

/** A zod schema as a JSON Schema of the document; named sub-schemas (.meta({ id })) go to components. */
function jsonSchema(schema: ZodType, io: "input" | "output", components: Record<string, JsonSchema>, owner: string): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    // a query string's date (z.coerce.date) is an ISO 8601 string on the wire
    unrepresentable: "any",
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...body } = converted;
  const renamed = new Map<string, string>();
  for (const name of Object.keys(($defs as Record<string, JsonSchema> | undefined) ?? {})) {
    // ids given with .meta({ id }) are shared names; zod's own (__schema0) are local to the schema they came from
    renamed.set(name, name.startsWith("__") ? `${owner}${name.replace(/^_+/, "_")}` : io === "input" ? `${name}Input` : name);
  }
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const local = key === "$ref" && typeof value === "string" ? /^#\/\$defs\/(.+)$/.exec(value) : null;
      out[key] = local ? `#/components/schemas/${renamed.get(local[1]) ?? local[1]}` : rewrite(value);
    }
    return out;
  };
  for (const [name, def] of Object.entries(($defs as Record<string, JsonSchema> | undefined) ?? {})) components[renamed.get(name)!] = rewrite(def) as JsonSchema;
  return rewrite(body) as JsonSchema;
}

/** The object schema's properties as OpenAPI parameters (path segments, query strings). */
function parameters(schema: ZodType | undefined, where: "path" | "query", components: Record<string, JsonSchema>, owner: string) {
  if (!schema) return [];
  const object = jsonSchema(schema, "input", components, owner);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

const ERROR_REF = { $ref: "#/components/responses/Error" };

/** Which error answers an operation documents: what route() and the services can answer for it. */
function errorStatuses(spec: Operation): number[] {
  const statuses = new Set<number>([httpStatus.INTERNAL_SERVER_ERROR, httpStatus.SERVICE_UNAVAILABLE]);
  if (!("public" in spec.auth)) [httpStatus.UNAUTHORIZED, httpStatus.FORBIDDEN, httpStatus.TOO_MANY_REQUESTS].forEach((s) => statuses.add(s));
  if (spec.params || spec.query || spec.body || spec.doc.requestFile) statuses.add(httpStatus.BAD_REQUEST);
  if (spec.params) statuses.add(httpStatus.NOT_FOUND);
  if (spec.doc.method !== "GET") [httpStatus.CONFLICT, httpStatus.PRECONDITION_FAILED].forEach((s) => statuses.add(s));
  if (spec.doc.requestFile) statuses.add(httpStatus.PAYLOAD_TOO_LARGE);
  return [...statuses].sort();
}

function whoMayCall(spec: Operation): string {
  const auth = spec.auth;
  if ("public" in auth) return "No token needed.";
  if ("session" in auth || "reviewerOf" in auth) return "The browser's session.";
  const scopes = (Object.keys(scopeGrants) as (keyof typeof scopeGrants)[]).filter((s) => scopeGrants[s].includes(auth.token));
  const role = auth.role === "ADMIN" ? "an admin's token" : "any member's token (an annotator's sees only their projects)";
  return `Scope ${auth.token} (tokens with ${scopes.join(", ")}); ${role}.`;
}

function operationObject(spec: Operation, components: Record<string, JsonSchema>) {
  const doc: RouteDoc = spec.doc;
  const id = doc.operationId;
  const success =
    "parse" in doc.response
      ? { description: doc.summary, content: { "application/json": { schema: jsonSchema(doc.response, "output", components, id) } } }
      : { description: doc.response.description, content: { [doc.response.file]: { schema: { type: "string", contentMediaType: doc.response.file } } } };
  const requestBody = spec.body
    ? { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input", components, `${id}Body`) } } }
    : doc.requestFile
      ? { required: true, description: doc.requestFile.description, content: { [doc.requestFile.contentType]: { schema: { type: "string", contentMediaType: doc.requestFile.contentType } } } }
      : undefined;
  const auth = spec.auth;
  return {
    operationId: id,
    tags: [doc.tag],
    summary: doc.summary,
    description: [doc.description, whoMayCall(spec)].filter(Boolean).join("\n\n"),
    ...("token" in auth ? { security: [{ bearerToken: [] }], "x-scope": auth.token, "x-role": auth.role ?? "ANY" } : { security: [] }),
    parameters: [...parameters(spec.params, "path", components, `${id}Path`), ...parameters(spec.query, "query", components, `${id}Query`)],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(doc.status ?? 200)]: success,
      ...Object.fromEntries(errorStatuses(spec).map((status) => [String(status), ERROR_REF])),
    },
  };
}

let built: JsonSchema | null = null;

export function openApiDocument(): JsonSchema {
  if (built) return built;
  const components: Record<string, JsonSchema> = {};
  const errorSchema = jsonSchema(errorBodySchema, "output", components, "Error");
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of operationList) {
    const item = (paths[spec.doc.path] ??= {});
    item[spec.doc.method.toLowerCase()] = operationObject(spec, components);
  }
  built = {
    openapi: "3.1.0",
    info: {
      title: "RLHF Studio API",
      version: API_VERSION,
      description:
        "The token API of RLHF Studio: projects, items and imports, annotations, snapshots, runs and models. Authenticate with a personal API token (Admin → API tokens): `Authorization: Bearer rlhf_…`. Every error answers `{ error: { code, message, fieldErrors } }`.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: [...new Set(operationList.map((o) => o.doc.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...components, Error: components.Error ?? errorSchema },
      responses: { Error: { description: "An error (see `code`)", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } },
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "A personal API token (rlhf_…), shown once when created." } },
    },
  };
  return built;
}
