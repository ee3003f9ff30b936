// Personal API tokens of the caller, for the HTTP API (/api/v1). Admins choose any scope; annotators read scopes
// only (api-tokens.ts ANNOTATOR_SCOPES), and their tokens see only their projects. The secret appears once, in
// create's response; list never returns it or its hash.
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { createTokenSchema, revokeTokenSchema } from "@/server/schemas/token";
import * as apiTokens from "@/server/services/api-tokens";
import * as audit from "@/server/services/audit";

export const tokenRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => apiTokens.listTokens({ userId: ctx.user.id })),
  create: protectedProcedure.input(createTokenSchema).mutation(async ({ ctx, input }) => {
    const created = await apiTokens.createToken({ userId: ctx.user.id, role: ctx.user.role, ...input });
    const { token: _secret, ...shown } = created;
    await audit.record({ actorId: ctx.user.id, action: "token.create", targetType: "token", targetId: created.id, after: shown });
    return created;
  }),
  revoke: protectedProcedure.input(revokeTokenSchema).mutation(async ({ ctx, input }) => {
    await apiTokens.revokeToken({ userId: ctx.user.id, tokenId: input.id });
    await audit.record({ actorId: ctx.user.id, action: "token.revoke", targetType: "token", targetId: input.id });
  }),
});
