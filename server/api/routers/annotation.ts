import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { editLastSchema, nextSchema, skipSchema, submitSchema } from "@/server/schemas/annotation";
import * as annotation from "@/server/services/annotation";
import * as projects from "@/server/services/projects";

export const annotationRouter = createTRPCRouter({
  projects: protectedProcedure.query(({ ctx }) =>
    projects.listForAnnotator({ userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" }),
  ),

  next: protectedProcedure
    .input(nextSchema)
    .mutation(({ ctx, input }) =>
      annotation.next({ slug: input.projectSlug, exclude: input.exclude, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" }),
    ),

  submit: protectedProcedure.input(submitSchema).mutation(({ ctx, input }) => annotation.submit({ userId: ctx.user.id, input })),

  skip: protectedProcedure
    .input(skipSchema)
    .mutation(({ ctx, input }) => annotation.skip({ userId: ctx.user.id, assignmentId: input.assignmentId, reason: input.reason })),

  lastEditable: protectedProcedure.input(z.object({ projectSlug: z.string() })).query(async ({ ctx, input }) => {
    const project = await annotation.projectForAnnotator({ slug: input.projectSlug, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" });
    const last = await annotation.lastEditable({ userId: ctx.user.id, projectId: project.id });
    if (!last) return null;
    const byId = new Map(last.item.candidates.map((c) => [c.candidateId, c.candidate]));
    return {
      annotationId: last.id,
      createdAt: last.createdAt,
      messages: last.item.prompt.messages as { role: string; content: string }[],
      candidates: (last.assignment?.shownOrder ?? [...byId.keys()]).map((id) => ({
        id,
        text: byId.get(id)?.text ?? "",
        model: project.showModelNames ? (byId.get(id)?.model ?? null) : null,
      })),
      ranking: last.ranking as string[][],
      strength: last.strength,
      bothBad: last.bothBad,
      ratings: last.ratings as Record<string, Record<string, number>>,
      rationale: last.rationale,
      flags: last.flags,
      flagNote: last.flagNote,
    };
  }),

  editLast: protectedProcedure.input(editLastSchema).mutation(({ ctx, input }) => {
    const { annotationId, ...judgement } = input;
    return annotation.editLast({ userId: ctx.user.id, annotationId, judgement });
  }),

  progress: protectedProcedure.input(z.object({ projectSlug: z.string() })).query(async ({ ctx, input }) => {
    const project = await annotation.projectForAnnotator({ slug: input.projectSlug, userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" });
    return annotation.progress({ userId: ctx.user.id, projectId: project.id });
  }),

  /** Admin view of one annotator's judgements is deliberately not here: annotators never see others' work. */
  recentForProject: adminProcedure.input(z.object({ projectId: z.string(), limit: z.number().int().min(1).max(200).default(50) })).query(({ input }) =>
    annotation.recent({ projectId: input.projectId, limit: input.limit }),
  ),
});
