// The one wrapper for the HTTP routes under app/api/… (everything but tRPC and next-auth): who may call (a session's
// role, or a bearer token's scope and its owner's role), the query and body schemas, and the one error shape
// `{ error: { code, message, fieldErrors } }`. It serves both doors: the browser's cookie routes (app/api/exports,
// app/api/projects) and the token API (app/api/v1); a handler written once (server/api/routes/…) is mounted on both.
// Route handlers stay thin: parse, one service call.
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
 * project named by the path segment `reviewerOf` (as reviewerProcedure checks), or a personal API token of `scope`.
 */
export type RouteAuth = { session: Role } | { reviewerOf: string } | { token: TokenScope; role?: Role };

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

async function caller(req: Request, auth: RouteAuth, params: Params): Promise<RouteUser> {
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

export interface RouteContext<P extends Params, Q, B> {
  req: Request;
  params: P;
  user: RouteUser;
  query: Q;
  body: B;
}

export interface RouteSpec<Q extends ZodType | undefined, B extends ZodType | undefined> {
  auth: RouteAuth;
  /** the query string (first value of each name) */
  query?: Q;
  /** a JSON body; routes that stream the body (uploads) leave this out and read `req.body` */
  body?: B;
  /** how a bad query is reported ({ what: "Invalid upload options" }, or a whole sentence as `message`) */
  queryError?: FromZodOptions;
  /** likewise for the body; its `message` also answers a body that is not JSON */
  bodyError?: FromZodOptions;
}

type Parsed<S> = S extends ZodType ? z.output<S> : undefined;

/** Next's second argument of a route handler: the dynamic segments, as a promise. */
export type NextRouteContext<P extends Params> = { params: Promise<P> };

export type RouteHandler<P extends Params> = (req: Request, ctx: NextRouteContext<P>) => Promise<Response>;

/**
 * A route handler: checks the door (a cookie route that changes things refuses cross-site requests first, before
 * the session is read), parses the query and the body, runs `handler`; every failure is an error response.
 */
export function route<P extends Params = Params, Q extends ZodType | undefined = undefined, B extends ZodType | undefined = undefined>(
  spec: RouteSpec<Q, B>,
  handler: (ctx: RouteContext<P, Parsed<Q>, Parsed<B>>) => Promise<Response>,
): RouteHandler<P> {
  return async (req, ctx) => {
    try {
      if (!("token" in spec.auth) && req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req);
      const params = ((await ctx?.params) ?? {}) as P;
      const user = await caller(req, spec.auth, params);
      const searchParams = Object.fromEntries(new URL(req.url).searchParams);
      const query = (spec.query ? parseOrThrow(spec.query, searchParams, { what: "Invalid query", ...spec.queryError }) : undefined) as Parsed<Q>;
      let body = undefined as Parsed<B>;
      if (spec.body) {
        const json: unknown = await req.json().catch(() => {
          throw new AppError("BAD_REQUEST", spec.bodyError?.message ?? "The body must be JSON.");
        });
        body = parseOrThrow(spec.body, json, { what: "Invalid body", ...spec.bodyError }) as Parsed<B>;
      }
      return await handler({ req, params, user, query, body });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
