// POST /api/projects/{projectId}/upload: the browser's upload of an import file, authenticated by the signed-in
// admin's session (cross-site requests refused). The token API's import route mounts the same handler
// (server/api/routes/imports.ts).
import { UPLOAD_QUERY_ERROR, uploadQuery, uploadRoute } from "@/server/api/routes/imports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = uploadRoute({ spec: { auth: { session: "ADMIN" }, query: uploadQuery("upload"), queryError: UPLOAD_QUERY_ERROR }, action: "import.upload" });
