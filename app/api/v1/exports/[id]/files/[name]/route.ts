// GET /api/v1/exports/{id}/files/{name}: one file of a ready snapshot, streamed with Content-Length; resumable with
// Range (206) and If-Range (ETag = "sha256"). READ scope, admin token.
import { withTokenAuth } from "@/server/http";
import { snapshotFileResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string; name: string }> };

export const GET = withTokenAuth<Ctx>(
  "READ",
  async (req, ctx) => {
    const { id, name } = await ctx.params;
    return snapshotFileResponse({ id, name, range: req.headers.get("range"), ifRange: req.headers.get("if-range") });
  },
  { role: "ADMIN" },
);
