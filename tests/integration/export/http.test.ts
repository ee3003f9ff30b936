// The download API as a client sees it: the route handlers called with real Requests (Bearer tokens, Range headers),
// files from a real snapshot on disk.
import { readFile, rm } from "node:fs/promises";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getArchive } from "@/app/api/v1/exports/[id]/archive/route";
import { GET as getFile } from "@/app/api/v1/exports/[id]/files/[name]/route";
import { GET as getSnapshotRoute } from "@/app/api/v1/exports/[id]/route";
import { createToken } from "@/server/services/api-tokens";
import { createSnapshot, snapshotDir, snapshotFile, type SnapshotView } from "@/server/services/export";
import { buildFixture, type Fixture } from "@/tests/fixtures/export/fixture";

let fx: Fixture;
let snap: SnapshotView;
let adminToken: string;
let annotatorToken: string;
let trainBytes: Buffer;

beforeAll(async () => {
  fx = await buildFixture();
  snap = await createSnapshot({ name: `http-${fx.suffix}`, projectIds: [fx.projects.a.id, fx.projects.b.id], format: "raw" });
  adminToken = (await createToken({ userId: fx.users.admin.id, name: "export test", scope: "READ" })).token;
  annotatorToken = (await createToken({ userId: fx.users.alice.id, name: "export test", scope: "READ" })).token;
  trainBytes = await readFile((await snapshotFile({ id: snap.id, name: "train.jsonl" })).path);
});

afterAll(async () => {
  await rm(snapshotDir(snap.id), { recursive: true, force: true });
});

function fileRequest(name: string, headers: Record<string, string> = {}, token: string | null = adminToken) {
  const req = new Request(`http://localhost/api/v1/exports/${snap.id}/files/${name}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return getFile(req, { params: Promise.resolve({ id: snap.id, name }) });
}

async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe("GET /api/v1/exports/{id}/files/{name}", () => {
  it("streams the whole file with Content-Length, ETag and Accept-Ranges", async () => {
    expect(trainBytes.length).toBeGreaterThan(100);
    const res = await fileRequest("train.jsonl");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(trainBytes.length));
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toBe(`"${snap.files[0].sha256}"`);
    expect((await bytes(res)).equals(trainBytes)).toBe(true);
  });

  it("serves a byte range as 206 with Content-Range, and a suffix range", async () => {
    const res = await fileRequest("train.jsonl", { range: "bytes=10-49" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 10-49/${trainBytes.length}`);
    expect(res.headers.get("content-length")).toBe("40");
    expect((await bytes(res)).equals(trainBytes.subarray(10, 50))).toBe(true);

    const tail = await fileRequest("train.jsonl", { range: "bytes=-7" });
    expect(tail.status).toBe(206);
    expect((await bytes(tail)).equals(trainBytes.subarray(trainBytes.length - 7))).toBe(true);
  });

  it("resumes an interrupted download: the open-ended remainder completes the file", async () => {
    const head = await bytes(await fileRequest("train.jsonl", { range: "bytes=0-99" }));
    const rest = await fileRequest("train.jsonl", { range: "bytes=100-", "if-range": `"${snap.files[0].sha256}"` });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([head, await bytes(rest)]).equals(trainBytes)).toBe(true);
  });

  it("answers 416 with the size for a range past the end, and the whole file when If-Range does not match", async () => {
    const res = await fileRequest("train.jsonl", { range: `bytes=${trainBytes.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get("content-range")).toBe(`bytes */${trainBytes.length}`);
    const stale = await fileRequest("train.jsonl", { range: "bytes=100-", "if-range": '"not-the-etag"' });
    expect(stale.status).toBe(200);
    expect((await bytes(stale)).equals(trainBytes)).toBe(true);
  });

  it("needs an admin's token and a file the snapshot has", async () => {
    expect((await fileRequest("train.jsonl", {}, null)).status).toBe(401);
    expect((await fileRequest("train.jsonl", {}, "rlhf_wrong")).status).toBe(401);
    expect((await fileRequest("train.jsonl", {}, annotatorToken)).status).toBe(403);
    const missing = await fileRequest("..%2F..%2Fetc%2Fpasswd");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});

describe("GET /api/v1/exports/{id} and /archive", () => {
  it("returns the snapshot with its files", async () => {
    const req = new Request(`http://localhost/api/v1/exports/${snap.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    const res = await getSnapshotRoute(req, { params: Promise.resolve({ id: snap.id }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SnapshotView;
    expect(body).toMatchObject({ id: snap.id, status: "SUCCEEDED", version: snap.version, files: snap.files });
    expect(body).not.toHaveProperty("salt");
  });

  it("streams every file in one tar whose length matches Content-Length", async () => {
    const req = new Request(`http://localhost/api/v1/exports/${snap.id}/archive`, { headers: { authorization: `Bearer ${adminToken}` } });
    const res = await getArchive(req, { params: Promise.resolve({ id: snap.id }) });
    expect(res.status).toBe(200);
    const archive = await bytes(res);
    expect(res.headers.get("content-length")).toBe(String(archive.length));
    const entries = new Map<string, Buffer>();
    const extract = tar.extract();
    const done = new Promise<void>((resolve, reject) => {
      extract.on("entry", (header, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: unknown) => {
          chunks.push(c as Buffer);
        });
        stream.on("end", () => {
          entries.set(header.name, Buffer.concat(chunks));
          next();
        });
      });
      extract.on("finish", () => resolve());
      extract.on("error", reject);
    });
    extract.end(archive);
    await done;
    const folder = `http-${fx.suffix}-v${snap.version}`;
    expect([...entries.keys()]).toEqual(snap.files.map((f) => `${folder}/${f.name}`));
    expect(entries.get(`${folder}/train.jsonl`)!.equals(trainBytes)).toBe(true);
  });
});
