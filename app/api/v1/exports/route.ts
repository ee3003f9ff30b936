// Token API for snapshots (an admin's personal token):
//   GET  /api/v1/exports?name=…   snapshots, newest first; READ scope
//   POST /api/v1/exports          JSON body = a snapshot definition with `projects` as ids or slugs; WRITE scope.
//                                 Answers 202 with the snapshot (status RUNNING); poll GET /api/v1/exports/{id}.
import { z } from "zod";
import { route } from "@/server/api/route";
import { snapshotNameSchema, type CreateSnapshotInput } from "@/server/schemas/export";
import { listSnapshots, startSnapshot } from "@/server/services/export";
import { findProject } from "@/server/services/projects";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const listQuerySchema = z.object({ name: snapshotNameSchema.optional() });
const bodySchema = z.object({ projects: z.array(z.string().min(1)).min(1) }).passthrough();

export const GET = route({ auth: { token: "READ", role: "ADMIN" }, query: listQuerySchema }, async ({ query }) =>
  Response.json({ snapshots: await listSnapshots({ name: query.name }) }),
);

export const POST = route(
  { auth: { token: "WRITE", role: "ADMIN" }, body: bodySchema, bodyError: { message: "The body must be a JSON snapshot definition with `projects`: a list of project ids or slugs." } },
  async ({ body, user }) => {
    const { projects, ...rest } = body;
    const projectIds = await Promise.all(projects.map(async (p) => (await findProject(p, { slug: true })).id));
    // the rest of the body is validated by the service, which reports every bad field
    const input = { ...rest, projectIds } as CreateSnapshotInput;
    const snapshot = await startSnapshot({ ...input, createdById: user.id });
    return Response.json(snapshot, { status: 202 });
  },
);
