// GET /api/v1/projects/{projectId|slug}/imports/{jobId}: the import (progress, counts, line errors); READ scope
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { getImportJob } from "@/server/services/import";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.importsGet, async ({ params, user }) => {
  const project = await findProject(params.projectId, { slug: true, user });
  const { rejectedLines, ...job } = await getImportJob({ projectId: project.id, jobId: params.jobId });
  return { ...job, hasRejectedLines: rejectedLines !== null };
});
