"""A policy against a reference policy on held-out prompts, judged by a reward model: did this iteration help?

    python3 -m rlhf.evaluate --config cfg.json

Both policies answer every prompt (`num_samples` each, sampled as `rlhf.generate` samples); the reward model scores
each (prompt, response) as `rlhf.score` does. Reported (the `done` metrics, also one `metric` event at step 0):

- `win_rate`: the share of (prompt, sample) pairs where the policy's response outscores the reference's, a tie
  counting one half; `win_rate_ci_low` / `win_rate_ci_high`: a 95% percentile bootstrap over prompts (prompts are
  resampled, not single pairs, since the samples of one prompt are not independent); `tie_rate`.
- `reward/policy`, `reward/reference` (means) and `reward/margin` (their difference).
- `kl`: KL(policy ‖ reference) on the policy's own samples, the sum over response tokens of log π − log π_ref
  (the k1 estimate PPO reports as objective/kl), both at the sampling temperature; mean over samples.
- `length/policy`, `length/reference`: mean response length in tokens (EOS included when sampled).
- `prompts`, `pairs`.

`output_file` (optional) gets one JSON row per pair: prompt_id, sample_index, both responses, both rewards, the kl.
"""
import dataclasses
import json
import os
import random
from typing import Optional

import torch

from . import backends
from .config import opt, required
from .data import load_prompts, pad
from .model import gather_last
from .ppo import response_mask, token_logprobs
from .protocol import ConfigError, UserError, run_cli
from .runtime import autocast, resolve_device, seed_everything, setup_threads
from .score import encode as encode_for_reward


@dataclasses.dataclass
class EvalConfig:
    """What `python3 -m rlhf.evaluate` reads; an EVAL run's config (the worker stages the prompts and the models)."""

    policy_path: str = required(help="the policy evaluated (tiny or hf directory)", staged=True)
    reference_path: str = required(help="the policy it is compared with, usually the one it started from", staged=True)
    reward_model_path: str = required(help="the reward model that judges both (tiny or hf directory)", staged=True)
    prompts_file: str = required(help="JSONL {prompt_id, prompt}: held-out prompts", staged=True)
    output_file: Optional[str] = opt(None, help="JSONL of every judged pair, written here when given", staged=True)
    num_samples: int = opt(1, min=1, max=64, label="Samples per prompt", form=True,
                           help="responses per prompt from each policy; pair i of a prompt compares sample i with sample i")
    temperature: float = opt(0.7, min=0.0, max=2.0, label="Temperature", form=True,
                             help="sampling temperature of both policies (0 = greedy); the KL is measured at it too")
    max_new_tokens: int = opt(64, min=1, max=1_048_576, label="Max new tokens", form=True, help="response length cap")
    max_prompts: Optional[int] = opt(None, min=1, label="Max prompts", form=True,
                                     help="evaluate on the first N held-out prompts only (default: all)")
    max_prompt_length: int = opt(512, min=1, help="longer prompts keep their last tokens")
    reward_max_length: int = opt(512, min=8, help="tokens per prompt + response the reward model reads (the end kept)")
    batch_size: int = opt(32, min=1, max=65_536, label="Batch size", help="sequences sampled or scored at once")
    bootstrap_samples: int = opt(2000, min=100, max=100_000, label="Bootstrap resamples",
                                 help="resamples of the prompts for the win-rate's 95% interval")
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="sampling and bootstrap seed")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    output_dir: Optional[str] = opt(None, help="the run's directory, given by the worker", staged=True)
    resume: bool = opt(False, help="accepted for symmetry (an evaluation is simply rerun)", staged=True)
    snapshot_id: Optional[str] = opt(None, help="lineage only", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="lineage only", staged=True)


# ----------------------------------------------------------------------------------------------------------------------
# the statistics (pure functions, unit-tested)


def pair_outcomes(policy_rewards, reference_rewards, tie_tolerance=1e-6):
    """1 where the policy's reward is higher, 0 where lower, 0.5 where they are equal (within the tolerance)."""
    out = []
    for p, r in zip(policy_rewards, reference_rewards):
        out.append(0.5 if abs(p - r) <= tie_tolerance else (1.0 if p > r else 0.0))
    return out


def win_rate(outcomes):
    return sum(outcomes) / len(outcomes)


