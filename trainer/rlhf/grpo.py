"""GRPO (Group Relative Policy Optimization) against a reward model, after TRL's GRPOTrainer and DeepSeekMath.

    python3 -m rlhf.grpo --config cfg.json          (one process)
    torchrun --nproc_per_node=K -m rlhf.grpo --config cfg.json   (K GPUs, DistributedDataParallel)

One update: take batch_size / num_generations prompts and sample num_generations completions of each; truncate each
at its first EOS; score prompt + completion with the frozen reward model at the last real token (minus
missing_eos_penalty when no EOS came); the advantage of a completion is its score relative to the other completions
of the same prompt, (r - mean) / (std + 1e-4) per group (scale_rewards), one value for all its tokens, no value
model; then num_iterations passes of the clipped surrogate -min(ratio * A, clip(ratio, 1 - epsilon,
1 + epsilon_high) * A) plus beta * the per-token KL to the frozen reference (k3 by default, k1 on request), averaged
per loss_type. beta is adaptive by default: after each batch it moves toward the value that holds the KL at
kl_target (ppo.AdaptiveKLController). Log-probs use logits / temperature, the distribution sampled from.

The online loop (OnlineTrainer) is shared with RLOO (rloo.py), which differs only in how a completion's advantage is
computed and where the KL penalty goes (into the reward).
"""
import dataclasses
import os
import time
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints
from .config import check_lora, multiple_of, opt, required
from .data import load_prompts, pad
from .model import gather_last
from .ppo import AdaptiveKLController, OnlineLoop, adaptive_kl_rule, masked_mean, response_mask
from .protocol import ConfigError, run_cli
from .runtime import (all_mean, autocast, init_distributed, linear_schedule, resolve_device, run_trainer,
                      seed_everything, setup_threads, wrap_ddp)


