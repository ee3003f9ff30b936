// GET /api/v1/projects/{projectId|slug}/annotations?cursor=&limit=&annotatorId=&itemId=&flag=&gold=&goldCorrect=&from=&to=&updatedSince=
// keyset pages of judgements; ANNOTATIONS scope (an annotator's token reads its owner's own)
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { listAnnotations } from "@/server/services/annotation/list";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.annotationsList, async ({ params, query, user }) => {
  const project = await findProject(params.projectId, { slug: true, user });
  const { cursor, limit, ...filters } = query;
  return listAnnotations({ projectId: project.id, cursor, limit, filters, onlyUserId: user.role === "ADMIN" ? undefined : user.id });
});
