import { z } from "zod";
import { adminProcedure, createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import { acceptInviteSchema, createInviteSchema, inviteTokenSchema } from "@/server/schemas/invite";
import * as invites from "@/server/services/invites";

export const inviteRouter = createTRPCRouter({
  list: adminProcedure.query(() => invites.listInvites()),
  /** The only time the token leaves the server: the admin copies the link from this response. */
  create: adminProcedure.input(createInviteSchema).mutation(({ ctx, input }) => invites.createInvite({ actorId: ctx.user.id, ...input })),
  revoke: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => invites.revokeInvite({ actorId: ctx.user.id, id: input.id })),
  // Public: the person holding the link has no account yet. Both are rate-limited in the service.
  inspect: publicProcedure.input(z.object({ token: inviteTokenSchema })).query(({ input }) => invites.inspectInvite(input)),
  accept: publicProcedure.input(acceptInviteSchema).mutation(({ input }) => invites.acceptInvite(input)),
});
