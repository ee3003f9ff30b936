// GET /api/exports/{id}/archive: every file of a ready snapshot as one tar, for the signed-in admin's browser
// (the admin page's "Download all"). Same stream as the token API's archive route.
import { adminOrThrow } from "@/server/auth/session";
import { errorResponse } from "@/server/http";
import { snapshotArchiveResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    await adminOrThrow();
    return await snapshotArchiveResponse({ id: (await params).id });
  } catch (err) {
    return errorResponse(err);
  }
}
