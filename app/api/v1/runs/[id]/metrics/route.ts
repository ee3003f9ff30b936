// GET /api/v1/runs/{id}/metrics?names=loss,eval/accuracy&afterStep=…: metrics by step; READ scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { getRun, listRunMetrics } from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.runsMetrics, async ({ params, query }) => {
  const run = await getRun({ id: params.id });
  const names = query.names?.split(",").map((n) => n.trim()).filter(Boolean);
  return { metrics: await listRunMetrics({ runId: run.id, names, afterStep: query.afterStep }) };
});
