// GET /api/v1/runs/{id}/logs?afterId=&limit=: log lines, oldest first; follow with nextAfterId; READ scope
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { getRun, listRunLogs } from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.runsLogs, async ({ params, query }) => {
  const run = await getRun({ id: params.id });
  const logs = await listRunLogs({ runId: run.id, afterId: query.afterId, limit: query.limit });
  return { logs, nextAfterId: logs.at(-1)?.id ?? query.afterId ?? null };
});
