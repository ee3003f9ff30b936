// GET /api/exports/{id}/archive: every file of a ready snapshot as one tar, for the signed-in admin's browser
// (the admin page's "Download all"). Same stream as the token API's archive route.
import { currentUser } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { errorResponse } from "@/server/http";
import { snapshotArchiveResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await currentUser();
    if (!user) throw new AppError("UNAUTHORIZED", "Sign in first.");
    if (user.role !== "ADMIN") throw new AppError("FORBIDDEN", "Admins only.");
    return await snapshotArchiveResponse({ id: (await params).id });
  } catch (err) {
    return errorResponse(err);
  }
}
