"""Supervised fine-tuning of a policy on demonstrations, after TRL's SFTTrainer: next-token loss on the completion
tokens only (and their EOS), the prompt rendered with the model's chat template.

    python3 -m rlhf.sft --config cfg.json        (one process, or torchrun --nproc_per_node=K -m rlhf.sft …)

This is how a team makes its starting policy: the SFT run of a demonstration snapshot registers a policy that DPO,
KTO and PPO start from. Rows (data.load_completions): TRL prompt-completion {"prompt", "completion"} (strings, or
message lists), TRL language-modeling {"messages"} (the last assistant turn is the completion), or preference rows
(their `chosen` is the completion). An over-long row loses the start of its prompt first (as DPO's and KTO's rows
do: the end of a prompt says what is answered), then the end of its completion.

With `packing`, whole rows are packed into rows of `max_length` tokens (best-fit decreasing, as TRL's "bfd"
strategy: no row is split): fewer pad tokens per step. On the tiny backend a packed row's sequences attend only to
themselves and count their positions from 0, so packing changes the batching, not what is learned; on hf see
hf.HFPolicy.forward.

The loss is the mean over the completion tokens of the whole batch (over all processes), TRL's default; metrics
`loss`, `mean_token_accuracy`, `num_tokens`, `learning_rate`, `epoch` and their `eval_` forms (TRL's names).
"""
import dataclasses
import math
import os
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints, lineage
from .config import check_lora, multiple_of, opt, required
from .data import load_completions
from .protocol import ConfigError, UserError, run_cli
from .runtime import (emit_start, train_steps, all_mean, autocast, batch_indices, init_distributed, linear_schedule, resolve_device, run_trainer,
                      seed_everything, setup_threads, wrap_ddp)


