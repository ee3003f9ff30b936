// What the annotation benchmarks share: generated projects with signed-up annotators, an HTTP client as light as
// a browser tab's, tRPC's batch wire format as the annotation page sends it, and the check of what the server
// acknowledged against what the database holds. Used by bench:annotate and bench:chaos.
import { randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";

export const PASSWORD = "bench-password-123";

export interface BenchProject {
  id: string;
  /** user ids are `${userPrefix}${1..annotators}` */
  userPrefix: string;
}

/** A pairwise project of `items` items (overlap 1) with `annotators` members who can sign in with PASSWORD. */
export async function generateProject(
  client: pg.Client,
  project: BenchProject,
  opts: { passwordHash: string; annotators: number; items: number; leaseSeconds: number },
) {
  const { id, userPrefix } = project;
  const { annotators, items, leaseSeconds, passwordHash } = opts;
  await client.query(`INSERT INTO "Project"(id, name, slug, "updatedAt", overlap, "leaseSeconds") VALUES ($1, $1, $1, now(), 1, $2)`, [id, leaseSeconds]);
  await client.query(
    `INSERT INTO "User"(id, email, name, "passwordHash", role, "updatedAt")
     SELECT $1 || g, $1 || g || '@bench.local', 'Bench ' || g, $2, 'ANNOTATOR', now() FROM generate_series(1, $3) g`,
    [userPrefix, passwordHash, annotators],
  );
  await client.query(`INSERT INTO "ProjectMember"("projectId", "userId") SELECT $1, $2 || g FROM generate_series(1, $3) g`, [id, userPrefix, annotators]);
  await client.query(
    `INSERT INTO "Prompt"(id, messages, "contentHash")
     SELECT $1 || g, json_build_array(json_build_object('role', 'user', 'content', 'Bench prompt ' || g || ': ' || repeat(md5(g::text), 4))), $1 || g
       FROM generate_series(1, $2) g`,
    [`${id}-p`, items],
  );
  await client.query(
    `INSERT INTO "Candidate"(id, "promptId", text, model, "contentHash")
     SELECT $1 || g || '-' || k, $1 || g, 'Answer ' || k || ' to prompt ' || g || ': ' || repeat(md5((g * 3 + k)::text), 12), 'm' || k, 'h' || g || '-' || k
       FROM generate_series(1, $2) g, generate_series(1, 2) k`,
    [`${id}-p`, items],
  );
  await client.query(
    `INSERT INTO "Item"(id, "projectId", "promptId", "itemKey", "createdAt")
     SELECT $1 || g, $2, $3 || g, 'k' || g, now() - make_interval(secs => $4 - g) FROM generate_series(1, $4) g`,
    [`${id}-i`, id, `${id}-p`, items],
  );
  await client.query(
    `INSERT INTO "ItemCandidate"("itemId", "candidateId", position)
     SELECT $1 || g, $2 || g || '-' || k, k - 1 FROM generate_series(1, $3) g, generate_series(1, 2) k`,
    [`${id}-i`, `${id}-p`, items],
  );
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function takeCookies(reply: Reply, jar: Map<string, string>) {
  for (const c of reply.headers["set-cookie"] ?? []) {
    const pair = c.split(";")[0];
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** An HTTP client as light as the one in a browser tab: keep-alive sockets to one local port, no per-request setup. */
export class BenchHttp {
  readonly agent: http.Agent;

  constructor(readonly port: number, maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, urlPath: string, headers: Record<string, string>, body?: string, timeoutMs = 30_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: this.port, method, path: urlPath, agent: this.agent, timeout: timeoutMs, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Signs in through next-auth's credentials flow, as the sign-in page does; returns the session cookie header. */
  async signIn(email: string, password = PASSWORD): Promise<string> {
    const jar = new Map<string, string>();
    const csrf = await this.request("GET", "/api/auth/csrf", {});
    takeCookies(csrf, jar);
    const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
    const res = await this.request(
      "POST",
      "/api/auth/callback/credentials",
      { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
    );
    takeCookies(res, jar);
    if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed for ${email}: ${res.status}`);
    return cookieHeader(jar);
  }

  /** Waits until the app answers its sign-in page. */
  async untilUp(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.request("GET", "/signin", {}).then((r) => r.status === 200, () => false))) {
      if (Date.now() > deadline) throw new Error(`the app did not come up within ${timeoutMs / 1000} s`);
      await sleep(500);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ItemView {
  assignmentId: string;
  candidates: { id: string }[];
}

export type NextResult = { item: ItemView | null };

/** Requests in httpBatchLink's wire format, as the page sends them (mutations POST, queries GET), with their latency. */
export class Recorder {
  latencies: number[] = [];
  acked: string[] = [];
  errors = 0;
  firstError: string | null = null;

  constructor(readonly http: BenchHttp) {}

  async batch(cookie: string, method: "GET" | "POST", calls: { proc: string; input: unknown }[]): Promise<unknown[]> {
    const inputs = JSON.stringify(Object.fromEntries(calls.map((c, i) => [i, { json: c.input }])));
    const url = `/api/trpc/${calls.map((c) => c.proc).join(",")}?batch=1`;
    const t = performance.now();
    const res =
      method === "POST"
        ? await this.http.request("POST", url, { "content-type": "application/json", cookie }, inputs)
        : await this.http.request("GET", `${url}&input=${encodeURIComponent(inputs)}`, { cookie });
    this.latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return (JSON.parse(res.body) as { result: { data: { json: unknown } } }[]).map((r) => r.result.data.json);
  }

  fail(err: unknown) {
    this.errors++;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }
}

/** A pairwise judgement of an item: the first shown response wins. */
export function judgement(item: ItemView) {
  return {
    submissionId: randomUUID(),
    assignmentId: item.assignmentId,
    ranking: [[item.candidates[0].id], [item.candidates[1].id]],
    strength: "BETTER",
    timeSpentMs: 1000,
  };
}

/**
 * Submits (`input`, a judgement of `current`) and asks for the next item in one request, as the page does (the
 * outbox's submit and the prefetch go out in the same tick, so httpBatchLink sends them together).
 */
export async function submitAndNext(rec: Recorder, cookie: string, slug: string, current: ItemView, held: ItemView[], input = judgement(current)): Promise<ItemView | null> {
  const [, next] = await rec.batch(cookie, "POST", [
    { proc: "annotation.submit", input },
    { proc: "annotation.next", input: { projectSlug: slug, exclude: [...held, current].map((i) => i.assignmentId) } },
  ]);
  rec.acked.push(input.submissionId);
  return (next as NextResult).item;
}

/**
 * What the server acknowledged against what the database holds: lost (acknowledged, not stored), over-assigned (an
 * item with more submitted + live leases than its overlap), duplicated (one annotator judging one item twice).
 */
export async function checkStored(url: string, projectIds: string[], acked: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const stored = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Annotation" WHERE "submissionId" = ANY($1)`, [acked]);
    const over = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (
         SELECT a."itemId" FROM "Assignment" a JOIN "Item" i ON i.id = a."itemId" JOIN "Project" p ON p.id = i."projectId"
          WHERE a."projectId" = ANY($1) AND (a.state = 'SUBMITTED' OR (a.state = 'ACTIVE' AND a."expiresAt" > now()))
          GROUP BY a."itemId", p.overlap HAVING count(*) > p.overlap) x`,
      [projectIds],
    );
    const dup = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM "Annotation" WHERE "projectId" = ANY($1) GROUP BY "itemId", "userId" HAVING count(*) > 1) x`,
      [projectIds],
    );
    return { lost: acked.length - Number(stored.rows[0].n), overassigned: Number(over.rows[0].n), duplicated: Number(dup.rows[0].n) };
  } finally {
    await client.end();
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
