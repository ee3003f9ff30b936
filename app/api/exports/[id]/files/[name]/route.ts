// GET /api/exports/{id}/files/{name}: one file of a ready snapshot for the signed-in admin's browser (the admin
// page's download links). The token API's file route mounts the same handler.
import { DOWNLOAD_DOORS, snapshotFileRoute } from "@/server/api/routes/exports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = snapshotFileRoute(DOWNLOAD_DOORS.browser.file);
