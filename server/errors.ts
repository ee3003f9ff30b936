// Typed application errors. Services throw AppError; only the tRPC error formatter and the HTTP API helpers
// turn them into responses (server/api/trpc.ts, server/http.ts).
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "PAYLOAD_TOO_LARGE"
  | "PRECONDITION_FAILED"
  | "INTERNAL_SERVER_ERROR";

export interface FieldError {
  /** dotted path of the field, e.g. "ranking.0" or "candidates.1.text" */
  field: string;
  message: string;
  /** 1-based line of an uploaded file, when the error is about one */
  line?: number;
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
};
