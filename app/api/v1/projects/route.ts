// GET  /api/v1/projects   the projects the token's owner may see; READ scope
// POST /api/v1/projects   create a project (the settings of the new-project form); WRITE scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { projectView } from "@/server/api/v1/views";
import * as projects from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.projectsList, async ({ query, user }) => {
  const rows = await projects.listAll({ includeArchived: query.includeArchived, memberId: user.role === "ADMIN" ? undefined : user.id });
  return { projects: rows.map(projectView) };
});

export const POST = route(operations.projectsCreate, async ({ body, user }) => projectView(await projects.create({ actorId: user.id, settings: body })));
