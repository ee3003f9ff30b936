// Serving snapshot files over HTTP: one file with byte ranges (resumable downloads), or all files as one tar.
// Returns standard web Responses so route handlers stay one line; nothing here depends on Next.
import { Readable } from "node:stream";
import { openSnapshotFile } from "@/server/services/artifacts";
import tar from "tar-stream";
import { getSnapshot, snapshotFile } from "./index";

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

/**
 * Parses a `Range` header against a file size (RFC 9110 §14). Returns the range, `null` to serve the whole file
 * (no header, a unit other than bytes, a malformed value, or several ranges — all allowed to be ignored), or
 * "unsatisfiable" for a range that starts past the end.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const match = header.trim().match(/^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i);
  if (!match) return null;
  const [, first, last] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  // "bytes=5-3" is malformed (ignored); a start past the end cannot be served
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
}

function contentType(name: string): string {
  if (name.endsWith(".jsonl")) return "application/x-ndjson; charset=utf-8";
  if (name.endsWith(".gz")) return "application/gzip";
  if (name.endsWith(".parquet")) return "application/vnd.apache.parquet";
  if (name.endsWith(".md")) return "text/markdown; charset=utf-8";
  return "application/octet-stream";
}

function body(stream: Readable): ReadableStream<Uint8Array> {
  // Node's and the DOM's ReadableStream typings describe the same object
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}

/**
 * One file of a READY snapshot. Supports `Range` (206 with Content-Range, 416 when unsatisfiable) and `If-Range`
 * with the file's ETag (its sha256), so an interrupted download resumes only if the file is still the same.
 */
export async function snapshotFileResponse(opts: {
  id: string;
  name: string;
  range: string | null;
  ifRange: string | null;
}): Promise<Response> {
  const { path: filePath, file } = await snapshotFile({ id: opts.id, name: opts.name });
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    "content-type": contentType(file.name),
    "accept-ranges": "bytes",
    etag,
    "content-disposition": `attachment; filename="${file.name}"`,
    // a READY snapshot never changes
    "cache-control": "private, max-age=31536000, immutable",
  };
  const range = opts.ifRange && opts.ifRange !== etag ? null : parseRange(opts.range, file.bytes);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${file.bytes}` } });
  }
  if (range === null) {
    return new Response(body(await openSnapshotFile(opts.id, file, filePath)), {
      status: 200,
      headers: { ...headers, "content-length": String(file.bytes) },
    });
  }
  return new Response(body(await openSnapshotFile(opts.id, file, filePath, range)), {
    status: 206,
    headers: {
      ...headers,
      "content-length": String(range.end - range.start + 1),
      "content-range": `bytes ${range.start}-${range.end}/${file.bytes}`,
    },
  });
}

const TAR_BLOCK = 512;

/** Size of a ustar archive of these files: a header block per file, data padded to blocks, two end blocks. */
function tarSize(sizes: number[]): number {
  return sizes.reduce((s, n) => s + TAR_BLOCK + Math.ceil(n / TAR_BLOCK) * TAR_BLOCK, 0) + 2 * TAR_BLOCK;
}

/** All files of a READY snapshot as one uncompressed tar, under a `<name>-v<version>/` folder. */
export async function snapshotArchiveResponse(opts: { id: string }): Promise<Response> {
  const snapshot = await getSnapshot({ id: opts.id });
  // the per-file checks (READY, recorded names) live in snapshotFile; run them for every file up front
  const files = await Promise.all(snapshot.files.map((f) => snapshotFile({ id: opts.id, name: f.name })));
  const folder = `${snapshot.name.replace(/[^\w.-]+/g, "_")}-v${snapshot.version}`;
  const mtime = snapshot.finishedAt ?? snapshot.createdAt;
  const pack = tar.pack();
  const fill = async () => {
    for (const { path: filePath, file } of files) {
      const entry = pack.entry({ name: `${folder}/${file.name}`, size: file.bytes, mtime, mode: 0o644 });
      await new Promise<void>((resolve, reject) => {
        openSnapshotFile(opts.id, file, filePath).then((source) => {
          source.on("error", reject);
          entry.on("error", reject);
          entry.on("finish", () => resolve());
          source.pipe(entry);
        }, reject);
      });
    }
    pack.finalize();
  };
  fill().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return new Response(body(Readable.from(pack)), {
    status: 200,
    headers: {
      "content-type": "application/x-tar",
      "content-length": String(tarSize(files.map((f) => f.file.bytes))),
      "content-disposition": `attachment; filename="${folder}.tar"`,
    },
  });
}
