// GET /api/v1/runs/{id}: one run (status, progress, queue position, error); READ scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { getRun } from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.runsGet, async ({ params }) => getRun({ id: params.id }));