@dataclasses.dataclass
class OnlineConfig:
    """The fields GRPO and RLOO share (TRL GRPOConfig / RLOOConfig names)."""

    output_dir: str = required(help="checkpoints/ and the final policy model/ are written here", staged=True)
    policy_path: str = required(help="the starting policy (a tiny or local hf directory); also the frozen KL reference")
    reward_model_path: str = required(help="the frozen reward model", staged=True)
    prompts_file: str = required(help="JSONL {prompt_id, prompt}, prompt a string or a list of messages", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="both models must use this backend (and one tokenizer)")
    snapshot_id: Optional[str] = opt(None, help="lineage: the snapshot the prompts came from", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="lineage: that snapshot's content hash", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds sampling, data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    total_episodes: Optional[int] = opt(None, min=1, max=100_000_000, by_backend={"tiny": 1024, "hf": 10_000},
                                        label="Total episodes",
                                        form=True, help="completions sampled over the whole run (all processes)")
    batch_size: Optional[int] = opt(None, min=2, max=65_536, by_backend={"tiny": 64, "hf": 32}, label="Batch size",
                                    form=True, help="completions per update per process: batch_size / num_generations "
                                                    "prompts, num_generations completions each")
    num_generations: Optional[int] = opt(None, min=2, max=1024, by_backend={"tiny": 4, "hf": 8},
                                         label="Completions per prompt", form=True,
                                         help="k: completions sampled per prompt, compared with each other (TRL "
                                              "num_generations)")
    num_iterations: int = opt(1, min=1, max=100, label="Iterations per batch (μ)", form=True,
                              help="passes over each batch of completions (TRL num_iterations)")
    num_mini_batches: int = opt(1, min=1, max=65_536, label="Mini-batches", form=True,
                                help="optimizer steps per pass (the batch is split)")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 1e-3, "hf": 1e-6}, label="Learning rate",
                              form=True, help="AdamW over the policy")
    lr_scheduler: str = opt("linear", choices=["linear", "constant"], help="linear decay to 0 over the updates")
    beta: Optional[float] = opt(None, min=0.0, by_backend={"tiny": 0.2, "hf": 0.04}, label="KL coefficient (β)",
                                form=True, help="weight of the per-token KL to the reference in the loss; with the "
                                                "adaptive controller, its starting value")
    kl_estimator: str = opt("k3", choices=["k1", "k3"],
                            help="per-token KL: k1 = logp - logp_ref; k3 = exp(logp_ref - logp) - (logp_ref - logp) - 1 "
                                 "(unbiased, always >= 0)")
    kl_controller: str = opt("adaptive", choices=["adaptive", "fixed"], label="KL controller", form=True,
                             help="adaptive: β follows the KL toward kl_target after each batch (Ziegler et al. 2019); "
                                  "fixed: β stays beta")
    kl_target: float = opt(6.0, gt=0.0, label="KL target", form=True,
                           help="adaptive controller: the KL to the reference to hold, in nats per completion")
    # tiny: 32 episodes, so β can move 20% per batch of 32 — at 128 (PPO's) it moved 5% a batch and a run's KL
    # ended anywhere from 0.4× to 3× its target; at 32, within ±50% on 12 of 12 seeds (trainer/tests/test_online_cli.py)
    kl_horizon: Optional[int] = opt(None, min=1, max=100_000_000, by_backend={"tiny": 32, "hf": 10_000},
                                    label="KL horizon", form=True,
                                    help="adaptive controller: episodes over which β may change by a factor of about "
                                         "e^0.2 at most (TRL horizon)")
    epsilon: float = opt(0.2, gt=0.0, lt=1.0, label="Clip range (ε)", form=True,
                         help="the ratio is clipped below at 1 - epsilon (and above at 1 + epsilon_high)")
    epsilon_high: Optional[float] = opt(None, gt=0.0, help="upper clip (DAPO's clip-higher); default: epsilon")
    loss_type: str = opt("grpo", choices=["grpo", "bnpo", "dr_grpo"], label="Loss aggregation", form=True,
                         help="grpo: mean over each completion's tokens, then over completions; bnpo: mean over all "
                              "tokens of the batch; dr_grpo: sum over tokens / (completions x max_completion_length)")
    mask_truncated_completions: bool = opt(False, help="leave completions without EOS out of the loss (TRL option)")
    temperature: Optional[float] = opt(None, min=0.01, max=5.0, by_backend={"tiny": 0.7, "hf": 1.0},
                                       label="Temperature", form=True,
                                       help="sampling temperature; log-probs use logits / temperature too")
    max_completion_length: int = opt(53, min=1, max=1_048_576, label="Max completion length", form=True,
                                     help="tokens per completion at most")
    max_prompt_length: int = opt(256, min=1, help="longer prompts keep their last tokens")
    missing_eos_penalty: float = opt(1.0, min=0.0, label="Missing-EOS penalty", form=True,
                                     help="subtracted from the score of a completion without EOS")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(1, min=1, max=1_000_000, help="metrics (and samples) every N updates")
    num_sample_events: int = opt(4, min=0, help="sample events (prompt, completion, score) per logging step")
    save_steps: int = opt(20, min=0, max=1_000_000, help="checkpoint every N updates (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA on the policy {"r", "alpha", "dropout", "target_modules"}')

    RULES = (multiple_of("batch_size", "num_generations", field="batch_size",
                         message="the batch size must be a whole number of groups (a multiple of num_generations)"),
             multiple_of("batch_size", "num_mini_batches", field="num_mini_batches",
                         message="the batch size must split evenly into mini-batches"),
             adaptive_kl_rule("beta"))

    def validate(self):
        check_lora(self.lora, self.backend)


@dataclasses.dataclass
class GRPOConfig(OnlineConfig):
    """What `python3 -m rlhf.grpo` reads (TRL GRPOConfig names). The app's launch form shows the fields marked `form`."""

    scale_rewards: str = opt("group", choices=["group", "batch", "none"], label="Reward scaling", form=True,
                             help="divide (r - group mean) by the group's std, the batch's std, or nothing (Dr. GRPO)")


# ----------------------------------------------------------------------------------------------------------------------
# the pieces of one update (pure functions, unit-tested)


def grpo_advantages(rewards, k, scale="group"):
    """rewards (B,) in groups of k consecutive completions of one prompt -> advantages (B,), each group's std (B/k,).
    (r - group mean), divided by the group's std ("group"), the whole batch's std ("batch") or not at all ("none");
    std is the unbiased one, plus 1e-4 (TRL)."""
    grouped = rewards.view(-1, k)  # (P, k)
    std = grouped.std(dim=1)  # (P,)
    adv = grouped - grouped.mean(dim=1, keepdim=True)  # (P, k)
    if scale == "group":
        adv = adv / (std[:, None] + 1e-4)
    elif scale == "batch":
        adv = adv / (rewards.std() + 1e-4)
    return adv.reshape(-1), std


def kl_per_token(logprobs, ref_logprobs, estimator):
    """Per-token KL estimate of the policy to the reference, (B, L): k1 = logp - logp_ref, or
    k3 = exp(logp_ref - logp) - (logp_ref - logp) - 1 (unbiased, >= 0; Schulman's approximator, as TRL GRPO)."""
    if estimator == "k3":
        d = ref_logprobs - logprobs
        return torch.exp(d) - d - 1
    return logprobs - ref_logprobs


def clipped_token_loss(logprobs, old_logprobs, advantages, eps_low, eps_high):
    """-min(ratio * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A) per token (B, L), A (B,) one value per completion;
    also where the ratio was clipped below (A < 0) and above (A > 0), (B, L) bools each."""
    ratio = torch.exp(logprobs - old_logprobs)  # (B, L)
    clipped = torch.clamp(ratio, 1 - eps_low, 1 + eps_high)
    a = advantages[:, None]  # (B, 1)
    loss = -torch.min(ratio * a, clipped * a)
    return loss, (ratio < 1 - eps_low) & (a < 0), (ratio > 1 + eps_high) & (a > 0)


def aggregate_loss(per_token, mask, loss_type, max_completion_length):
    """One number from per-token losses (B, L) over the completions' tokens mask (B, L), as TRL's loss types do."""
    if loss_type == "grpo":
        return ((per_token * mask).sum(1) / mask.sum(1).clamp(min=1)).mean()
    if loss_type == "bnpo":
        return (per_token * mask).sum() / mask.sum().clamp(min=1)
    return (per_token * mask).sum() / (per_token.size(0) * max_completion_length)  # dr_grpo


# ----------------------------------------------------------------------------------------------------------------------


class OnlineTrainer(OnlineLoop):
    """Sample k completions per prompt, score them, advantages from the group, clipped policy-gradient steps.
    Subclasses say how a completion's advantage is computed (`advantages`) and whether the KL penalty is a loss term
    (GRPO) or comes off the reward before the advantages (RLOO)."""

    method = "grpo"
    kl_in_loss = True

    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed + self.dist.rank)  # each process samples different completions
        be = cfg.backend
        self.tokenizer = backends.load_tokenizer(be, cfg.policy_path)
        backends.check_same_tokenizer(be, self.tokenizer, cfg.reward_model_path, self.method.upper())
        self.prompts = load_prompts(cfg.prompts_file)
        self.k = cfg.num_generations
        self.prompts_per_process = cfg.batch_size // self.k  # k completions each
        self.global_batch = cfg.batch_size * self.dist.world_size  # completions per update, all processes
        self.total_steps = max(1, cfg.total_episodes // self.global_batch)
        self.eps_high = cfg.epsilon_high if cfg.epsilon_high is not None else cfg.epsilon

        self.checkpoints = Checkpoints(cfg, self.dist, events, be, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        resume_dir = os.path.join(self.ckpt, "policy") if self.ckpt else None
        self.policy = backends.load_policy(be, cfg.policy_path, self.device, resume_dir=resume_dir, lora=cfg.lora,
                                           gradient_checkpointing=cfg.gradient_checkpointing)
        self.ref = backends.load_policy(be, cfg.policy_path, self.device, frozen=True)
        self.reward_model = backends.load_value_model(be, cfg.reward_model_path, self.device, frozen=True,
                                                      pad_token_id=self.tokenizer.pad_token_id)
        self.max_prompt = cfg.max_prompt_length
        if be == "tiny":
            block = min(m.config.block_size for m in (self.policy, self.reward_model))
            if cfg.max_completion_length >= block:
                raise ConfigError(f"config field 'max_completion_length' ({cfg.max_completion_length}) must be below "
                                  f"the tiny models' block_size ({block})")
            self.max_prompt = min(self.max_prompt, block - cfg.max_completion_length)
        self.policy_ddp = wrap_ddp(self.policy, self.dist, self.device)
        self.optimizer = torch.optim.AdamW([p for p in self.policy.parameters() if p.requires_grad], lr=cfg.lr)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, 0, cfg.lr_scheduler)
        self.kl_ctl = AdaptiveKLController(cfg.kl_controller, cfg.beta, cfg.kl_target, cfg.kl_horizon)
        self.step = 0
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step = state["step"]
            self.kl_ctl.value = state["beta"]

    # what GRPO and RLOO do differently -------------------------------------------------------------------------------

    def advantages(self, scores, seq_kl, beta):
        """scores (B,), the completions' summed KL (B,), β -> advantages (B,), the rewards they came from (B,)."""
        raise NotImplementedError

    # -------------------------------------------------------------------------------------------------------------------

    @torch.no_grad()
    def rollout(self, prompts):
        cfg, tok, dev = self.cfg, self.tokenizer, self.device
        queries = [tok.encode_prompt(p)[-self.max_prompt:] for _, p in prompts for _ in range(self.k)]  # k per prompt
        q_ids, q_mask = [t.to(dev) for t in pad(queries, tok.pad_token_id, side="left")]  # (B, Tp)
        Tp = q_ids.size(1)
        self.policy.eval()
        t0 = time.time()
        with autocast(dev, cfg.backend):
            completions = backends.sample(cfg.backend, self.policy, q_ids, q_mask, cfg.max_completion_length,
                                          cfg.temperature, tok)
        t_gen = time.time() - t0
        mask, last, has_eos = response_mask(completions, tok.eos_token_id)  # (B, L), (B,), (B,)
        completions = completions.masked_fill(~mask, tok.pad_token_id)
        ids = torch.cat([q_ids, completions], dim=1)  # (B, Tp + L)
        full_mask = torch.cat([q_mask, mask.long()], dim=1)  # (B, Tp + L)
        with autocast(dev, cfg.backend):
            logprobs = self.forward_logprobs(self.policy, ids, full_mask, Tp, completions)[0].float()  # (B, L)
            ref_logprobs = self.forward_logprobs(self.ref, ids, full_mask, Tp, completions)[0].float()  # (B, L)
            raw_scores = gather_last(self.reward_model(ids, full_mask), full_mask).float()  # (B,) at the last token
        scores = raw_scores - cfg.missing_eos_penalty * (~has_eos).float()
        fmask = mask.float()
        if cfg.mask_truncated_completions:
            fmask = fmask * has_eos.float()[:, None]
        return dict(ids=ids, full_mask=full_mask, Tp=Tp, responses=completions, mask=fmask, length=mask.sum(1),
                    last=last, has_eos=has_eos, logprobs=logprobs, ref_logprobs=ref_logprobs, scores=scores,
                    t_gen=t_gen, prompts=[p for p in prompts for _ in range(self.k)])

    def learn(self, r, beta):
        cfg = self.cfg
        B = r["ids"].size(0)
        mb_size = B // cfg.num_mini_batches
        self.policy.train()
        stats = {k: [] for k in ("loss", "kl", "entropy", "clip_low", "clip_high", "clip_region")}
        stepped = False
        for _ in range(cfg.num_iterations):
            perm = torch.randperm(B, device=r["ids"].device)
            for s in range(0, B, mb_size):
                i = perm[s:s + mb_size]
                ids, fm, comp, m = r["ids"][i], r["full_mask"][i], r["responses"][i], r["mask"][i]
                with autocast(self.device, cfg.backend):
                    logprobs, logits = self.forward_logprobs(self.policy_ddp, ids, fm, r["Tp"], comp)
                logprobs = logprobs.float()
                # The policy as it sampled, when it has moved since (TRL: with one step per batch, the ratio is 1).
                old = r["logprobs"][i] if stepped else logprobs.detach()
                per_token, low, high = clipped_token_loss(logprobs, old, r["advantages"][i], cfg.epsilon, self.eps_high)
                kl = kl_per_token(logprobs, r["ref_logprobs"][i], cfg.kl_estimator)  # (b, L)
                if self.kl_in_loss and beta > 0:
                    per_token = per_token + beta * kl
                loss = aggregate_loss(per_token, m, cfg.loss_type, cfg.max_completion_length)
                loss.backward()
                if cfg.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(self.optimizer.param_groups[0]["params"], cfg.max_grad_norm)
                self.optimizer.step()
                self.optimizer.zero_grad(set_to_none=True)
                stepped = True
                with torch.no_grad():
                    lf = logits.float() / (cfg.temperature + 1e-7)
                    entropy = masked_mean(torch.logsumexp(lf, dim=-1) - (F.softmax(lf, dim=-1) * lf).sum(-1), m)
                for key, v in (("loss", loss.detach()), ("kl", masked_mean(kl.detach(), m)), ("entropy", entropy),
                               ("clip_low", masked_mean(low.float(), m)), ("clip_high", masked_mean(high.float(), m)),
                               ("clip_region", masked_mean((low | high).float(), m))):
                    stats[key].append(float(v))
        lr = self.scheduler.get_last_lr()[0]
        self.scheduler.step()
        return {k: sum(v) / len(v) for k, v in stats.items()}, lr

    def update(self):
        t0 = time.time()
        r = self.rollout(self.batch_prompts(self.step))
        # the completions' KL to the reference before this update, summed over their tokens (nats per completion)
        seq_kl = (kl_per_token(r["logprobs"], r["ref_logprobs"], self.cfg.kl_estimator) * r["mask"]).sum(1)  # (B,)
        beta = self.kl_ctl.value
        r["advantages"], rewards = self.advantages(r["scores"], seq_kl, beta)
        t1 = time.time()
        s, lr = self.learn(r, beta)
        t_train = time.time() - t1
        self.step += 1
        seconds = time.time() - t0
        _, group_std = grpo_advantages(r["scores"], self.k, "none")  # (P,)
        length = r["length"].float()
        terminated = length[r["has_eos"]]
        metrics = {
            "reward": float(r["scores"].mean()), "reward_std": float(group_std.mean()),
            "kl": float(seq_kl.mean()), "kl_per_token": s["kl"], "entropy": s["entropy"], "loss": s["loss"],
            "frac_reward_zero_std": float((group_std < 1e-6).float().mean()),
            "completions/mean_length": float(length.mean()), "completions/min_length": float(length.min()),
            "completions/max_length": float(length.max()),
            "completions/clipped_ratio": float((~r["has_eos"]).float().mean()),
            "completions/mean_terminated_length": float(terminated.mean()) if len(terminated) else 0.0,
            "clip_ratio/low_mean": s["clip_low"], "clip_ratio/high_mean": s["clip_high"],
            "clip_ratio/region_mean": s["clip_region"],
            "time/generate_s": r["t_gen"], "time/train_s": t_train, "generation_share": r["t_gen"] / seconds,
        }
        if not self.kl_in_loss:
            metrics["rlhf_reward"] = float(rewards.mean())  # score - β·KL, what the advantages were computed from
        metrics = all_mean(metrics, self.dist, self.device)
        self.kl_ctl.update(metrics["kl"], self.global_batch)  # the same, process-averaged KL on every process
        metrics.update(beta=beta, learning_rate=lr, episode=self.step * self.global_batch,
                       eps=self.global_batch / seconds)
        return metrics, r

    def save_checkpoint(self):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
                 "beta": self.kl_ctl.value}
        self.checkpoints.save(self.step, {"policy": self.policy}, state, self.meta({}))


class GRPOTrainer(OnlineTrainer):
    method = "grpo"
    kl_in_loss = True

    def advantages(self, scores, seq_kl, beta):
        adv, _ = grpo_advantages(scores, self.k, self.cfg.scale_rewards)  # the KL is a loss term instead
        return adv, scores


def main(cfg, events, trainer_cls=GRPOTrainer):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = trainer_cls(cfg, events)
    return run_trainer(trainer, "lower batch_size, num_generations or max_completion_length, or enable lora")


if __name__ == "__main__":
    run_cli(GRPOConfig, main)
