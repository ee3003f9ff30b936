// POST /api/v1/models/{id}/activate: make the model the active one of its kind; RUNS scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { setActiveModel } from "@/server/services/models";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = route(operations.modelsActivate, async ({ params, user }) => setActiveModel({ id: params.id, actorId: user.id }));
