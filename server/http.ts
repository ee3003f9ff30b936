// The HTTP routes' plumbing (app/api/…): AppError → JSON error response, a wrapper that authenticates the bearer
// token before a route handler runs (the token API, app/api/v1/…), and the cross-site check of cookie routes.
// Route handlers stay thin: parse, one service call.
import { env } from "@/server/env";
import { AppError, clientError, type FieldError, httpStatus } from "@/server/errors";
import type { Role, TokenScope } from "@/server/generated/prisma/client";
import { type TokenUser, verifyToken } from "@/server/services/api-tokens";

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

export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1] : null;
}

/** Query-string values (first of each name) for a zod schema; errors come back as fieldErrors. */
export function searchParams(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}

/**
 * Wraps a route handler: the request must carry a token valid for `scope` whose owner has `role` (when given);
 * AppErrors thrown by the handler become JSON error responses.
 */
export function withTokenAuth<Ctx>(
  scope: TokenScope,
  handler: (req: Request, ctx: Ctx, user: TokenUser) => Promise<Response>,
  opts: { role?: Role } = {},
): (req: Request, ctx: Ctx) => Promise<Response> {
  return async (req, ctx) => {
    try {
      const user = await verifyToken({ secret: bearerToken(req), scope });
      if (opts.role && user.role !== opts.role) {
        throw new AppError("FORBIDDEN", `This API needs a token of an ${opts.role.toLowerCase()}.`);
      }
      return await handler(req, ctx, user);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
