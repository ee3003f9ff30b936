// GET   /api/v1/projects/{projectId|slug}   one project; READ scope (an annotator's token: their projects only)
// PATCH /api/v1/projects/{projectId|slug}   change settings (only the fields sent); WRITE scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { projectView } from "@/server/api/v1/views";
import * as projects from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.projectsGet, async ({ params, user }) => {
  const { id } = await projects.findProject(params.projectId, { slug: true, user });
  return projectView(await projects.get(id));
});

export const PATCH = route(operations.projectsUpdate, async ({ params, body, user }) => {
  const { id } = await projects.findProject(params.projectId, { slug: true, user });
  await projects.update({ actorId: user.id, id, settings: body });
  return projectView(await projects.get(id));
});
