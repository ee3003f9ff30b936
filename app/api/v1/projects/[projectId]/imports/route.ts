// POST /api/v1/projects/{projectId|slug}/imports?format=auto&skipInvalid=false&trlAsGold=false&splitCandidates=false&skipNearDuplicates=false&fileName=…
//      body = the file, streamed into the importer (never buffered); IMPORT scope, admin token. Answers the summary.
// GET  /api/v1/projects/{projectId|slug}/imports   the project's imports, newest first; READ scope
// The browser's upload (app/api/projects/{projectId}/upload) mounts the same upload handler.
import { route } from "@/server/api/route";
import { uploadRoute } from "@/server/api/routes/imports";
import { operations } from "@/server/api/v1/operations";
import * as projects from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = uploadRoute({ spec: operations.importsCreate, action: "import.api" });

export const GET = route(operations.importsList, async ({ params, user }) => {
  const project = await projects.findProject(params.projectId, { slug: true, user });
  return { imports: await projects.imports({ projectId: project.id }) };
});
