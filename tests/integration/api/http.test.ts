// server/api/trpc-http.ts answers the app's tRPC calls itself instead of through tRPC's Fetch-based adapter. Here both
// serve the same router and the same requests — successes, every kind of error, batches, malformed bodies — and
// must give the same status, content type and body.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as devRoute } from "@/app/api/trpc/[trpc]/route";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { appRouter } from "@/server/api/root";
import { BATCH_TOO_LARGE_MESSAGE, MAX_BATCH_CALLS } from "@/server/api/limits";
import { createContext } from "@/server/api/trpc";
import { encode, sessionFromHeaders } from "@/server/auth/jwt";
import { authSecret } from "@/server/secret";
import { makeProject, makeUser, pairItems } from "../fixtures/annotation";

const LIMIT = 64 * 1024;
const context = async (req: http.IncomingMessage) => createContext({ session: await sessionFromHeaders(req.headers) });

function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

let ours: { url: string; server: http.Server };
let standard: { url: string; server: http.Server };
let annotator: string;
let admin: string;
let slug: string;

async function cookieFor(user: { id: string; email: string; name: string; role: string }): Promise<string> {
  const token = await encode({ token: { uid: user.id, role: user.role as "ADMIN", email: user.email, name: user.name }, secret: authSecret(), maxAge: 3600 });
  return `next-auth.session-token=${token}`;
}

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
}

