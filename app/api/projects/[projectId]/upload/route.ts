// Browser upload of an import file: the signed-in admin's session authenticates it, the request body streams
// straight into the importer (no buffering), and the response is the import summary. The page creates the
// ImportJob first (importJob.create) and passes its id, so it can poll progress while bytes still arrive; importFile
// starts that job only if it is still PENDING, so a second upload to the same id is refused before a byte is read.
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { adminOrThrow } from "@/server/auth/session";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { assertSameOrigin, errorResponse, searchParams } from "@/server/http";
import { importOptionsSchema } from "@/server/schemas/import";
import * as audit from "@/server/services/audit";
import { formatBytes, importFile } from "@/server/services/import";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const uploadQuerySchema = importOptionsSchema.extend({
  jobId: z.string().min(1).optional(),
  fileName: z.string().trim().min(1).max(255).default("upload"),
});

export async function POST(req: Request, { params }: { params: Promise<{ projectId: string }> }): Promise<Response> {
  try {
    assertSameOrigin(req);
    const user = await adminOrThrow();
    const { projectId } = await params;

    const query = uploadQuerySchema.safeParse(searchParams(req));
    if (!query.success) {
      const fieldErrors = query.error.issues.map((i) => ({ field: i.path.map(String).join("."), message: i.message }));
      throw new AppError("BAD_REQUEST", `Invalid upload options: ${fieldErrors.map((f) => `${f.field}: ${f.message}`).join("; ")}`, fieldErrors);
    }
    const opts = query.data;
    const bytesTotal = Number(req.headers.get("content-length") ?? 0) || 0;
    // refuse before reading a byte when the browser already told us the size
    if (bytesTotal > env.IMPORT_MAX_BYTES) {
      throw new AppError("PAYLOAD_TOO_LARGE", `The file is ${formatBytes(bytesTotal)}; the limit is ${formatBytes(env.IMPORT_MAX_BYTES)} (IMPORT_MAX_BYTES).`);
    }
    if (!req.body) throw new AppError("BAD_REQUEST", "The upload is empty: choose a file.");

    // Node's web and stream typings describe the same ReadableStream from two libraries
    const stream = Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
    const summary = await importFile({
      projectId,
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
      action: "import.upload",
      targetType: "project",
      targetId: projectId,
      after: { jobId: summary.jobId, fileName: summary.fileName, format: summary.format, counts: summary.counts, errorCount: summary.errorCount },
    });
    const { rejectedLinesPath, ...shown } = summary;
    return Response.json({ ...shown, hasRejectedLines: rejectedLinesPath !== null });
  } catch (err) {
    return errorResponse(err);
  }
}
