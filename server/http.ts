// The token-authenticated HTTP API's plumbing (app/api/v1/…): AppError → JSON error response, and a wrapper that
// authenticates the bearer token before a route handler runs. Route handlers stay thin: parse, one service call.
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
