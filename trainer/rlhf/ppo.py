"""PPO against a reward model, after TRL's PPOTrainer and "The N+ Implementation Details of RLHF with PPO".

    python3 -m rlhf.ppo --config cfg.json          (one process)
    torchrun --nproc_per_node=K -m rlhf.ppo --config cfg.json   (K GPUs, DistributedDataParallel)

One update: sample responses to a batch of prompts; truncate each at its first EOS; score prompt + response with the
frozen reward model at the last real token (minus missing_eos_penalty when no EOS came); per-token reward
-kl_coef * (logp_policy - logp_ref) plus the score on the last real token; GAE with the value model (initialised from
the reward model); whitened advantages; then ppo_epochs passes of clipped policy loss + vf_coef * clipped value loss
(no entropy bonus). kl_coef is adaptive by default: after each batch it moves toward the value that holds the KL at
kl_target (AdaptiveKLController). Log-probs always use logits / temperature, the distribution the responses were sampled from.
"""
import dataclasses
import os
import time
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints
from .config import check_lora, multiple_of, opt, required, required_when
from .data import load_prompts, pad
from .model import gather_last
from .protocol import ConfigError, run_cli
from .runtime import (all_mean, autocast, epoch_order, init_distributed, linear_schedule, resolve_device, run_trainer,
                      seed_everything, setup_threads, wrap_ddp)


def adaptive_kl_rule(coef_field):
    """The adaptive controller scales β, so a β of 0 would stay 0 (PPO, GRPO and RLOO; checked by the app too)."""
    return required_when(coef_field, when={"kl_controller": "adaptive"},
                         message="must be above 0 for the adaptive KL controller (or set kl_controller to \"fixed\")")


