import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { createUserSchema, setActiveSchema, setRoleSchema, setUserProjectsSchema } from "@/server/schemas/user";
import * as users from "@/server/services/users";

export const userRouter = createTRPCRouter({
  list: adminProcedure.query(() => users.listPeople()),
  create: adminProcedure.input(createUserSchema).mutation(({ ctx, input }) => users.addPerson({ actorId: ctx.user.id, ...input })),
  setRole: adminProcedure.input(setRoleSchema).mutation(({ ctx, input }) => users.setRole({ actorId: ctx.user.id, ...input })),
  setActive: adminProcedure.input(setActiveSchema).mutation(({ ctx, input }) => users.setActive({ actorId: ctx.user.id, ...input })),
  setProjects: adminProcedure.input(setUserProjectsSchema).mutation(({ ctx, input }) => users.setProjects({ actorId: ctx.user.id, ...input })),
});
