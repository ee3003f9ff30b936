// Splits an uploaded byte stream into lines with the input hygiene every format shares: size and line-length limits,
// UTF-8 validation, BOM and CRLF. Memory stays bounded by the longest allowed line, whatever the file size.
import { isUtf8 } from "node:buffer";
import type { Readable } from "node:stream";
import { AppError } from "@/server/errors";
import { formatBytes } from "@/server/format";

export interface Line {
  /** 1-based line number in the file */
  line: number;
  /** decoded text without the line end; empty when `problem` is set */
  text: string;
  /** the original bytes (without line end), kept so a rejected line can be written back unchanged */
  raw: Buffer;
  /** true only for a last line that has no newline (a file cut off mid-line looks like this) */
  noNewline: boolean;
  /** why the line cannot be read at all (encoding, length); the formats report it as the line's error */
  problem?: string;
}

export interface LineLimits {
  maxBytes: number;
  maxLineBytes: number;
}


const NL = 0x0a;
const CR = 0x0d;

function firstInvalidUtf8Offset(buf: Buffer): number {
  // Only called on a line already known to be invalid: a fatal decoder of growing prefixes would be quadratic,
  // so walk the bytes once with the UTF-8 grammar instead.
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let need = 0;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) if (i + k >= buf.length || (buf[i + k] & 0xc0) !== 0x80) return i;
    if (need > 0 && !isUtf8(buf.subarray(i, i + need + 1))) return i;
    i += need + 1;
  }
  return i;
}

const MAGIC_BYTES = 4;

/** A compressed file is refused by name: its bytes would otherwise be reported as invalid UTF-8 on line 1. */
function refuseArchive(head: Buffer): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw new AppError("BAD_REQUEST", "The file is gzip-compressed; decompress it first (gunzip file.jsonl.gz) and import the uncompressed file.");
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) {
    throw new AppError("BAD_REQUEST", "The file is a ZIP archive; extract it and import the file inside.");
  }
}

/**
 * Reads `stream` line by line. Throws AppError PAYLOAD_TOO_LARGE past `maxBytes`, BAD_REQUEST for a UTF-16 file or an archive;
 * a line over `maxLineBytes` or with invalid UTF-8 comes back with `problem` set so the caller can report it by line.
 */
export async function* readLines(
  stream: Readable | AsyncIterable<Buffer | string>,
  limits: LineLimits,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<Line> {
  let bytesRead = 0;
  let lineNo = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  // set once the current line passed maxLineBytes: the rest of it is discarded, not buffered
  let overlong = false;

  const finish = (bytes: Buffer[], noNewline: boolean): Line => {
    lineNo += 1;
    if (overlong) {
      overlong = false;
      return {
        line: lineNo,
        text: "",
        raw: Buffer.alloc(0),
        noNewline,
        problem: `line ${lineNo} is longer than the maximum line length of ${formatBytes(limits.maxLineBytes)} (IMPORT_MAX_LINE_BYTES)`,
      };
    }
    let raw = bytes.length === 1 ? bytes[0] : Buffer.concat(bytes);
    if (lineNo === 1) {
      // checked on the assembled first line, not the first chunk: a stream may deliver the BOM a byte at a time
      if ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff)) {
        throw new AppError("BAD_REQUEST", "The file is UTF-16 encoded; save it as UTF-8 and import it again.");
      }
      if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
    }
    if (raw.length > 0 && raw[raw.length - 1] === CR) raw = raw.subarray(0, raw.length - 1);
    if (!isUtf8(raw)) {
      return {
        line: lineNo,
        text: "",
        raw,
        noNewline,
        problem: `line ${lineNo} is not valid UTF-8 (first bad byte at column ${firstInvalidUtf8Offset(raw) + 1}); save the file as UTF-8`,
      };
    }
    return { line: lineNo, text: raw.toString("utf8"), raw, noNewline };
  };

  // the file's first bytes, to recognize an archive before its binary is reported as broken UTF-8
  let head = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    if (head.length < MAGIC_BYTES) {
      head = Buffer.concat([head, buf.subarray(0, MAGIC_BYTES - head.length)]);
      refuseArchive(head);
    }
    bytesRead += buf.length;
    if (bytesRead > limits.maxBytes) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The file is larger than the maximum import size of ${formatBytes(limits.maxBytes)} (IMPORT_MAX_BYTES).`,
      );
    }
    onBytes?.(bytesRead);
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(NL, start);
      const end = nl === -1 ? buf.length : nl;
      if (!overlong) {
        // +1 allows the CR of a CRLF line end on a line of exactly maxLineBytes
        if (partBytes + (end - start) > limits.maxLineBytes + 1) {
          overlong = true;
          parts = [];
          partBytes = 0;
        } else {
          parts.push(buf.subarray(start, end));
          partBytes += end - start;
        }
      }
      if (nl === -1) break;
      const line = finish(parts, false);
      parts = [];
      partBytes = 0;
      yield line;
      start = nl + 1;
    }
    // subarrays of `chunk` stay referenced only while the line is incomplete; copy so the chunk can be freed
    if (parts.length > 0) parts = [Buffer.concat(parts)];
  }
  if (partBytes > 0 || overlong) yield finish(parts, true);
}
