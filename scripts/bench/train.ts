// `npm run bench:train` (or `npx tsx scripts/bench/train.ts`)
// Runs the Python trainer's reward benchmark (`python3 -m rlhf.bench reward` in trainer/): training-step pairs/s and
// tokens/s of the default tiny reward model on CPU, then trains the tiny RM on the synthetic hidden-rule task (the
// RESULT's pairs/s and tokens/s are that real run's, end to end); on a host with a CUDA GPU and
// transformers it adds an HF model's tokens/s and MFU and runs the hf reward path (full and LoRA). Then the
// prompt-dependent tasks (order, count: the same words in both answers, only agreement with the prompt differs) with
// the settings a user gets without touching a field. Ends with one line
// `RESULT rm_eval_accuracy=… train_seconds=… pairs_per_s=… tokens_per_s=… order_eval_accuracy=… order_train_seconds=… …`.
import { z } from "zod";
import { runPythonBench } from "@/scripts/bench/python-bench";

const figures = z
  .object({
    pairs_per_s: z.number(),
    tokens_per_s: z.number(),
    rm_eval_accuracy: z.number(),
    train_seconds: z.number(),
    threads: z.number(),
    default_model_pairs_per_s: z.number(),
    default_model_tokens_per_s: z.number(),
    rm_order_eval_accuracy: z.number(),
    rm_order_train_seconds: z.number(),
    rm_count_eval_accuracy: z.number(),
    rm_count_train_seconds: z.number(),
    gpu: z.string().optional(),
    hf_params: z.number().optional(),
    hf_tokens_per_s: z.number().optional(),
    hf_mfu: z.number().nullable().optional(),
    hf_tokens_per_s_ckpt: z.number().optional(),
    hf_mfu_ckpt: z.number().nullable().optional(),
  })
  .passthrough();

async function main() {
  const out = figures.parse(await runPythonBench("reward"));
  const fmt = (n: number, digits = 0) => n.toFixed(digits);
  console.log(
    `default tiny RM (4 layers, 8 heads, 64 wide) on CPU (${out.threads} threads), training steps only: ` +
      `${fmt(out.default_model_pairs_per_s)} pairs/s, ${fmt(out.default_model_tokens_per_s)} tokens/s`,
  );
  console.log(
    `hidden-rule task (2-layer 64-wide tiny RM, 1,200 pairs, 1 epoch): held-out accuracy ${fmt(out.rm_eval_accuracy, 3)} ` +
      `after ${fmt(out.train_seconds, 1)} s; end to end ${fmt(out.pairs_per_s, 1)} pairs/s, ${fmt(out.tokens_per_s)} tokens/s`,
  );
  for (const task of ["order", "count"] as const) {
    console.log(
      `prompt-dependent task "${task}" (default tiny RM settings, 2,000 pairs): held-out accuracy ` +
        `${fmt(out[`rm_${task}_eval_accuracy`], 3)} after ${fmt(out[`rm_${task}_train_seconds`], 1)} s`,
    );
  }
  if (out.gpu && out.hf_tokens_per_s !== undefined) {
    const mfu = (v: number | null | undefined) => (v == null ? "n/a" : `${fmt(100 * v, 1)}%`);
    console.log(
      `HF reward model on ${out.gpu} (${fmt((out.hf_params ?? 0) / 1e6)}M params, bf16 autocast): ` +
        `${fmt(out.hf_tokens_per_s)} tokens/s, MFU ${mfu(out.hf_mfu)}; with gradient checkpointing ` +
        `${fmt(out.hf_tokens_per_s_ckpt ?? 0)} tokens/s, MFU ${mfu(out.hf_mfu_ckpt)}`,
    );
  } else {
    console.log("no CUDA GPU with transformers here: HF figures skipped");
  }
  console.log(
    `RESULT rm_eval_accuracy=${fmt(out.rm_eval_accuracy, 4)} train_seconds=${fmt(out.train_seconds, 1)} ` +
      `pairs_per_s=${fmt(out.pairs_per_s, 1)} tokens_per_s=${fmt(out.tokens_per_s, 0)} ` +
      `order_eval_accuracy=${fmt(out.rm_order_eval_accuracy, 4)} order_train_seconds=${fmt(out.rm_order_train_seconds, 1)} ` +
      `count_eval_accuracy=${fmt(out.rm_count_eval_accuracy, 4)} count_train_seconds=${fmt(out.rm_count_train_seconds, 1)}`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