@dataclasses.dataclass
class SFTConfig:
    """What `python3 -m rlhf.sft` reads (TRL SFTConfig names). The app's launch form shows the fields marked `form`."""

    output_dir: str = required(help="checkpoints/ and the final policy model/ are written here", staged=True)
    train_file: str = required(help="the snapshot's train split: demonstrations (prompt-completion or messages rows) or "
                                    "preference rows, whose chosen response is learned", staged=True)
    test_file: Optional[str] = opt(None, help="the snapshot's test split, evaluated as eval_*", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="tiny byte-level transformer, or Hugging Face transformers")
    model_path: Optional[str] = opt(None, label="Base model directory", form=True, backends=["hf"],
                                    help="hf: a local Hugging Face causal LM directory on the worker host, under "
                                         "DATA_DIR/models or a TRAINER_MODEL_ROOTS folder; tiny: optional tiny policy "
                                         "to continue (else a new model is built)")
    snapshot_id: Optional[str] = opt(None, help="recorded in every checkpoint and the final model's metadata", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="the snapshot's content hash, recorded for lineage", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds model init, data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 3e-3, "hf": 2e-5}, label="Learning rate",
                              form=True, help="peak learning rate (AdamW, linear decay after the warmup)")
    warmup_ratio: float = opt(0.0, min=0.0, max=1.0, help="share of the steps spent warming the learning rate up linearly")
    weight_decay: float = opt(0.0, min=0.0, help="AdamW weight decay")
    epochs: Optional[int] = opt(None, min=1, max=1000, by_backend={"tiny": 3, "hf": 1}, label="Epochs", form=True,
                                help="passes over the rows")
    batch_size: Optional[int] = opt(None, min=1, max=65_536, by_backend={"tiny": 16, "hf": 8}, label="Batch size",
                                    form=True, help="rows (packed rows with packing) per optimizer step over all processes")
    max_length: Optional[int] = opt(None, min=8, max=1_048_576, by_backend={"tiny": 256, "hf": 1024}, label="Max length",
                                    form=True, help="tokens per row (prompt + completion; a longer row loses the start of "
                                                    "its prompt, then the end of its completion); a new tiny model's "
                                                    "block size")
    packing: bool = opt(False, help="pack whole rows into rows of max_length tokens (fewer pad tokens per step)")
    completion_only_loss: bool = opt(True, help="learn the completion tokens only (false: every token after the first)")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(5, min=1, max=1_000_000, label="Logging steps", form=True,
                             help="averaged train metrics every N steps")
    eval_steps: int = opt(0, min=0, max=1_000_000, help="evaluate on test_file every N steps (0 = at the end only)")
    save_steps: int = opt(100, min=0, max=1_000_000, help="checkpoint every N steps (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA adapters {"r", "alpha", "dropout", "target_modules"}; {} = full fine-tuning')
    n_layer: int = opt(2, min=1, max=48, label="Layers", form=True, backends=["tiny"], help="a new tiny model's blocks")
    n_head: int = opt(4, min=1, max=64, label="Heads", form=True, backends=["tiny"], help="a new tiny model's heads")
    n_embd: int = opt(128, min=8, max=8192, label="Width", form=True, backends=["tiny"],
                      help="a new tiny model's width, a multiple of the heads")

    # model_path is not a rule here (the app stages it from a registered policy); the app and validate check it
    RULES = (multiple_of("n_embd", "n_head", message="the width must be a multiple of the heads"),)

    def validate(self):
        if self.backend == "hf" and not self.model_path:
            raise ConfigError("config field 'model_path': the hf backend needs a local model directory")
        check_lora(self.lora, self.backend)


# ----------------------------------------------------------------------------------------------------------------------
# the pieces of one step (pure functions, unit-tested)


@dataclasses.dataclass
class Example:
    ids: list  # token ids of one (packed) row
    labels: list  # 1 where the token is learned (predicted from the tokens before it), else 0
    segments: list  # 1, 2, … per sequence packed into the row (all 1 without packing)


def encode(rows, tokenizer, max_length, completion_only=True):
    """(prompt, completion) rows -> Examples of one sequence each, at most max_length tokens, and the number of rows
    left out because no learned token is left. An over-long row loses the start of its prompt first (what it answers
    is read last; at least one token of context is kept), then the end of its completion."""
    out, dropped = [], 0
    for prompt, completion in rows:
        full = tokenizer.encode_conversation(prompt, completion)
        n_prompt = len(tokenizer.encode_prompt(prompt))
        cut = min(max(0, len(full) - max_length), max(0, n_prompt - 1))
        ids = full[cut:][:max_length]
        n_prompt = n_prompt - cut if completion_only else 1
        labels = [0] * min(n_prompt, len(ids)) + [1] * max(0, len(ids) - n_prompt)
        if not any(labels):
            dropped += 1
            continue
        out.append(Example(ids, labels, [1] * len(ids)))
    return out, dropped


def pack(examples, max_length):
    """Best-fit decreasing: each sequence (longest first) goes into the fullest row it still fits in; rows are
    renumbered so that each sequence has its own segment id. Deterministic for the same examples."""
    bins = []  # [free tokens, [examples]]
    for ex in sorted(examples, key=lambda e: -len(e.ids)):
        best = None
        for b in bins:
            if b[0] >= len(ex.ids) and (best is None or b[0] < best[0]):
                best = b
        if best is None:
            best = [max_length, []]
            bins.append(best)
        best[0] -= len(ex.ids)
        best[1].append(ex)
    packed = []
    for _, members in bins:
        ids, labels, segments = [], [], []
        for k, ex in enumerate(members, start=1):
            ids += ex.ids
            labels += ex.labels
            segments += [k] * len(ex.ids)
        packed.append(Example(ids, labels, segments))
    return packed


def collate(examples, pad_id):
    """Examples -> input_ids (B, T), segments (B, T) (0 = padding; the model's attention mask), labels (B, T) bool."""
    T = max(len(e.ids) for e in examples)
    ids = torch.full((len(examples), T), pad_id, dtype=torch.long)
    segments = torch.zeros((len(examples), T), dtype=torch.long)
    labels = torch.zeros((len(examples), T), dtype=torch.bool)
    for i, e in enumerate(examples):
        ids[i, :len(e.ids)] = torch.tensor(e.ids)
        segments[i, :len(e.ids)] = torch.tensor(e.segments)
        labels[i, :len(e.ids)] = torch.tensor(e.labels, dtype=torch.bool)
    return ids, segments, labels


def token_losses(logits, input_ids, segments, labels):
    """logits (B, T, V) -> per-token losses (B, T-1), the mask of tokens learned (B, T-1) and whether the model's top
    token was right (B, T-1). Position t predicts token t+1, which must be learned and in the same sequence."""
    target = input_ids[:, 1:]  # (B, T-1)
    mask = labels[:, 1:] & (segments[:, 1:] == segments[:, :-1]) & (segments[:, 1:] > 0)  # (B, T-1)
    logits = logits[:, :-1].float()  # (B, T-1, V)
    losses = F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1), reduction="none").view_as(target)
    correct = logits.argmax(-1) == target
    return losses, mask, correct


# ----------------------------------------------------------------------------------------------------------------------


