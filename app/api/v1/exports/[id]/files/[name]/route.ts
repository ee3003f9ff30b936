// GET /api/v1/exports/{id}/files/{name}: one file of a ready snapshot, streamed with Content-Length; resumable with
// Range (206) and If-Range (ETag = "sha256"). READ scope, admin token.
import { DOWNLOAD_DOORS, snapshotFileRoute } from "@/server/api/routes/exports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = snapshotFileRoute(DOWNLOAD_DOORS.token.file);
