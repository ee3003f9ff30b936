// The artifact store: where snapshots, checkpoints and model directories live when the web app and the workers do
// not share a disk. Unset (the default), everything stays in each process's DATA_DIR, as on one machine. With
// ARTIFACTS_URL:
// - s3://bucket/prefix: S3-compatible object storage through the AWS SDK (AWS, MinIO, Ceph, R2, ...); credentials
//   from the SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role), the
//   endpoint and region from S3_ENDPOINT / S3_REGION.
// - file:///mounted/folder: a folder every host mounts (NFS and the like), with each host's own DATA_DIR beside it.
//
// Keys are relative POSIX paths (snapshots/<id>/<file>, runs/<runId>/model/..., models/<id>/...). A directory is
// stored as its files plus a manifest (`<key>/rlhf-manifest.json`: each file's path, size and sha256) written
// last, so a directory without its manifest was never completely uploaded, and a download is checked file by file
// against it. Listing is never needed. The manifest's own sha256 is what the model registry records.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

export const MANIFEST = "rlhf-manifest.json";

export interface ManifestFile {
  /** relative to the directory, POSIX separators */
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  version: 1;
  files: ManifestFile[];
  bytes: number;
}

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

export interface ArtifactStore {
  /** s3://bucket/prefix or file:///folder: for logs and error messages (never holds a credential) */
  readonly location: string;
  putFile(key: string, file: string): Promise<void>;
  /** a stored file as a stream (a byte range of it when given); NOT_FOUND when it is not there */
  open(key: string, range?: ByteRange): Promise<Readable>;
  /** the stored size in bytes, or null when the key is not there */
  size(key: string): Promise<number | null>;
  remove(key: string): Promise<void>;
}

function checkKey(key: string): string {
  if (key === "" || key.startsWith("/") || key.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new AppError("INTERNAL_SERVER_ERROR", `not an artifact key: ${JSON.stringify(key)}`);
  }
  return key;
}

function notFound(store: ArtifactStore, key: string): AppError {
  return new AppError("NOT_FOUND", `${key} is not in the artifact store (${store.location})`);
}

/** A folder every host mounts: keys are paths under it. */
export class FolderStore implements ArtifactStore {
  readonly location: string;
  constructor(private readonly root: string) {
    this.location = `file://${root}`;
  }

  private file(key: string): string {
    return path.join(this.root, ...checkKey(key).split("/"));
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    // copied beside the target and renamed: a reader never sees half a file
    const tmp = `${target}.${randomBytes(4).toString("hex")}.part`;
    try {
      await copyFile(file, tmp);
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async open(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.file(key);
    if ((await this.size(key)) === null) throw notFound(this, key);
    return createReadStream(file, range);
  }

  async size(key: string): Promise<number | null> {
    return stat(this.file(key)).then((s) => (s.isFile() ? s.size : null), () => null);
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}

/** S3-compatible object storage. Files go up in 8 MiB parts, four at a time (lib-storage's multipart upload). */
export class S3Store implements ArtifactStore {
  readonly location: string;
  private readonly client: S3Client;
  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    options: { endpoint?: string; region: string; forcePathStyle: boolean },
  ) {
    this.location = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      // S3-compatible servers (MinIO's older releases, Ceph, s3rver) do not all take the SDK's newer default
      // checksums; the manifest's sha256 is the end-to-end check
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${checkKey(key)}` : checkKey(key);
  }

  async putFile(key: string, file: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(key), Body: createReadStream(file) },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    });
    await upload.done();
  }

  async open(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      if (!out.Body) throw notFound(this, key);
      return out.Body as Readable;
    } catch (err) {
      if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) throw notFound(this, key);
      throw err;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (err instanceof NotFound || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return null;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }
}

/** The store ARTIFACTS_URL names, or null: everything stays in DATA_DIR. */
export function storeFromUrl(url: string | undefined): ArtifactStore | null {
  if (!url) return null;
  const parsed = new URL(url);
  if (parsed.protocol === "file:") return new FolderStore(path.resolve(decodeURIComponent(parsed.pathname)));
  if (parsed.protocol === "s3:") {
    const prefix = parsed.pathname.replace(/^\/+|\/+$/g, "");
    return new S3Store(parsed.hostname, prefix, {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
    });
  }
  throw new Error(`ARTIFACTS_URL must be s3://bucket/prefix or file:///folder, not ${parsed.protocol}`);
}

let configured: { store: ArtifactStore | null } | null = null;

/** The configured artifact store (null: DATA_DIR only, the default). */
export function artifactStore(): ArtifactStore | null {
  configured ??= { store: storeFromUrl(env.ARTIFACTS_URL) };
  return configured.store;
}

// ---------------------------------------------------------------------------------------------------------------
// files and directories with their checksums

class Hasher extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Downloads `key` into `dest` (through a temporary file, renamed only once its sha256 is checked when given). */
export async function downloadFile(store: ArtifactStore, key: string, dest: string, expect?: { sha256?: string; bytes?: number }): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${randomBytes(4).toString("hex")}.part`;
  try {
    const hasher = new Hasher();
    await pipeline(await store.open(key), hasher, createWriteStream(tmp));
    const sha256 = hasher.hash.digest("hex");
    if (expect?.sha256 && sha256 !== expect.sha256) {
      throw new AppError("INTERNAL_SERVER_ERROR", `${key} from ${store.location} does not match its recorded sha256 (${sha256}, expected ${expect.sha256})`);
    }
    if (expect?.bytes !== undefined && hasher.bytes !== expect.bytes) {
      throw new AppError("INTERNAL_SERVER_ERROR", `${key} from ${store.location} has ${hasher.bytes} bytes, expected ${expect.bytes}`);
    }
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function walk(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, child)));
    else if (entry.isFile() && child !== MANIFEST) out.push(child);
  }
  return out;
}

/** Every file of a directory with its size and sha256, in path order. */
export async function dirManifest(dir: string): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const rel of (await walk(dir)).sort()) {
    const file = path.join(dir, ...rel.split("/"));
    files.push({ path: rel, bytes: (await stat(file)).size, sha256: await fileSha256(file) });
  }
  return { version: 1, files, bytes: files.reduce((s, f) => s + f.bytes, 0) };
}

/** The digest a directory is known by: the sha256 of its manifest's canonical lines ("<sha256>  <bytes>  <path>"). */
export function manifestDigest(manifest: Manifest): string {
  return createHash("sha256").update(manifest.files.map((f) => `${f.sha256}  ${f.bytes}  ${f.path}\n`).join("")).digest("hex");
}

/** Uploads a directory's files, then its manifest; returns the manifest's digest. */
export async function uploadDir(store: ArtifactStore, key: string, dir: string): Promise<{ sha256: string; manifest: Manifest }> {
  const manifest = await dirManifest(dir);
  for (const file of manifest.files) await store.putFile(`${key}/${file.path}`, path.join(dir, ...file.path.split("/")));
  const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}.${randomBytes(4).toString("hex")}.manifest`);
  try {
    await writeFile(tmp, JSON.stringify(manifest));
    await store.putFile(`${key}/${MANIFEST}`, tmp);
  } finally {
    await rm(tmp, { force: true });
  }
  return { sha256: manifestDigest(manifest), manifest };
}

/** All of a stream's bytes (a manifest, a dataset card: small files only). */
export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function readManifest(store: ArtifactStore, key: string): Promise<Manifest> {
  let stream: Readable;
  try {
    stream = await store.open(`${key}/${MANIFEST}`);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") {
      throw new AppError("PRECONDITION_FAILED", `${key} is not in the artifact store (${store.location}): no ${MANIFEST}, so it was never completely uploaded`);
    }
    throw err;
  }
  return JSON.parse((await readAll(stream)).toString("utf8")) as Manifest;
}

