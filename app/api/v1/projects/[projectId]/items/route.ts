// GET /api/v1/projects/{projectId|slug}/items?cursor=&limit=&status=&gold=   keyset pages of items; READ scope
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { listItems } from "@/server/services/items";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.itemsList, async ({ params, query, user }) => {
  const project = await findProject(params.projectId, { slug: true, user });
  return listItems({ projectId: project.id, ...query, showGold: user.role === "ADMIN" });
});
