import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { createUserSchema, resetLinkSchema, setActiveSchema, setPasswordSchema, setRoleSchema, setUserProjectsSchema } from "@/server/schemas/user";
import * as links from "@/server/services/account-links";
import * as users from "@/server/services/users";

export const userRouter = createTRPCRouter({
  list: adminProcedure.query(() => users.listPeople()),
  create: adminProcedure.input(createUserSchema).mutation(({ ctx, input }) => users.addPerson({ actorId: ctx.user.id, ...input })),
  setRole: adminProcedure.input(setRoleSchema).mutation(({ ctx, input }) => users.setRole({ actorId: ctx.user.id, ...input })),
  setActive: adminProcedure.input(setActiveSchema).mutation(({ ctx, input }) => users.setActive({ actorId: ctx.user.id, ...input })),
  setProjects: adminProcedure.input(setUserProjectsSchema).mutation(({ ctx, input }) => users.setProjects({ actorId: ctx.user.id, ...input })),
  setPassword: adminProcedure.input(setPasswordSchema).mutation(({ ctx, input }) => users.setPassword({ actorId: ctx.user.id, ...input })),
  /** The only time a reset token leaves the server: the admin copies the link from this response. */
  createResetLink: adminProcedure.input(resetLinkSchema).mutation(({ ctx, input }) => links.createResetLink({ actorId: ctx.user.id, ...input })),
});