/**
 * Makes `dest` hold the stored directory `key`: downloaded into a temporary directory beside it, every file checked
 * against the manifest (and the manifest against `sha256` when given), then renamed into place. A marker beside
 * `dest` records the digest, so a directory already here is not fetched again.
 */
export async function downloadDir(store: ArtifactStore, key: string, dest: string, sha256?: string | null): Promise<boolean> {
  // two runs on one worker that need the same model fetch it once: the second waits for the first
  const pending = fetching.get(dest);
  if (pending) await pending.catch(() => undefined);
  const work = fetchDir(store, key, dest, sha256);
  fetching.set(dest, work);
  try {
    return await work;
  } finally {
    if (fetching.get(dest) === work) fetching.delete(dest);
  }
}

const fetching = new Map<string, Promise<boolean>>();

async function haveDir(dest: string, sha256?: string | null): Promise<boolean> {
  const have = await readFile(markerOf(dest), "utf8").catch(() => null);
  return have !== null && (!sha256 || have.trim() === sha256) && Boolean((await stat(dest).catch(() => null))?.isDirectory());
}

function markerOf(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.sha256`);
}

/** Whether it was fetched (false: this host already had it). */
async function fetchDir(store: ArtifactStore, key: string, dest: string, sha256?: string | null): Promise<boolean> {
  if (await haveDir(dest, sha256)) return false;
  const marker = markerOf(dest);
  const manifest = await readManifest(store, key);
  const digest = manifestDigest(manifest);
  if (sha256 && digest !== sha256) {
    throw new AppError("PRECONDITION_FAILED", `${key} in ${store.location} is not the directory the registry recorded (manifest sha256 ${digest}, expected ${sha256})`);
  }
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(4).toString("hex")}.part`);
  try {
    for (const file of manifest.files) {
      await downloadFile(store, `${key}/${file.path}`, path.join(tmp, ...file.path.split("/")), { sha256: file.sha256, bytes: file.bytes });
    }
    await mkdir(tmp, { recursive: true });
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    await writeFile(marker, digest);
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Writes the marker that says `dir` is the stored directory of this digest (after uploading it from here). */
export async function markDir(dir: string, sha256: string): Promise<void> {
  await writeFile(markerOf(dir), sha256);
}

/** Removes a stored directory: its manifest first (so it is no longer complete), then its files. */
export async function removeDir(store: ArtifactStore, key: string): Promise<void> {
  let manifest: Manifest;
  try {
    manifest = await readManifest(store, key);
  } catch {
    return;
  }
  await store.remove(`${key}/${MANIFEST}`);
  for (const file of manifest.files) await store.remove(`${key}/${file.path}`);
}