@dataclasses.dataclass
class PPOConfig:
    """What `python3 -m rlhf.ppo` reads (TRL PPOConfig names). The app's launch form shows the fields marked `form`."""

    output_dir: str = required(help="checkpoints/ and the final policy model/ are written here", staged=True)
    policy_path: str = required(help="the starting policy (a tiny or local hf directory); also the frozen KL reference")
    reward_model_path: str = required(help="the frozen reward model", staged=True)
    prompts_file: str = required(help="JSONL {prompt_id, prompt}, prompt a string or a list of messages", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="both models must use this backend (and one tokenizer)")
    value_model_path: Optional[str] = opt(None, help="where the value model starts; default: the reward model (TRL)")
    snapshot_id: Optional[str] = opt(None, help="lineage: the snapshot the prompts came from", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="lineage: that snapshot's content hash", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds sampling, data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    total_episodes: Optional[int] = opt(None, min=1, max=100_000_000, by_backend={"tiny": 2048, "hf": 10_000},
                                        label="Total episodes", form=True,
                                        help="responses sampled over the whole run (all processes)")
    batch_size: Optional[int] = opt(None, min=1, max=65_536, by_backend={"tiny": 64, "hf": 16}, label="Batch size",
                                    form=True, help="rollouts per update per process (per GPU)")
    num_mini_batches: int = opt(1, min=1, max=65_536, label="Mini-batches", form=True,
                                help="optimizer steps per PPO epoch (the batch is split)")
    ppo_epochs: int = opt(4, min=1, max=100, label="PPO epochs", form=True, help="passes over each batch of rollouts")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 1e-4, "hf": 3e-6}, label="Learning rate",
                              form=True, help="AdamW over policy and value model")
    lr_scheduler: str = opt("linear", choices=["linear", "constant"], help="linear decay to 0 over the updates (TRL)")
    kl_coef: float = opt(0.2, min=0.0, label="KL coefficient (β)", form=True,
                         help="β of the per-token KL penalty; with the adaptive controller, its starting value (TRL "
                              "init_kl_coef)")
    kl_estimator: str = opt("k1", choices=["k1", "k3"], help="k1: logp - logp_ref; k3: unbiased, always >= 0")
    kl_controller: str = opt("adaptive", choices=["adaptive", "fixed"], label="KL controller", form=True,
                             help="adaptive: β follows the KL toward kl_target after each batch (Ziegler et al. 2019); "
                                  "fixed: β stays kl_coef")
    kl_target: float = opt(6.0, gt=0.0, label="KL target", form=True,
                           help="adaptive controller: the KL to the reference to hold, in nats per response")
    kl_horizon: Optional[int] = opt(None, min=1, max=100_000_000, by_backend={"tiny": 128, "hf": 10_000},
                                    label="KL horizon", form=True,
                                    help="adaptive controller: episodes over which β may change by a factor of about "
                                         "e^0.2 at most (TRL horizon)")
    cliprange: float = opt(0.2, min=0.0, label="Clip range", form=True, help="policy ratio clip")
    cliprange_value: float = opt(0.2, min=0.0, label="Value clip range", form=True,
                                 help="value prediction clip around the rollout's values")
    vf_coef: float = opt(0.1, min=0.0, label="Value loss weight", form=True, help="weight of the value loss")
    gamma: float = opt(1.0, min=0.0, max=1.0, label="Gamma (γ)", form=True, help="discount")
    lam: float = opt(0.95, min=0.0, max=1.0, label="GAE lambda (λ)", form=True, help="GAE λ")
    whiten_rewards: bool = opt(False, help="whiten the per-token rewards before GAE (TRL option)")
    temperature: float = opt(0.7, min=0.01, max=5.0, label="Temperature", form=True,
                             help="sampling temperature; log-probs use logits / temperature too")
    max_new_tokens: int = opt(53, min=1, max=1_048_576, label="Max new tokens", form=True,
                              help="response length cap (TRL response_length)")
    max_prompt_length: int = opt(256, min=1, help="longer prompts keep their last tokens")
    missing_eos_penalty: float = opt(1.0, min=0.0, label="Missing-EOS penalty", form=True,
                                     help="subtracted from the score of a response without EOS")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(1, min=1, max=1_000_000, help="metrics (and samples) every N updates")
    num_sample_events: int = opt(4, min=0, help="sample events (prompt, response, score) per logging step")
    save_steps: int = opt(20, min=0, max=1_000_000, help="checkpoint every N updates (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA on policy and value model {"r", "alpha", "dropout", "target_modules"}')

    RULES = (multiple_of("batch_size", "num_mini_batches", field="num_mini_batches",
                         message="the batch size must split evenly into mini-batches"),
             adaptive_kl_rule("kl_coef"))

    def validate(self):
        check_lora(self.lora, self.backend)


# ----------------------------------------------------------------------------------------------------------------------
# the pieces of one update (pure functions, unit-tested)


def response_mask(responses, eos_token_id):
    """responses (B, L) -> mask (B, L) True up to and including the first EOS, index of the last real token (B,),
    and whether an EOS came at all (B,). Positions, not pad ids, decide: some tokenizers use EOS as pad."""
    B, L = responses.shape
    is_eos = responses == eos_token_id  # (B, L)
    has_eos = is_eos.any(dim=1)  # (B,)
    first = torch.where(has_eos, is_eos.long().argmax(dim=1), torch.full((B,), L - 1, device=responses.device))
    mask = torch.arange(L, device=responses.device)[None, :] <= first[:, None]  # (B, L)
    return mask, first, has_eos


def per_token_rewards(kl, scores, last_index, mask, kl_coef):
    """-kl_coef * KL at every response token, plus the reward model's score on the last real token.
    kl (B, L), scores (B,), last_index (B,) -> rewards (B, L), non-score part (B, L)."""
    non_score = -kl_coef * kl * mask  # (B, L)
    rewards = non_score.clone()
    rewards[torch.arange(len(scores), device=scores.device), last_index] += scores
    return rewards, non_score


def gae(rewards, values, mask, gamma, lam):
    """Generalised advantage estimation over response tokens. rewards, values, mask (B, L) -> advantages, returns.
    Values after the last real token count as 0: the episode ends there."""
    values = values * mask
    rewards = rewards * mask
    L = rewards.size(1)
    adv = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(L)):
        next_value = values[:, t + 1] if t + 1 < L else torch.zeros_like(last)
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        last = delta + gamma * lam * last
        adv[:, t] = last
    adv = adv * mask
    return adv, adv + values


