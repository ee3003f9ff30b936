"""Reward-model training on a snapshot's preference pairs (Bradley-Terry, as TRL's RewardTrainer).

    python3 -m rlhf.reward --config cfg.json        (cwd trainer/, or PYTHONPATH=trainer)

loss = -logsigmoid(r_chosen - r_rejected - margin) [+ center_rewards_coef * mean((r_chosen + r_rejected)^2)], with
the reward read at each sequence's last non-pad token. One batch element is one prompt with all its ranked pairs.
"""
import dataclasses
import math
import os
import sys
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints, lineage
from .config import check_lora, multiple_of, opt, required, required_when
from .data import collate, encode_groups, load_preferences
from .model import gather_last
from .protocol import ConfigError, run_cli
from .tokenizer import ByteTokenizer, WordTokenizer
from .runtime import (emit_start, train_steps, all_mean, autocast, batch_indices, init_distributed, linear_schedule, resolve_device,
                      run_trainer, seed_everything, setup_threads, wrap_ddp)


@dataclasses.dataclass
class RewardConfig:
    """What `python3 -m rlhf.reward` reads. The app's launch form shows the fields marked `form`."""

    output_dir: str = required(help="checkpoints/ and the final model/ are written here", staged=True)
    train_file: str = required(help="the snapshot's train split (JSONL, .gz allowed)", staged=True)
    test_file: Optional[str] = opt(None, help="the snapshot's test split, evaluated as eval_*", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="tiny byte-level transformer, or Hugging Face transformers")
    model_path: Optional[str] = opt(None, label="Base model directory", form=True, backends=["hf"],
                                    help="hf: a local Hugging Face model directory (base LM or reward model) on the worker "
                                         "host, under DATA_DIR/models or a TRAINER_MODEL_ROOTS folder; tiny: optional tiny "
                                         "directory to start from")
    snapshot_id: Optional[str] = opt(None, help="recorded in every checkpoint and the final model's metadata", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="the snapshot's content hash, recorded for lineage", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds model init, data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    # The tiny defaults (4 layers of 64 with 8 heads, mimetic attention init, lr 3e-3 after a 10% warmup, 3 epochs)
    # learn the prompt-dependent synthetic tasks (rlhf.synthetic order/count), where the better answer agrees with a
    # detail of the prompt, not just a marker word; 2 layers of 128 at 1e-3 for 1 epoch stayed near 60% on them, and
    # without the mimetic init `order` reached 95% on 1 training seed of 5 (docs/benchmarks.md).
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 3e-3, "hf": 1e-5}, label="Learning rate", form=True,
                              help="peak learning rate (AdamW, linear decay after the warmup)")
    weight_decay: float = opt(0.0, min=0.0, help="AdamW weight decay")
    warmup_ratio: Optional[float] = opt(None, min=0.0, max=1.0, by_backend={"tiny": 0.1, "hf": 0.0}, label="Warmup ratio",
                                        form=True, help="share of the steps spent warming the learning rate up linearly")
    lr_scheduler: str = opt("linear", choices=["linear", "constant"], help="the learning rate after the warmup")
    epochs: Optional[int] = opt(None, min=1, max=1000, by_backend={"tiny": 3, "hf": 1}, label="Epochs", form=True,
                                help="passes over the training groups")
    batch_size: Optional[int] = opt(None, min=1, max=65_536, by_backend={"tiny": 16, "hf": 8}, label="Batch size", form=True,
                                    help="prompts per optimizer step over all processes; a ranking's pairs stay together")
    max_length: Optional[int] = opt(None, min=8, max=1_048_576, by_backend={"tiny": 256, "hf": 512}, label="Max length",
                                    form=True, help="tokens per prompt + response (longer ones keep their end); a new "
                                                    "tiny model's block size")
    center_rewards_coef: float = opt(0.0, min=0.0, help="TRL's center_rewards_coefficient (0 = off)")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(10, min=1, max=1_000_000, label="Logging steps", form=True,
                             help="averaged train metrics every N steps")
    eval_steps: int = opt(0, min=0, max=1_000_000, help="evaluate on test_file every N steps (0 = at the end only)")
    save_steps: int = opt(100, min=0, max=1_000_000, help="checkpoint every N steps (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA adapters {"r", "alpha", "dropout", "target_modules"}; {} = full fine-tuning')
    n_layer: int = opt(4, min=1, max=48, label="Layers", form=True, backends=["tiny"],
                       help="a tiny model built from scratch (no model_path): its blocks")
    n_head: int = opt(8, min=1, max=64, label="Heads", form=True, backends=["tiny"], help="its attention heads")
    n_embd: int = opt(64, min=8, max=8192, label="Width", form=True, backends=["tiny"],
                      help="its width, a multiple of the heads")
    tokenizer: str = opt("bytes", choices=["bytes", "words"], backends=["tiny"],
                         help="a new tiny model's tokens: UTF-8 bytes, or words (one token per word seen twice in "
                              "train_file, saved as the model's vocab.json; other text in bytes); a model_path keeps its own")
    attention_init: str = opt("mimetic", choices=["mimetic", "normal"], backends=["tiny"],
                              help="a new tiny model's attention weights: mimetic (each head starts attending to tokens "
                                   "like the current one, Trockman & Kolter 2023: a reward model then learns answers that "
                                   "must match the prompt in one epoch instead of after a long plateau, or never) or "
                                   "normal (small random weights, nanoGPT's)")

    RULES = (
        required_when("model_path", backend="hf", message="the hf backend needs a local model directory"),
        multiple_of("n_embd", "n_head", message="the width must be a multiple of the heads"),
    )

    def validate(self):
        check_lora(self.lora, self.backend)


def reward_loss(r_chosen, r_rejected, margin, weight, center_coef=0.0):
    """Pairs (P,) -> scalar. `weight` (P,) sums to 1 over the batch (per-prompt normalisation)."""
    loss = (-F.logsigmoid(r_chosen - r_rejected - margin) * weight).sum()
    if center_coef > 0:
        loss = loss + center_coef * ((r_chosen + r_rejected) ** 2 * weight).sum()
    return loss


def score(model, input_ids, attention_mask):
    """Rewards (N,): the value model read at each row's last real token."""
    values = model(input_ids, attention_mask)  # (N, T)
    return gather_last(values, attention_mask).float()  # (N,)


class Trainer:
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed)
        train = load_preferences(cfg.train_file)
        if cfg.backend == "tiny" and not cfg.model_path and cfg.tokenizer == "words":
            text = ByteTokenizer().render_conversation
            self.tokenizer = WordTokenizer.build(text(g.prompt, r) for g in train for r in g.responses)
        else:
            self.tokenizer = backends.load_tokenizer(cfg.backend, cfg.model_path)
        self.train, truncated = encode_groups(train, self.tokenizer, cfg.max_length)
        self.test = encode_groups(load_preferences(cfg.test_file), self.tokenizer, cfg.max_length)[0] if cfg.test_file else []
        if truncated:
            print(f"warning: {truncated} responses longer than max_length={cfg.max_length} kept their last tokens",
                  file=sys.stderr)
        self.steps_per_epoch = math.ceil(len(self.train) / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch

        self.checkpoints = Checkpoints(cfg, self.dist, events, cfg.backend, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        self.model = backends.load_value_model(
            cfg.backend, cfg.model_path, self.device, lora=cfg.lora, gradient_checkpointing=cfg.gradient_checkpointing,
            resume_dir=os.path.join(self.ckpt, "model") if self.ckpt else None, pad_token_id=self.tokenizer.pad_token_id,
            tiny_init=dict(n_layer=cfg.n_layer, n_head=cfg.n_head, n_embd=cfg.n_embd, block_size=cfg.max_length,
                           vocab_size=self.tokenizer.vocab_size, init=cfg.attention_init),
        )
        if cfg.backend == "tiny" and cfg.max_length > self.model.config.block_size:
            raise ConfigError(f"config field 'max_length' ({cfg.max_length}) exceeds the tiny model's block_size "
                              f"({self.model.config.block_size})")
        self.ddp = wrap_ddp(self.model, self.dist, self.device)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, int(cfg.warmup_ratio * self.total_steps),
                                         cfg.lr_scheduler)
        self.step = 0
        self.num_tokens = 0
        self.acc = {}  # running sums of train metrics since the last logging step
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step, self.num_tokens, self.acc = state["step"], state["num_tokens"], state["log_acc"]

    # ------------------------------------------------------------------------------------------------------------------

    def batch_groups(self, step):
        """This process's groups at `step` (see runtime.batch_indices), and whether they are real."""
        idx, real = batch_indices(len(self.train), self.cfg.batch_size, self.cfg.seed, step, self.dist)
        return [self.train[j] for j in idx], real

    def train_step(self):
        groups, real = self.batch_groups(self.step)
        ids, mask, c, r, margin, weight = [t.to(self.device) for t in collate(groups, self.tokenizer.pad_token_id)]
        if not real:
            weight = weight * 0
        self.model.train()
        with autocast(self.device, self.cfg.backend):
            rewards = score(self.ddp, ids, mask)  # (N,)
        loss = reward_loss(rewards[c], rewards[r], margin, weight, self.cfg.center_rewards_coef)
        loss.backward()
        if self.cfg.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.max_grad_norm)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self.num_tokens += int(mask.sum()) * self.dist.world_size
        with torch.no_grad():
            diff = (rewards[c] - rewards[r]).float()
            stats = {"loss": loss.item(), "accuracy": (diff > 0).float().mean().item(), "margin": diff.mean().item(),
                     "mean_reward": rewards.mean().item(), "min_reward": rewards.min().item(),
                     "max_reward": rewards.max().item()}
        stats = all_mean(stats, self.dist, self.device)
        for k, v in stats.items():
            self.acc[k] = self.acc.get(k, 0.0) + v
        self.acc["_n"] = self.acc.get("_n", 0) + 1
        self.acc["learning_rate"] = lr

    def flush_metrics(self):
        n = self.acc.pop("_n")
        lr = self.acc.pop("learning_rate")
        metrics = {k: v / n for k, v in self.acc.items()}
        metrics.update(learning_rate=lr, num_tokens=self.num_tokens, epoch=self.step / self.steps_per_epoch)
        self.acc = {}
        return metrics

    @torch.no_grad()
    def rewards_over(self, groups):
        """Scores every distinct response of `groups` (this process's share), batch by batch.
        Returns (rewards (N,), chosen (P,), rejected (P,), margin (P,), group weight (P,)) concatenated."""
        self.model.eval()
        out = {k: [] for k in ("r", "c", "rj", "m", "w")}
        offset = 0
        mine = groups[self.dist.rank::self.dist.world_size]
        for i in range(0, len(mine), self.cfg.batch_size):
            batch = mine[i:i + self.cfg.batch_size]
            ids, mask, c, r, margin, weight = collate(batch, self.tokenizer.pad_token_id)
            with autocast(self.device, self.cfg.backend):
                rewards = score(self.model, ids.to(self.device), mask.to(self.device)).cpu()
            out["r"].append(rewards)
            out["c"].append(c + offset)
            out["rj"].append(r + offset)
            out["m"].append(margin)
            out["w"].append(weight * len(batch))  # per-group weights summing to the batch's group count
            offset += len(rewards)
        if not out["r"]:
            empty = torch.zeros(0)
            return empty, empty.long(), empty.long(), empty, empty
        return tuple(torch.cat(out[k]) for k in ("r", "c", "rj", "m", "w"))

    def _sums(self, parts):
        """Sums that add up across processes (a distributed run splits the groups)."""
        if self.dist.world_size == 1:
            return parts
        import torch.distributed as dist

        keys = sorted(k for k in parts if not k.startswith("min") and not k.startswith("max"))
        t = torch.tensor([parts[k] for k in keys], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        lo = torch.tensor([parts["min"]], dtype=torch.float64, device=self.device)
        hi = torch.tensor([parts["max"]], dtype=torch.float64, device=self.device)
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        return {**dict(zip(keys, t.tolist())), "min": lo.item(), "max": hi.item()}

    def evaluate(self):
        rewards, c, r, margin, weight = self.rewards_over(self.test)
        diff = rewards[c] - rewards[r] if len(c) else torch.zeros(0)
        pair_loss = -F.logsigmoid(diff - margin) if len(c) else torch.zeros(0)
        s = self._sums({
            "loss": float((pair_loss * weight).sum()), "groups": float(weight.sum()), "correct": float((diff > 0).sum()),
            "pairs": float(len(diff)), "diff": float(diff.sum()), "r": float(rewards.sum()), "n": float(len(rewards)),
            "min": float(rewards.min()) if len(rewards) else math.inf,
            "max": float(rewards.max()) if len(rewards) else -math.inf,
        })
        return {"eval_loss": s["loss"] / s["groups"], "eval_accuracy": s["correct"] / s["pairs"],
                "eval_margin": s["diff"] / s["pairs"], "eval_mean_reward": s["r"] / s["n"],
                "eval_min_reward": s["min"], "eval_max_reward": s["max"]}

    def normalization(self):
        """Mean and std of the rewards of the training responses: lets PPO or the UI put scores on a common scale."""
        rewards = self.rewards_over(self.train)[0].double()
        s = self._sums({"n": float(len(rewards)), "s": float(rewards.sum()), "s2": float((rewards ** 2).sum()),
                        "min": 0.0, "max": 0.0})
        mean = s["s"] / s["n"]
        return {"mean": mean, "std": math.sqrt(max(0.0, s["s2"] / s["n"] - mean ** 2))}

    # ------------------------------------------------------------------------------------------------------------------

    def meta(self, normalization, metrics):
        return lineage(self.cfg, kind="reward", method="reward", base_model=self.cfg.model_path, step=self.step,
                       metrics=metrics, normalization=normalization)

    def save_checkpoint(self, normalization):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
                 "num_tokens": self.num_tokens, "log_acc": self.acc,
                 "cursor": dict(zip(("epoch", "index"), divmod(self.step, self.steps_per_epoch)))}
        self.checkpoints.save(self.step, {"model": self.model}, state, self.meta(normalization, {}))

    def run(self):
        emit_start(self)
        metrics = train_steps(self, lambda: self.save_checkpoint(self.normalization()))
        normalization = self.normalization()
        metrics.update(reward_mean=normalization["mean"], reward_std=normalization["std"])
        self.save_checkpoint(normalization)
        self.checkpoints.save_final(self.model, self.meta(normalization, metrics), metrics)
        return metrics


def main(cfg, events):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = Trainer(cfg, events)
    return run_trainer(trainer, "lower batch_size or max_length, or enable lora")


if __name__ == "__main__":
    run_cli(RewardConfig, main)
