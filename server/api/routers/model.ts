// The model registry (reward models and policies with their lineage) and the reward model in the annotation loop
// (scoring a project's items is a SCORE run: run.launch).
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
  agreement: adminProcedure.input(projectInput).query(({ input }) => models.rmHumanAgreement(input)),
});
