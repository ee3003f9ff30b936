// GET /api/v1/models?kind=REWARD|POLICY: the model registry, newest first; READ scope, admin token
import { route } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { listModels } from "@/server/services/models";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.modelsList, async ({ query }) => ({ models: await listModels(query) }));
