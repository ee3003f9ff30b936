"""Supervised fine-tuning of a starting policy: next-token loss on the answer tokens only.

    python3 -m rlhf.sft --config cfg.json

Mostly for the `tiny` backend: PPO needs a policy that already writes answers and ends them with EOS, and a tiny
model from scratch knows nothing. Rows are TRL prompt-completion {"prompt", "completion"} (strings, or message
lists), or preference rows, whose `chosen` is used. A short run without checkpoints: rerun it rather than resume.
"""
import dataclasses
import math
import time
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints
from .config import check_lora, multiple_of, opt, required, required_when
from .data import load_completions, pad
from .protocol import run_cli
from .runtime import Dist, autocast, epoch_order, linear_schedule, resolve_device, seed_everything, setup_threads


@dataclasses.dataclass
class SFTConfig:
    """What `python3 -m rlhf.sft` reads."""

    output_dir: str = required(help="the model is written to output_dir/model")
    train_file: str = required(help="JSONL prompt-completion rows (or preference rows: chosen is the completion)")
    backend: str = opt("tiny", choices=["tiny", "hf"], help="tiny byte-level transformer, or Hugging Face transformers")
    model_path: Optional[str] = opt(None, help="hf: local model directory (required); tiny: optional tiny directory to continue")
    seed: int = opt(42, min=0, max=2**31 - 1, help="seeds init and data order")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 1e-3, "hf": 1e-5}, help="AdamW learning rate")
    epochs: int = opt(1, min=1, max=1000, help="passes over the rows")
    batch_size: int = opt(16, min=1, max=65_536, help="rows per step")
    max_length: int = opt(128, min=8, max=1_048_576, help="tokens per row (prompt + completion); a new tiny model's block size")
    logging_steps: int = opt(10, min=1, max=1_000_000, help="the loss every N steps")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help="hf: LoRA adapters instead of full fine-tuning")
    n_layer: int = opt(2, min=1, max=48, help="a new tiny model's blocks")
    n_head: int = opt(4, min=1, max=64, help="a new tiny model's heads")
    n_embd: int = opt(128, min=8, max=8192, help="a new tiny model's width, a multiple of the heads")

    RULES = (
        required_when("model_path", backend="hf", message="the hf backend needs a local model directory"),
        multiple_of("n_embd", "n_head", message="the width must be a multiple of the heads"),
    )

    def validate(self):
        check_lora(self.lora, self.backend)


def encode(rows, tokenizer, max_length):
    """(prompt, completion) -> (ids, number of leading prompt tokens excluded from the loss)."""
    out = []
    for prompt, completion in rows:
        n_prompt = len(tokenizer.encode_prompt(prompt))
        ids = tokenizer.encode_conversation(prompt, completion)[:max_length]
        out.append((ids, min(n_prompt, len(ids) - 1)))
    return out


def main(cfg, events):
    setup_threads()
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    tok = backends.load_tokenizer(cfg.backend, cfg.model_path)
    data = encode(load_completions(cfg.train_file), tok, cfg.max_length)
    if cfg.backend == "tiny":
        from .model import TinyConfig, TinyTransformer, load_tiny

        model = (load_tiny(cfg.model_path, head="lm") if cfg.model_path else TinyTransformer(
            TinyConfig(n_layer=cfg.n_layer, n_head=cfg.n_head, n_embd=cfg.n_embd, block_size=cfg.max_length))).to(device)
    else:
        model = backends.load_policy("hf", cfg.model_path, device, lora=cfg.lora,
                                     gradient_checkpointing=cfg.gradient_checkpointing)
    steps_per_epoch = math.ceil(len(data) / cfg.batch_size)
    total = cfg.epochs * steps_per_epoch
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    scheduler = linear_schedule(optimizer, total, 0)
    events.emit("start", total_steps=total, device=device.type, world_size=1, resumed_from_step=None)
    t0, loss_sum, n = time.time(), 0.0, 0
    metrics = {}
    model.train()
    for step in range(total):
        epoch, i = divmod(step, steps_per_epoch)
        batch = [data[j] for j in epoch_order(len(data), cfg.seed, epoch)[i * cfg.batch_size:(i + 1) * cfg.batch_size]]
        ids, mask = pad([b[0] for b in batch], tok.pad_token_id)  # (B, T)
        labels = ids.clone()
        for row, (_, n_prompt) in enumerate(batch):
            labels[row, :n_prompt] = -100  # learn the answer (and its EOS), not the prompt
        labels[mask == 0] = -100
        ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
        with autocast(device, cfg.backend):
            logits = model(ids, mask)  # (B, T, V)
        loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, logits.size(-1)), labels[:, 1:].reshape(-1),
                               ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        lr_now = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        loss_sum, n = loss_sum + loss.item(), n + 1
        if (step + 1) % cfg.logging_steps == 0 or step + 1 == total:
            metrics = {"loss": loss_sum / n, "learning_rate": lr_now, "epoch": (step + 1) / steps_per_epoch}
            events.emit("metric", step=step + 1, metrics=metrics)
            events.emit("progress", step=step + 1, total_steps=total)
            loss_sum, n = 0.0, 0
    metrics["train_runtime"] = time.time() - t0
    meta = {"kind": "policy", "backend": cfg.backend, "base_model": cfg.model_path, "metrics": metrics,
            "config": dataclasses.asdict(cfg)}
    Checkpoints(cfg, Dist(1, 0, 0), events, cfg.backend, tok).save_final(model, meta, metrics)


if __name__ == "__main__":
    run_cli(SFTConfig, main)
