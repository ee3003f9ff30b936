// Typed application errors. Services throw AppError; only the tRPC error formatter and the HTTP route wrapper
// turn them into responses (server/api/trpc.ts, server/api/route.ts). Bad input becomes field errors here, once:
// every edge that validates with zod (tRPC input, route bodies and queries, services, forms) reads the same shape.
import type { ZodError, ZodType, z } from "zod";

export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "PAYLOAD_TOO_LARGE"
  | "PRECONDITION_FAILED"
  | "INTERNAL_SERVER_ERROR"
  | "SERVICE_UNAVAILABLE";

export interface FieldError {
  /** dotted path of the field, e.g. "ranking.0" or "candidates.1.text" */
  field: string;
  message: string;
  /** 1-based line of an uploaded file, when the error is about one */
  line?: number;
}

/**
 * Zod issues as field errors: the dotted path of each (array indexes included: "candidates.0.text"), under
 * `prefix` when the value checked sits inside a larger input ("config"); "(input)" for the value as a whole.
 */
export function zodFieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join(".");
    return { field: [prefix, path].filter(Boolean).join(".") || "(input)", message: i.message };
  });
}

/** "what: field: message; field: message" — says what was wrong and where, for people reading one line. */
export function fieldErrorsText(what: string, fieldErrors: FieldError[]): string {
  return `${what}: ${fieldErrors.map((f) => `${f.field}: ${f.message}`).join("; ")}`;
}

export interface FromZodOptions {
  /** what was checked, the start of the message ("Invalid snapshot"); default "Invalid input" */
  what?: string;
  /** the whole message, when a sentence helps more than the field list (the fields still travel) */
  message?: string;
  /** path of the checked value inside the request, put before every field ("config") */
  prefix?: string;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly fieldErrors?: FieldError[];

  constructor(code: AppErrorCode, message: string, fieldErrors?: FieldError[]) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = fieldErrors;
  }

  /** The one zod → AppError conversion: BAD_REQUEST with every issue as a field error. */
  static fromZod(error: ZodError, opts: FromZodOptions = {}): AppError {
    const fieldErrors = zodFieldErrors(error, opts.prefix);
    return new AppError("BAD_REQUEST", opts.message ?? fieldErrorsText(opts.what ?? "Invalid input", fieldErrors), fieldErrors);
  }
}

/** `schema.parse(value)`, with bad input thrown as AppError.fromZod. */
export function parseOrThrow<S extends ZodType>(schema: S, value: unknown, opts: FromZodOptions = {}): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.fromZod(parsed.error, opts);
  return parsed.data;
}

export const httpStatus: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

// Node socket errors, PostgreSQL's connection-exception SQLSTATEs (class 08 is matched by prefix) and shutdown
// codes, and Prisma's "cannot reach / connection closed" codes.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN", "57P01", "57P02", "57P03", "P1001", "P1002", "P1008", "P1017"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const UNREACHABLE_MESSAGE = /Connection terminated|Can't reach database server|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/;

/** True when `err` (or one of its causes) says the database could not be reached or went away mid-query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const { code, message, meta } = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const kind = meta?.driverAdapterError?.cause?.kind;
    if (typeof kind === "string" && UNREACHABLE_KINDS.has(kind)) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGE.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What a client (browser, API caller, an import job's message) is told about an error. An AppError as it is: its
 * message was written for the client. Anything else carries driver or system text (SQL, database host and port,
 * file paths, code snippets) and becomes a message in the client's terms; the caller logs the original in full.
 */
export function clientError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError("SERVICE_UNAVAILABLE", "The database is not reachable right now; try again in a moment.");
  }
  return new AppError("INTERNAL_SERVER_ERROR", "Something went wrong on the server; the server log has the details.");
}
