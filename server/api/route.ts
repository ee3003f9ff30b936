// The one wrapper for the HTTP routes under app/api/… (everything but tRPC and next-auth): who may call (a session's
// role, or a bearer token's scope and its owner's role), the query and body schemas, and the one error shape
// `{ error: { code, message, fieldErrors } }`. It serves both doors: the browser's cookie routes (app/api/exports,
// app/api/projects) and the token API (app/api/v1); a handler written once (server/api/routes/…) is mounted on both.
// Route handlers stay thin: parse, one service call. A route of the token API also carries its documentation
// (`doc`: method, path, summary, response schema); server/api/v1/operations.ts holds those specs and
// server/api/v1/openapi.ts builds /api/v1/openapi.json from them, so the document is the code that runs.
//
// 1. errors → responses   2. the cross-site check of cookie routes   3. who is calling   4. route()
import type { ZodType, z } from "zod";
import { sessionFromRequest } from "@/server/auth/jwt";
import { isReviewer } from "@/server/services/review/access";
import { env } from "@/server/env";
import { AppError, clientError, type FieldError, type FromZodOptions, httpStatus, parseOrThrow } from "@/server/errors";
import type { Role, TokenScope } from "@/server/generated/prisma/client";
import { verifyToken } from "@/server/services/api-tokens";
import { activeUser } from "@/server/services/users";

// ── 1. errors → responses ───────────────────────────────────────────────────────────────────────────────────────

export interface ErrorBody {
  error: { code: string; message: string; fieldErrors: FieldError[] };
}

export function errorResponse(err: unknown): Response {
  // unexpected errors are logged in full here and answered in the client's terms (server/errors.ts clientError)
  if (!(err instanceof AppError)) console.error("api:", err);
  const shown = clientError(err);
  const body: ErrorBody = { error: { code: shown.code, message: shown.message, fieldErrors: shown.fieldErrors ?? [] } };
  return Response.json(body, { status: httpStatus[shown.code] });
}

// ── 2. the cross-site check ─────────────────────────────────────────────────────────────────────────────────────

/**
 * For cookie-authenticated routes that change things (the browser upload): a browser attaches the session cookie to
 * requests that other sites make too (a cross-site form post), so those are refused. Browsers say where a request
 * comes from — Sec-Fetch-Site, else Origin; a request with neither is not a browser's cross-site request (curl, a
 * script), and such a client has to hold the cookie itself.
 */
export function assertSameOrigin(req: Request): void {
  const site = req.headers.get("sec-fetch-site");
  const origin = req.headers.get("origin");
  const ours = [new URL(req.url).origin, env.NEXTAUTH_URL ? new URL(env.NEXTAUTH_URL).origin : null];
  const sameOrigin = site ? site === "same-origin" : origin === null || ours.includes(origin);
  if (!sameOrigin) {
    throw new AppError("FORBIDDEN", `Cross-site request refused: this endpoint accepts requests from ${ours[1] ?? ours[0]} only.`);
  }
}

// ── 3. who is calling ───────────────────────────────────────────────────────────────────────────────────────────

/**
 * A route's door: the browser's session (with the role it needs), the session of an admin or a reviewer of the
 * project named by the path segment `reviewerOf` (as reviewerProcedure checks), a personal API token of `scope`
 * (with the role its owner needs; without `role` annotators' tokens pass too and the handler limits them to their
 * projects), or none (`public`: the API's own description).
 */
export type RouteAuth = { session: Role } | { reviewerOf: string } | { token: TokenScope; role?: Role } | { public: true };
/** A door that names its caller. */
export type CallerAuth = Exclude<RouteAuth, { public: true }>;

export interface RouteUser {
  id: string;
  role: Role;
}

export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1] : null;
}

const article = (role: Role) => (role === "ADMIN" ? "an admin" : "an annotator");

async function caller(req: Request, auth: RouteAuth, params: Params): Promise<RouteUser | null> {
  if ("public" in auth) return null;
  if ("session" in auth || "reviewerOf" in auth) {
    // the same check as the tRPC context and the pages' (activeUser on the cookie's session)
    const session = await sessionFromRequest(req);
    const user = session ? await activeUser(session) : null;
    if (!user) throw new AppError("UNAUTHORIZED", "Sign in first.");
    if ("session" in auth && auth.session === "ADMIN" && user.role !== "ADMIN") throw new AppError("FORBIDDEN", "Admins only.");
    if ("reviewerOf" in auth && user.role !== "ADMIN" && !(await isReviewer({ userId: user.id, projectId: params[auth.reviewerOf] ?? "" }))) {
      throw new AppError("FORBIDDEN", "Reviewers of this project only.");
    }
    return user;
  }
  const user = await verifyToken({ secret: bearerToken(req), scope: auth.token });
  if (auth.role && user.role !== auth.role) throw new AppError("FORBIDDEN", `This API needs a token of ${article(auth.role)}.`);
  return user;
}

// ── 4. route() ──────────────────────────────────────────────────────────────────────────────────────────────────

type Params = Record<string, string>;

