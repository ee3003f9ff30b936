// One analytics table of a project as a CSV download (`?table=progress|hourly|annotators|agreement|leaderboard|
// winrates`), for the signed-in admin.
import { z } from "zod";
import { route } from "@/server/api/route";
import { analyticsTable } from "@/server/schemas/analytics";
import { analyticsCsv } from "@/server/services/analytics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ table: analyticsTable });

export const GET = route<{ projectId: string }, typeof query>(
  { auth: { session: "ADMIN" }, query, queryError: { message: "Choose a table: ?table=progress, hourly, annotators, agreement, leaderboard or winrates." } },
  async ({ params, query }) => {
    const file = await analyticsCsv({ projectId: params.projectId, table: query.table });
    return new Response(file.content, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file.fileName}"`,
        "cache-control": "no-store",
      },
    });
  },
);
