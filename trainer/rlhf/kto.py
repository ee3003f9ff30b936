"""Kahneman-Tversky Optimization of a policy from unpaired desirable and undesirable responses, after TRL's
KTOTrainer.

    python3 -m rlhf.kto --config cfg.json        (one process, or torchrun --nproc_per_node=K -m rlhf.kto …)

With logratio = logp - ref_logp of a response (its summed token log-probs, EOS included, under the policy and the
frozen reference) and z0 the reference point, an estimate of KL(policy || reference):

    desirable:    loss = desirable_weight   * (1 - sigmoid(beta * (logratio - z0)))
    undesirable:  loss = undesirable_weight * (1 - sigmoid(beta * (z0 - logratio)))

averaged over the batch's examples. z0 is estimated from mismatched pairs in the batch, as TRL does: the prompt of
each example with the completion of the one before it (rotated by one), whose logratios' mean (over every process,
clamped at 0, without gradient) stands for the KL. So a batch needs at least 2 examples.

Rows (data.load_unpaired): TRL unpaired preference rows {"prompt", "completion", "label"}, or preference pair rows
split into a desirable and an undesirable example (TRL's unpair_preference_dataset); pair rows with margin 0 (ties
the snapshot kept) prefer neither side and are left out, counted in a log line.

Class balance (TRL's rule): desirable_weight * n_desirable / (undesirable_weight * n_undesirable) should lie in
[1, 4/3]. Outside it the run says so in a warning with the weights that would fix it; with class_balance "adapt" it
raises the rarer class's weight to bring the ratio to 1 (the share TRL's advice starts from) and logs the weights.

Metrics (TRL's names): loss, kl, rewards/chosen, rewards/rejected (beta * logratio of the desirable / undesirable
examples), rewards/margins (their difference), logps/chosen, logps/rejected, count/chosen, count/rejected, and their
eval_ forms.
"""
import dataclasses
import math
import os
from typing import Optional

import torch

from . import backends
from .checkpoint import Checkpoints, lineage
from .config import check_lora, opt, required
from .data import load_unpaired, pad
from .dpo import sequence_logps
from .protocol import run_cli
from .runtime import (emit_start, train_steps, all_mean, autocast, batch_indices, init_distributed, linear_schedule, resolve_device, run_trainer,
                      seed_everything, setup_threads, wrap_ddp)

BALANCE = (1.0, 4.0 / 3.0)  # TRL's range for desirable_weight * n_desirable / (undesirable_weight * n_undesirable)


