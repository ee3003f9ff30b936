// GET /api/v1/exports/{id}: one snapshot (status, progress, files with sha256, stats); READ scope, admin token.
import { route } from "@/server/api/route";
import { getSnapshot } from "@/server/services/export";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route<{ id: string }>({ auth: { token: "READ", role: "ADMIN" } }, async ({ params }) => Response.json(await getSnapshot({ id: params.id })));
