// GET /api/exports/{id}/files/{name}: one file of a ready snapshot for the signed-in admin's browser (the admin
// page's download links). Same streaming and Range/If-Range handling as the token API's route.
import { currentUser } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { errorResponse } from "@/server/http";
import { snapshotFileResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request, { params }: { params: Promise<{ id: string; name: string }> }): Promise<Response> {
  try {
    const user = await currentUser();
    if (!user) throw new AppError("UNAUTHORIZED", "Sign in first.");
    if (user.role !== "ADMIN") throw new AppError("FORBIDDEN", "Admins only.");
    const { id, name } = await params;
    return await snapshotFileResponse({ id, name, range: req.headers.get("range"), ifRange: req.headers.get("if-range") });
  } catch (err) {
    return errorResponse(err);
  }
}
