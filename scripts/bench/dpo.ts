// `npm run bench:dpo` (or `npx tsx scripts/bench/dpo.ts`)
// Runs the Python trainer's DPO benchmark (`python3 -m rlhf.bench dpo` in trainer/): on each prompt-dependent
// synthetic task (order, count: the same words in both answers, only agreement with the prompt differs), an SFT of a
// tiny policy on demonstrations that follow the prompt half of the time, then DPO on the task's preferences, both
// with the settings a user gets without touching a field, on CPU. Ends with one line
// `RESULT eval_accuracy=… train_seconds=… pairs_per_s=…`: the worst task's held-out preference accuracy of the
// implicit reward β·(log π − log π_ref), and the slowest DPO run's own training time.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";

const figures = z.object({
  threads: z.number(),
  eval_accuracy: z.number(),
  eval_margin: z.number(),
  train_seconds: z.number(),
  pairs_per_s: z.number(),
  order_eval_accuracy: z.number(),
  order_train_seconds: z.number(),
  count_eval_accuracy: z.number(),
  count_train_seconds: z.number(),
});

async function main() {
  const out = figures.parse(await runPythonBench("dpo"));
  for (const task of ["order", "count"] as const) {
    console.log(
      `prompt-dependent DPO "${task}" (tiny policy from a default SFT, default DPO settings, CPU, ${out.threads} threads): ` +
        `held-out accuracy ${out[`${task}_eval_accuracy`].toFixed(3)} after ${out[`${task}_train_seconds`].toFixed(1)} s`,
    );
  }
  console.log(
    `RESULT eval_accuracy=${out.eval_accuracy.toFixed(4)} train_seconds=${out.train_seconds.toFixed(1)} pairs_per_s=${out.pairs_per_s.toFixed(1)} ` +
      `order_eval_accuracy=${out.order_eval_accuracy.toFixed(4)} count_eval_accuracy=${out.count_eval_accuracy.toFixed(4)}`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