def masked_mean(x, mask):
    return (x * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(x, mask, shift_mean=True):
    mean = masked_mean(x, mask)
    n = mask.sum()
    var = masked_mean((x - mean) ** 2, mask) * n / (n - 1).clamp(min=1)  # unbiased, as TRL
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return out * mask


def value_loss(vpred, old_values, returns, mask, cliprange_value):
    """Clipped value loss (PPO2/TRL): 0.5 * mean(max((v - R)^2, (v_clipped - R)^2)); also the clipped fraction."""
    vclipped = old_values + torch.clamp(vpred - old_values, -cliprange_value, cliprange_value)
    l1 = (vpred - returns) ** 2
    l2 = (vclipped - returns) ** 2
    return 0.5 * masked_mean(torch.max(l1, l2), mask), masked_mean((l2 > l1).float(), mask)


def policy_loss(new_logprobs, old_logprobs, advantages, mask, cliprange):
    """Clipped surrogate; returns loss, clip fraction, approx KL (0.5 * mean(logratio^2)), mean ratio."""
    logratio = new_logprobs - old_logprobs
    ratio = torch.exp(logratio)
    l1 = -advantages * ratio
    l2 = -advantages * torch.clamp(ratio, 1.0 - cliprange, 1.0 + cliprange)
    loss = masked_mean(torch.max(l1, l2), mask)
    return loss, masked_mean((l2 > l1).float(), mask), 0.5 * masked_mean(logratio ** 2, mask), masked_mean(ratio, mask)


class AdaptiveKLController:
    """β of the KL penalty, moved after each batch toward the KL that holds `target` (Ziegler et al. 2019, TRL's
    AdaptiveKLController): β *= 1 + clip(kl / target - 1, -0.2, 0.2) * n_episodes / horizon. A "fixed" controller
    keeps β. `value` is checkpointed, so a resumed run continues with the β it had."""

    def __init__(self, kind, value, target, horizon):
        self.kind, self.value, self.target, self.horizon = kind, float(value), float(target), float(horizon)

    def update(self, kl, n_episodes):
        if self.kind != "adaptive":
            return self.value
        error = min(max(kl / self.target - 1.0, -0.2), 0.2)
        self.value *= 1.0 + error * n_episodes / self.horizon
        return self.value


def token_logprobs(logits, tokens, temperature):
    """logits (B, L, V) of the positions predicting `tokens` (B, L) -> log-probs (B, L) under logits / temperature."""
    logp = F.log_softmax(logits / (temperature + 1e-7), dim=-1)
    return logp.gather(-1, tokens[..., None]).squeeze(-1)


# ----------------------------------------------------------------------------------------------------------------------


class OnlineLoop:
    """What the online RL trainers (PPO here, GRPO and RLOO in grpo.py) share: the prompts of each update, log-probs
    of the sampled tokens, sample events, the model's metadata and the run loop. A subclass sets `method`,
    `prompts_per_process` and `total_steps`, and implements `update()` (-> metrics, rollout) and `save_checkpoint()`."""

    method = "ppo"

    def batch_prompts(self, step):
        """This process's prompts at `step`: consecutive slices of per-epoch shuffles, a pure function of the step."""
        n, out, per = len(self.prompts), [], self.prompts_per_process
        start = (step * self.dist.world_size + self.dist.rank) * per
        for p in range(start, start + per):
            epoch, i = divmod(p, n)
            out.append(self.prompts[epoch_order(n, self.cfg.seed, epoch)[i]])
        return out

    def forward_logprobs(self, model, ids, mask, Tp, responses):
        logits = model(ids, mask)[:, Tp - 1:-1]  # (B, L, V): the positions that predict each response token
        return token_logprobs(logits, responses, self.cfg.temperature), logits

    def emit_samples(self, r):
        tok = self.tokenizer
        for b in range(min(self.cfg.num_sample_events, r["ids"].size(0))):
            _, prompt = r["prompts"][b]
            n = int(r["last"][b]) + 1
            self.events.emit("sample", step=self.step, prompt=tok.render_prompt(prompt),
                             response=tok.decode(r["responses"][b, :n].tolist()), score=float(r["scores"][b]))

    def meta(self, metrics):
        cfg = self.cfg
        return {"kind": "policy", "method": self.method, "backend": cfg.backend, "base_model": cfg.policy_path,
                "reward_model_path": cfg.reward_model_path, "snapshot_id": cfg.snapshot_id,
                "snapshot_sha256": cfg.snapshot_sha256, "step": self.step, "metrics": metrics,
                "config": dataclasses.asdict(cfg)}

    def run(self):
        cfg, ev = self.cfg, self.events
        ev.emit("start", total_steps=self.total_steps, device=self.device.type, world_size=self.dist.world_size,
                resumed_from_step=self.step if self.ckpt else None)
        metrics = {}
        while self.step < self.total_steps:
            metrics, r = self.update()
            final = self.step == self.total_steps
            if self.step % cfg.logging_steps == 0 or final:
                ev.emit("metric", step=self.step, metrics=metrics)
                self.emit_samples(r)
            ev.emit("progress", step=self.step, total_steps=self.total_steps)
            if cfg.save_steps and self.step % cfg.save_steps == 0 and not final:
                self.save_checkpoint()
        self.save_checkpoint()
        self.checkpoints.save_final(self.policy, self.meta(metrics), metrics)
        return metrics


class PPOTrainer(OnlineLoop):
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed + self.dist.rank)  # each process samples different responses
        be = cfg.backend
        self.tokenizer = backends.load_tokenizer(be, cfg.policy_path)
        backends.check_same_tokenizer(be, self.tokenizer, cfg.reward_model_path, "PPO")
        self.prompts = load_prompts(cfg.prompts_file)
        self.prompts_per_process = cfg.batch_size  # one response per prompt
        self.global_batch = cfg.batch_size * self.dist.world_size
        self.total_steps = max(1, cfg.total_episodes // self.global_batch)

        self.checkpoints = Checkpoints(cfg, self.dist, events, be, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        ck = (lambda name: os.path.join(self.ckpt, name)) if self.ckpt else (lambda name: None)
        common = dict(lora=cfg.lora, gradient_checkpointing=cfg.gradient_checkpointing)
        self.policy = backends.load_policy(be, cfg.policy_path, self.device, resume_dir=ck("policy"), **common)
        self.ref = backends.load_policy(be, cfg.policy_path, self.device, frozen=True)
        self.reward_model = backends.load_value_model(be, cfg.reward_model_path, self.device, frozen=True,
                                                      pad_token_id=self.tokenizer.pad_token_id)
        self.value = backends.load_value_model(be, cfg.value_model_path or cfg.reward_model_path, self.device,
                                               resume_dir=ck("value"), pad_token_id=self.tokenizer.pad_token_id, **common)
        self.max_prompt = cfg.max_prompt_length
        if be == "tiny":
            block = min(m.config.block_size for m in (self.policy, self.reward_model, self.value))
            if cfg.max_new_tokens >= block:
                raise ConfigError(f"config field 'max_new_tokens' ({cfg.max_new_tokens}) must be below the tiny "
                                  f"models' block_size ({block})")
            self.max_prompt = min(self.max_prompt, block - cfg.max_new_tokens)
        self.policy_ddp = wrap_ddp(self.policy, self.dist, self.device)
        self.value_ddp = wrap_ddp(self.value, self.dist, self.device)
        params = [p for m in (self.policy, self.value) for p in m.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, eps=1e-5)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, 0, cfg.lr_scheduler)
        self.kl_ctl = AdaptiveKLController(cfg.kl_controller, cfg.kl_coef, cfg.kl_target, cfg.kl_horizon)
        self.step = 0
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step = state["step"]
            self.kl_ctl.value = state.get("kl_coef", cfg.kl_coef)

    @torch.no_grad()
    def rollout(self, prompts):
        cfg, tok, dev = self.cfg, self.tokenizer, self.device
        queries = [tok.encode_prompt(p)[-self.max_prompt:] for _, p in prompts]
        q_ids, q_mask = [t.to(dev) for t in pad(queries, tok.pad_token_id, side="left")]  # (B, Tp)
        Tp = q_ids.size(1)
        self.policy.eval()
        t0 = time.time()
        with autocast(dev, cfg.backend):
            responses = backends.sample(cfg.backend, self.policy, q_ids, q_mask, cfg.max_new_tokens, cfg.temperature, tok)
        t_gen = time.time() - t0
        mask, last, has_eos = response_mask(responses, tok.eos_token_id)  # (B, L), (B,), (B,)
        responses = responses.masked_fill(~mask, tok.pad_token_id)
        ids = torch.cat([q_ids, responses], dim=1)  # (B, Tp + L)
        full_mask = torch.cat([q_mask, mask.long()], dim=1)  # (B, Tp + L)
        with autocast(dev, cfg.backend):
            logprobs = self.forward_logprobs(self.policy, ids, full_mask, Tp, responses)[0].float()  # (B, L)
            ref_logprobs = self.forward_logprobs(self.ref, ids, full_mask, Tp, responses)[0].float()  # (B, L)
            values = self.value(ids, full_mask)[:, Tp - 1:-1].float()  # (B, L): value of the state before each token
            raw_scores = gather_last(self.reward_model(ids, full_mask), full_mask).float()  # (B,) at the last real token
        scores = raw_scores - cfg.missing_eos_penalty * (~has_eos).float()
        fmask = mask.float()
        logr = logprobs - ref_logprobs
        kl = (torch.exp(-logr) - 1 + logr) if cfg.kl_estimator == "k3" else logr  # (B, L)
        rewards, non_score = per_token_rewards(kl * fmask, scores, last, fmask, self.kl_ctl.value)
        if cfg.whiten_rewards:
            rewards = masked_whiten(rewards, fmask, shift_mean=False)
        advantages, returns = gae(rewards, values, fmask, cfg.gamma, cfg.lam)
        advantages = masked_whiten(advantages, fmask)
        return dict(ids=ids, full_mask=full_mask, Tp=Tp, responses=responses, mask=fmask, last=last, logprobs=logprobs,
                    values=values * fmask, returns=returns, advantages=advantages, scores=scores, kl=kl * fmask,
                    non_score=non_score, t_gen=t_gen, prompts=prompts)

    def learn(self, r):
        cfg = self.cfg
        B = r["ids"].size(0)
        mb_size = B // cfg.num_mini_batches
        self.policy.train()
        self.value.train()
        stats = {k: [] for k in ("approxkl", "clipfrac", "pg_loss", "vf_loss", "vf_clipfrac", "entropy", "ratio")}
        for _ in range(cfg.ppo_epochs):
            perm = torch.randperm(B, device=r["ids"].device)
            for s in range(0, B, mb_size):
                i = perm[s:s + mb_size]
                ids, fm, resp, m = r["ids"][i], r["full_mask"][i], r["responses"][i], r["mask"][i]
                with autocast(self.device, cfg.backend):
                    new_logprobs, logits = self.forward_logprobs(self.policy_ddp, ids, fm, r["Tp"], resp)
                    vpred = self.value_ddp(ids, fm)[:, r["Tp"] - 1:-1].float()
                new_logprobs = new_logprobs.float()
                vf_loss, vf_clipfrac = value_loss(vpred, r["values"][i], r["returns"][i], m, cfg.cliprange_value)
                pg_loss, clipfrac, approxkl, ratio = policy_loss(new_logprobs, r["logprobs"][i], r["advantages"][i], m,
                                                                 cfg.cliprange)
                loss = pg_loss + cfg.vf_coef * vf_loss
                loss.backward()
                if cfg.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(self.optimizer.param_groups[0]["params"], cfg.max_grad_norm)
                self.optimizer.step()
                self.optimizer.zero_grad(set_to_none=True)
                with torch.no_grad():
                    pg_loss, vf_loss = pg_loss.detach(), vf_loss.detach()
                    lf = logits.float() / (cfg.temperature + 1e-7)
                    p = F.softmax(lf, dim=-1)
                    entropy = masked_mean(torch.logsumexp(lf, dim=-1) - (p * lf).sum(-1), m)
                for k, v in (("approxkl", approxkl), ("clipfrac", clipfrac), ("pg_loss", pg_loss), ("vf_loss", vf_loss),
                             ("vf_clipfrac", vf_clipfrac), ("entropy", entropy), ("ratio", ratio)):
                    stats[k].append(v.item())
        lr = self.scheduler.get_last_lr()[0]
        self.scheduler.step()
        return {k: sum(v) / len(v) for k, v in stats.items()}, lr

    def update(self):
        t0 = time.time()
        r = self.rollout(self.batch_prompts(self.step))
        t1 = time.time()
        s, lr = self.learn(r)
        t_train = time.time() - t1
        self.step += 1
        seconds = time.time() - t0
        mean_non_score = float(r["non_score"].sum(1).mean())
        kl_coef = self.kl_ctl.value  # the β this batch's rewards were computed with
        metrics = {
            "objective/kl": float(r["kl"].sum(1).mean()),
            "objective/entropy": float((-r["logprobs"] * r["mask"]).sum(1).mean()),
            "objective/non_score_reward": mean_non_score,
            "objective/rlhf_reward": mean_non_score + float(r["scores"].mean()),
            "objective/scores": float(r["scores"].mean()),
            "policy/approxkl_avg": s["approxkl"], "policy/clipfrac_avg": s["clipfrac"],
            "policy/entropy_avg": s["entropy"], "loss/policy_avg": s["pg_loss"], "loss/value_avg": s["vf_loss"],
            "val/clipfrac_avg": s["vf_clipfrac"], "val/ratio": s["ratio"],
            "response_length": float(r["mask"].sum(1).mean()),
            "time/generate_s": r["t_gen"], "time/train_s": t_train, "generation_share": r["t_gen"] / seconds,
        }
        metrics = all_mean(metrics, self.dist, self.device)
        # every process moves β by the same, process-averaged KL
        self.kl_ctl.update(metrics["objective/kl"], self.global_batch)
        metrics.update(learning_rate=lr, episode=self.step * self.global_batch, eps=self.global_batch / seconds,
                       **{"objective/kl_coef": kl_coef})
        return metrics, r

    def save_checkpoint(self):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
                 "kl_coef": self.kl_ctl.value}
        self.checkpoints.save(self.step, {"policy": self.policy, "value": self.value}, state, self.meta({}))


def main(cfg, events):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = PPOTrainer(cfg, events)
    return run_trainer(trainer, "lower batch_size or max_new_tokens, or enable lora")


if __name__ == "__main__":
    run_cli(PPOConfig, main)
