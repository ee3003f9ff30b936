import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { editLastSchema, nextSchema, progressSchema, projectSlugSchema, skipSchema, submitSchema } from "@/server/schemas/annotation";
import { editLast, lastEditable, submit } from "@/server/services/annotation/judgement";
import { progress } from "@/server/services/annotation/progress";
import { next, skip } from "@/server/services/annotation/queue";
import { listForAnnotator } from "@/server/services/projects";

export const annotationRouter = createTRPCRouter({
  /** The projects the caller may annotate, with what is left in each. */
  projects: protectedProcedure.query(({ ctx }) => listForAnnotator({ userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" })),

  next: protectedProcedure
    .input(nextSchema)
    .mutation(({ ctx, input }) => next({ slug: input.projectSlug, exclude: input.exclude, prefer: input.prefer, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" })),

  submit: protectedProcedure.input(submitSchema).mutation(({ ctx, input }) => submit({ userId: ctx.user.id, input })),

  skip: protectedProcedure
    .input(skipSchema)
    .mutation(({ ctx, input }) => skip({ userId: ctx.user.id, assignmentId: input.assignmentId, reason: input.reason })),

  lastEditable: protectedProcedure
    .input(projectSlugSchema)
    .query(({ ctx, input }) => lastEditable({ slug: input.projectSlug, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" })),

  editLast: protectedProcedure.input(editLastSchema).mutation(({ ctx, input }) => {
    const { annotationId, ...judgement } = input;
    return editLast({ userId: ctx.user.id, annotationId, judgement });
  }),

  progress: protectedProcedure
    .input(progressSchema)
    .query(({ ctx, input }) => progress({ slug: input.projectSlug, dayStart: input.dayStart, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" })),
});
