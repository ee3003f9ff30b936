// Webhooks end to end against a local HTTP receiver: events written by the triggers in the transaction of the change
// (and only while someone subscribes), signed requests a receiver can verify, retries with backoff when the receiver
// is down, slow or answers 500, and a dispatcher killed mid-delivery (a real child process, SIGKILL) — nothing lost,
// every duplicate carrying the same event id.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { pool } from "@/server/pg";
import { createSnapshot, snapshotDir } from "@/server/services/export";
import { importFile } from "@/server/services/import";
import { createSubscription, listDeliveries, sendTestEvent, updateSubscription } from "@/server/services/webhooks";
import { dispatchOnce, purgeOldEvents, type DispatchOptions } from "@/server/services/webhooks/dispatch";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifySignature } from "@/server/services/webhooks/signature";
import { makeProject, makeUser, pairItems, pickFirst, callerFor } from "@/tests/integration/fixtures/annotation";

type Mode = "ok" | "500" | "slow" | "hang";

interface Received {
  eventId: string;
  type: string;
  signature: string;
  body: string;
}

/** A webhook receiver on 127.0.0.1 whose answer the test sets; it records every request it gets. */
class Receiver {
  mode: Mode = "ok";
  received: Received[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      this.received.push({ eventId: String(req.headers[EVENT_ID_HEADER]), type: String(req.headers["x-rlhf-event-type"]), signature: String(req.headers[SIGNATURE_HEADER]), body });
      this.onRequest?.();
      if (this.mode === "ok") res.end("ok");
      else if (this.mode === "500") { res.statusCode = 500; res.end("boom"); }
      else if (this.mode === "slow") setTimeout(() => res.end("late"), 1500);
      // "hang": no answer while the test kills the dispatcher
    });
  });
  onRequest: (() => void) | null = null;
  port = 0;

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }
}

// short delays so a day of backoff fits in a test; the schedule's shape is the production one
const FAST: Partial<DispatchOptions> = { baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 500, leaseMs: 1000 };

let receiver: Receiver;
const children: ChildProcess[] = [];

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.listen();
});

afterEach(async () => {
  receiver.mode = "ok";
  receiver.received = [];
  receiver.onRequest = null;
  // each test sees only its own deliveries: what an earlier one left queued is dropped (only this file subscribes)
  await db.webhookEvent.updateMany({ where: { fannedOut: false }, data: { fannedOut: true } });
  await db.webhookDelivery.deleteMany({ where: { status: "PENDING", subscription: { url: { contains: "127.0.0.1" } } } });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await receiver.close();
  // nothing of this file may be left for another file's dispatcher rounds
  await db.webhookSubscription.updateMany({ where: { url: { contains: "127.0.0.1" } }, data: { active: false } });
});

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Dispatcher rounds in this process until the subscription's deliveries are all settled. */
async function drain(subscriptionId: string, options: Partial<DispatchOptions> = FAST) {
  return until(
    async () => {
      await dispatchOnce(options);
      return listDeliveries({ subscriptionId });
    },
    (ds) => ds.length > 0 && ds.every((d) => d.status !== "PENDING"),
    "deliveries to settle",
  );
}

async function pairProject(n: number) {
  const admin = await makeUser("ADMIN");
  const annotator = await makeUser();
  const { project } = await makeProject({ overlap: 1, items: pairItems(n), members: [annotator.id] });
  return { admin, annotator, project };
}

async function judgeOne(slug: string, user: Awaited<ReturnType<typeof makeUser>>) {
  const api = callerFor(user);
  const { item } = await api.annotation.next({ projectSlug: slug });
  await api.annotation.submit(pickFirst(item!));
  return item!;
}

const outboxOf = async (projectId: string) =>
  (await pool().query<{ type: string; data: { itemId?: string } }>(`SELECT type, data FROM "WebhookEvent" WHERE $1 = ANY ("projectIds") ORDER BY "createdAt"`, [projectId])).rows;

