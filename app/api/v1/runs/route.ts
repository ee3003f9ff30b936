// GET  /api/v1/runs?status=&kind=&limit=   runs, newest first, with queue positions; READ scope, admin token
// POST /api/v1/runs                        launch a run (the launch form's input); RUNS scope
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import * as runs from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.runsList, async ({ query }) => ({ runs: await runs.listRuns(query) }));

export const POST = route(operations.runsLaunch, async ({ body, user }) => {
  const run = await runs.enqueueRun({ input: body, createdById: user.id });
  return runs.getRun({ id: run.id });
});
