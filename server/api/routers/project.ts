import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { memberCapsSchema, projectPauseSchema, projectSettingsSchema, projectUpdateSchema } from "@/server/schemas/project";
import * as projects from "@/server/services/projects";

export const projectRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.object({ includeArchived: z.boolean().default(false) }).default({ includeArchived: false }))
    .query(({ input }) => projects.listAll(input)),
  get: adminProcedure.input(z.object({ id: z.string() })).query(({ input }) => projects.get(input.id)),
  create: adminProcedure.input(projectSettingsSchema).mutation(({ ctx, input }) => projects.create({ actorId: ctx.user.id, settings: input })),
  update: adminProcedure.input(projectUpdateSchema).mutation(({ ctx, input }) => {
    const { id, ...settings } = input;
    return projects.update({ actorId: ctx.user.id, id, settings });
  }),
  setArchived: adminProcedure
    .input(z.object({ id: z.string(), archived: z.boolean() }))
    .mutation(({ ctx, input }) => projects.update({ actorId: ctx.user.id, id: input.id, settings: { archived: input.archived } })),
  /** nobody gets a new item until `resume`; annotators read the message instead (held items can still be submitted) */
  pause: adminProcedure
    .input(projectPauseSchema)
    .mutation(({ ctx, input }) => projects.setPaused({ actorId: ctx.user.id, projectId: input.id, paused: true, message: input.message })),
  resume: adminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => projects.setPaused({ actorId: ctx.user.id, projectId: input.id, paused: false })),
  /** a member paused by the gold-accuracy rule judges again */
  reinstate: adminProcedure
    .input(z.object({ projectId: z.string(), userId: z.string() }))
    .mutation(({ ctx, input }) => projects.reinstate({ actorId: ctx.user.id, ...input })),
  members: adminProcedure.input(z.object({ projectId: z.string() })).query(({ input }) => projects.members(input.projectId)),
  /** a member's own daily and total caps, in place of the project's */
  setMemberCaps: adminProcedure.input(memberCapsSchema).mutation(({ ctx, input }) => projects.setMemberCaps({ actorId: ctx.user.id, ...input })),
  setMembers: adminProcedure
    .input(
      z.object({
        projectId: z.string(),
        userIds: z.array(z.string()).max(10_000),
        /** members who also review the project (each must be among userIds) */
        reviewerIds: z.array(z.string()).max(10_000).default([]),
      }),
    )
    .mutation(({ ctx, input }) => projects.setMembers({ actorId: ctx.user.id, ...input })),
});
