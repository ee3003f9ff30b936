// Download of the lines an import left out ("skip invalid lines"), for the signed-in admin.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { adminOrThrow } from "@/server/auth/session";
import { errorResponse } from "@/server/http";
import { rejectedLinesFile } from "@/server/services/import";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(_req: Request, { params }: { params: Promise<{ projectId: string; jobId: string }> }): Promise<Response> {
  try {
    await adminOrThrow();
    const { projectId, jobId } = await params;
    const file = await rejectedLinesFile({ projectId, jobId });
    // Node's stream typings and the DOM's describe the same web ReadableStream from two libraries
    const body = Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        "content-type": file.fileName.endsWith(".csv") ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-length": String(file.size),
        "content-disposition": `attachment; filename="${file.fileName}"`,
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
