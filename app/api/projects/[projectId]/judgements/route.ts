// The data browser's filtered set as a download (`?format=csv|jsonl` plus the browser's own filter names), for the
// project's reviewers and admins.
import { z } from "zod";
import { route } from "@/server/api/route";
import { browseFiltersSchema, filtersFromQuery } from "@/server/schemas/review";
import { parseOrThrow } from "@/server/errors";
import { judgementLines } from "@/server/services/review/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ format: z.enum(["csv", "jsonl"], { message: "csv or jsonl" }) }).passthrough();

export const GET = route<{ projectId: string }, typeof query>(
  { auth: { reviewerOf: "projectId" }, query, queryError: { what: "Invalid download" } },
  async ({ params, query }) => {
    const filters = parseOrThrow(browseFiltersSchema, filtersFromQuery(query as Record<string, string>), { what: "Invalid filters" });
    const lines = judgementLines({ projectId: params.projectId, filters, format: query.format });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const type = query.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
    return new Response(body, {
      headers: {
        "content-type": type,
        "content-disposition": `attachment; filename="judgements-${params.projectId}.${query.format}"`,
        "cache-control": "no-store",
      },
    });
  },
);
