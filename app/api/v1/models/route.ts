// GET  /api/v1/models?kind=REWARD|POLICY   the model registry, newest first; READ scope, admin token
// POST /api/v1/models                      register a base policy from a model directory; RUNS scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { listModels, registerBaseModel } from "@/server/services/models";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.modelsList, async ({ query }) => ({ models: await listModels(query) }));

export const POST = route(operations.modelsRegister, async ({ body, user }) => registerBaseModel({ input: body, actorId: user.id }));
