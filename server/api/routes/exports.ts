// Snapshot download route handlers, written once for both doors: the admin page's links (session cookie,
// app/api/exports/{id}/…) and the token API (app/api/v1/exports/{id}/…, READ scope, an admin's token). Same
// streaming, Content-Length and Range/If-Range handling (server/services/export/download.ts).
import { route, type RouteAuth, type RouteHandler } from "@/server/api/route";
import { snapshotArchiveResponse, snapshotFileResponse } from "@/server/services/export/download";

/** The two doors of the downloads. */
export const DOWNLOAD_DOORS = {
  browser: { session: "ADMIN" },
  token: { token: "READ", role: "ADMIN" },
} as const satisfies Record<string, RouteAuth>;

/** One file of a ready snapshot; resumable with Range (206) and If-Range (ETag = "sha256"). */
export function snapshotFileRoute(auth: RouteAuth): RouteHandler<{ id: string; name: string }> {
  return route({ auth }, ({ req, params }) =>
    snapshotFileResponse({ id: params.id, name: params.name, range: req.headers.get("range"), ifRange: req.headers.get("if-range") }),
  );
}

/** Every file of a ready snapshot as one tar (<name>-v<version>/…). */
export function snapshotArchiveRoute(auth: RouteAuth): RouteHandler<{ id: string }> {
  return route({ auth }, ({ params }) => snapshotArchiveResponse({ id: params.id }));
}
