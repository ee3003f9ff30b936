// File writers for snapshot splits. Both hash and count the bytes as they go to disk (the sha256 recorded on the
// snapshot is of the exact file served), and both respect disk backpressure so memory stays flat at any size.
import { createHash, type Hash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { createGzip, type Gzip } from "node:zlib";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { parquetSchema, type Column, type Row } from "./formats";

export interface WrittenFile {
  bytes: number;
  sha256: string;
  rows: number;
}

export interface SplitWriter {
  /** rows written so far */
  readonly rows: number;
  write(row: Row): Promise<void> | void;
  /** a row already serialized as one JSON text (JSONL only) */
  writeLine(line: string): Promise<void> | void;
  close(): Promise<WrittenFile>;
}

/** Bytes → optional gzip → (hash, count) → file. */
class HashedFile {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;

  constructor(path: string, gzip: boolean) {
    this.file = createWriteStream(path);
    this.gzip = gzip ? createGzip({ level: 6 }) : null;
    if (this.gzip) {
      this.gzip.on("data", (chunk: Buffer) => this.toFile(chunk));
    }
  }

  private toFile(chunk: Buffer): boolean {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    return this.file.write(chunk);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.gzip) {
      if (!this.gzip.write(chunk)) await once(this.gzip, "drain");
      // gzip output is pushed to the file from its 'data' handler; wait for the disk when it falls behind
      if (this.file.writableNeedDrain) await once(this.file, "drain");
      return;
    }
    if (!this.toFile(chunk)) await once(this.file, "drain");
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.gzip) {
      const ended = once(this.gzip, "end");
      this.gzip.end();
      await ended;
    }
    this.file.end();
    await once(this.file, "close");
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }
}

const JSONL_CHUNK_BYTES = 1 << 20;

/**
 * Lines are encoded straight into a 1 MiB buffer that goes to the file when full: no per-line Buffer and no joined
 * string, so a million rows leave little for the garbage collector.
 */
export function jsonlWriter(path: string, gzip: boolean): SplitWriter {
  const out = new HashedFile(path, gzip);
  let buffer = Buffer.allocUnsafe(JSONL_CHUNK_BYTES);
  let used = 0;
  let rows = 0;
  const flush = () => {
    const chunk = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(JSONL_CHUNK_BYTES);
    used = 0;
    return out.write(chunk);
  };
  const writeLine = (text: string): Promise<void> | void => {
    rows++;
    // an upper bound: a UTF-16 code unit is at most 3 bytes of UTF-8
    const size = text.length * 3 + 1;
    let pending: Promise<void> | undefined;
    if (used + size > JSONL_CHUNK_BYTES) {
      if (used > 0) pending = flush();
      if (size > JSONL_CHUNK_BYTES) {
        // a line longer than the buffer goes on its own
        return (pending ?? Promise.resolve()).then(() => out.write(Buffer.from(`${text}\n`, "utf8")));
      }
    }
    used += buffer.write(text, used, "utf8");
    buffer[used++] = 0x0a;
    return pending;
  };
  return {
    get rows() {
      return rows;
    },
    write: (row) => writeLine(JSON.stringify(row)),
    writeLine,
    async close() {
      if (used > 0) await flush();
      return { ...(await out.close()), rows };
    },
  };
}

/** A hyparquet ByteWriter that hands each finished row group to the file instead of growing without bound. */
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly out: HashedFile) {
    super(1 << 20);
  }
  flush(): Promise<void> {
    // copy: the buffer is reused for the next row group while the file write is in flight
    const chunk = Buffer.from(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
    return this.out.write(chunk);
  }
  finish(): Promise<void> {
    return this.flush();
  }
}

/** Rows per row group, and a byte budget so long texts cannot blow memory up. */
const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_CHARS = 16 << 20;

function approxChars(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce<number>((s, v) => s + approxChars(v), 8);
  if (value && typeof value === "object") return Object.values(value).reduce<number>((s, v) => s + approxChars(v), 8);
  return 8;
}

export function parquetWriter(path: string, columns: Column[]): SplitWriter {
  const out = new HashedFile(path, false);
  const pq = new ParquetWriter({
    writer: new StreamingByteWriter(out),
    schema: parquetSchema(columns),
    // a fixed writer name: it is written into the footer, and files must be byte-identical across versions
    createdBy: "rlhf-studio export",
    statistics: false,
  });
  let pending: Row[] = [];
  let chars = 0;
  let rows = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const groupRows = pending;
    pending = [];
    chars = 0;
    const columnData = columns.map((c) => ({
      name: c.name,
      data: groupRows.map((r) => (c.json ? JSON.stringify(r[c.name]) : r[c.name])),
    }));
    await pq.write({ columnData, rowGroupSize: groupRows.length });
  };
  return {
    get rows() {
      return rows;
    },
    writeLine() {
      throw new Error("Parquet rows are written as objects");
    },
    write(row) {
      pending.push(row);
      rows++;
      chars += approxChars(row);
      if (pending.length >= ROW_GROUP_ROWS || chars >= ROW_GROUP_CHARS) return flush();
    },
    async close() {
      await flush();
      await pq.finish();
      return { ...(await out.close()), rows };
    },
  };
}
