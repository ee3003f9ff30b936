// GET /api/projects/{projectId}/imports/{jobId}/rejected: the lines an import left out ("skip invalid lines"), for
// the signed-in admin. The token API answers the same with GET …/imports?jobId=…&rejected=1.
import { route } from "@/server/api/route";
import { rejectedLinesResponse } from "@/server/api/routes/imports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route<{ projectId: string; jobId: string }>({ auth: { session: "ADMIN" } }, ({ params }) => rejectedLinesResponse(params));
