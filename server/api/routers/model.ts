// The model registry (reward models and policies with their lineage) and the reward model in the annotation loop
// (scoring a project's items is a SCORE run: run.launch).
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { arenaInput } from "@/server/schemas/loop";
import { baseModelInput } from "@/server/schemas/model";
import * as loop from "@/server/services/loop";
import { modelRoots } from "@/server/services/model-paths";
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
  /** the folders model directories may be in (the base-model form names them) */
  folders: adminProcedure.query(() => modelRoots()),
  /** a base policy from a directory under a model folder, its tokenizer and chat template checked */
  registerBase: adminProcedure.input(baseModelInput).mutation(({ ctx, input }) => models.registerBaseModel({ input, actorId: ctx.user.id })),
  /** EVAL runs' results (all, or those of one policy as evaluated or as reference), newest first */
  evaluations: adminProcedure
    .input(z.object({ modelId: z.string().min(1).optional() }).default({}))
    .query(({ input }) => loop.listEvalResults(input)),
  /** a blind pairwise project of two policies' responses to a snapshot's held-out prompts, and the run that fills it */
  createArena: adminProcedure.input(arenaInput).mutation(({ ctx, input }) => loop.createArena({ input, actorId: ctx.user.id })),
});