describe("the outbox", () => {
  it("writes nothing while no subscription wants the event, and item.completed in the submit's transaction once one does", async () => {
    const { admin, annotator, project } = await pairProject(3);
    await judgeOne(project.slug, annotator);
    expect(await outboxOf(project.id)).toEqual([]);

    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    const judged = await judgeOne(project.slug, annotator);
    const events = await outboxOf(project.id);
    expect(events.map((e) => e.type)).toEqual(["item.completed"]);
    const item = await db.assignment.findUniqueOrThrow({ where: { id: judged.assignmentId }, select: { itemId: true } });
    expect(events[0].data.itemId).toBe(item.itemId);

    // an inactive subscription wants nothing
    await updateSubscription({ input: { id: sub.id, active: false }, actorId: admin.id });
    await judgeOne(project.slug, annotator);
    expect(await outboxOf(project.id)).toHaveLength(1);
  });

  it("writes import.finished, snapshot.ready and run.succeeded / run.failed when those rows reach their end", async () => {
    const { admin, annotator, project } = await pairProject(2);
    await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["import.finished", "snapshot.ready", "run.succeeded", "run.failed"] }, actorId: admin.id });
    const file = `${JSON.stringify({ prompt: "Say bye", candidates: [{ text: "Bye" }, { text: "See you" }] })}\n`;
    const summary = await importFile({ projectId: project.id, stream: Readable.from([Buffer.from(file)]), fileName: "more.jsonl", bytesTotal: file.length, format: "jsonl", skipInvalid: false, createdById: admin.id });
    await judgeOne(project.slug, annotator);
    const snapshot = await createSnapshot({ name: `hooks-${project.slug}`, projectIds: [project.id], format: "raw" });
    const run = await db.trainingRun.create({ data: { kind: "SCORE", name: "score", config: {}, projectId: project.id } });
    await db.trainingRun.update({ where: { id: run.id }, data: { status: "RUNNING" } });
    await db.trainingRun.update({ where: { id: run.id }, data: { status: "FAILED", error: "CUDA out of memory" } });
    const again = await db.trainingRun.create({ data: { kind: "SCORE", name: "score again", config: {}, projectId: project.id } });
    await db.trainingRun.update({ where: { id: again.id }, data: { status: "SUCCEEDED" } });

    const events = await outboxOf(project.id);
    // item.completed is not subscribed to here
    expect(events.map((e) => e.type)).toEqual(["import.finished", "snapshot.ready", "run.failed", "run.succeeded"]);
    expect(events[0].data).toMatchObject({ importId: summary.jobId, status: "SUCCEEDED", fileName: "more.jsonl" });
    expect(events[1].data).toMatchObject({ snapshotId: snapshot.id, version: 1, projectIds: [project.id] });
    expect(events[2].data).toMatchObject({ runId: run.id, kind: "SCORE", status: "FAILED", error: "CUDA out of memory" });
    await rm(snapshotDir(snapshot.id), { recursive: true, force: true });
  });

  it("refuses a destination the outbound checks refuse (cloud metadata, link-local), naming the field", async () => {
    const admin = await makeUser("ADMIN");
    await expect(createSubscription({ input: { url: "http://169.254.169.254/latest/meta-data", events: ["run.failed"] }, actorId: admin.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: [expect.objectContaining({ field: "url" })],
    });
    await expect(createSubscription({ input: { url: "ftp://example.com/x", events: [] }, actorId: admin.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("delivery", () => {
  it("signs each request so the receiver can verify it with the secret shown once", async () => {
    const { admin, annotator, project } = await pairProject(1);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    expect(sub.secret).toMatch(/^whsec_/);
    await judgeOne(project.slug, annotator);
    const [delivery] = await drain(sub.id);
    expect(delivery).toMatchObject({ status: "DELIVERED", attempts: 1, lastStatus: 200, type: "item.completed" });
    expect(delivery.attemptLog.map((a) => a.status)).toEqual([200]);

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0];
    expect(got.eventId).toBe(delivery.eventId);
    expect(got.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature({ secret: sub.secret, header: got.signature, body: got.body })).toBe(true);
    expect(verifySignature({ secret: "whsec_wrong", header: got.signature, body: got.body })).toBe(false);
    expect(verifySignature({ secret: sub.secret, header: got.signature, body: got.body.replace("item", "items") })).toBe(false);
    const body = JSON.parse(got.body) as { id: string; type: string; data: { projectId: string } };
    expect(body).toMatchObject({ id: delivery.eventId, type: "item.completed", data: { projectId: project.id } });
  });

  it("retries a 500, a receiver that is down and one that is too slow, with the same event id each time", async () => {
    const { admin, annotator, project } = await pairProject(1);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    await judgeOne(project.slug, annotator);

    receiver.mode = "500";
    await dispatchOnce(FAST);
    let [d] = await listDeliveries({ subscriptionId: sub.id });
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastStatus: 500 });
    expect(d.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() - 1000);

    // down: nothing listens on the port
    await receiver.close();
    await until(async () => { await dispatchOnce(FAST); return (await listDeliveries({ subscriptionId: sub.id }))[0]; }, (x) => x.attempts >= 2, "an attempt while down");
    [d] = await listDeliveries({ subscriptionId: sub.id });
    expect(d.attemptLog[1]).toMatchObject({ status: null, error: "ECONNREFUSED" });
    receiver = Object.assign(new Receiver(), { mode: "slow" as Mode });
    await receiver.listen(Number(new URL(sub.url).port));

    // slow: answers after the dispatcher's timeout
    await until(async () => { await dispatchOnce(FAST); return (await listDeliveries({ subscriptionId: sub.id }))[0]; }, (x) => x.attempts >= 3, "an attempt while slow");
    [d] = await listDeliveries({ subscriptionId: sub.id });
    expect(d.attemptLog[2]).toMatchObject({ status: null, error: "no answer within 0.5 s" });

    receiver.mode = "ok";
    [d] = await drain(sub.id);
    expect(d.status).toBe("DELIVERED");
    expect(d.attemptLog.map((a) => a.status)).toEqual([500, null, null, 200]);
    // the receiver saw the 500 attempt's, the slow one's and the last one's request: one event id
    expect(new Set(receiver.received.map((r) => r.eventId))).toEqual(new Set([d.eventId]));
  });

  it("backs off exponentially and gives a delivery up once a day (here: a second) has passed", async () => {
    const { admin, annotator, project } = await pairProject(1);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    await judgeOne(project.slug, annotator);
    receiver.mode = "500";
    const [d] = await drain(sub.id, { ...FAST, baseDelayMs: 20, maxDelayMs: 10_000, giveUpAfterMs: 1000 });
    expect(d.status).toBe("FAILED");
    const gaps = d.attemptLog.slice(1).map((a, i) => a.createdAt.getTime() - d.attemptLog[i].createdAt.getTime());
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // each wait at least the doubled delay before it (20, 40, 80 … ms)
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 5));
  });

  it("keeps the delivery log 30 days, and never drops an event that still has a pending delivery", async () => {
    const { admin, project } = await pairProject(1);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    const event = (days: number, status: "DELIVERED" | "PENDING") =>
      db.webhookEvent.create({
        data: { type: "item.completed", projectIds: [project.id], data: {}, fannedOut: true, createdAt: new Date(Date.now() - days * 86_400_000), deliveries: { create: { subscriptionId: sub.id, status, nextAttemptAt: new Date(Date.now() + 3600_000) } } },
      });
    const [old, oldPending, recent] = [await event(31, "DELIVERED"), await event(31, "PENDING"), await event(29, "DELIVERED")];
    await purgeOldEvents();
    const left = (await db.webhookEvent.findMany({ where: { id: { in: [old.id, oldPending.id, recent.id] } }, select: { id: true } })).map((e) => e.id);
    expect(left.sort()).toEqual([oldPending.id, recent.id].sort());
    await db.webhookEvent.delete({ where: { id: oldPending.id } });
  });

  it("sends a test event to the one subscription asked", async () => {
    const { admin, project } = await pairProject(1);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["snapshot.ready"] }, actorId: admin.id });
    const other = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["snapshot.ready"] }, actorId: admin.id });
    const { eventId } = await sendTestEvent({ id: sub.id, actorId: admin.id });
    const [d] = await drain(sub.id);
    expect(d).toMatchObject({ eventId, type: "webhook.test", status: "DELIVERED" });
    expect(await listDeliveries({ subscriptionId: other.id })).toEqual([]);
    expect(verifySignature({ secret: sub.secret, header: receiver.received[0].signature, body: receiver.received[0].body })).toBe(true);
  });
});

