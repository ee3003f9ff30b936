// The webhook dispatcher process (server/services/webhooks/dispatch.ts), started by `npm start` beside the web server
// (or alone: `npm run webhooks`). Stateless: several may run against one database; one killed mid-request leaves
// its claim to lapse and the next sends the event again. SIGINT/SIGTERM finish the round in flight and exit.
import { runDispatcher } from "@/server/services/webhooks/dispatch";

const controller = new AbortController();
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.on(name, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

process.stdout.write("[webhooks] dispatcher started\n");
runDispatcher({ signal: controller.signal }).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[webhooks] fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
