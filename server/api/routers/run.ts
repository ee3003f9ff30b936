// Runs on the trainer queue for the admin pages: list with queue positions, one run with its metrics, logs and
// samples (polled by the run page's live charts), launch, cancel, retry.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { launchRunInput } from "@/server/schemas/run-launch";
import { listRunsInput, runIdInput, runLogsInput, runMetricsInput } from "@/server/schemas/runs";
import * as runs from "@/server/services/runs/admin";

export const runRouter = createTRPCRouter({
  list: adminProcedure.input(listRunsInput.default({ limit: 100 })).query(({ input }) => runs.listRuns(input)),
  get: adminProcedure.input(runIdInput).query(({ input }) => runs.getRun(input)),
  metrics: adminProcedure.input(runMetricsInput).query(({ input }) => runs.listRunMetrics(input)),
  logs: adminProcedure.input(runLogsInput).query(({ input }) => runs.listRunLogs(input)),
  samples: adminProcedure
    .input(z.object({ runId: z.string().min(1), step: z.number().int().optional() }))
    .query(({ input }) => runs.listRunSamples(input)),
  launch: adminProcedure.input(launchRunInput).mutation(({ ctx, input }) => runs.enqueueRun({ input, createdById: ctx.user.id })),
  cancel: adminProcedure.input(runIdInput).mutation(({ ctx, input }) => runs.cancelRun({ id: input.id, actorId: ctx.user.id })),
  retry: adminProcedure.input(runIdInput).mutation(({ ctx, input }) => runs.retryRun({ id: input.id, createdById: ctx.user.id })),
});
