"""Benchmarks behind `npm run bench:train`, `bench:ppo`, `bench:grpo` and `bench:dpo` (scripts/bench/*.ts spawn this).

    python3 -m rlhf.bench reward     # tiny RM pairs/s, tokens/s; hidden-rule task; on a GPU: an HF model's tokens/s, MFU
    python3 -m rlhf.bench ppo        # tiny toy PPO score gain, KL vs its target, episodes/s, generation share; on a GPU:
                                     # HF PPO episodes/s, gen share
    python3 -m rlhf.bench grpo       # the same figures for tiny GRPO, then RLOO
    python3 -m rlhf.bench dpo        # tiny DPO from an SFT policy on the hidden-rule task: held-out accuracy, seconds

Human-readable lines go to stderr; the last stdout line is one JSON object with the figures.
"""
import dataclasses
import json
import os
import sys
import tempfile
import time

import torch

from . import dpo, grpo, ppo, reward, rloo, sft, synthetic
from .config import parse_config
from .protocol import Events
from .runtime import setup_threads
from .data import EncodedGroup, collate
from .model import TinyConfig, TinyTransformer

# pairs of each prompt-dependent task in the benchmarks (held-out: 300)
PROMPT_TASK_PAIRS = 2000

# bf16 dense peak FLOP/s by GPU name, for MFU
PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 70e12, "L4": 121e12}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Capture:
    """An Events stream that keeps the events in memory (the benchmark reads the metrics back)."""

    def __init__(self):
        self.events = []

    def write(self, line):
        if line.strip():
            self.events.append(json.loads(line))

    def flush(self):
        pass

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]


def run(module, config_cls, cfg):
    cap = Capture()
    module.main(parse_config(config_cls, cfg), Events(cap))
    return cap


def tiny_throughput(steps=20, groups=16, seq_len=96):
    """Training steps of the default tiny RM (RewardConfig's tiny shape) on random pairs: pairs/s and (non-pad)
    tokens/s."""
    torch.manual_seed(0)
    shape = {f.name: f.default for f in dataclasses.fields(reward.RewardConfig) if f.name in ("n_layer", "n_head", "n_embd")}
    model = TinyTransformer(TinyConfig(head="value", block_size=seq_len, **shape))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    batch = [EncodedGroup([torch.randint(0, 256, (seq_len - (i % 8),)).tolist() for _ in range(2)], [(0, 1, 0.0)])
             for i in range(groups)]
    ids, mask, c, r, m, w = collate(batch, 256)
    for i in range(steps + 3):
        if i == 3:  # warm-up steps excluded
            t0 = time.time()
        rewards = reward.score(model, ids, mask)
        reward.reward_loss(rewards[c], rewards[r], m, w).backward()
        opt.step()
        opt.zero_grad()
    dt = time.time() - t0
    return {"pairs_per_s": steps * len(c) / dt, "tokens_per_s": steps * int(mask.sum()) / dt}


# ----------------------------------------------------------------------------------------------------------------------
# a small Hugging Face model built in code (nothing is downloaded)