async function ask(base: string, path: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(`${base}/api/trpc/${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { status: res.status, type: res.headers.get("content-type"), body };
}

/** Sends the request to both handlers (ours second) and returns both answers. */
async function both(path: string, init: RequestInit = {}): Promise<{ ours: Answer; standard: Answer }> {
  const a = await ask(standard.url, path, init);
  const b = await ask(ours.url, path, init);
  return { standard: a, ours: b };
}

const post = (cookie: string | null, body: string, contentType = "application/json"): RequestInit => ({
  method: "POST",
  headers: { "content-type": contentType, ...(cookie ? { cookie } : {}) },
  body,
});
const get = (cookie: string | null): RequestInit => ({ headers: cookie ? { cookie } : {} });
const input = (value: unknown) => JSON.stringify({ json: value });
const batch = (...values: unknown[]) => JSON.stringify(Object.fromEntries(values.map((v, i) => [i, { json: v }])));

beforeAll(async () => {
  const [u, a] = [await makeUser(), await makeUser("ADMIN")];
  ({ project: { slug } } = await makeProject({ items: pairItems(3), members: [u.id] }));
  annotator = await cookieFor(u);
  admin = await cookieFor(a);
  ours = await listen(createTrpcHttpHandler({ router: appRouter, basePath: "/api/trpc/", maxBodySize: LIMIT, createContext: context }));
  standard = await listen(
    createHTTPHandler({ router: appRouter, basePath: "/api/trpc/", maxBodySize: LIMIT, maxBatchSize: MAX_BATCH_CALLS, createContext: ({ req }) => context(req) }),
  );
});

afterAll(async () => {
  await Promise.all([ours, standard].map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

describe("tRPC over Node http: the direct path answers as tRPC's standard adapter does", () => {
  const cases: [string, () => [string, RequestInit]][] = [
    ["an anonymous mutation (UNAUTHORIZED)", () => ["annotation.next", post(null, input({ projectSlug: slug }))]],
    ["a query without input", () => ["annotation.projects", get(annotator)]],
    ["a query with input in the URL", () => [`annotation.progress?input=${encodeURIComponent(input({ projectSlug: slug }))}`, get(annotator)]],
    [
      "a batch of two queries",
      () => [`annotation.projects,annotation.progress?batch=1&input=${encodeURIComponent(batch(undefined, { projectSlug: slug }))}`, get(annotator)],
    ],
    ["a mutation (the same live lease comes back to the same annotator)", () => ["annotation.next", post(annotator, input({ projectSlug: slug }))]],
    ["invalid input (BAD_REQUEST with field errors)", () => ["annotation.submit", post(annotator, input({ submissionId: "nope", ranking: [] }))]],
    [
      "a service error (NOT_FOUND from the service)",
      () => ["annotation.submit", post(annotator, input({ submissionId: crypto.randomUUID(), assignmentId: "missing", ranking: [["a"], ["b"]], strength: "BETTER", timeSpentMs: 1 }))],
    ],
    ["an unknown project (NOT_FOUND)", () => ["annotation.next", post(annotator, input({ projectSlug: "no-such-project" }))]],
    ["an admin procedure called by an annotator (FORBIDDEN)", () => ["importJob.list", get(annotator)]],
    ["an admin procedure called by an admin with bad input", () => [`importJob.list?input=${encodeURIComponent(input({ projectId: 5 }))}`, get(admin)]],
    ["a batch mixing an error and a success (207)", () => ["annotation.skip,annotation.next?batch=1", post(annotator, batch({ assignmentId: "x", reason: "" }, { projectSlug: slug }))]],
    ["a body that is not JSON", () => ["annotation.next", post(annotator, "{not json")]],
    ["an empty body", () => ["annotation.next", post(annotator, "")]],
    ["a batch whose input is not an object", () => ["annotation.next?batch=1", post(annotator, "[1]")]],
    ["a batch entry without input", () => ["annotation.next,annotation.next?batch=1", post(annotator, batch({ projectSlug: slug }))]],
    ["a body over the limit (PAYLOAD_TOO_LARGE)", () => ["annotation.skip", post(annotator, input({ assignmentId: "x", reason: "y".repeat(LIMIT) }))]],
    ["a query sent as POST (the standard adapter's answer)", () => ["annotation.projects", post(annotator, input(null))]],
    ["an unknown procedure", () => ["annotation.nothing", post(annotator, input({}))]],
    ["another content type", () => ["annotation.next", post(annotator, "projectSlug=x", "application/x-www-form-urlencoded")]],
    ["a batch over the limit", () => [`${Array(MAX_BATCH_CALLS + 1).fill("annotation.projects").join(",")}?batch=1`, get(annotator)]],
  ];

  for (const [name, request] of cases) {
    it(name, async () => {
      const [path, init] = request();
      const answers = await both(path, init);
      expect(answers.ours).toEqual(answers.standard);
    });
  }

  it("serves a whole judgement: the item, then the submit and the next item in one batch", async () => {
    const next = await ask(ours.url, "annotation.next", post(annotator, input({ projectSlug: slug })));
    const item = (next.body as { result: { data: { json: { item: { assignmentId: string; candidates: { id: string }[] } } } } }).result.data.json.item;
    const submissionId = crypto.randomUUID();
    const res = await ask(
      ours.url,
      "annotation.submit,annotation.next?batch=1",
      post(
        annotator,
        batch(
          { submissionId, assignmentId: item.assignmentId, ranking: [[item.candidates[0].id], [item.candidates[1].id]], strength: "BETTER", timeSpentMs: 900 },
          { projectSlug: slug, exclude: [item.assignmentId] },
        ),
      ),
    );
    expect(res.status).toBe(200);
    const [submitted, following] = res.body as [{ result: { data: { json: { duplicate: boolean } } } }, { result: { data: { json: { item: { assignmentId: string } } } } }];
    expect(submitted.result.data.json.duplicate).toBe(false);
    expect(following.result.data.json.item.assignmentId).not.toBe(item.assignmentId);
  });
});

describe("batch size", () => {
  // (800 paths fit Node's 16 KiB header limit; inputs would not, and each call would still run)
  const inspect = (n: number) => `${Array(n).fill("invite.inspect").join(",")}?batch=1`;
  const refused = { status: 400, body: { error: { json: expect.objectContaining({ message: BATCH_TOO_LARGE_MESSAGE, code: -32600 }) } } };

  it("one anonymous request cannot batch 800 calls: 400 before any procedure runs, on the direct path", async () => {
    expect(await ask(ours.url, inspect(800), get(null))).toMatchObject(refused);
  });

  it("on the standard adapter's path too (a batch the direct path would not take anyway)", async () => {
    const paths = [...Array(MAX_BATCH_CALLS).fill("annotation.next"), "annotation.nothing"].join(",");
    expect(await ask(ours.url, `${paths}?batch=1`, post(annotator, batch({ projectSlug: slug })))).toMatchObject(refused);
  });

  it("and in the development server's route handler", async () => {
    const res = await devRoute(new NextRequest(`http://localhost/api/trpc/${inspect(MAX_BATCH_CALLS + 1)}`));
    expect({ status: res.status, body: await res.json() }).toMatchObject(refused);
  });

  it("a batch at the limit is answered call by call", async () => {
    const res = await ask(ours.url, `${Array(MAX_BATCH_CALLS).fill("annotation.projects").join(",")}?batch=1`, get(annotator));
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(MAX_BATCH_CALLS);
  });
});
