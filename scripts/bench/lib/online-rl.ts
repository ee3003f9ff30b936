// What bench/ppo.ts and bench/grpo.ts share: the figures an online RL benchmark reports (rlhf/bench.py,
// online_figures) and its RESULT line. The KL is the mean over the last 3 updates of the KL to the reference summed
// over each response's tokens; the benchmark fails when it ends outside ±50% of the run's KL target.
import { z } from "zod";

export const onlineFigures = z.object({
  score_before: z.number(),
  score_after: z.number(),
  score_gain: z.number(),
  kl: z.number(),
  kl_target: z.number(),
  episodes_per_s: z.number(),
  generation_share: z.number(),
  seconds: z.number(),
});
export type OnlineFigures = z.infer<typeof onlineFigures>;

const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** One human-readable line for a method's figures. */
export function describeOnline(method: string, threads: number, out: OnlineFigures): string {
  return (
    `tiny ${method} on CPU (${threads} threads): score ${fmt(out.score_before)} -> ${fmt(out.score_after)}, ` +
    `KL ${fmt(out.kl)} (target ${out.kl_target}), ${fmt(out.episodes_per_s, 1)} episodes/s, ` +
    `${fmt(100 * out.generation_share, 0)}% of the time generating, ${fmt(out.seconds, 0)} s`
  );
}

/** Prints the RESULT line, and fails the benchmark when the final KL is not within ±50% of its target. */
export function printOnlineResult(out: OnlineFigures): void {
  console.log(
    `RESULT score_gain=${fmt(out.score_gain, 3)} kl=${fmt(out.kl, 3)} kl_target=${out.kl_target} ` +
      `episodes_per_s=${fmt(out.episodes_per_s, 2)} generation_share=${fmt(out.generation_share, 3)}`,
  );
  if (Math.abs(out.kl - out.kl_target) > 0.5 * out.kl_target) {
    console.error(`the final KL ${fmt(out.kl)} is not within ±50% of its target ${out.kl_target}`);
    process.exitCode = 1;
  }
}
