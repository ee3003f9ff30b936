// The OpenAI-compatible client against a local server that speaks the protocol: success, 429 with Retry-After,
// 500, timeout, malformed JSON, plus the concurrency limiter; and what an endpoint may not reach (SSRF).
import { afterEach, describe, expect, it } from "vitest";
import { chatCompletion, completionsUrl, limiter, retryAfterMs, type RetryPolicy } from "@/server/services/openai-client";
import { startFakeOpenAI, type FakeServer } from "./openai-server";

const fast: RetryPolicy = { timeoutMs: 2000, maxRetries: 3, baseBackoffMs: 20, maxBackoffMs: 3000 };
const messages = [{ role: "user" as const, content: "What is 2+2?" }];
let server: FakeServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

describe("chat completions client", () => {
  it("returns n responses, sends the model, temperature and the key as a bearer token", async () => {
    server = await startFakeOpenAI();
    const texts = await chatCompletion({ baseUrl: `${server.url}/v1/`, model: "m-1", apiKey: "sk-test" }, { messages, n: 3, temperature: 0.5, maxTokens: 64 }, fast);
    expect(texts).toHaveLength(3);
    expect(new Set(texts).size).toBe(3);
    expect(server.requests[0].body).toMatchObject({ model: "m-1", n: 3, temperature: 0.5, max_tokens: 64, messages });
    expect(server.requests[0].auth).toBe("Bearer sk-test");
  });

  it("asks again when a server ignores n and returns one choice", async () => {
    server = await startFakeOpenAI((i) => ({ kind: "ok", texts: [`only one ${i}`] }));
    const texts = await chatCompletion({ baseUrl: server.url, model: "m" }, { messages, n: 3 }, fast);
    expect(texts).toEqual(["only one 0", "only one 1", "only one 2"]);
    expect(server.requests.map((r) => r.body.n)).toEqual([3, 2, 1]);
    expect(server.requests[0].auth).toBeUndefined();
  });

  it("waits as long as Retry-After says on 429, then succeeds", async () => {
    server = await startFakeOpenAI((i) => (i === 0 ? { kind: "status", status: 429, headers: { "retry-after": "1" } } : { kind: "ok" }));
    const t0 = Date.now();
    const texts = await chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast);
    expect(texts).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("retries 5xx with backoff and gives up with a clear error after maxRetries", async () => {
    server = await startFakeOpenAI((i) => (i < 2 ? { kind: "status", status: 500 } : { kind: "ok", texts: ["recovered"] }));
    expect(await chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast)).toEqual(["recovered"]);
    await server.close();

    server = await startFakeOpenAI(() => ({ kind: "status", status: 503, body: '{"error": {"message": "upstream overloaded"}}' }));
    await expect(chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast)).rejects.toThrow(
      /server error 503: upstream overloaded.*gave up after 4 tries/,
    );
    expect(server.requests).toHaveLength(4);
  });

  it("times out a request that never answers, and retries it", async () => {
    server = await startFakeOpenAI((i) => (i === 0 ? { kind: "hang" } : { kind: "ok", texts: ["late but fine"] }));
    const policy = { ...fast, timeoutMs: 300 };
    expect(await chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, policy)).toEqual(["late but fine"]);
    await server.close();

    server = await startFakeOpenAI(() => ({ kind: "hang" }));
    await expect(chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, { ...policy, maxRetries: 1 })).rejects.toThrow(
      /no response within 300 ms \(gave up after 2 tries\)/,
    );
  });

  it("retries malformed JSON (a cut-off body is transient), reports an unexpected shape at once", async () => {
    server = await startFakeOpenAI(() => ({ kind: "raw", body: '{"choices": [ {"message": ' }));
    await expect(chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast)).rejects.toThrow(/the response is not JSON \(application\/json, 26 bytes\) \(gave up after \d+ tries\)/);
    expect(server.requests).toHaveLength(fast.maxRetries + 1);
    await server.close();

    server = await startFakeOpenAI((i) => (i === 0 ? { kind: "raw", body: "{cut" } : { kind: "ok", texts: ["fine"] }));
    await expect(chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast)).resolves.toEqual(["fine"]);
    await server.close();

    server = await startFakeOpenAI(() => ({ kind: "raw", body: '{"object":"error"}' }));
    await expect(chatCompletion({ baseUrl: server.url, model: "m" }, { messages }, fast)).rejects.toThrow(/unexpected response shape/);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a rejected key and never puts the key in the error", async () => {
    server = await startFakeOpenAI(() => ({ kind: "status", status: 401, body: '{"error":"invalid api key"}' }));
    const err = await chatCompletion({ baseUrl: server.url, model: "m", apiKey: "sk-very-secret" }, { messages }, fast).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/HTTP 401 \(check the API key\)/);
    expect((err as Error).message).not.toContain("sk-very-secret");
    expect(server.requests).toHaveLength(1);
  });

  it("reads both forms of Retry-After and normalizes base URLs", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(completionsUrl("http://h:8000")).toBe("http://h:8000/v1/chat/completions");
    expect(completionsUrl("http://h:8000/v1/")).toBe("http://h:8000/v1/chat/completions");
  });
});

describe("limiter", () => {
  it("never runs more than the limit at once and runs everything", async () => {
    const limit = limiter(3);
    let inFlight = 0;
    let max = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          inFlight++;
          max = Math.max(max, inFlight);
          await new Promise((r) => setTimeout(r, 5 + (i % 3) * 5));
          inFlight--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(max).toBe(3);
  });
});
