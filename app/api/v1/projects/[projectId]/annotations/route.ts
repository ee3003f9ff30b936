// GET /api/v1/projects/{projectId|slug}/annotations?cursor=&limit=&annotatorId=&itemId=&flag=&gold=&goldCorrect=&from=&to=&updatedSince=
// keyset pages of judgements; ANNOTATIONS scope (an annotator's token reads its owner's own; a reviewer's, every
// judgement of the projects they review, as the data browser shows them)
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { listAnnotations } from "@/server/services/annotation/list";
import { findProject } from "@/server/services/projects";
import { isReviewer } from "@/server/services/review/access";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.annotationsList, async ({ params, query, user }) => {
  const project = await findProject(params.projectId, { slug: true, user });
  const { cursor, limit, ...filters } = query;
  const everyone = user.role === "ADMIN" || (await isReviewer({ userId: user.id, projectId: project.id }));
  return listAnnotations({ projectId: project.id, cursor, limit, filters, onlyUserId: everyone ? undefined : user.id });
});
