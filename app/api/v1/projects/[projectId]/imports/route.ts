// Token API for imports (an admin's personal token):
//   POST /api/v1/projects/{projectId|slug}/imports?format=auto&skipInvalid=false&trlAsGold=false&splitCandidates=false&skipNearDuplicates=false&fileName=…
//        body = the file, streamed into the importer (never buffered); WRITE scope. Returns the import summary.
//   GET  /api/v1/projects/{projectId|slug}/imports?jobId=…            the job (progress, counts, errors); READ scope
//   GET  /api/v1/projects/{projectId|slug}/imports?jobId=…&rejected=1 the rejected lines file; READ scope
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { searchParams, withTokenAuth } from "@/server/http";
import { importOptionsSchema } from "@/server/schemas/import";
import * as audit from "@/server/services/audit";
import { findProject, formatBytes, getImportJob, importFile, rejectedLinesFile } from "@/server/services/import";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ projectId: string }> };

const postQuerySchema = importOptionsSchema.extend({
  fileName: z.string().trim().min(1).max(255).default("api-upload"),
});
const getQuerySchema = z.object({ jobId: z.string().min(1), rejected: z.enum(["1", "true"]).optional() });

function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.output<T> {
  const parsed = schema.safeParse(searchParams(req));
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((i) => ({ field: i.path.map(String).join("."), message: i.message }));
    throw new AppError("BAD_REQUEST", `Invalid query: ${fieldErrors.map((f) => `${f.field}: ${f.message}`).join("; ")}`, fieldErrors);
  }
  return parsed.data;
}

export const POST = withTokenAuth<Ctx>(
  "WRITE",
  async (req, ctx, user) => {
    const project = await findProject((await ctx.params).projectId);
    const opts = parseQuery(postQuerySchema, req);
    const bytesTotal = Number(req.headers.get("content-length") ?? 0) || 0;
    // refuse before reading a byte when the client already said how big the file is
    if (bytesTotal > env.IMPORT_MAX_BYTES) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The file is ${formatBytes(bytesTotal)}; the limit is ${formatBytes(env.IMPORT_MAX_BYTES)} (IMPORT_MAX_BYTES).`,
      );
    }
    if (!req.body) throw new AppError("BAD_REQUEST", "The request body is empty: send the file as the body.");
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
    });
    await audit.record({
      actorId: user.id,
      action: "import.api",
      targetType: "project",
      targetId: project.id,
      after: { jobId: summary.jobId, fileName: summary.fileName, format: summary.format, counts: summary.counts, errorCount: summary.errorCount },
    });
    // the server-side path stays on the server; the rejected lines are fetched with GET ?jobId=…&rejected=1
    const { rejectedLinesPath, ...shown } = summary;
    return Response.json({ ...shown, hasRejectedLines: rejectedLinesPath !== null });
  },
  { role: "ADMIN" },
);

export const GET = withTokenAuth<Ctx>(
  "READ",
  async (req, ctx) => {
    const project = await findProject((await ctx.params).projectId);
    const query = parseQuery(getQuerySchema, req);
    if (query.rejected) {
      const file = await rejectedLinesFile({ projectId: project.id, jobId: query.jobId });
      const body = Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream<Uint8Array>;
      return new Response(body, {
        headers: {
          "content-type": file.fileName.endsWith(".csv") ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
          "content-length": String(file.size),
          "content-disposition": `attachment; filename="${file.fileName}"`,
        },
      });
    }
    const { rejectedLines, ...job } = await getImportJob({ projectId: project.id, jobId: query.jobId });
    return Response.json({ ...job, hasRejectedLines: rejectedLines !== null });
  },
  { role: "ADMIN" },
);
