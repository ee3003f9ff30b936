// Errors that reach a client say what happened in the client's terms; the driver's own message — SQL, the
// database host and port, Prisma's code snippets — goes to the server log only. Measured before the fix: with the
// database down, a tRPC call answered 500 with "Can't reach database server at <host>:<port>" and Prisma's
// source excerpt, and createContext's failure did the same for every signed-in request.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrpcHttpHandler } from "@/server/api/trpc-http";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import { encode } from "@/server/auth/jwt";
import { authSecret } from "@/server/secret";

const API_SERVER = path.resolve(__dirname, "../../fixtures/db/api-server.ts");

function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const urlOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A port on this machine where nothing listens: taken from the kernel, then closed. */
async function closedPort(): Promise<number> {
  const server = await listen(() => undefined);
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("with the database down", () => {
  let child: ChildProcessWithoutNullStreams;
  let base: string;
  let port: number;
  let stderr = "";

  beforeAll(async () => {
    port = await closedPort();
    child = spawn(process.execPath, ["--import", "tsx", API_SERVER], {
      env: { ...process.env, DATABASE_URL: `postgresql://app:secret@127.0.0.1:${port}/rlhf` },
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith("listening ")) {
        base = line.slice("listening ".length);
        break;
      }
    }
  });
  afterAll(() => {
    child.kill("SIGKILL");
  });

  const leaks = (text: string) => [`${port}`, "127.0.0.1", "ECONNREFUSED", "reach database", "invocation"].filter((s) => text.includes(s));

  it("a signed-in tRPC call answers 503 \"try again\" without the database's address", async () => {
    const token = await encode({ token: { uid: "u1", role: "ADMIN", email: "a@example.com", name: "A" }, secret: authSecret(), maxAge: 3600 });
    const res = await fetch(`${base}/api/trpc/project.list`, { headers: { cookie: `next-auth.session-token=${token}` } });
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text).error.json.message).toBe("The database is not reachable right now; try again in a moment.");
    expect(leaks(text)).toEqual([]);
  });

  it("a procedure's own database error answers the same", async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { token: "0123456789abcdef" } }));
    const res = await fetch(`${base}/api/trpc/invite.inspect?input=${input}`);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text).error.json.message).toMatch(/database is not reachable/);
    expect(leaks(text)).toEqual([]);
  });

  it("the token HTTP API answers 503 in its own error shape", async () => {
    const res = await fetch(`${base}/api/v1/exports`, { headers: { authorization: "Bearer rlhf_0123456789abcdef" } });
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: "The database is not reachable right now; try again in a moment.", fieldErrors: [] } });
    expect(leaks(text)).toEqual([]);
  });

  it("the server log has the full driver error", () => {
    expect(stderr).toContain("ECONNREFUSED");
  });
});

describe("an unexpected error in a procedure", () => {
  const detail = 'relation "secret_table" does not exist (db.internal:5432)';
  const router = createTRPCRouter({
    boom: publicProcedure.query(() => {
      throw new Error(detail);
    }),
  });
  let servers: http.Server[] = [];
  const logged: unknown[] = [];

  beforeAll(async () => {
    const createContext = async () => ({ user: null });
    const onError = ({ error }: { error: { cause?: unknown } }) => logged.push(error.cause);
    servers = [
      await listen(createTrpcHttpHandler({ router, basePath: "/api/trpc/", maxBodySize: 1024, createContext, onError })),
      await listen(createHTTPHandler({ router, basePath: "/api/trpc/", createContext, onError })),
    ];
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it("answers 500 with a message in the client's terms from both handlers, and logs the original", async () => {
    for (const server of servers) {
      const res = await fetch(`${urlOf(server)}/api/trpc/boom`);
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text).error.json.message).toBe("Something went wrong on the server; the server log has the details.");
      expect(text).not.toContain("secret_table");
    }
    expect(logged.map((e) => (e as Error).message)).toEqual([detail, detail]);
  });
});
