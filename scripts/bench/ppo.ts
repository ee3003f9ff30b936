// `npm run bench:ppo` (or `npx tsx scripts/bench/ppo.ts`)
// Runs the Python trainer's PPO benchmark (`python3 -m rlhf.bench ppo` in trainer/): trains a tiny reward model
// (hidden rule: the marker word) and a tiny SFT policy, then tiny PPO on CPU with the adaptive KL controller; on a
// host with a CUDA GPU and transformers it adds a small HF model's PPO episodes/s and the share of time spent
// generating. Ends with one line `RESULT score_gain=… kl=… kl_target=… episodes_per_s=… generation_share=…` for the
// tiny task (scripts/bench/lib/online-rl.ts), and fails when the final KL is not within ±50% of its target.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";
import { describeOnline, onlineFigures, printOnlineResult } from "@/scripts/bench/lib/online-rl";

const figures = onlineFigures
  .extend({
    threads: z.number(),
    hf_ppo_episodes_per_s: z.number().optional(),
    hf_ppo_generation_share: z.number().optional(),
  })
  .passthrough();

async function main() {
  const out = figures.parse(await runPythonBench("ppo"));
  console.log(describeOnline("PPO", out.threads, out));
  if (out.hf_ppo_episodes_per_s !== undefined) {
    console.log(
      `HF PPO on GPU: ${out.hf_ppo_episodes_per_s.toFixed(1)} episodes/s, ` +
        `${(100 * (out.hf_ppo_generation_share ?? 0)).toFixed(0)}% of the time generating`,
    );
  } else {
    console.log("no CUDA GPU with transformers here: HF figures skipped");
  }
  printOnlineResult(out);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
