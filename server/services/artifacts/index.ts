// What goes into the artifact store and how each host gets it back (store.ts is the storage itself). Every host
// keeps working copies in its own DATA_DIR under the same relative paths as the keys; with no store configured the
// working copies are all there is, as on one machine.
//
// - snapshots/<id>/<file>: published by the process that built the snapshot before it is marked ready; a worker
//   fetches the splits its run reads, a web process streams downloads from the store when it has no copy.
// - runs/<runId>/model (or wherever in its run directory the trainer put it): a run's model, uploaded by the worker
//   before the run is marked SUCCEEDED and registered with its key and digest.
// - runs/<runId>/checkpoints/step-N: the latest checkpoint, uploaded before the run records it, so whichever worker
//   resumes the run finds it.
// - models/<id>: a base model registered from a directory.
import { stat } from "node:fs/promises";
import path from "node:path";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { AppError } from "@/server/errors";
import { artifactStore, dirManifest, downloadDir, downloadFile, manifestDigest, markDir, removeDir, uploadDir, type ByteRange } from "./store";

export { artifactStore } from "./store";

interface StoredSnapshotFile {
  name: string;
  /** as recorded when the file was written (snapshots made before sizes were recorded have none) */
  bytes?: number;
  sha256?: string;
}

/** This host has the file: at its recorded size, or at all when no size was recorded. */
async function haveCopy(local: string, file: StoredSnapshotFile): Promise<boolean> {
  const size = await sizeOf(local);
  return size !== null && (file.bytes === undefined || size === file.bytes);
}

export function snapshotKey(snapshotId: string, name: string): string {
  return `snapshots/${snapshotId}/${name}`;
}

/** Uploads a built snapshot's files (no-op without a store). */
export async function publishSnapshot(snapshotId: string, dir: string, files: { name: string }[]): Promise<void> {
  const store = artifactStore();
  if (!store) return;
  for (const file of files) await store.putFile(snapshotKey(snapshotId, file.name), path.join(dir, file.name));
}

/** Removes a snapshot's stored files (no-op without a store). */
export async function unpublishSnapshot(snapshotId: string, files: { name: string }[]): Promise<void> {
  const store = artifactStore();
  if (!store) return;
  for (const file of files) await store.remove(snapshotKey(snapshotId, file.name));
}

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then((s) => (s.isFile() ? s.size : null), () => null);
}

/**
 * The snapshot file at `local` on this host, fetched from the store (its sha256 checked) when this host has no
 * copy of it. Without a store the file must already be there.
 */
export async function stageSnapshotFile(snapshotId: string, file: StoredSnapshotFile, local: string): Promise<string> {
  const store = artifactStore();
  if (!store || (await haveCopy(local, file))) return local;
  await downloadFile(store, snapshotKey(snapshotId, file.name), local, { sha256: file.sha256, bytes: file.bytes });
  return local;
}

/** A snapshot file's bytes: this host's copy when it has one, else streamed from the store. */
export async function openSnapshotFile(snapshotId: string, file: StoredSnapshotFile, local: string, range?: ByteRange): Promise<Readable> {
  const store = artifactStore();
  if (!store || (await haveCopy(local, file))) return createReadStream(local, range);
  return store.open(snapshotKey(snapshotId, file.name), range);
}

/** The key a directory under `dataDir` is stored at: its path relative to DATA_DIR. */
export function keyUnder(dataDir: string, dir: string): string | null {
  const rel = path.relative(path.resolve(dataDir), path.resolve(dir));
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join("/");
}

/**
 * A model directory as the registry records it: its digest always, and with a store its key there (uploaded
 * first, so a registered key is always complete). `key` defaults to the directory's place under DATA_DIR.
 */
export async function publishModelDir(options: { dir: string; dataDir: string; key?: string }): Promise<{ storeKey: string | null; sha256: string }> {
  const store = artifactStore();
  if (!store) return { storeKey: null, sha256: manifestDigest(await dirManifest(options.dir)) };
  const key = options.key ?? keyUnder(options.dataDir, options.dir);
  if (!key) throw new AppError("INTERNAL_SERVER_ERROR", `${options.dir} is outside DATA_DIR (${options.dataDir}) and was given no key in the artifact store`);
  const { sha256 } = await uploadDir(store, key, options.dir);
  await markDir(options.dir, sha256);
  return { storeKey: key, sha256 };
}

/**
 * Where a registered model's directory is on this host: fetched from the store into <dataDir>/<storeKey> (checked
 * against the registry's digest) when it is stored there, else the path it was registered with.
 */
export async function modelDirOnThisHost(model: { path: string; storeKey: string | null; sha256: string | null; name: string }, dataDir: string): Promise<string> {
  const store = artifactStore();
  if (!model.storeKey) return model.path;
  if (!store) {
    throw new AppError("PRECONDITION_FAILED", `the model "${model.name}" is in an artifact store (${model.storeKey}), and this host has no ARTIFACTS_URL`);
  }
  const local = path.join(path.resolve(dataDir), ...model.storeKey.split("/"));
  await downloadDir(store, model.storeKey, local, model.sha256);
  return local;
}

/** The key a run's checkpoint directory is stored at. */
export function checkpointKey(runId: string, checkpointPath: string): string {
  return `runs/${runId}/checkpoints/${path.basename(checkpointPath)}`;
}

/**
 * A checkpoint the trainer just wrote: uploaded (with a store), then recorded by `record`, then the one recorded
 * before it is removed from the store, so the recorded checkpoint is always complete there.
 */
export async function publishCheckpoint(runId: string, dir: string, previous: string | null, record: () => Promise<void>): Promise<void> {
  const store = artifactStore();
  if (store) await markDir(dir, (await uploadDir(store, checkpointKey(runId, dir), dir)).sha256);
  await record();
  if (store && previous && path.basename(previous) !== path.basename(dir)) await removeDir(store, checkpointKey(runId, previous));
}

/**
 * Before a resume: the run's last recorded checkpoint, fetched into this host's run directory when it is not here.
 * Returns where it was fetched to, or null when there was nothing to fetch.
 */
export async function stageCheckpoint(runId: string, checkpointPath: string | null, runDir: string): Promise<string | null> {
  const store = artifactStore();
  if (!store || !checkpointPath) return null;
  const local = path.join(runDir, "checkpoints", path.basename(checkpointPath));
  return (await downloadDir(store, checkpointKey(runId, checkpointPath), local)) ? local : null;
}
