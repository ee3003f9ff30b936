// OpenAI-compatible endpoints that generation runs can sample from. The API key is write-only: it is stored
// encrypted and every answer carries only `hasApiKey`.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { endpointInput } from "@/server/schemas/runs";
import * as endpoints from "@/server/services/endpoints";

export const endpointRouter = createTRPCRouter({
  list: adminProcedure.query(() => endpoints.listEndpoints()),
  create: adminProcedure.input(endpointInput).mutation(({ ctx, input }) => endpoints.saveEndpoint({ input, actorId: ctx.user.id })),
  delete: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => endpoints.deleteEndpoint({ id: input.id, actorId: ctx.user.id })),
});
