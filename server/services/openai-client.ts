// A small client for OpenAI-compatible chat completions (vLLM, TGI, Ollama, hosted APIs). Only what generation
// needs: one POST (through ./outbound.ts: checked addresses, no redirects, a capped body), retries with backoff on
// 429 (honouring Retry-After) and 5xx, a per-request timeout, clear errors for everything else. The API key goes
// into the Authorization header and nowhere else: it is never part of an error message or a log line.
import { z } from "zod";
import { AppError } from "@/server/errors";
import type { Message } from "@/server/services/hashing";
import { BlockedAddressError, postJson, type NetworkPolicy, type OutboundResponse } from "@/server/services/outbound";

export interface EndpointConfig {
  /** "http://host:8000" or "http://host:8000/v1": both mean the same server. */
  baseUrl: string;
  model: string;
  apiKey?: string | null;
  /** which addresses it may reach; default from ENDPOINT_ALLOW_PRIVATE / ENDPOINT_ALLOWED_HOSTS */
  network?: NetworkPolicy;
}

/** A chat completion with n long answers fits easily; a body past this is not an answer worth waiting for. */
const MAX_RESPONSE_BYTES = 32 * 2 ** 20;

export interface RetryPolicy {
  timeoutMs: number;
  maxRetries: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  timeoutMs: 120_000,
  maxRetries: 5,
  baseBackoffMs: 500,
  maxBackoffMs: 60_000,
};

export interface ChatRequest {
  messages: Message[];
  /** responses wanted; servers that ignore `n` are asked again until there are enough */
  n?: number;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

const responseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

export function completionsUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${trimmed}/v1/chat/completions`;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return null;
}

function backoffMs(attempt: number, policy: RetryPolicy): number {
  // Full jitter: concurrent workers that hit the same 503 do not retry in lockstep.
  const cap = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** attempt);
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * What an error message may quote of a response: the server's own error message (OpenAI's `{"error": {"message"}}`,
 * or `{"detail"}` / `{"message"}`), cut short. Never the body itself: it may be a page of some other service.
 */
function serverMessage(text: string | null): string {
  if (!text) return "";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "";
  }
  const o = json as { error?: { message?: unknown } | string; detail?: unknown; message?: unknown } | null;
  const found = [typeof o?.error === "object" ? o.error?.message : o?.error, o?.detail, o?.message].find((m) => typeof m === "string");
  if (typeof found !== "string") return "";
  const flat = found.replace(/\s+/g, " ").trim();
  return `: ${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}`;
}

function describeBody(response: OutboundResponse): string {
  const type = String(response.headers["content-type"] ?? "no content type").split(";")[0];
  return response.text === null ? `${type}, over ${MAX_RESPONSE_BYTES / 2 ** 20} MiB` : `${type}, ${Buffer.byteLength(response.text)} bytes`;
}

type Attempt = { ok: true; texts: string[] } | { ok: false; retryable: boolean; waitMs?: number; message: string };

async function attemptOnce(endpoint: EndpointConfig, body: object, policy: RetryPolicy, signal?: AbortSignal): Promise<Attempt> {
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  let response: OutboundResponse;
  try {
    response = await postJson(completionsUrl(endpoint.baseUrl), {
      headers,
      body: JSON.stringify(body),
      signal: combined,
      maxBytes: MAX_RESPONSE_BYTES,
      policy: endpoint.network,
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof BlockedAddressError) return { ok: false, retryable: false, message: `refused: ${err.message}` };
    if (timeout.aborted) {
      const limit = policy.timeoutMs >= 1000 ? `${Math.round(policy.timeoutMs / 1000)} s` : `${policy.timeoutMs} ms`;
      return { ok: false, retryable: true, message: `no response within ${limit}` };
    }
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, retryable: true, message: `cannot reach the endpoint (${code ?? (err instanceof Error ? err.message : String(err))})` };
  }
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = String(response.headers.location ?? "").slice(0, 200);
    return {
      ok: false,
      retryable: false,
      message: `HTTP ${status}: the endpoint redirects${location ? ` to ${location}` : ""}; redirects are not followed, so use the address it redirects to as the base URL`,
    };
  }
  if (status === 429) {
    const header = response.headers["retry-after"];
    return { ok: false, retryable: true, waitMs: retryAfterMs(typeof header === "string" ? header : null) ?? undefined, message: "rate limited (429)" };
  }
  if (status >= 500) return { ok: false, retryable: true, message: `server error ${status}${serverMessage(response.text)}` };
  if (status < 200 || status >= 300) {
    const hint = status === 401 || status === 403 ? " (check the API key)" : "";
    return { ok: false, retryable: false, message: `HTTP ${status}${hint}${serverMessage(response.text)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(response.text ?? "");
  } catch {
    // a cut-off or garbled body (an overloaded server, a proxy dropping the connection) is usually transient;
    // valid JSON of the wrong shape (below) is a misconfigured endpoint and is not
    return { ok: false, retryable: true, message: `the response is not JSON (${describeBody(response)})` };
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, retryable: false, message: `unexpected response shape: no choices[].message.content (${describeBody(response)})` };
  }
  return { ok: true, texts: parsed.data.choices.map((c) => c.message.content ?? "") };
}

async function requestWithRetries(
  endpoint: EndpointConfig,
  body: object,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const result = await attemptOnce(endpoint, body, policy, signal);
    if (result.ok) return result.texts;
    if (!result.retryable || attempt >= policy.maxRetries) {
      const tries = attempt + 1;
      throw new AppError(
        "PRECONDITION_FAILED",
        `${endpoint.model} at ${completionsUrl(endpoint.baseUrl)}: ${result.message}` +
          (result.retryable ? ` (gave up after ${tries} tries)` : ""),
      );
    }
    await sleep(Math.min(policy.maxBackoffMs, result.waitMs ?? backoffMs(attempt, policy)), signal);
  }
}

/** Returns exactly `n` response texts for one conversation. */
export async function chatCompletion(
  endpoint: EndpointConfig,
  request: ChatRequest,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<string[]> {
  const n = request.n ?? 1;
  const texts: string[] = [];
  // Servers that ignore `n` return one choice; ask again for the rest. A bound stops a server that
  // returns zero usable choices from looping forever.
  for (let round = 0; texts.length < n && round < n; round++) {
    const body = {
      model: endpoint.model,
      messages: request.messages,
      n: n - texts.length,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    };
    texts.push(...(await requestWithRetries(endpoint, body, policy, request.signal)));
  }
  return texts.slice(0, n);
}

/** Runs at most `concurrency` tasks at once, in order of submission. */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
