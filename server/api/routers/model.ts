// The model registry (reward models and policies with their lineage) and the reward model in the annotation loop.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import * as models from "@/server/services/models";

const idInput = z.object({ id: z.string().min(1) });
const projectInput = z.object({ projectId: z.string().min(1) });

export const modelRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.object({ kind: z.enum(["REWARD", "POLICY"]).optional() }).default({}))
    .query(({ input }) => models.listModels(input)),
  /** one active model per kind: the active reward model scores items */
  setActive: adminProcedure.input(idInput).mutation(({ ctx, input }) => models.setActiveModel({ id: input.id, actorId: ctx.user.id })),
  /** scores the project's open items with the active reward model (minutes for big projects: the caller waits) */
  scoreItems: adminProcedure.input(projectInput).mutation(({ input }) => models.scoreItems(input)),
  /** how often the active reward model agrees with the project's human comparisons */
  agreement: adminProcedure.input(projectInput).query(({ input }) => models.rmHumanAgreement(input)),
});
