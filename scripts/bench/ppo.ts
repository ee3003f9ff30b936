// `npm run bench:ppo` (or `npx tsx scripts/bench/ppo.ts`)
// Runs the Python trainer's PPO benchmark (`python3 -m rlhf.bench ppo` in trainer/): trains a tiny reward model
// (hidden rule: the marker word) and a tiny SFT policy, then tiny PPO on CPU; on a host with a CUDA GPU and
// transformers it adds a small HF model's PPO episodes/s and the share of time spent generating. Ends with one line
// `RESULT score_before=… score_after=… score_gain=… kl=… episodes_per_s=…` for the tiny toy task.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";

const figures = z
  .object({
    score_before: z.number(),
    score_after: z.number(),
    score_gain: z.number(),
    kl: z.number(),
    episodes_per_s: z.number(),
    generate_share: z.number(),
    threads: z.number(),
    hf_ppo_episodes_per_s: z.number().optional(),
    hf_ppo_generate_share: z.number().optional(),
  })
  .passthrough();

async function main() {
  const out = figures.parse(await runPythonBench("ppo"));
  const fmt = (n: number, digits = 2) => n.toFixed(digits);
  console.log(
    `tiny PPO on CPU (${out.threads} threads): objective/scores ${fmt(out.score_before)} -> ${fmt(out.score_after)}, ` +
      `objective/kl ${fmt(out.kl)}, ${fmt(out.episodes_per_s, 1)} episodes/s, ${fmt(100 * out.generate_share, 0)}% generating`,
  );
  if (out.hf_ppo_episodes_per_s !== undefined) {
    console.log(
      `HF PPO on GPU: ${fmt(out.hf_ppo_episodes_per_s, 1)} episodes/s, ` +
        `${fmt(100 * (out.hf_ppo_generate_share ?? 0), 0)}% of the time generating`,
    );
  } else {
    console.log("no CUDA GPU with transformers here: HF figures skipped");
  }
  console.log(
    `RESULT score_before=${fmt(out.score_before, 3)} score_after=${fmt(out.score_after, 3)} ` +
      `score_gain=${fmt(out.score_gain, 3)} kl=${fmt(out.kl, 3)} episodes_per_s=${fmt(out.episodes_per_s, 2)}`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
