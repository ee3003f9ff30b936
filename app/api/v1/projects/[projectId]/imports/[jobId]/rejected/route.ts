// GET /api/v1/projects/{projectId|slug}/imports/{jobId}/rejected: the lines a "skip invalid lines" import left out
import { route } from "@/server/api/route";
import { rejectedLinesResponse } from "@/server/api/routes/imports";
import { operations } from "@/server/api/v1/operations";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.importsRejected, async ({ params, user }) => {
  const project = await findProject(params.projectId, { slug: true, user });
  return rejectedLinesResponse({ projectId: project.id, jobId: params.jobId });
});
