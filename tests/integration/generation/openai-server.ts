// A local HTTP server that speaks the OpenAI chat-completions protocol, with scripted misbehaviour per request.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  n?: number;
  temperature?: number;
  max_tokens?: number;
}

export type Reply =
  | { kind: "ok"; texts?: string[] }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "hang" }
  | { kind: "raw"; body: string };

export interface FakeServer {
  url: string;
  requests: { body: ChatBody; auth: string | undefined; at: number }[];
  /** the most requests in flight at once */
  maxInFlight: number;
  close(): Promise<void>;
}

/** `script(i, body)` decides the reply to the i-th request (0-based); default: n distinct answers. */
export async function startFakeOpenAI(script: (i: number, body: ChatBody) => Reply = () => ({ kind: "ok" }), delayMs = 0): Promise<FakeServer> {
  const state = { inFlight: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url !== "/v1/chat/completions" || req.method !== "POST") {
        res.writeHead(404).end("not found");
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatBody;
      const index = fake.requests.length;
      fake.requests.push({ body, auth: req.headers.authorization, at: Date.now() });
      state.inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, state.inFlight);
      const reply = script(index, body);
      setTimeout(() => {
        state.inFlight--;
        if (reply.kind === "hang") return; // never answers; the client must time out
        if (reply.kind === "raw") {
          res.writeHead(200, { "content-type": "application/json" }).end(reply.body);
        } else if (reply.kind === "status") {
          res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(reply.body ?? '{"error":{"message":"nope"}}');
        } else {
          const last = body.messages[body.messages.length - 1]?.content ?? "";
          const texts = reply.texts ?? Array.from({ length: body.n ?? 1 }, (_, k) => `reply ${index}.${k} to: ${last}`);
          res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              id: `chatcmpl-${index}`,
              object: "chat.completion",
              model: body.model,
              choices: texts.map((content, k) => ({ index: k, message: { role: "assistant", content }, finish_reason: "stop" })),
            }),
          );
        }
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    maxInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
