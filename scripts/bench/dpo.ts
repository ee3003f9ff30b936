// `npm run bench:dpo` (or `npx tsx scripts/bench/dpo.ts`)
// Runs the Python trainer's DPO benchmark (`python3 -m rlhf.bench dpo` in trainer/): a short SFT of a tiny policy on
// the synthetic task, then DPO on its hidden-rule preferences (the settings of the trainer's tests) on CPU. Ends
// with one line `RESULT eval_accuracy=… train_seconds=… pairs_per_s=…`: the held-out preference accuracy of the
// implicit reward β·(log π − log π_ref), and the DPO run's own training time.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";

const figures = z.object({
  threads: z.number(),
  eval_accuracy: z.number(),
  eval_margin: z.number(),
  train_seconds: z.number(),
  pairs_per_s: z.number(),
});

async function main() {
  const out = figures.parse(await runPythonBench("dpo"));
  console.log(
    `hidden-rule DPO (tiny policy from a short SFT, CPU, ${out.threads} threads): held-out accuracy ${out.eval_accuracy.toFixed(3)}, ` +
      `reward margin ${out.eval_margin.toFixed(2)}, after ${out.train_seconds.toFixed(1)} s (${out.pairs_per_s.toFixed(1)} pairs/s)`,
  );
  console.log(`RESULT eval_accuracy=${out.eval_accuracy.toFixed(4)} train_seconds=${out.train_seconds.toFixed(1)} pairs_per_s=${out.pairs_per_s.toFixed(1)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
