// Snapshot download route handlers, written once for both doors: the admin page's links (session cookie,
// app/api/exports/{id}/…) and the token API (app/api/v1/exports/{id}/…, READ scope, an admin's token, described by
// its operations in server/api/v1/operations.ts). Same streaming, Content-Length and Range/If-Range handling
// (server/services/export/download.ts).
import type { ZodType } from "zod";
import { route, type CallerAuth, type RouteHandler, type RouteSpec } from "@/server/api/route";
import { operations } from "@/server/api/v1/operations";
import { snapshotArchiveResponse, snapshotFileResponse } from "@/server/services/export/download";

type DownloadSpec = RouteSpec<undefined, undefined, ZodType | undefined, CallerAuth>;

/** The two doors of the downloads: the browser's session, and the token API's documented operations. */
export const DOWNLOAD_DOORS = {
  browser: { file: { auth: { session: "ADMIN" } }, archive: { auth: { session: "ADMIN" } } },
  token: { file: operations.snapshotsFile, archive: operations.snapshotsArchive },
} satisfies Record<string, { file: DownloadSpec; archive: DownloadSpec }>;

/** One file of a ready snapshot; resumable with Range (206) and If-Range (ETag = "sha256"). */
export function snapshotFileRoute(spec: DownloadSpec): RouteHandler<{ id: string; name: string }> {
  return route<{ id: string; name: string }, undefined, undefined, undefined, CallerAuth>(spec as RouteSpec<undefined, undefined, undefined, CallerAuth>, ({ req, params }) =>
    snapshotFileResponse({ id: params.id, name: params.name, range: req.headers.get("range"), ifRange: req.headers.get("if-range") }),
  );
}

/** Every file of a ready snapshot as one tar (<name>-v<version>/…). */
export function snapshotArchiveRoute(spec: DownloadSpec): RouteHandler<{ id: string }> {
  return route<{ id: string }, undefined, undefined, undefined, CallerAuth>(spec as RouteSpec<undefined, undefined, undefined, CallerAuth>, ({ params }) => snapshotArchiveResponse({ id: params.id }));
}
