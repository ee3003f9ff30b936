import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { importFormatOptionSchema } from "@/server/schemas/import";
import { createImportJob, getImportJob } from "@/server/services/import";
import * as projects from "@/server/services/projects";

const jobRef = z.object({ projectId: z.string().min(1), jobId: z.string().min(1) });

export const importJobRouter = createTRPCRouter({
  /** Made before the upload starts, so the page can poll the job while the bytes are still arriving. */
  create: adminProcedure
    .input(
      z.object({
        projectId: z.string().min(1),
        fileName: z.string().trim().min(1).max(255),
        format: importFormatOptionSchema,
        bytesTotal: z.number().int().min(0),
        skipInvalid: z.boolean().default(false),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await projects.get(input.projectId);
      return createImportJob({ ...input, createdById: ctx.user.id });
    }),
  get: adminProcedure.input(jobRef).query(async ({ input }) => {
    const { rejectedLines, ...job } = await getImportJob(input);
    // the server path of the rejected lines stays on the server; the page downloads them by job id
    return { ...job, hasRejectedLines: rejectedLines !== null };
  }),
  list: adminProcedure.input(z.object({ projectId: z.string().min(1) })).query(({ input }) => projects.imports(input)),
});
