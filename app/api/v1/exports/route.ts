// Token API for snapshots (an admin's personal token):
//   GET  /api/v1/exports?name=…   snapshots, newest first; READ scope
//   POST /api/v1/exports          JSON body = a snapshot definition with `projects` as ids or slugs; WRITE scope.
//                                 Answers 202 with the snapshot (status RUNNING); poll GET /api/v1/exports/{id}.
import { z } from "zod";
import { AppError } from "@/server/errors";
import { searchParams, withTokenAuth } from "@/server/http";
import { snapshotNameSchema, type CreateSnapshotInput } from "@/server/schemas/export";
import { listSnapshots, startSnapshot } from "@/server/services/export";
import { findProject } from "@/server/services/import";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const listQuerySchema = z.object({ name: snapshotNameSchema.optional() });
const bodySchema = z.object({ projects: z.array(z.string().min(1)).min(1) }).passthrough();

export const GET = withTokenAuth(
  "READ",
  async (req) => {
    const query = listQuerySchema.safeParse(searchParams(req));
    if (!query.success) throw new AppError("BAD_REQUEST", `Invalid query: ${query.error.issues.map((i) => i.message).join("; ")}`);
    return Response.json({ snapshots: await listSnapshots({ name: query.data.name }) });
  },
  { role: "ADMIN" },
);

export const POST = withTokenAuth(
  "WRITE",
  async (req, _ctx, user) => {
    const json: unknown = await req.json().catch(() => {
      throw new AppError("BAD_REQUEST", "The body must be a JSON snapshot definition.");
    });
    const parsed = bodySchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError(
        "BAD_REQUEST",
        "The body needs `projects`: a list of project ids or slugs.",
        parsed.error.issues.map((i) => ({ field: i.path.map(String).join("."), message: i.message })),
      );
    }
    const { projects, ...rest } = parsed.data;
    const projectIds = await Promise.all(projects.map(async (p) => (await findProject(p)).id));
    // the rest of the body is validated by the service, which reports every bad field
    const input = { ...rest, projectIds } as CreateSnapshotInput;
    const snapshot = await startSnapshot({ ...input, createdById: user.id });
    return Response.json(snapshot, { status: 202 });
  },
  { role: "ADMIN" },
);
