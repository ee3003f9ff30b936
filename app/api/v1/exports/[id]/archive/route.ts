// GET /api/v1/exports/{id}/archive: every file of a ready snapshot as one tar (<name>-v<version>/…), streamed with
// Content-Length. READ scope, admin token.
import { DOWNLOAD_DOORS, snapshotArchiveRoute } from "@/server/api/routes/exports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = snapshotArchiveRoute(DOWNLOAD_DOORS.token.archive);
