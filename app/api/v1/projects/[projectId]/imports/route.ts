// Token API for imports (an admin's personal token):
//   POST /api/v1/projects/{projectId|slug}/imports?format=auto&skipInvalid=false&trlAsGold=false&splitCandidates=false&skipNearDuplicates=false&fileName=…
//        body = the file, streamed into the importer (never buffered); WRITE scope. Returns the import summary.
//   GET  /api/v1/projects/{projectId|slug}/imports?jobId=…            the job (progress, counts, errors); READ scope
//   GET  /api/v1/projects/{projectId|slug}/imports?jobId=…&rejected=1 the rejected lines file; READ scope
// The browser's upload (app/api/projects/{projectId}/upload) mounts the same upload handler.
import { z } from "zod";
import { route } from "@/server/api/route";
import { rejectedLinesResponse, uploadRoute } from "@/server/api/routes/imports";
import { getImportJob } from "@/server/services/import";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = uploadRoute({ auth: { token: "WRITE", role: "ADMIN" }, action: "import.api", defaultFileName: "api-upload" });

const jobQuery = z.object({ jobId: z.string().min(1), rejected: z.enum(["1", "true"]).optional() });

export const GET = route<{ projectId: string }, typeof jobQuery>({ auth: { token: "READ", role: "ADMIN" }, query: jobQuery }, async ({ params, query }) => {
  const project = await findProject(params.projectId, { slug: true });
  if (query.rejected) return rejectedLinesResponse({ projectId: project.id, jobId: query.jobId });
  const { rejectedLines, ...job } = await getImportJob({ projectId: project.id, jobId: query.jobId });
  return Response.json({ ...job, hasRejectedLines: rejectedLines !== null });
});
