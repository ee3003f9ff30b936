// The artifact store against a real S3 API (s3rver, signatures checked) and a mounted folder: directories go up
// and come back byte for byte, a damaged or half-uploaded directory is refused naming what is wrong, and nothing
// half-downloaded is left where a trainer would read it.
import { bucket, closeOwnStore, prefix } from "../worker/own-store";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  artifactStore,
  dirManifest,
  downloadDir,
  downloadFile,
  FolderStore,
  manifestDigest,
  MANIFEST,
  readAll,
  storeFromUrl,
  uploadDir,
  type ArtifactStore,
} from "@/server/services/artifacts/store";

const made: string[] = [];
async function temp(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `rlhf-${name}-`));
  made.push(dir);
  return dir;
}

let source: string;
beforeAll(async () => {
  // a model directory's shape: a config, a nested tokenizer folder and a weights file larger than one 8 MiB part
  source = path.join(await temp("src"), "model");
  await mkdir(path.join(source, "tokenizer"), { recursive: true });
  await writeFile(path.join(source, "config.json"), JSON.stringify({ backend: "tiny", n_embd: 64 }));
  await writeFile(path.join(source, "tokenizer", "vocab.json"), JSON.stringify({ a: 1, "é": 2 }));
  const weights = Buffer.alloc(19 * 1024 * 1024 + 123);
  for (let i = 0; i < weights.length; i += 4096) weights[i] = (i / 4096) % 251;
  await writeFile(path.join(source, "model.safetensors"), weights);
});

afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
  await closeOwnStore();
});

function storesUnderTest(): [string, () => Promise<ArtifactStore>][] {
  return [
    ["S3 (ARTIFACTS_URL=s3://…)", async () => artifactStore() as ArtifactStore],
    ["a mounted folder (file://…)", async () => new FolderStore(await temp("folder-store"))],
  ];
}

describe.each(storesUnderTest())("the artifact store on %s", (_name, makeStore) => {
  it("a directory uploaded from one host comes back on another byte for byte, under the digest the registry records", async () => {
    const store = await makeStore();
    const { sha256, manifest } = await uploadDir(store, "runs/r1/model", source);
    expect(manifest.files.map((f) => f.path)).toEqual(["config.json", "model.safetensors", "tokenizer/vocab.json"]);
    expect(sha256).toBe(manifestDigest(await dirManifest(source)));
    expect(await store.size("runs/r1/model/model.safetensors")).toBe(19 * 1024 * 1024 + 123);

    const otherHost = await temp("host-b");
    const dest = path.join(otherHost, "runs", "r1", "model");
    // two runs on one worker needing the same model at once: one fetch, both get the whole directory
    await Promise.all([downloadDir(store, "runs/r1/model", dest, sha256), downloadDir(store, "runs/r1/model", dest, sha256)]);
    expect((await readdir(path.dirname(dest))).sort()).toEqual([".model.sha256", "model"]);
    for (const file of manifest.files) {
      // Buffer.equals: a deep toEqual walks 19 million indices
      expect((await readFile(path.join(dest, file.path))).equals(await readFile(path.join(source, file.path))), file.path).toBe(true);
    }
    // the manifest stays in the store, not in the working copy the trainer loads
    expect(await readdir(dest)).not.toContain(MANIFEST);
    // a byte range of a stored file (what a resumed download asks for)
    expect((await readAll(await store.open("runs/r1/model/config.json", { start: 2, end: 8 }))).toString()).toBe(JSON.stringify({ backend: "tiny", n_embd: 64 }).slice(2, 9));

    // a second fetch of the same digest finds the working copy and leaves it alone
    const before = (await stat(path.join(dest, "model.safetensors"))).mtimeMs;
    await downloadDir(store, "runs/r1/model", dest, sha256);
    expect((await stat(path.join(dest, "model.safetensors"))).mtimeMs).toBe(before);
  });

  it("a damaged file is refused naming the key and both digests, and no half directory is left behind", async () => {
    const store = await makeStore();
    const { sha256 } = await uploadDir(store, "models/m2", source);
    const other = path.join(await temp("damage"), "vocab.json");
    await writeFile(other, JSON.stringify({ a: 1, "é": 3 }));
    await store.putFile("models/m2/tokenizer/vocab.json", other);

    const dest = path.join(await temp("host-c"), "models", "m2");
    const err = await downloadDir(store, "models/m2", dest, sha256).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^models\/m2\/tokenizer\/vocab\.json from .* does not match its recorded sha256 \([0-9a-f]{64}, expected [0-9a-f]{64}\)$/);
    expect(await stat(dest).catch(() => null)).toBeNull();
    expect(await readdir(path.dirname(dest))).toEqual([]);
  });

  it("a directory whose upload never finished (no manifest) or that is not the registered one is refused", async () => {
    const store = await makeStore();
    await store.putFile("runs/r3/model/config.json", path.join(source, "config.json"));
    const dest = path.join(await temp("host-d"), "model");
    await expect(downloadDir(store, "runs/r3/model", dest)).rejects.toThrow(/runs\/r3\/model is not in the artifact store .*: no rlhf-manifest\.json, so it was never completely uploaded/);

    await uploadDir(store, "runs/r4/model", source);
    await expect(downloadDir(store, "runs/r4/model", dest, "0".repeat(64))).rejects.toThrow(/is not the directory the registry recorded \(manifest sha256 [0-9a-f]{64}, expected 0{64}\)/);
    await expect(downloadFile(store, "runs/r5/nothing.json", path.join(dest, "x"))).rejects.toThrow(/runs\/r5\/nothing\.json is not in the artifact store/);
  });
});

describe("ARTIFACTS_URL", () => {
  it("names the bucket and prefix it was given, and refuses a scheme it cannot serve", () => {
    expect(artifactStore()?.location).toBe(`s3://${bucket}/${prefix}`);
    expect(storeFromUrl("file:///srv/rlhf-artifacts")?.location).toBe("file:///srv/rlhf-artifacts");
    expect(storeFromUrl(undefined)).toBeNull();
    expect(() => storeFromUrl("gs://bucket/x")).toThrow("ARTIFACTS_URL must be s3://bucket/prefix or file:///folder, not gs:");
  });
});
