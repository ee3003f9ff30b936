// `npm run bench:grpo` (or `npx tsx scripts/bench/grpo.ts`)
// Runs the Python trainer's GRPO benchmark (`python3 -m rlhf.bench grpo` in trainer/): trains a tiny reward model
// (hidden rule: the marker word) and a tiny SFT policy, then tiny GRPO on CPU (k completions per prompt,
// group-relative advantages, the adaptive KL controller), then RLOO on the same models for comparison. Ends with one
// line `RESULT score_gain=… kl=… kl_target=… episodes_per_s=… generation_share=…` for GRPO
// (scripts/bench/lib/online-rl.ts), and fails when its final KL is not within ±50% of its target.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";
import { describeOnline, onlineFigures, printOnlineResult } from "@/scripts/bench/lib/online-rl";

const figures = onlineFigures.extend({
  threads: z.number(),
  rloo_score_before: z.number(),
  rloo_score_after: z.number(),
  rloo_score_gain: z.number(),
  rloo_kl: z.number(),
  rloo_kl_target: z.number(),
  rloo_episodes_per_s: z.number(),
  rloo_generation_share: z.number(),
  rloo_seconds: z.number(),
});

async function main() {
  const out = figures.parse(await runPythonBench("grpo"));
  console.log(describeOnline("GRPO", out.threads, out));
  const rloo = {
    score_before: out.rloo_score_before,
    score_after: out.rloo_score_after,
    score_gain: out.rloo_score_gain,
    kl: out.rloo_kl,
    kl_target: out.rloo_kl_target,
    episodes_per_s: out.rloo_episodes_per_s,
    generation_share: out.rloo_generation_share,
    seconds: out.rloo_seconds,
  };
  console.log(describeOnline("RLOO", out.threads, rloo));
  printOnlineResult(out);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
