import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import * as audit from "@/server/services/audit";

export const auditRouter = createTRPCRouter({
  list: adminProcedure
    .input(
      z.object({
        // ids are bigints; the cursor travels as a decimal string so it fits a URL
        cursor: z.string().regex(/^\d+$/, "a positive whole number").optional(),
        limit: z.number().int().min(1).max(200).default(50),
        targetType: z.string().max(40).optional(),
        actorId: z.string().optional(),
      }),
    )
    .query(async ({ input }) => {
      const page = await audit.list({ ...input, cursor: input.cursor ? BigInt(input.cursor) : undefined });
      return { rows: page.rows.map((r) => ({ ...r, id: r.id.toString() })), nextCursor: page.nextCursor?.toString() ?? null };
    }),
});
