// GET /api/exports/{id}/archive: every file of a ready snapshot as one tar, for the signed-in admin's browser
// (the admin page's "Download all"). The token API's archive route mounts the same handler.
import { DOWNLOAD_DOORS, snapshotArchiveRoute } from "@/server/api/routes/exports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = snapshotArchiveRoute(DOWNLOAD_DOORS.browser.archive);
