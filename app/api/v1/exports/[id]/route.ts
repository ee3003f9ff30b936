// GET /api/v1/exports/{id}: one snapshot (status, progress, files with sha256, stats); READ scope, admin token.
import { withTokenAuth } from "@/server/http";
import { getSnapshot } from "@/server/services/export";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const GET = withTokenAuth<Ctx>("READ", async (_req, ctx) => Response.json(await getSnapshot({ id: (await ctx.params).id })), {
  role: "ADMIN",
});