def bootstrap_ci(groups, resamples, seed, level=0.95):
    """Percentile interval of the mean outcome when whole groups (a prompt's pairs) are drawn with replacement.
    groups: a list of lists of outcomes. Returns (low, high)."""
    rng = random.Random(seed)
    n = len(groups)
    sums = [sum(g) for g in groups]
    counts = [len(g) for g in groups]
    stats = []
    for _ in range(resamples):
        s = c = 0.0
        for _ in range(n):
            i = rng.randrange(n)
            s += sums[i]
            c += counts[i]
        stats.append(s / c)
    stats.sort()
    alpha = (1 - level) / 2
    return _quantile(stats, alpha), _quantile(stats, 1 - alpha)


def _quantile(sorted_values, q):
    """Linear interpolation between order statistics (numpy's default)."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(rows, resamples, seed):
    """rows: dicts with prompt_id, reward_policy, reward_reference, kl, length_policy, length_reference."""
    outcomes = pair_outcomes([r["reward_policy"] for r in rows], [r["reward_reference"] for r in rows])
    by_prompt = {}
    for row, o in zip(rows, outcomes):
        by_prompt.setdefault(row["prompt_id"], []).append(o)
    low, high = bootstrap_ci(list(by_prompt.values()), resamples, seed)
    n = len(rows)
    mean = lambda key: sum(r[key] for r in rows) / n  # noqa: E731
    return {
        "win_rate": win_rate(outcomes),
        "win_rate_ci_low": low,
        "win_rate_ci_high": high,
        "tie_rate": sum(o == 0.5 for o in outcomes) / n,
        "reward/policy": mean("reward_policy"),
        "reward/reference": mean("reward_reference"),
        "reward/margin": mean("reward_policy") - mean("reward_reference"),
        "kl": mean("kl"),
        "length/policy": mean("length_policy"),
        "length/reference": mean("length_reference"),
        "prompts": len(by_prompt),
        "pairs": n,
    }


# ----------------------------------------------------------------------------------------------------------------------


class Evaluator:
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.device = resolve_device(cfg.device)
        for name in ("policy_path", "reference_path", "reward_model_path"):
            if not os.path.isdir(getattr(cfg, name)):
                raise UserError(f"{name}: model directory not found: {getattr(cfg, name)}")
        self.backend = backends.detect_backend(cfg.policy_path)
        if backends.detect_backend(cfg.reference_path) != self.backend:
            raise UserError("the policy and the reference use different backends; their KL cannot be measured")
        self.tok = backends.load_tokenizer(self.backend, cfg.policy_path)
        if self.backend == "hf":
            ref_tok = backends.load_tokenizer("hf", cfg.reference_path)
            if ref_tok.tok.get_vocab() != self.tok.tok.get_vocab():
                raise UserError("the policy and the reference use different tokenizers; their KL cannot be measured")
        self.policy = backends.load_policy(self.backend, cfg.policy_path, self.device, frozen=True)
        self.ref = backends.load_policy(self.backend, cfg.reference_path, self.device, frozen=True)
        self.rm_backend = backends.detect_backend(cfg.reward_model_path)
        self.rm_tok = backends.load_tokenizer(self.rm_backend, cfg.reward_model_path)
        self.rm = backends.load_value_model(self.rm_backend, cfg.reward_model_path, self.device, frozen=True,
                                            pad_token_id=self.rm_tok.pad_token_id)
        self.max_prompt = cfg.max_prompt_length
        self.rm_max = cfg.reward_max_length
        if self.backend == "tiny":
            block = min(self.policy.config.block_size, self.ref.config.block_size)
            if cfg.max_new_tokens >= block:
                raise ConfigError(f"config field 'max_new_tokens' ({cfg.max_new_tokens}) must be below the policies' "
                                  f"block_size ({block})")
            self.max_prompt = min(self.max_prompt, block - cfg.max_new_tokens)
        if self.rm_backend == "tiny":
            self.rm_max = min(self.rm_max, self.rm.config.block_size)

    @torch.no_grad()
    def answer(self, model, batch, with_kl):
        """Samples one response per (prompt_id, prompt) of `batch`; returns texts, lengths and (policy only) the
        per-sequence KL to the reference."""
        cfg, tok, dev = self.cfg, self.tok, self.device
        queries = [tok.encode_prompt(p)[-self.max_prompt:] for _, p in batch]
        q_ids, q_mask = [t.to(dev) for t in pad(queries, tok.pad_token_id, side="left")]  # (B, Tp)
        Tp = q_ids.size(1)
        with autocast(dev, self.backend):
            responses = backends.sample(self.backend, model, q_ids, q_mask, cfg.max_new_tokens, cfg.temperature, tok)
        mask, last, _ = response_mask(responses, tok.eos_token_id)  # (B, L), (B,), (B,)
        texts = [tok.decode(responses[b, : int(last[b]) + 1].tolist()) for b in range(len(batch))]
        lengths = (last + 1).tolist()
        kls = [0.0] * len(batch)
        if with_kl:
            responses = responses.masked_fill(~mask, tok.pad_token_id)
            ids = torch.cat([q_ids, responses], dim=1)  # (B, Tp + L)
            full = torch.cat([q_mask, mask.long()], dim=1)  # (B, Tp + L)
            with autocast(dev, self.backend):
                logp = token_logprobs(self.policy(ids, full)[:, Tp - 1:-1].float(), responses, cfg.temperature)  # (B, L)
                ref_logp = token_logprobs(self.ref(ids, full)[:, Tp - 1:-1].float(), responses, cfg.temperature)
            kls = ((logp - ref_logp) * mask.float()).sum(-1).tolist()  # (B,)
        return texts, lengths, kls

    @torch.no_grad()
    def rewards(self, prompts, responses):
        seqs = [encode_for_reward(self.rm_tok, p, r, self.rm_max) for p, r in zip(prompts, responses)]
        ids, mask = [t.to(self.device) for t in pad(seqs, self.rm_tok.pad_token_id)]  # (B, T)
        with autocast(self.device, self.rm_backend):
            values = self.rm(ids, mask)  # (B, T)
        return gather_last(values, mask).float().tolist()  # (B,)

    def run(self, prompts):
        cfg = self.cfg
        jobs = [(pid, prompt, k) for pid, prompt in prompts for k in range(cfg.num_samples)]
        batches = [jobs[s:s + cfg.batch_size] for s in range(0, len(jobs), cfg.batch_size)]
        self.events.emit("start", total_steps=len(batches), device=self.device.type, world_size=1,
                         resumed_from_step=None)
        rows = []
        for step, batch in enumerate(batches, start=1):
            pairs = [(pid, p) for pid, p, _ in batch]
            texts_p, len_p, kls = self.answer(self.policy, pairs, with_kl=True)
            texts_r, len_r, _ = self.answer(self.ref, pairs, with_kl=False)
            plain = [p for _, p in pairs]
            rew_p = self.rewards(plain, texts_p)
            rew_r = self.rewards(plain, texts_r)
            for i, (pid, prompt, k) in enumerate(batch):
                rows.append({"prompt_id": pid, "sample_index": k, "policy": texts_p[i], "reference": texts_r[i],
                             "reward_policy": rew_p[i], "reward_reference": rew_r[i], "kl": kls[i],
                             "length_policy": len_p[i], "length_reference": len_r[i]})
            if step == 1:
                for i in range(min(3, len(batch))):
                    self.events.emit("sample", step=0, prompt=_prompt_text(batch[i][1]), response=texts_p[i],
                                     score=rew_p[i])
            self.events.emit("progress", step=step, total_steps=len(batches))
        return rows


def _prompt_text(prompt):
    if isinstance(prompt, str):
        return prompt
    return "\n".join(f"{m.get('role', '?')}: {m.get('content', '')}" for m in prompt)


def write_rows(path, rows):
    out = os.path.abspath(path)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = f"{out}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, out)


def main(cfg, events):
    setup_threads()
    seed_everything(cfg.seed)
    prompts = load_prompts(cfg.prompts_file)
    if cfg.max_prompts is not None:
        prompts = prompts[: cfg.max_prompts]
    if len(prompts) < 2:
        raise UserError(f"{cfg.prompts_file}: {len(prompts)} held-out prompt(s); an evaluation needs at least 2")
    evaluator = Evaluator(cfg, events)
    rows = evaluator.run(prompts)
    metrics = summarize(rows, cfg.bootstrap_samples, cfg.seed)
    if cfg.output_file:
        write_rows(cfg.output_file, rows)
    events.emit("metric", step=0, metrics=metrics)
    events.emit("done", model_path=os.path.abspath(cfg.policy_path), metrics=metrics)


if __name__ == "__main__":
    run_cli(EvalConfig, main)
