// Import route handlers, written once for both doors: the browser's upload (session cookie,
// app/api/projects/{projectId}/upload and …/imports/{jobId}/rejected) and the token API
// (app/api/v1/projects/{projectId|slug}/imports). The request body streams straight into the importer (never
// buffered) and the answer is the import summary; the rejected lines of a "skip invalid lines" import download as
// a file.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z, type ZodType } from "zod";
import { route, type CallerAuth, type RouteHandler, type RouteSpec } from "@/server/api/route";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { importOptionsSchema } from "@/server/schemas/import";
import * as audit from "@/server/services/audit";
import { formatBytes } from "@/server/format";
import { importFile, rejectedLinesFile } from "@/server/services/import";
import { findProject } from "@/server/services/projects";

type ProjectParams = { projectId: string };

/** The upload's query: the import options, the job made beforehand (the browser's) and the file's name. */
/** How both doors report a bad upload option (the spec's queryError). */
export const UPLOAD_QUERY_ERROR = { what: "Invalid upload options" };

export function uploadQuery(defaultFileName: string) {
  return importOptionsSchema.extend({
    jobId: z.string().min(1).optional(),
    fileName: z.string().trim().min(1).max(255).default(defaultFileName),
  });
}

export interface UploadDoor {
  /** the door and its query (uploadQuery); the token API's also carries its description */
  spec: RouteSpec<ReturnType<typeof uploadQuery>, undefined, ZodType | undefined, CallerAuth>;
  /** the audit action the import is recorded under ("import.upload" for the browser, "import.api" for tokens) */
  action: string;
}

/**
 * POST: the body is the file. The browser's page creates the ImportJob first (importJob.create) and passes its
 * `jobId`, so it can poll progress while bytes still arrive; importFile starts that job only if it is still PENDING,
 * so a second upload to the same id is refused before a byte is read.
 */
export function uploadRoute(door: UploadDoor): RouteHandler<ProjectParams> {
  return route<ProjectParams, ReturnType<typeof uploadQuery>, undefined, undefined, CallerAuth>(
    // the token API's spec also parses the path (projectId); both doors' handlers read it as ProjectParams
    door.spec as RouteSpec<ReturnType<typeof uploadQuery>, undefined, undefined, CallerAuth>,
    async ({ req, params, user, query: opts }) => {
    const project = await findProject(params.projectId, { slug: true });
    const bytesTotal = Number(req.headers.get("content-length") ?? 0) || 0;
    // refuse before reading a byte when the client already said how big the file is
    if (bytesTotal > env.IMPORT_MAX_BYTES) {
      throw new AppError("PAYLOAD_TOO_LARGE", `The file is ${formatBytes(bytesTotal)}; the limit is ${formatBytes(env.IMPORT_MAX_BYTES)} (IMPORT_MAX_BYTES).`);
    }
    if (!req.body) throw new AppError("BAD_REQUEST", "The upload is empty: send the file as the request body.");
    // Node's web and stream typings describe the same ReadableStream from two libraries
    const stream = Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
    const summary = await importFile({
      projectId: project.id,
      stream,
      fileName: opts.fileName,
      bytesTotal,
      format: opts.format,
      skipInvalid: opts.skipInvalid,
      trlAsGold: opts.trlAsGold,
      splitCandidates: opts.splitCandidates,
      skipNearDuplicates: opts.skipNearDuplicates,
      createdById: user.id,
      jobId: opts.jobId,
    });
    await audit.record({
      actorId: user.id,
      action: door.action,
      targetType: "project",
      targetId: project.id,
      after: { jobId: summary.jobId, fileName: summary.fileName, format: summary.format, counts: summary.counts, errorCount: summary.errorCount },
    });
    // the server-side path stays on the server; the rejected lines are downloaded by job id
    const { rejectedLinesPath, ...shown } = summary;
    return { ...shown, hasRejectedLines: rejectedLinesPath !== null };
  });
}

/** The lines an import left out, as the file the importer wrote them to. */
export async function rejectedLinesResponse(opts: { projectId: string; jobId: string }): Promise<Response> {
  const file = await rejectedLinesFile(opts);
  // Node's stream typings and the DOM's describe the same web ReadableStream from two libraries
  const body = Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": file.fileName.endsWith(".csv") ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.fileName}"`,
    },
  });
}
