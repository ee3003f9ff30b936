// POST /api/v1/runs/{id}/cancel: cancel a queued run, or ask a running one's worker to stop it; RUNS scope
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { cancelRun, getRun } from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = route(operations.runsCancel, async ({ params, user }) => {
  await cancelRun({ id: params.id, actorId: user.id });
  return getRun({ id: params.id });
});
