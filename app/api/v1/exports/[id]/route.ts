// GET /api/v1/exports/{id}: one snapshot (status, progress, files with sha256, stats); READ scope, admin token.
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { getSnapshot } from "@/server/services/export";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.snapshotsGet, async ({ params }) => getSnapshot({ id: params.id }));