class SFTTrainer:
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed)
        be = cfg.backend
        self.tokenizer = backends.load_tokenizer(be, cfg.model_path)
        self.checkpoints = Checkpoints(cfg, self.dist, events, be, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        resume_dir = os.path.join(self.ckpt, "policy") if self.ckpt else None
        if be == "tiny" and not cfg.model_path and resume_dir is None:
            from .model import TinyConfig, TinyTransformer

            self.model = TinyTransformer(TinyConfig(n_layer=cfg.n_layer, n_head=cfg.n_head, n_embd=cfg.n_embd,
                                                    block_size=cfg.max_length)).to(self.device)
        else:
            self.model = backends.load_policy(be, cfg.model_path, self.device, resume_dir=resume_dir, lora=cfg.lora,
                                              gradient_checkpointing=cfg.gradient_checkpointing)
        max_length = min(cfg.max_length, self.model.config.block_size) if be == "tiny" else cfg.max_length
        self.max_length = max_length
        self.train, self.dropped = self.load(cfg.train_file)
        self.test, _ = self.load(cfg.test_file) if cfg.test_file else ([], 0)
        self.steps_per_epoch = math.ceil(len(self.train) / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        self.model_ddp = wrap_ddp(self.model, self.dist, self.device)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, int(cfg.warmup_ratio * self.total_steps))
        self.step, self.num_tokens = 0, 0
        self.acc = {}  # running sums of train metrics since the last logging step
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step, self.acc, self.num_tokens = state["step"], state["log_acc"], state["num_tokens"]

    def load(self, path):
        examples, dropped = encode(load_completions(path), self.tokenizer, self.max_length, self.cfg.completion_only_loss)
        if not examples:
            raise UserError(f"{path}: no row has a completion token within max_length {self.max_length}; raise max_length")
        return (pack(examples, self.max_length) if self.cfg.packing else examples), dropped

    def batch_terms(self, model, examples):
        """Sums over the batch's learned tokens: loss, right top tokens, token count (floats, for metrics), and the
        loss sum as a tensor (for the gradient)."""
        ids, segments, labels = (t.to(self.device) for t in collate(examples, self.tokenizer.pad_token_id))
        with autocast(self.device, self.cfg.backend):
            logits = model(ids, segments)  # (B, T, V)
        losses, mask, correct = token_losses(logits, ids, segments, labels)
        loss_sum = (losses * mask).sum()
        return loss_sum, {"loss": float(loss_sum.detach()), "right": float((correct & mask).sum()),
                          "tokens": float(mask.sum()), "seen": float((segments > 0).sum())}

    def train_step(self):
        idx, real = batch_indices(len(self.train), self.cfg.batch_size, self.cfg.seed, self.step, self.dist)
        self.model.train()
        loss_sum, sums = self.batch_terms(self.model_ddp, [self.train[j] for j in idx])
        if not real:
            loss_sum, sums = loss_sum * 0, {k: 0.0 for k in sums}
        # mean over every process's learned tokens: DDP averages the gradients, so scale by world size / total
        total = all_mean(dict(sums), self.dist, self.device)
        tokens = max(total["tokens"], 1e-9)
        (loss_sum / tokens).backward()
        if self.cfg.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.max_grad_norm)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self.num_tokens += int(round(total["seen"] * self.dist.world_size))
        for k in ("loss", "right", "tokens"):
            self.acc[k] = self.acc.get(k, 0.0) + total[k]
        self.acc["learning_rate"] = lr

    def flush_metrics(self):
        acc, self.acc = self.acc, {}
        tokens = max(acc["tokens"], 1e-9)
        return {"loss": acc["loss"] / tokens, "mean_token_accuracy": acc["right"] / tokens,
                "num_tokens": float(self.num_tokens), "learning_rate": acc["learning_rate"],
                "epoch": self.step / self.steps_per_epoch}

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        sums = {"loss": 0.0, "right": 0.0, "tokens": 0.0}
        mine = self.test[self.dist.rank::self.dist.world_size]
        for i in range(0, len(mine), self.cfg.batch_size):
            _, s = self.batch_terms(self.model, mine[i:i + self.cfg.batch_size])
            for k in sums:
                sums[k] += s[k]
        total = all_mean(sums, self.dist, self.device)
        tokens = max(total["tokens"], 1e-9)
        return {"eval_loss": total["loss"] / tokens, "eval_mean_token_accuracy": total["right"] / tokens}

    def meta(self, metrics):
        return lineage(self.cfg, kind="policy", method="sft", base_model=self.cfg.model_path, step=self.step,
                       metrics=metrics)

    def save_checkpoint(self):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(), "log_acc": self.acc,
                 "num_tokens": self.num_tokens}
        self.checkpoints.save(self.step, {"policy": self.model}, state, self.meta({}))

    def run(self):
        emit_start(self)
        ev = self.events
        if self.dropped:
            ev.emit("log", message=f"{self.dropped} train row(s) left out: no completion token within max_length "
                                   f"{self.max_length}")
        metrics = train_steps(self, self.save_checkpoint)
        self.save_checkpoint()
        self.checkpoints.save_final(self.model, self.meta(metrics), metrics)
        return metrics


def main(cfg, events):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = SFTTrainer(cfg, events)
    return run_trainer(trainer, "lower batch_size or max_length, or enable lora")


if __name__ == "__main__":
    run_cli(SFTConfig, main)