def make_hf_model(directory, corpus, hidden=512, layers=8, heads=8, vocab=4096, causal=True):
    """A Llama-architecture model with a byte-level BPE tokenizer trained on `corpus`, saved as a local directory."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    tk.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<pad>", "<s>", "</s>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 8 // 3 // 64 * 64 or 64,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                      max_position_embeddings=1024, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(directory, safe_serialization=True)
    tok.save_pretrained(directory)
    return sum(p.numel() for p in model.parameters())


def hf_throughput(seq_len=512, batch=16, steps=10, hidden=1024, layers=16, heads=16):
    """fwd+bwd+AdamW of an HF reward model (bf16 autocast, fp32 weights) on random tokens: tokens/s and MFU."""
    from transformers import LlamaConfig, LlamaForSequenceClassification

    cfg = LlamaConfig(vocab_size=32000, hidden_size=hidden, intermediate_size=hidden * 8 // 3 // 64 * 64,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads, num_labels=1,
                      pad_token_id=0, max_position_embeddings=seq_len)
    model = LlamaForSequenceClassification(cfg).cuda()
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    ids = torch.randint(3, 32000, (batch, seq_len), device="cuda")
    mask = torch.ones_like(ids)
    out = {"hf_params": n_params, "hf_seq_len": seq_len, "hf_batch": batch}
    for ckpt in (False, True):
        if ckpt:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        for i in range(steps + 3):
            if i == 3:
                torch.cuda.synchronize()
                t0 = time.time()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(input_ids=ids, attention_mask=mask).logits.float().pow(2).mean()
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        tps = steps * batch * seq_len / (time.time() - t0)
        name = torch.cuda.get_device_name()
        peak = next((v for k, v in PEAK_BF16.items() if k in name), None)
        # 6·N FLOPs per token (fwd + bwd) plus attention 12·L·H·T; recomputation under checkpointing is not credited
        flops_per_token = 6 * n_params + 12 * layers * hidden * seq_len
        suffix = "_ckpt" if ckpt else ""
        out[f"hf_tokens_per_s{suffix}"] = tps
        out[f"hf_mfu{suffix}"] = tps * flops_per_token / peak if peak else None
        out["gpu"] = name
        out[f"hf_peak_mem_gib{suffix}"] = torch.cuda.max_memory_allocated() / 2**30
        torch.cuda.reset_peak_memory_stats()
    return out


def gpu_ready():
    if not torch.cuda.is_available():
        return False
    try:
        import transformers  # noqa: F401
    except ImportError:
        log("CUDA is visible but transformers is not installed: skipping the HF figures")
        return False
    return True


# ----------------------------------------------------------------------------------------------------------------------


def bench_reward(tmp):
    setup_threads()
    out = {"threads": torch.get_num_threads()}
    micro = tiny_throughput()
    out.update(default_model_pairs_per_s=micro["pairs_per_s"], default_model_tokens_per_s=micro["tokens_per_s"])
    log(f"default tiny RM (4 layers, 8 heads, 64 wide, 96 tokens), training steps only: {micro['pairs_per_s']:.0f} pairs/s, "
        f"{micro['tokens_per_s']:.0f} tokens/s")
    data = os.path.join(tmp, "data")
    synthetic.write_all(data)
    t0 = time.time()
    cap = run(reward, reward.RewardConfig, {"output_dir": os.path.join(tmp, "rm"), "train_file": f"{data}/train.jsonl",
                                             "test_file": f"{data}/test.jsonl", "device": "cpu", **synthetic.RM_TASK})
    done = cap.of("done")[0]["metrics"]
    # end-to-end throughput of the real run (data, steps, evaluation, normalization, checkpoint): one epoch
    pairs = sum(1 for _ in open(f"{data}/train.jsonl"))
    out.update(rm_eval_accuracy=done["eval_accuracy"], train_seconds=done["train_runtime"],
               wall_seconds=time.time() - t0, pairs_per_s=pairs / done["train_runtime"],
               tokens_per_s=done["num_tokens"] / done["train_runtime"])
    log(f"hidden-rule task: eval accuracy {done['eval_accuracy']:.3f} after {done['train_runtime']:.1f} s of training")
    # the prompt-dependent tasks with the settings a user gets without touching a field
    for task in synthetic.PROMPT_TASKS:
        task_data = os.path.join(tmp, task)
        synthetic.write_all(task_data, pairs=PROMPT_TASK_PAIRS, test_pairs=300, task=task)
        cap = run(reward, reward.RewardConfig, {"output_dir": os.path.join(tmp, f"rm-{task}"), "device": "cpu",
                                                 "train_file": f"{task_data}/train.jsonl",
                                                 "test_file": f"{task_data}/test.jsonl"})
        m = cap.of("done")[0]["metrics"]
        out[f"rm_{task}_eval_accuracy"], out[f"rm_{task}_train_seconds"] = m["eval_accuracy"], m["train_runtime"]
        log(f"prompt-dependent task {task!r}, default settings: eval accuracy {m['eval_accuracy']:.3f} after "
            f"{m['train_runtime']:.1f} s of training")
    if gpu_ready():
        out.update(hf_throughput())
        log(f"HF RM on {out['gpu']}: {out['hf_tokens_per_s']:.0f} tokens/s, MFU {out['hf_mfu']}")
        out.update(hf_reward_cli(tmp))
    return out


def hf_reward_cli(tmp):
    """The real hf code path end to end on the GPU: a reward run (full + LoRA) on the hidden-rule data."""
    data = os.path.join(tmp, "data")
    base = os.path.join(tmp, "hf-base")
    corpus = [line for line in open(f"{data}/train.jsonl")]
    make_hf_model(base, corpus)
    res = {}
    for name, extra in (("full", {}), ("lora", {"lora": {"r": 16, "alpha": 32}, "lr": 2e-4})):
        cap = run(reward, reward.RewardConfig, {"backend": "hf", "model_path": base, "output_dir": os.path.join(tmp, f"hf-rm-{name}"),
                                                 "train_file": f"{data}/train.jsonl", "test_file": f"{data}/test.jsonl",
                                                 "epochs": 2, "batch_size": 16, "max_length": 128, "lr": 1e-4, **extra})
        m = cap.of("done")[0]["metrics"]
        res[f"hf_rm_{name}_eval_accuracy"] = m["eval_accuracy"]
        res[f"hf_rm_{name}_seconds"] = m["train_runtime"]
        log(f"hf reward ({name}): eval accuracy {m['eval_accuracy']:.3f} in {m['train_runtime']:.1f} s")
    res["hf_rm_path"] = os.path.join(tmp, "hf-rm-full", "model")
    return res


def online_setup(tmp):
    """The hidden-rule data, a tiny reward model and a tiny SFT policy: what every online RL benchmark starts from."""
    data = os.path.join(tmp, "data")
    synthetic.write_all(data)
    rm = run(reward, reward.RewardConfig, {"output_dir": os.path.join(tmp, "rm"), "train_file": f"{data}/train.jsonl",
                                           "test_file": f"{data}/test.jsonl", "device": "cpu", **synthetic.RM_TASK})
    log(f"reward model: eval accuracy {rm.of('done')[0]['metrics']['eval_accuracy']:.3f}")
    pol = run(sft, sft.SFTConfig, {"output_dir": os.path.join(tmp, "sft"), "train_file": f"{data}/sft.jsonl",
                                   "device": "cpu", **synthetic.SFT_TASK})
    return data, rm.of("done")[0]["model_path"], pol.of("done")[0]["model_path"]


def online_figures(cap, seconds, score_key, kl_key, kl_target):
    """score_gain (mean score of the last 3 updates minus the first's), the final KL (mean of the last 3 updates),
    its target, episodes/s over the whole run and the share of the run's wall time spent generating."""
    ms = [e["metrics"] for e in cap.of("metric")]
    last = ms[-3:]
    out = {"score_before": ms[0][score_key], "score_after": sum(m[score_key] for m in last) / len(last),
           "kl": sum(m[kl_key] for m in last) / len(last), "kl_target": kl_target,
           "episodes_per_s": ms[-1]["episode"] / seconds,
           "generation_share": sum(m["time/generate_s"] for m in ms) / seconds, "seconds": seconds}
    out["score_gain"] = out["score_after"] - out["score_before"]
    return out


def bench_online(tmp, module, config_cls, task, score_key, kl_key, data, rm_path, policy_path):
    cfg = parse_config(config_cls, {"output_dir": os.path.join(tmp, module.__name__.split(".")[-1]),
                                    "policy_path": policy_path, "reward_model_path": rm_path,
                                    "prompts_file": f"{data}/prompts.jsonl", "device": "cpu", "num_sample_events": 0,
                                    **task})
    t0 = time.time()
    cap = Capture()
    module.main(cfg, Events(cap))
    return online_figures(cap, time.time() - t0, score_key, kl_key, cfg.kl_target)


def describe(name, out):
    log(f"tiny {name}: score {out['score_before']:.2f} -> {out['score_after']:.2f}, KL {out['kl']:.2f} (target "
        f"{out['kl_target']:g}), {out['episodes_per_s']:.1f} episodes/s ({100 * out['generation_share']:.0f}% generating)")


def bench_ppo(tmp):
    setup_threads()
    data, rm_path, policy_path = online_setup(tmp)
    out = bench_online(tmp, ppo, ppo.PPOConfig, synthetic.PPO_TASK, "objective/scores", "objective/kl", data, rm_path,
                       policy_path)
    out["threads"] = torch.get_num_threads()
    describe("PPO", out)
    if gpu_ready():
        out.update(hf_ppo(tmp, data))
    return out


def bench_grpo(tmp):
    """GRPO on the hidden-rule task (the tests' settings), then RLOO on the same models for comparison."""
    setup_threads()
    data, rm_path, policy_path = online_setup(tmp)
    out = bench_online(tmp, grpo, grpo.GRPOConfig, synthetic.GRPO_TASK, "reward", "kl", data, rm_path, policy_path)
    out["threads"] = torch.get_num_threads()
    describe("GRPO", out)
    r = bench_online(tmp, rloo, rloo.RLOOConfig, synthetic.RLOO_TASK, "reward", "kl", data, rm_path, policy_path)
    describe("RLOO", r)
    out.update({f"rloo_{k}": v for k, v in r.items()})
    return out


def hf_ppo(tmp, data):
    """HF PPO on the GPU: a policy SFT'd briefly, a reward model from the same base, a few PPO updates."""
    base = os.path.join(tmp, "hf-base")
    make_hf_model(base, [line for line in open(f"{data}/train.jsonl")])
    pol = run(sft, sft.SFTConfig, {"backend": "hf", "model_path": base, "output_dir": os.path.join(tmp, "hf-sft"),
                                   "train_file": f"{data}/sft.jsonl", "epochs": 1, "batch_size": 32, "lr": 3e-4})
    rm = run(reward, reward.RewardConfig, {"backend": "hf", "model_path": base, "output_dir": os.path.join(tmp, "hf-rm"),
                                           "train_file": f"{data}/train.jsonl", "epochs": 1, "batch_size": 16, "lr": 1e-4,
                                           "max_length": 128})
    t0 = time.time()
    cap = run(ppo, ppo.PPOConfig, {"backend": "hf", "output_dir": os.path.join(tmp, "hf-ppo"),
                                   "policy_path": pol.of("done")[0]["model_path"],
                                   "reward_model_path": rm.of("done")[0]["model_path"],
                                   "prompts_file": f"{data}/prompts.jsonl", "total_episodes": 1024, "batch_size": 128,
                                   "num_mini_batches": 4, "max_new_tokens": 32, "lr": 1e-5, "num_sample_events": 1})
    seconds = time.time() - t0
    ms = [e["metrics"] for e in cap.of("metric")]
    res = {"hf_ppo_episodes_per_s": ms[-1]["episode"] / seconds,
           "hf_ppo_generation_share": sum(m["time/generate_s"] for m in ms) / seconds,
           "hf_ppo_score_before": ms[0]["objective/scores"], "hf_ppo_score_after": ms[-1]["objective/scores"],
           "hf_ppo_kl": ms[-1]["objective/kl"]}
    log(f"HF PPO: {res['hf_ppo_episodes_per_s']:.1f} episodes/s, {100 * res['hf_ppo_generation_share']:.0f}% generating")
    from . import generate

    gen = run(generate, generate.GenerateConfig, {"policy_path": cap.of("done")[0]["model_path"],
                                                  "prompts_file": f"{data}/prompts.jsonl",
                                                  "output_file": os.path.join(tmp, "hf-gen.jsonl"), "num_samples": 2,
                                                  "max_new_tokens": 32})
    res["hf_generated"] = gen.of("generated")[0]["count"]
    return res


def bench_dpo(tmp):
    """DPO on each prompt-dependent task with the settings a user gets without touching a field: an SFT run (default
    settings) on demonstrations that follow the prompt half of the time makes a starting policy indifferent to the
    rule, then one DPO run. eval_accuracy is the worst task's held-out accuracy, train_seconds the slowest DPO run."""
    setup_threads()
    out = {"threads": torch.get_num_threads()}
    for task in synthetic.PROMPT_TASKS:
        data = os.path.join(tmp, task)
        synthetic.write_all(data, pairs=PROMPT_TASK_PAIRS, test_pairs=300, sft=PROMPT_TASK_PAIRS, task=task)
        pol = run(sft, sft.SFTConfig, {"output_dir": os.path.join(tmp, f"sft-{task}"), "train_file": f"{data}/sft.jsonl",
                                       "device": "cpu"})
        cap = run(dpo, dpo.DPOConfig, {"output_dir": os.path.join(tmp, f"dpo-{task}"), "train_file": f"{data}/train.jsonl",
                                       "test_file": f"{data}/test.jsonl", "policy_path": pol.of("done")[0]["model_path"],
                                       "device": "cpu"})
        done = cap.of("done")[0]["metrics"]
        out.update({f"{task}_eval_accuracy": done["eval_rewards/accuracies"], f"{task}_eval_margin": done["eval_rewards/margins"],
                    f"{task}_train_seconds": done["train_runtime"],
                    f"{task}_sft_seconds": pol.of("done")[0]["metrics"]["train_runtime"],
                    f"{task}_pairs_per_s": PROMPT_TASK_PAIRS * done["epoch"] / done["train_runtime"]})
        log(f"prompt-dependent DPO {task!r}: eval accuracy {done['eval_rewards/accuracies']:.3f} after "
            f"{done['train_runtime']:.1f} s")
    tasks = list(synthetic.PROMPT_TASKS)
    out.update(eval_accuracy=min(out[f"{t}_eval_accuracy"] for t in tasks),
               eval_margin=min(out[f"{t}_eval_margin"] for t in tasks),
               train_seconds=max(out[f"{t}_train_seconds"] for t in tasks),
               pairs_per_s=min(out[f"{t}_pairs_per_s"] for t in tasks))
    return out


BENCHES = {"reward": bench_reward, "ppo": bench_ppo, "grpo": bench_grpo, "dpo": bench_dpo}


def main(argv):
    if len(argv) != 1 or argv[0] not in BENCHES:
        sys.exit(f"usage: python3 -m rlhf.bench {'|'.join(BENCHES)}")
    with tempfile.TemporaryDirectory(prefix="rlhf-bench-") as tmp:
        out = BENCHES[argv[0]](tmp)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
