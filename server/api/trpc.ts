// tRPC core: context, the three procedure kinds, and the one place where errors become responses.
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { BATCH_TOO_LARGE_MESSAGE, TRPC_BATCH_TOO_LARGE } from "@/server/api/limits";
import { AppError, type AppErrorCode, clientError, type FieldError } from "@/server/errors";
import type { Role } from "@/server/generated/prisma/client";
import { isReviewer } from "@/server/services/review/access";
import { activeUser, type SessionRef } from "@/server/services/users";

export interface ContextUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Context {
  user: ContextUser | null;
}

/** Builds the context from the request's session; inactive or deleted users and ended sessions count as anonymous. */
export async function createContext(opts: { session: SessionRef | null }): Promise<Context> {
  try {
    return { user: opts.session ? await activeUser(opts.session) : null };
  } catch (err) {
    // runs before any procedure, so its errors miss the appErrors middleware below
    throw toTRPCError(err);
  }
}

const trpcCode: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/**
 * The one AppError → TRPCError mapping. Anything that is not an AppError becomes the client-facing error of
 * clientError(); the original stays the cause, which logTrpcError writes to the server log.
 */
function toTRPCError(err: unknown): TRPCError {
  const shown = clientError(err);
  return new TRPCError({ code: trpcCode[shown.code], message: shown.message, cause: err instanceof AppError ? err : toError(err) });
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * onError of both tRPC handlers: failures the client could not cause are logged in full, with their cause. A
 * database that is away is one line per request (its code and message): during a restart every request fails the
 * same way, and a full driver dump for each would bury everything else in the log.
 */
export function logTrpcError({ error, path }: { error: TRPCError; path: string | undefined }): void {
  if (error.code === "SERVICE_UNAVAILABLE") {
    const cause = error.cause as (Error & { code?: string }) | undefined;
    console.error(`tRPC ${path ?? "?"}: database unavailable (${cause?.code ?? "?"}: ${cause?.message ?? error.message})`);
  } else if (error.code === "INTERNAL_SERVER_ERROR") {
    console.error(`tRPC ${path ?? "?"}:`, error.cause ?? error);
  }
}

/** Every procedure records its access level, so a test can walk the router and check each one. */
export interface Meta {
  access: "public" | "protected" | "reviewer" | "admin";
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // tRPC's own input validation leaves the ZodError as the cause: it reads as any other bad input
    const cause = error.cause instanceof ZodError ? AppError.fromZod(error.cause) : error.cause;
    const fieldErrors: FieldError[] | null = cause instanceof AppError && cause.fieldErrors ? cause.fieldErrors : null;
    // An internal error that reached here without passing toTRPCError still carries driver or system text.
    let message = shape.message;
    if (error.cause instanceof ZodError) message = (cause as AppError).message;
    else if (error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof AppError)) message = clientError(cause).message;
    else if (error.message === TRPC_BATCH_TOO_LARGE) message = BATCH_TOO_LARGE_MESSAGE;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

/**
 * Turns AppErrors thrown by services into TRPCErrors with the matching code, and any other unexpected error into
 * one that says what happened in the client's terms (a database restart: 503 "try again").
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const { cause, code } = result.error;
    if (cause instanceof AppError || (code === "INTERNAL_SERVER_ERROR" && cause !== undefined)) throw toTRPCError(cause);
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(appErrors).meta({ access: "public" });

export const protectedProcedure = t.procedure.use(appErrors).meta({ access: "protected" }).use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { user: ctx.user } });
});

export const adminProcedure = protectedProcedure.meta({ access: "admin" }).use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next({ ctx });
});

/**
 * Project-scoped: the input names the project (`projectId`), and the caller must be an admin or a member of that
 * project with the REVIEWER role. The check runs before the rest of the input is read, so a caller who may not
 * review is refused whatever else they send.
 */
export const reviewerProcedure = protectedProcedure
  .meta({ access: "reviewer" })
  .input(z.object({ projectId: z.string().min(1, "required").max(64) }))
  .use(async ({ ctx, input, next }) => {
    if (ctx.user.role !== "ADMIN" && !(await isReviewer({ userId: ctx.user.id, projectId: input.projectId }))) {
      throw new TRPCError({ code: "FORBIDDEN", message: "Reviewers of this project only." });
    }
    return next({ ctx });
  });
