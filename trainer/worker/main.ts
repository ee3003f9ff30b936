// `npm run worker`: the trainer worker alone, for GPU hosts (scripts/start.ts runs startWorker beside the web app).
// SIGINT/SIGTERM stop it gracefully: running trainers are stopped and their runs handed back to the queue, to be
// resumed from their last checkpoint. A second signal exits at once (the runs then go stale and are reclaimed).
import { startWorker } from "@/trainer/worker/worker";

const controller = new AbortController();
let signals = 0;
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.on(name, () => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stdout.write(`[worker] ${name}: stopping (send again to exit at once)\n`);
    controller.abort();
  });
}

startWorker({ signal: controller.signal }).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[worker] fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
