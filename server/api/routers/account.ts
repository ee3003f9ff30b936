// The signed-in person's own account, and the two one-time links that set a password without a session: the setup
// link (first admin of a fresh install) and an admin's password reset link. Both are public: whoever holds the link
// has no session; the services rate-limit them.
import { createTRPCRouter, protectedProcedure, publicProcedure } from "@/server/api/trpc";
import { changePasswordSchema, completeResetSchema, completeSetupSchema } from "@/server/schemas/user";
import * as links from "@/server/services/account-links";
import * as users from "@/server/services/users";

export const accountRouter = createTRPCRouter({
  changePassword: protectedProcedure.input(changePasswordSchema).mutation(({ ctx, input }) => users.changePassword({ userId: ctx.user.id, ...input })),
  completeSetup: publicProcedure.input(completeSetupSchema).mutation(({ input }) => links.completeSetup(input)),
  completeReset: publicProcedure.input(completeResetSchema).mutation(({ input }) => links.completeReset(input)),
});
