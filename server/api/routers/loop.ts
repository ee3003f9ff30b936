// The loop page: a project's iterations (each a chain of runs with its models, evaluation and arena) and the form
// that queues the next one.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { iterationInput } from "@/server/schemas/loop";
import * as loop from "@/server/services/loop";

export const loopRouter = createTRPCRouter({
  iterations: adminProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ input }) => loop.listIterations(input)),
  queue: adminProcedure.input(iterationInput).mutation(({ ctx, input }) => loop.queueIteration({ input, actorId: ctx.user.id })),
});
