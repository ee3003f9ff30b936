// Personal API tokens of the caller (admins only: the HTTP API imports and exports project data).
// The secret appears once, in create's response; list never returns it or its hash.
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { createTokenSchema, revokeTokenSchema } from "@/server/schemas/token";
import * as apiTokens from "@/server/services/api-tokens";
import * as audit from "@/server/services/audit";

export const tokenRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => apiTokens.listTokens({ userId: ctx.user.id })),
  create: adminProcedure.input(createTokenSchema).mutation(async ({ ctx, input }) => {
    const created = await apiTokens.createToken({ userId: ctx.user.id, ...input });
    const { token: _secret, ...shown } = created;
    await audit.record({ actorId: ctx.user.id, action: "token.create", targetType: "token", targetId: created.id, after: shown });
    return created;
  }),
  revoke: adminProcedure.input(revokeTokenSchema).mutation(async ({ ctx, input }) => {
    await apiTokens.revokeToken({ userId: ctx.user.id, tokenId: input.id });
    await audit.record({ actorId: ctx.user.id, action: "token.revoke", targetType: "token", targetId: input.id });
  }),
});
