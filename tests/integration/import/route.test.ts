// The token API route, called as Next calls it: the exported handler with a Request and the route params.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET as getJob } from "@/app/api/v1/projects/[projectId]/imports/[jobId]/route";
import { GET as getRejected } from "@/app/api/v1/projects/[projectId]/imports/[jobId]/rejected/route";
import { POST } from "@/app/api/v1/projects/[projectId]/imports/route";
import { db } from "@/server/db";
import type { Role, TokenScope } from "@/server/generated/prisma/client";
import { createToken, revokeToken } from "@/server/services/api-tokens";
import { countRows, fixture, makeProject, newTag, NOTHING, takeFile } from "./helpers";

async function tokenFor(role: Role, scope: TokenScope) {
  const user = await db.user.create({ data: { email: `${randomBytes(5).toString("hex")}@test.local`, name: "T", role } });
  return { user, ...(await createToken({ userId: user.id, name: "ci", scope })) };
}

function post(projectId: string, body: BodyInit | null, opts: { token?: string; query?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const req = new Request(`http://localhost/api/v1/projects/${projectId}/imports${opts.query ?? ""}`, {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
  return POST(req, { params: Promise.resolve({ projectId }) });
}

function get(projectId: string, jobId: string, token: string, opts: { rejected?: boolean } = {}) {
  const req = new Request(`http://localhost/api/v1/projects/${projectId}/imports/${jobId}${opts.rejected ? "/rejected" : ""}`, { headers: { authorization: `Bearer ${token}` } });
  return (opts.rejected ? getRejected : getJob)(req, { params: Promise.resolve({ projectId, jobId }) });
}

/** A body that arrives in pieces, as an upload does. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(at, at + 50)));
      at += 50;
    },
  });
}

describe("POST /api/v1/projects/{projectId}/imports", () => {
  it("refuses a request without a token, with a read-only token, an annotator's or a revoked token", async () => {
    const tag = newTag();
    const project = await makeProject();
    const body = fixture("project.jsonl", tag);

    const none = await post(project.id, body);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("UNAUTHORIZED");

    const readOnly = await tokenFor("ADMIN", "READ");
    const ro = await post(project.id, body, { token: readOnly.token });
    expect(ro.status).toBe(403);
    expect((await ro.json()).error.message).toMatch(/scope is READ; this operation needs a token with IMPORT scope/);

    const annotator = await tokenFor("ANNOTATOR", "WRITE");
    expect((await post(project.id, body, { token: annotator.token })).status).toBe(403);

    const revoked = await tokenFor("ADMIN", "WRITE");
    await revokeToken({ userId: revoked.user.id, tokenId: revoked.id });
    expect((await post(project.id, body, { token: revoked.token })).status).toBe(401);
    expect((await post(project.id, body, { token: "rlhf_not-a-real-token" })).status).toBe(401);

    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("imports a streamed body with an admin's write token, addressed by slug", async () => {
    const tag = newTag();
    const project = await makeProject();
    const admin = await tokenFor("ADMIN", "WRITE");
    const res = await post(project.slug, streamed(fixture("project.jsonl", tag)), { token: admin.token, query: "?fileName=mine.jsonl" });
    expect(res.status).toBe(200);
    const summary = await res.json();
    expect(summary).toMatchObject({ status: "SUCCEEDED", format: "jsonl", fileName: "mine.jsonl", hasRejectedLines: false });
    expect(summary.counts).toMatchObject({ prompts: 3, candidates: 6, items: 3 });
    expect(summary).not.toHaveProperty("rejectedLinesPath");
    expect(await countRows(tag, project.id)).toEqual({ prompts: 3, candidates: 6, items: 3, itemCandidates: 6 });
    const job = await db.importJob.findUniqueOrThrow({ where: { id: summary.jobId } });
    expect(job.createdById).toBe(admin.user.id);

    const jobRes = await get(project.id, summary.jobId, admin.token);
    expect(await jobRes.json()).toMatchObject({ id: summary.jobId, status: "SUCCEEDED", linesRead: 3 });
  });

  it("answers an invalid file with 400 and the errors by line and field, writing nothing", async () => {
    const tag = newTag();
    const project = await makeProject();
    const admin = await tokenFor("ADMIN", "WRITE");
    const body = fixture("project.jsonl", tag) + `{"prompt": "${tag} x", "candidates": [{"text": "only"}]}\n`;
    const res = await post(project.id, body, { token: admin.token });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fieldErrors).toEqual([{ line: 4, field: "candidates", message: "a PAIRWISE item needs at least 2 candidates to compare (the row has 1)" }]);
    expect(await countRows(tag, project.id)).toEqual(NOTHING);
  });

  it("with skipInvalid=true returns the rejected lines for download", async () => {
    const tag = newTag();
    const project = await makeProject();
    const admin = await tokenFor("ADMIN", "WRITE");
    const bad = `{"prompt": "${tag} x", "candidates": [{"text": "only"}]}`;
    const res = await post(project.id, fixture("project.jsonl", tag) + bad + "\n", { token: admin.token, query: "?skipInvalid=true" });
    const summary = await res.json();
    expect(summary).toMatchObject({ hasRejectedLines: true, counts: { items: 3, rejected: 1 } });
    const download = await get(project.id, summary.jobId, admin.token, { rejected: true });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/attachment/);
    expect(await download.text()).toBe(bad + "\n");
    takeFile((await db.importJob.findUniqueOrThrow({ where: { id: summary.jobId } })).rejectedLines);
  });

  it("validates the query and the project", async () => {
    const project = await makeProject();
    const admin = await tokenFor("ADMIN", "WRITE");
    const res = await post(project.id, "x", { token: admin.token, query: "?format=xml" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fieldErrors[0].field).toBe("format");

    const missing = await post("no-such-project", "x", { token: admin.token });
    expect(missing.status).toBe(404);
  });
});
