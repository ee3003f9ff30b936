// Import this right after own-database.ts in a test file whose processes share an artifact store: it starts a local
// S3-compatible server (s3rver, which speaks the S3 REST API with signature checks) with one bucket, and points
// ARTIFACTS_URL / S3_ENDPOINT and the SDK's credentials at it. Like own-database.ts it must run before
// server/env.ts is first evaluated, hence a module with a top-level await.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "@20minutes/s3rver";

export const bucket = "rlhf-artifacts";
export const prefix = "test-store";
const directory = await mkdtemp(path.join(os.tmpdir(), "rlhf-s3rver-"));
// s3rver's fixed credentials; the SDK signs every request with them and s3rver checks the signatures
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
const address = await server.run();
export const endpoint = `http://127.0.0.1:${address.port}`;
process.env.ARTIFACTS_URL = `s3://${bucket}/${prefix}`;
process.env.S3_ENDPOINT = endpoint;
process.env.AWS_ACCESS_KEY_ID = "S3RVER";
process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
// the SDK's notice that its 2027 releases want Node 22 is not this test's business
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** Where s3rver keeps the bucket's objects on disk (to check what is stored, or to damage it on purpose). */
export const storeDirectory = directory;

export async function closeOwnStore(): Promise<void> {
  await server.close();
  await rm(directory, { recursive: true, force: true });
}
