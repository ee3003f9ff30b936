// Snapshots for the admin pages: list with stats, one snapshot (polled for the progress bar), the snapshot page's
// detail, start a build.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { createSnapshotInputSchema, snapshotIdSchema, snapshotNameSchema } from "@/server/schemas/export";
import * as exports from "@/server/services/export";

export const exportRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.object({ name: snapshotNameSchema.optional(), limit: z.number().int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(({ input }) => exports.listSnapshots(input)),
  get: adminProcedure.input(snapshotIdSchema).query(({ input }) => exports.getSnapshot(input)),
  /** the snapshot page: the snapshot, its projects' names and its dataset card */
  detail: adminProcedure.input(snapshotIdSchema).query(({ input }) => exports.snapshotDetail(input)),
  /** Answers at once with the RUNNING snapshot; the build goes on in the background (poll `get`). */
  create: adminProcedure
    .input(createSnapshotInputSchema)
    .mutation(({ ctx, input }) => exports.startSnapshot({ ...input, createdById: ctx.user.id })),
});
