// GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API, built from the routes' own specs; no token.
import { route } from "@/server/api/route";
import { openApiDocument } from "@/server/api/v1/openapi";
import { operations } from "@/server/api/v1/operations";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route(operations.openapi, async () => openApiDocument());
