// The quality workflow: the data browser, one judgement with its item, the review actions and the review queue.
// Every procedure is project-scoped (reviewerProcedure: admins, and the project's reviewers).
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, reviewerProcedure } from "@/server/api/trpc";
import { adjudicateInputSchema, browseInputSchema, judgementIdSchema, reviewInputSchema, setGoldInputSchema } from "@/server/schemas/review";
import { setGold } from "@/server/services/review/gold";
import { adjudicate } from "@/server/services/review/adjudication";
import { reviewableProjects, reviewProject } from "@/server/services/review/access";
import { browse, browseOptions } from "@/server/services/review/browse";
import { judgementDetail, reviewJudgement } from "@/server/services/review/judgements";
import { nextInQueue } from "@/server/services/review/queue";

export const reviewRouter = createTRPCRouter({
  /** The projects the caller reviews (every unarchived one for admins); empty for everyone else. */
  projects: protectedProcedure.query(({ ctx }) => reviewableProjects({ userId: ctx.user.id, isAdmin: ctx.user.role === "ADMIN" })),
  project: reviewerProcedure.query(({ input }) => reviewProject(input.projectId)),
  browse: reviewerProcedure.input(browseInputSchema).query(({ input }) => browse(input)),
  browseOptions: reviewerProcedure.query(({ input }) => browseOptions(input.projectId)),
  judgement: reviewerProcedure.input(judgementIdSchema).query(({ input }) => judgementDetail(input)),
  act: reviewerProcedure.input(reviewInputSchema).mutation(({ ctx, input }) => reviewJudgement({ ...input, reviewerId: ctx.user.id })),
  adjudicate: reviewerProcedure.input(adjudicateInputSchema).mutation(({ ctx, input }) => adjudicate({ ...input, reviewerId: ctx.user.id })),
  /** mark an item gold with its expected answer, or unmark it */
  setGold: reviewerProcedure.input(setGoldInputSchema).mutation(({ ctx, input }) => setGold({ ...input, actorId: ctx.user.id })),
  next: reviewerProcedure
    .input(z.object({ skip: z.array(z.string().min(1).max(64)).max(200).default([]) }))
    .query(({ ctx, input }) => nextInQueue({ projectId: input.projectId, reviewerId: ctx.user.id, skip: input.skip })),
});
