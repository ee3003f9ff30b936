// `npm run bench:webhooks [-- --items 300] [--rounds 10] [--keep]`
//
// What the webhook outbox costs the annotation submit path. Two pairwise projects of --items items (overlap 1, so
// every judgement completes its item and fires the item.completed trigger): one with no subscription (the trigger
// probes the subscriptions and writes nothing), one with an active item.completed subscription (the trigger writes
// one outbox row per judgement). One annotator works both queues through the services the router calls (next, then
// submit), alternating between the projects in --rounds blocks so that load on a shared box hits both alike; only
// the submit is timed. The dispatcher does not run: this is the cost inside the transaction.
// The database is DATABASE_URL's server or the embedded PostgreSQL; the benchmark's own database is dropped unless
// --keep. Ends with:
//   RESULT items=… submit_p50_ms_without=… submit_p50_ms_with=… submit_p95_ms_without=… submit_p95_ms_with=… outbox_rows=…
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { percentile } from "./lib/annotators";
import { withBenchDatabase } from "./lib/bench-database";

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "300" },
    rounds: { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    db: { type: "string", default: `rlhf_bench_webhooks_${process.pid}` },
  },
});
const items = Number(args.items);
const rounds = Number(args.rounds);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  await withBenchDatabase({ name: args.db!, keep: Boolean(args.keep) }, async () => {
  const { db } = await import("@/server/db");
  const helpers = await import("@/prisma/seed/helpers");
  const { next } = await import("@/server/services/annotation/queue");
  const { submit } = await import("@/server/services/annotation/judgement");
    const annotator = await helpers.upsertUser(db, { email: `bench-${process.pid}@bench.local`, name: "Bench", role: "ANNOTATOR" });
    const project = async (slug: string) => {
      const p = await helpers.upsertProject(db, { name: slug, slug, overlap: 1 });
      await helpers.addMembers(db, p.id, [annotator.id]);
      await helpers.addItems(
        db,
        p.id,
        Array.from({ length: items }, (_, i) => ({
          messages: [{ role: "user" as const, content: `${slug} question ${i}: what is ${i} + ${i}?` }],
          candidates: [{ text: `It is ${2 * i}.` }, { text: `Maybe ${2 * i + 1}.` }],
        })),
      );
      return p;
    };
    log(`generating two projects of ${items} items…`);
    const without = await project(`bench-hooks-none-${process.pid}`);
    const withHook = await project(`bench-hooks-sub-${process.pid}`);
    // the dispatcher does not run, so the destination is never called; the secret is never read
    await db.webhookSubscription.create({ data: { projectId: withHook.id, url: "https://hooks.example.com/bench", events: ["item.completed"], secretEncrypted: "unused" } });

    const times: Record<"without" | "with", number[]> = { without: [], with: [] };
    const judge = async (slug: string, into: number[]) => {
      const { item } = await next({ slug, userId: annotator.id, isAdmin: false });
      if (!item) throw new Error(`${slug} ran out of items`);
      const started = process.hrtime.bigint();
      await submit({
        userId: annotator.id,
        input: {
          submissionId: randomUUID(),
          assignmentId: item.assignmentId,
          ranking: [[item.candidates[0].id], [item.candidates[1].id]],
          strength: "BETTER",
          bothBad: false,
          ratings: {},
          rationale: "",
          flags: [],
          flagNote: "",
          timeSpentMs: 1000,
        },
      });
      into.push(Number(process.hrtime.bigint() - started) / 1e6);
    };
    const block = Math.floor(items / rounds);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < block; i++) await judge(without.slug, times.without);
      for (let i = 0; i < block; i++) await judge(withHook.slug, times.with);
    }
    const outbox = await db.webhookEvent.count({ where: { type: "item.completed", projectIds: { has: withHook.id } } });
    const stray = await db.webhookEvent.count({ where: { projectIds: { has: without.id } } });
    if (outbox !== times.with.length || stray !== 0) throw new Error(`outbox rows: ${outbox} for ${times.with.length} judgements, ${stray} without a subscription`);
    const f = (xs: number[], p: number) => percentile(xs, p).toFixed(2);
    log(`submit without a subscription: p50 ${f(times.without, 50)} ms, p95 ${f(times.without, 95)} ms (${times.without.length} judgements)`);
    log(`submit with one:               p50 ${f(times.with, 50)} ms, p95 ${f(times.with, 95)} ms (${times.with.length} judgements)`);
    process.stdout.write(
      `RESULT items=${times.with.length} submit_p50_ms_without=${f(times.without, 50)} submit_p50_ms_with=${f(times.with, 50)} ` +
        `submit_p95_ms_without=${f(times.without, 95)} submit_p95_ms_with=${f(times.with, 95)} outbox_rows=${outbox}\n`,
    );
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
