// Zod schemas for personal API tokens (the HTTP API, /api/v1).
import { z } from "zod";

export const tokenScopeSchema = z.enum(["READ", "WRITE", "IMPORT", "EXPORT", "RUNS", "ANNOTATIONS"]);

/** Scopes an annotator's token may have: reading their projects and their own annotations (server/services/api-tokens.ts). */
export const ANNOTATOR_SCOPES: readonly z.infer<typeof tokenScopeSchema>[] = ["READ", "ANNOTATIONS"];

export const createTokenSchema = z.object({
  name: z.string().trim().min(1, "required").max(80),
  scope: tokenScopeSchema.default("READ"),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

export const revokeTokenSchema = z.object({ id: z.string().min(1) });