export interface RouteContext<P, Q, B, A extends RouteAuth = RouteAuth> {
  req: Request;
  params: P;
  /** null only on public routes */
  user: A extends { public: true } ? null : RouteUser;
  query: Q;
  body: B;
}

/** What the OpenAPI document says about a route (server/api/v1/openapi.ts); the schemas are the spec's own. */
export interface RouteDoc {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** the path as OpenAPI writes it: /api/v1/projects/{projectId} */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** the status of success (200 unless said) */
  status?: number;
  /** a JSON answer (the handler's value is checked and trimmed to it), or a file the handler streams */
  response: ZodType | { file: string; description: string };
  /** a request body streamed to the handler (uploads) rather than parsed as JSON */
  requestFile?: { contentType: string; description: string };
}

export interface RouteSpec<Q extends ZodType | undefined, B extends ZodType | undefined, PS extends ZodType | undefined = undefined, A extends RouteAuth = RouteAuth> {
  auth: A;
  /** the dynamic path segments */
  params?: PS;
  /** the query string (first value of each name) */
  query?: Q;
  /** a JSON body; routes that stream the body (uploads) leave this out and read `req.body` */
  body?: B;
  /** how a bad query is reported ({ what: "Invalid upload options" }, or a whole sentence as `message`) */
  queryError?: FromZodOptions;
  /** likewise for the body; its `message` also answers a body that is not JSON */
  bodyError?: FromZodOptions;
  /** the OpenAPI description (token API routes) */
  doc?: RouteDoc;
}

type Parsed<S> = S extends ZodType ? z.output<S> : undefined;

/** Next's second argument of a route handler: the dynamic segments, as a promise. */
export type NextRouteContext<P extends Params> = { params: Promise<P> };

export type RouteHandler<P extends Params> = ((req: Request, ctx: NextRouteContext<P>) => Promise<Response>) & {
  /** the spec it was made from: the OpenAPI conformance test matches each mounted route to its operation */
  spec: RouteSpec<ZodType | undefined, ZodType | undefined, ZodType | undefined>;
};

/** The JSON answer of a documented route: the handler's value as JSON (dates as ISO strings), checked and trimmed. */
function documentedJson(doc: RouteDoc, value: unknown): Response {
  if (!("parse" in doc.response)) throw new Error(`${doc.operationId} streams a file; its handler must answer a Response`);
  const json: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  // a value that does not match the documented schema is our bug, answered 500 and logged with the zod issues
  const shown = doc.response.safeParse(json);
  if (!shown.success) throw new Error(`${doc.operationId}: the answer does not match its documented schema: ${shown.error.message}`);
  return Response.json(shown.data, { status: doc.status ?? 200 });
}

/**
 * A route handler: checks the door (a cookie route that changes things refuses cross-site requests first, before
 * the session is read), parses the path, the query and the body, runs `handler`; every failure is an error
 * response. A handler may answer a plain value: JSON, checked against and trimmed to the documented schema when
 * the route has one.
 */
export function route<
  P extends Params = Params,
  Q extends ZodType | undefined = undefined,
  B extends ZodType | undefined = undefined,
  PS extends ZodType | undefined = undefined,
  A extends RouteAuth = RouteAuth,
>(
  spec: RouteSpec<Q, B, PS, A>,
  handler: (ctx: RouteContext<PS extends ZodType ? z.output<PS> : P, Parsed<Q>, Parsed<B>, A>) => Promise<unknown>,
): RouteHandler<P> {
  const wrapped = async (req: Request, ctx: NextRouteContext<P>) => {
    try {
      // cookie doors (a session or a reviewer's) refuse cross-site writes before anything else
      if (("session" in spec.auth || "reviewerOf" in spec.auth) && req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req);
      const rawParams = ((await ctx?.params) ?? {}) as Params;
      const user = await caller(req, spec.auth, rawParams);
      const params = (spec.params ? parseOrThrow(spec.params, rawParams, { what: "Invalid path" }) : rawParams) as PS extends ZodType ? z.output<PS> : P;
      const searchParams = Object.fromEntries(new URL(req.url).searchParams);
      const query = (spec.query ? parseOrThrow(spec.query, searchParams, { what: "Invalid query", ...spec.queryError }) : undefined) as Parsed<Q>;
      let body = undefined as Parsed<B>;
      if (spec.body) {
        const json: unknown = await req.json().catch(() => {
          throw new AppError("BAD_REQUEST", spec.bodyError?.message ?? "The body must be JSON.");
        });
        body = parseOrThrow(spec.body, json, { what: "Invalid body", ...spec.bodyError }) as Parsed<B>;
      }
      const answer = await handler({ req, params, user: user as RouteContext<never, never, never, A>["user"], query, body });
      if (answer instanceof Response) return answer;
      return spec.doc ? documentedJson(spec.doc, answer) : Response.json(answer);
    } catch (err) {
      return errorResponse(err);
    }
  };
  return Object.assign(wrapped, { spec: spec as RouteHandler<P>["spec"] });
}
