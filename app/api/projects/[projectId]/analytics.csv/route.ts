// One analytics table of a project as a CSV download (`?table=progress|hourly|annotators|agreement|leaderboard|
// winrates`), for the signed-in admin.
import { adminOrThrow } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { errorResponse, searchParams } from "@/server/http";
import { analyticsCsvInput } from "@/server/schemas/analytics";
import { analyticsCsv } from "@/server/services/analytics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request, { params }: { params: Promise<{ projectId: string }> }): Promise<Response> {
  try {
    await adminOrThrow();
    const { projectId } = await params;
    const parsed = analyticsCsvInput.safeParse({ projectId, table: searchParams(req).table });
    if (!parsed.success) {
      throw new AppError(
        "BAD_REQUEST",
        "Choose a table: ?table=progress, hourly, annotators, agreement, leaderboard or winrates.",
        parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
      );
    }
    const file = await analyticsCsv(parsed.data);
    return new Response(file.content, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file.fileName}"`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