describe("a dispatcher killed mid-delivery", () => {
  function startDispatcher(): ChildProcess {
    const child = spawn(path.resolve("node_modules/.bin/tsx"), ["server/webhook-dispatcher.ts"], {
      cwd: path.resolve(__dirname, "../../.."),
      env: { ...process.env, WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_RETRY_BASE_MS: "100", ENDPOINT_ALLOWED_HOSTS: "127.0.0.1" },
      stdio: "ignore",
    });
    children.push(child);
    return child;
  }

  it("loses nothing: the next dispatcher sends what was in flight again, under the same event id", async () => {
    const { admin, annotator, project } = await pairProject(4);
    const sub = await createSubscription({ input: { url: receiver.url, projectId: project.id, events: ["item.completed"] }, actorId: admin.id });
    for (let i = 0; i < 4; i++) await judgeOne(project.slug, annotator);

    receiver.mode = "hang";
    const first = startDispatcher();
    const killed = new Promise<void>((resolve) => {
      receiver.onRequest = () => {
        receiver.onRequest = null;
        first.kill("SIGKILL");
        first.once("exit", () => resolve());
      };
    });
    await killed;
    const inFlight = new Set(receiver.received.map((r) => r.eventId));
    expect(inFlight.size).toBeGreaterThanOrEqual(1);
    const before = await listDeliveries({ subscriptionId: sub.id });
    expect(before.filter((d) => d.status === "DELIVERED")).toHaveLength(0);

    receiver.mode = "ok";
    startDispatcher();
    const after = await until(() => listDeliveries({ subscriptionId: sub.id }), (ds) => ds.length === 4 && ds.every((d) => d.status === "DELIVERED"), "all four delivered", 60_000);
    const events = new Set(after.map((d) => d.eventId));
    expect(events.size).toBe(4);
    // every event arrived; the ones in flight when the first dispatcher died arrived twice, with the same id
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
    expect(new Set(counts.keys())).toEqual(events);
    for (const id of inFlight) expect(counts.get(id)).toBe(2);
    for (const d of after) expect(d.attemptLog.at(-1)?.status).toBe(200);
  });
});
