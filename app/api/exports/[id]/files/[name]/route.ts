// GET /api/exports/{id}/files/{name}: one file of a ready snapshot for the signed-in admin's browser (the admin
// page's download links). Same streaming and Range/If-Range handling as the token API's route.
import { adminOrThrow } from "@/server/auth/session";
import { errorResponse } from "@/server/http";
import { snapshotFileResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request, { params }: { params: Promise<{ id: string; name: string }> }): Promise<Response> {
  try {
    await adminOrThrow();
    const { id, name } = await params;
    return await snapshotFileResponse({ id, name, range: req.headers.get("range"), ifRange: req.headers.get("if-range") });
  } catch (err) {
    return errorResponse(err);
  }
}
