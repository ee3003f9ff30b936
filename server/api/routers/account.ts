// The signed-in person's own account, and the two one-time links that set a password without a session: the setup
// link (first admin of a fresh install) and an admin's password reset link. Both are public: whoever holds the link
// has no session; the services rate-limit them.
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "@/server/api/trpc";
import { changePasswordSchema, completeResetSchema, completeSetupSchema, linkTokenSchema } from "@/server/schemas/user";
import * as links from "@/server/services/account-links";
import { annotatorStatistics } from "@/server/services/annotation/statistics";
import * as users from "@/server/services/users";

const linkRef = z.object({ token: linkTokenSchema });

export const accountRouter = createTRPCRouter({
  /** the caller's own judgements per project (their statistics page); never anyone else's */
  statistics: protectedProcedure.query(({ ctx }) => annotatorStatistics({ userId: ctx.user.id })),
  changePassword: protectedProcedure.input(changePasswordSchema).mutation(({ ctx, input }) => users.changePassword({ userId: ctx.user.id, ...input })),
  /** what the setup page shows before the form (or why the link no longer works) */
  inspectSetup: publicProcedure.input(linkRef).query(({ input }) => links.inspectSetupLink(input)),
  inspectReset: publicProcedure.input(linkRef).query(({ input }) => links.inspectResetLink(input)),
  completeSetup: publicProcedure.input(completeSetupSchema).mutation(({ input }) => links.completeSetup(input)),
  completeReset: publicProcedure.input(completeResetSchema).mutation(({ input }) => links.completeReset(input)),
});