@dataclasses.dataclass
class KTOConfig:
    """What `python3 -m rlhf.kto` reads (TRL KTOConfig names). The app's launch form shows the fields marked `form`."""

    output_dir: str = required(help="checkpoints/ and the final policy model/ are written here", staged=True)
    train_file: str = required(help="the snapshot's train split: unpaired rows {prompt, completion, label} or "
                                    "preference pairs (chosen = desirable, rejected = undesirable)", staged=True)
    policy_path: str = required(help="the starting policy (a tiny or local hf directory); also the frozen reference")
    test_file: Optional[str] = opt(None, help="the snapshot's test split, evaluated as eval_*", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="tiny byte-level transformer, or Hugging Face transformers")
    snapshot_id: Optional[str] = opt(None, help="recorded in every checkpoint and the final model's metadata", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="the snapshot's content hash, recorded for lineage", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    beta: float = opt(0.1, gt=0.0, max=100.0, label="Beta (β)", form=True,
                      help="how far the policy may move from the reference: small = far (TRL beta)")
    desirable_weight: float = opt(1.0, gt=0.0, max=1000.0, label="Desirable weight", form=True,
                                  help="weight of the desirable examples' losses (TRL desirable_weight)")
    undesirable_weight: float = opt(1.0, gt=0.0, max=1000.0, label="Undesirable weight", form=True,
                                    help="weight of the undesirable examples' losses (TRL undesirable_weight)")
    class_balance: str = opt("warn", choices=["warn", "adapt"], label="Class balance", form=True,
                             help="when desirable_weight·n_desirable / (undesirable_weight·n_undesirable) is outside "
                                  "[1, 4/3]: warn, or adapt (raise the rarer class's weight to ratio 1)")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 3e-4, "hf": 1e-6}, label="Learning rate",
                              form=True, help="peak learning rate (AdamW, linear decay after the warmup)")
    warmup_ratio: float = opt(0.0, min=0.0, max=1.0, help="share of the steps spent warming the learning rate up linearly")
    weight_decay: float = opt(0.0, min=0.0, help="AdamW weight decay")
    epochs: int = opt(1, min=1, max=1000, label="Epochs", form=True, help="passes over the examples")
    batch_size: Optional[int] = opt(None, min=2, max=65_536, by_backend={"tiny": 16, "hf": 8}, label="Batch size",
                                    form=True, help="examples per optimizer step over all processes (at least 2 per "
                                                    "process: the KL estimate pairs each prompt with another completion)")
    max_length: Optional[int] = opt(None, min=8, max=1_048_576, by_backend={"tiny": 128, "hf": 512}, label="Max length",
                                    form=True, help="tokens per prompt + completion (tiny: at most the policy's block "
                                                    "size); longer ones lose the start of the prompt")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(5, min=1, max=1_000_000, label="Logging steps", form=True,
                             help="averaged train metrics every N steps")
    eval_steps: int = opt(0, min=0, max=1_000_000, help="evaluate on test_file every N steps (0 = at the end only)")
    save_steps: int = opt(100, min=0, max=1_000_000, help="checkpoint every N steps (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA adapters {"r", "alpha", "dropout", "target_modules"}; {} = full fine-tuning')

    def validate(self):
        check_lora(self.lora, self.backend)


# ----------------------------------------------------------------------------------------------------------------------
# the pieces of one step (pure functions, unit-tested)


def kto_loss(logps, ref_logps, kl_logps, ref_kl_logps, desirable, beta, desirable_weight=1.0, undesirable_weight=1.0,
             kl=None):
    """Examples (N,) of log-probs and labels (N,) bool, mismatched pairs (M,) -> per-example losses (N,) (weights
    applied), implicit rewards beta * logratio (N,), and the KL estimate z0 (a detached scalar, clamped at 0). `kl`
    overrides the estimate (the mean over every process, in a distributed run)."""
    if kl is None:
        kl = (kl_logps - ref_kl_logps).mean().detach().clamp(min=0)
    logratio = logps - ref_logps  # (N,)
    chosen = desirable_weight * (1 - torch.sigmoid(beta * (logratio - kl)))
    rejected = undesirable_weight * (1 - torch.sigmoid(beta * (kl - logratio)))
    losses = torch.where(desirable, chosen, rejected)
    return losses, beta * logratio.detach(), kl


def balance_weights(n_desirable, n_undesirable, desirable_weight, undesirable_weight):
    """(ratio, weights that bring it to 1 by raising the rarer class's weight); the ratio is None when a class is
    missing."""
    if n_desirable == 0 or n_undesirable == 0:
        return None, (desirable_weight, undesirable_weight)
    ratio = desirable_weight * n_desirable / (undesirable_weight * n_undesirable)
    if ratio < 1:
        return ratio, (undesirable_weight * n_undesirable / n_desirable, undesirable_weight)
    return ratio, (desirable_weight, desirable_weight * n_desirable / n_undesirable)


@dataclasses.dataclass
class KTOExample:
    prompt: object
    completion: object
    desirable: bool
    ids: list  # prompt + completion + EOS, truncated at the start
    start: int  # index of the first completion token


def encode(rows, tokenizer, max_length):
    out = []
    for prompt, completion, desirable in rows:
        ids, start = encode_one(tokenizer, prompt, completion, max_length)
        out.append(KTOExample(prompt, completion, desirable, ids, start))
    return out


def encode_one(tokenizer, prompt, completion, max_length):
    """Token ids of (prompt, completion) and where the completion starts; an over-long one loses the start of its
    prompt (at least one token of context is kept)."""
    n_prompt = len(tokenizer.encode_prompt(prompt))
    t = tokenizer.encode_conversation(prompt, completion)
    cut = max(0, len(t) - max_length)
    return t[cut:], max(1, n_prompt - cut)


def mismatched(examples):
    """The KL pairs of a batch: the prompt of each example with the completion of the one before it. A completion
    in the other format (a string for a message prompt) cannot be paired and is skipped."""
    n = len(examples)
    return [(examples[i].prompt, examples[(i - 1) % n].completion) for i in range(n)
            if isinstance(examples[i].prompt, str) == isinstance(examples[(i - 1) % n].completion, str)]


# ----------------------------------------------------------------------------------------------------------------------


class KTOTrainer:
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed)
        be = cfg.backend
        self.tokenizer = backends.load_tokenizer(be, cfg.policy_path)
        self.checkpoints = Checkpoints(cfg, self.dist, events, be, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        common = dict(lora=cfg.lora, gradient_checkpointing=cfg.gradient_checkpointing)
        self.policy = backends.load_policy(be, cfg.policy_path, self.device,
                                           resume_dir=os.path.join(self.ckpt, "policy") if self.ckpt else None, **common)
        self.ref = backends.load_policy(be, cfg.policy_path, self.device, frozen=True)
        self.max_length = min(cfg.max_length, self.policy.config.block_size) if be == "tiny" else cfg.max_length
        rows, self.ties = load_unpaired(cfg.train_file)
        self.train = encode(rows, self.tokenizer, self.max_length)
        self.test = encode(load_unpaired(cfg.test_file)[0], self.tokenizer, self.max_length) if cfg.test_file else []
        self.n_desirable = sum(e.desirable for e in self.train)
        self.n_undesirable = len(self.train) - self.n_desirable
        self.desirable_weight, self.undesirable_weight = cfg.desirable_weight, cfg.undesirable_weight
        self.ratio, suggested = balance_weights(self.n_desirable, self.n_undesirable, cfg.desirable_weight,
                                                cfg.undesirable_weight)
        self.balanced = self.ratio is not None and BALANCE[0] <= self.ratio <= BALANCE[1]
        if self.ratio is not None and not self.balanced and cfg.class_balance == "adapt":
            self.desirable_weight, self.undesirable_weight = suggested
        self.suggested = suggested
        self.steps_per_epoch = math.ceil(len(self.train) / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        self.policy_ddp = wrap_ddp(self.policy, self.dist, self.device)
        params = [p for p in self.policy.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, int(cfg.warmup_ratio * self.total_steps))
        self.step = 0
        self.acc = {}  # running sums of train metrics since the last logging step
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step, self.acc = state["step"], state["log_acc"]

    def logps_of(self, model, seqs):
        """Summed completion log-probs (N,) of [(ids, start)]."""
        ids, mask = pad([s[0] for s in seqs], self.tokenizer.pad_token_id)
        starts = torch.tensor([s[1] for s in seqs])
        resp = (torch.arange(ids.size(1))[None, :] >= starts[:, None]) & mask.bool()  # (N, T)
        ids, mask, resp = ids.to(self.device), mask.to(self.device), resp.to(self.device)
        with autocast(self.device, self.cfg.backend):
            return sequence_logps(model(ids, mask), ids, resp)

    def batch_terms(self, model, examples, sync_kl=True):
        """Per-example losses (N,), rewards (N,), policy log-probs (N,), labels (N,) and the KL estimate (averaged
        over the processes when `sync_kl`: every process then takes this step)."""
        seqs = [(e.ids, e.start) for e in examples]
        kl_seqs = [encode_one(self.tokenizer, p, c, self.max_length) for p, c in mismatched(examples)] or seqs
        logps = self.logps_of(model, seqs)
        with torch.no_grad():
            ref_logps = self.logps_of(self.ref, seqs)
            kl_local = (self.logps_of(model, kl_seqs) - self.logps_of(self.ref, kl_seqs)).mean()
        if sync_kl:
            kl_local = torch.tensor(all_mean({"kl": float(kl_local)}, self.dist, self.device)["kl"], device=self.device)
        kl = kl_local.clamp(min=0)
        desirable = torch.tensor([e.desirable for e in examples], device=self.device)
        losses, rewards, kl = kto_loss(logps, ref_logps, None, None, desirable, self.cfg.beta, self.desirable_weight,
                                       self.undesirable_weight, kl=kl)
        return losses, rewards, logps.detach(), desirable, float(kl)

    @staticmethod
    def sums(losses, rewards, logps, desirable):
        d, u = desirable.float(), (~desirable).float()
        return {"loss": float(losses.detach().sum()), "n": float(len(losses)),
                "rewards/chosen": float((rewards * d).sum()), "rewards/rejected": float((rewards * u).sum()),
                "logps/chosen": float((logps * d).sum()), "logps/rejected": float((logps * u).sum()),
                "count/chosen": float(d.sum()), "count/rejected": float(u.sum())}

    @staticmethod
    def averages(s, kl_sum, kl_n, prefix=""):
        """TRL's logged values from sums: per-class means (0 when a class was absent), their margin, the KL."""
        def per(key, count):
            return s[key] / s[count] if s[count] else 0.0

        chosen, rejected = per("rewards/chosen", "count/chosen"), per("rewards/rejected", "count/rejected")
        return {f"{prefix}loss": s["loss"] / max(s["n"], 1), f"{prefix}kl": kl_sum / max(kl_n, 1),
                f"{prefix}rewards/chosen": chosen, f"{prefix}rewards/rejected": rejected,
                f"{prefix}rewards/margins": chosen - rejected,
                f"{prefix}logps/chosen": per("logps/chosen", "count/chosen"),
                f"{prefix}logps/rejected": per("logps/rejected", "count/rejected"),
                f"{prefix}count/chosen": s["count/chosen"], f"{prefix}count/rejected": s["count/rejected"]}

    def train_step(self):
        idx, real = batch_indices(len(self.train), self.cfg.batch_size, self.cfg.seed, self.step, self.dist)
        self.policy.train()
        examples = [self.train[j] for j in idx]
        losses, rewards, logps, desirable, kl = self.batch_terms(self.policy_ddp, examples)
        sums = self.sums(losses, rewards, logps, desirable)
        if not real:
            losses, sums = losses * 0, {k: 0.0 for k in sums}
        losses.mean().backward()
        if self.cfg.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.cfg.max_grad_norm)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        for k, v in all_mean(sums, self.dist, self.device).items():
            self.acc[k] = self.acc.get(k, 0.0) + v
        self.acc["_kl"] = self.acc.get("_kl", 0.0) + kl
        self.acc["_steps"] = self.acc.get("_steps", 0) + 1
        self.acc["learning_rate"] = lr

    def flush_metrics(self):
        acc, self.acc = self.acc, {}
        metrics = self.averages(acc, acc.pop("_kl"), acc.pop("_steps"))
        metrics.update(learning_rate=acc["learning_rate"], epoch=self.step / self.steps_per_epoch)
        return metrics

    @torch.no_grad()
    def evaluate(self):
        self.policy.eval()
        total, kl_sum, kl_n = {}, 0.0, 0
        mine = self.test[self.dist.rank::self.dist.world_size] or self.test[:2]
        for i in range(0, len(mine), self.cfg.batch_size):
            batch = mine[i:i + self.cfg.batch_size]
            losses, rewards, logps, desirable, kl = self.batch_terms(self.policy, batch, sync_kl=False)
            for k, v in self.sums(losses, rewards, logps, desirable).items():
                total[k] = total.get(k, 0.0) + v
            kl_sum, kl_n = kl_sum + kl, kl_n + 1
        return self.averages(all_mean(total, self.dist, self.device), kl_sum, kl_n, prefix="eval_")

    def meta(self, metrics):
        return lineage(self.cfg, kind="policy", method="kto", base_model=self.cfg.policy_path, step=self.step,
                       metrics=metrics, desirable_weight=self.desirable_weight,
                       undesirable_weight=self.undesirable_weight)

    def save_checkpoint(self):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(), "log_acc": self.acc}
        self.checkpoints.save(self.step, {"policy": self.policy}, state, self.meta({}))

    def report_data(self):
        ev = self.events
        ev.emit("log", message=f"{self.n_desirable} desirable and {self.n_undesirable} undesirable examples"
                               f"{f'; {self.ties} tied pair row(s) left out (margin 0: neither side is preferred)' if self.ties else ''}")
        if self.ratio is None:
            ev.emit("log", level="warning", message="only one class in the train split: KTO learns from it alone, "
                                                    "without the other side's contrast")
        elif not self.balanced:
            d, u = self.suggested
            what = (f"adapted: desirable_weight {self.desirable_weight:.4g}, undesirable_weight {self.undesirable_weight:.4g}"
                    if self.cfg.class_balance == "adapt" else
                    f"set desirable_weight {d:.4g} and undesirable_weight {u:.4g} (or class_balance \"adapt\") to fix it")
            ev.emit("log", level="warning", message=f"desirable_weight·n_desirable / (undesirable_weight·n_undesirable) "
                                                    f"= {self.ratio:.3f}, outside TRL's [1, 4/3]; {what}")

    def run(self):
        emit_start(self)
        self.report_data()
        metrics = train_steps(self, self.save_checkpoint)
        metrics.update(desirable_weight=self.desirable_weight,
                       undesirable_weight=self.undesirable_weight)
        self.save_checkpoint()
        self.checkpoints.save_final(self.policy, self.meta(metrics), metrics)
        return metrics


def main(cfg, events):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = KTOTrainer(cfg, events)
    return run_trainer(trainer, "lower batch_size or max_length, or enable lora")


if __name__ == "__main__":
    run_cli(KTOConfig, main)
