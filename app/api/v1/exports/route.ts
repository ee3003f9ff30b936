// GET  /api/v1/exports?name=…   snapshots, newest first; READ scope, admin token
// POST /api/v1/exports          JSON body = a snapshot definition with `projects` as ids or slugs; EXPORT scope.
//                               Answers 202 with the snapshot (status RUNNING); poll GET /api/v1/exports/{id}.
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { listSnapshots, startSnapshot } from "@/server/services/export";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.snapshotsList, async ({ query }) => ({ snapshots: await listSnapshots(query) }));

export const POST = route(operations.snapshotsCreate, async ({ body, user }) => {
  const { projects, ...rest } = body;
  const projectIds = await Promise.all(projects.map(async (p) => (await findProject(p, { slug: true })).id));
  // the rest of the body is validated by the service, which reports every bad field
  return startSnapshot({ ...(rest as Omit<CreateSnapshotInput, "projectIds">), projectIds, createdById: user.id });
});
