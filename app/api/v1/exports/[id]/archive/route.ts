// GET /api/v1/exports/{id}/archive: every file of a ready snapshot as one tar (<name>-v<version>/…), streamed with
// Content-Length. READ scope, admin token.
import { withTokenAuth } from "@/server/http";
import { snapshotArchiveResponse } from "@/server/services/export/download";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const GET = withTokenAuth<Ctx>("READ", async (_req, ctx) => snapshotArchiveResponse({ id: (await ctx.params).id }), {
  role: "ADMIN",
});
