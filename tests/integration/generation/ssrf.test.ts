// What an endpoint may reach (server/services/outbound.ts). An endpoint URL makes the server send requests on an
// admin's behalf; before these checks it would POST to any address, follow redirects to any other, and quote the
// first 200 characters of whatever answered into the run's error. The fake servers listen on 127.0.0.1, which the
// test configuration allows by name (ENDPOINT_ALLOWED_HOSTS=127.0.0.1 in vitest.config.ts); "localhost" is the same
// server reached through a name, and that is refused.
import { afterEach, describe, expect, it } from "vitest";
import { saveEndpoint } from "@/server/services/endpoints";
import { chatCompletion, type RetryPolicy } from "@/server/services/openai-client";
import { addressProblem, type NetworkPolicy } from "@/server/services/outbound";
import { startFakeOpenAI, type FakeServer } from "./openai-server";

const fast: RetryPolicy = { timeoutMs: 2000, maxRetries: 2, baseBackoffMs: 1, maxBackoffMs: 5 };
const messages = [{ role: "user" as const, content: "hi" }];
const strict: NetworkPolicy = { allowPrivate: false, allowedHosts: [] };
const privateOk: NetworkPolicy = { allowPrivate: true, allowedHosts: [] };

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function fake(...args: Parameters<typeof startFakeOpenAI>) {
  const server = await startFakeOpenAI(...args);
  servers.push(server);
  return server;
}
const viaLocalhost = (server: FakeServer) => server.url.replace("127.0.0.1", "localhost");

describe("redirects", () => {
  it("are not followed: the target gets no request and the error says what to do", async () => {
    const target = await fake();
    const redirecting = await fake(() => ({ kind: "status", status: 307, headers: { location: `${target.url}/v1/chat/completions` }, body: "" }));
    await expect(chatCompletion({ baseUrl: redirecting.url, model: "m" }, { messages }, fast)).rejects.toThrow(
      `HTTP 307: the endpoint redirects to ${target.url}/v1/chat/completions; redirects are not followed, so use the address it redirects to as the base URL`,
    );
    expect(redirecting.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });
});

describe("private and link-local addresses", () => {
  it("refuses a name that resolves to this machine, before sending anything", async () => {
    const server = await fake();
    const err = await chatCompletion({ baseUrl: viaLocalhost(server), model: "m", network: strict }, { messages }, fast).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/refused: localhost \((127\.0\.0\.1|::1)\) is a loopback address \(this machine\); to let endpoints reach model servers on this machine or a private network, set ENDPOINT_ALLOW_PRIVATE=true, or list the host in ENDPOINT_ALLOWED_HOSTS/);
    expect(err?.message).not.toMatch(/gave up after/);
    expect(server.requests).toHaveLength(0);
  });

  it("reaches it with ENDPOINT_ALLOW_PRIVATE, or with the host allow-listed", async () => {
    const server = await fake(() => ({ kind: "ok", texts: ["hello"] }));
    expect(await chatCompletion({ baseUrl: viaLocalhost(server), model: "m", network: privateOk }, { messages }, fast)).toEqual(["hello"]);
    const listed: NetworkPolicy = { allowPrivate: false, allowedHosts: ["LOCALHOST"] };
    expect(await chatCompletion({ baseUrl: viaLocalhost(server), model: "m", network: listed }, { messages }, fast)).toEqual(["hello"]);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ["169.254.169.254", "a link-local address (where cloud metadata services answer)"],
    ["::ffff:169.254.169.254", "a link-local address (where cloud metadata services answer)"],
    ["::ffff:a9fe:a9fe", "a link-local address (where cloud metadata services answer)"],
    ["fe80::1", "a link-local address (where cloud metadata services answer)"],
    ["fd00:ec2::254", "a cloud metadata service address"],
    ["100.100.100.200", "a cloud metadata service address"],
    ["0.0.0.0", "an unspecified, multicast or reserved address"],
    ["::", "an unspecified, multicast or reserved address"],
    ["224.0.0.1", "an unspecified, multicast or reserved address"],
  ])("refuses %s even with ENDPOINT_ALLOW_PRIVATE", (address, problem) => {
    expect(addressProblem(address, privateOk)).toBe(problem);
    expect(addressProblem(address, strict)).toBe(problem);
  });

  it.each([
    ["127.0.0.1", "a loopback address (this machine)"],
    ["::1", "a loopback address (this machine)"],
    ["::ffff:127.0.0.1", "a loopback address (this machine)"],
    ["10.1.2.3", "a private-network address"],
    ["172.20.0.5", "a private-network address"],
    ["192.168.1.10", "a private-network address"],
    ["100.64.0.1", "a private-network address"],
    ["fd12:3456::1", "a private-network address"],
  ])("refuses %s unless ENDPOINT_ALLOW_PRIVATE", (address, problem) => {
    expect(addressProblem(address, strict)).toBe(problem);
    expect(addressProblem(address, privateOk)).toBeNull();
  });

  it.each(["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1"])("allows the public address %s", (address) => {
    expect(addressProblem(address, strict)).toBeNull();
  });

  it("refuses a metadata IP literal without connecting", async () => {
    await expect(chatCompletion({ baseUrl: "http://169.254.169.254/latest", model: "m", network: privateOk }, { messages }, fast)).rejects.toThrow(
      /refused: 169\.254\.169\.254 is a link-local address/,
    );
    await expect(chatCompletion({ baseUrl: "http://[::1]:9", model: "m", network: strict }, { messages }, fast)).rejects.toThrow(/refused: ::1 is a loopback address/);
  });

  it("refuses such an endpoint when it is saved, naming the field", async () => {
    for (const baseUrl of ["http://localhost:8000/v1", "http://169.254.169.254/v1", "http://[fe80::1]:8000"]) {
      await expect(saveEndpoint({ input: { name: `blocked ${Math.random()}`, baseUrl, model: "m" } })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        fieldErrors: [{ field: "baseUrl", message: expect.stringMatching(/is a (loopback|link-local) address/) }],
      });
    }
  });
});

describe("error messages", () => {
  it("quote the server's own short error message, never the body of a page", async () => {
    const page = `<html><body><h1>Internal admin console</h1><pre>SECRET-INTERNAL-PAGE ${"x".repeat(5000)}</pre></body></html>`;
    const server = await fake(() => ({ kind: "status", status: 404, body: page }));
    const err = await chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(`m at ${server.url}/v1/chat/completions: HTTP 404`);

    const long = await fake(() => ({ kind: "status", status: 400, body: JSON.stringify({ error: { message: `bad request ${"y".repeat(1000)}` } }) }));
    const longErr = await chatCompletion({ baseUrl: long.url, model: "m" }, { messages }, fast).catch((e: Error) => e.message);
    expect(longErr).toMatch(/HTTP 400: bad request y+…$/);
    expect(longErr.length).toBeLessThan(300);

    const html = await fake(() => ({ kind: "raw", body: page }));
    expect(await chatCompletion({ baseUrl: html.url, model: "m" }, { messages }, fast).catch((e: Error) => e.message)).toMatch(
      /the response is not JSON \(application\/json, \d+ bytes\) \(gave up after \d+ tries\)$/,
    );
  });
});
