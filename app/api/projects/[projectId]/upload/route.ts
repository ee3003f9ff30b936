// POST /api/projects/{projectId}/upload: the browser's upload of an import file, authenticated by the signed-in
// admin's session (cross-site requests refused). The token API's import route mounts the same handler
// (server/api/routes/imports.ts).
import { uploadRoute } from "@/server/api/routes/imports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = uploadRoute({ auth: { session: "ADMIN" }, action: "import.upload", defaultFileName: "upload" });
