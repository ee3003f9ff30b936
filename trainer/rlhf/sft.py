"""Supervised fine-tuning of a starting policy: next-token loss on the answer tokens only.

    python3 -m rlhf.sft --config cfg.json

Mostly for the `tiny` backend: PPO needs a policy that already writes answers and ends them with EOS, and a tiny
model from scratch knows nothing. Rows are TRL prompt-completion {"prompt", "completion"} (strings, or message
lists), or preference rows, whose `chosen` is used. A short run without checkpoints: rerun it rather than resume.
"""
import dataclasses
import math
import os
import time
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .common import (ConfigError, UserError, atomic_dir, autocast, check_lora, epoch_order, linear_schedule, opt,
                     required, resolve_device, run_cli, seed_everything, setup_threads)
from .data import _raise_errors, check_messages, check_prompt, pad, read_jsonl

DEFAULT_LR = {"tiny": 1e-3, "hf": 1e-5}


@dataclasses.dataclass
class SFTConfig:
    output_dir: str = required()  # the model is written to output_dir/model
    train_file: str = required()  # JSONL prompt-completion rows (or preference rows: chosen is the completion)
    backend: str = opt("tiny", choices=["tiny", "hf"])  # tiny byte-level transformer, or Hugging Face
    model_path: Optional[str] = opt(None)  # hf: local model dir (required); tiny: optional tiny dir to continue
    seed: int = opt(42)  # seeds init and data order
    device: str = opt("auto", choices=["auto", "cpu", "cuda"])  # auto: cuda when visible
    lr: Optional[float] = opt(None, min=0.0)  # default 1e-3 tiny, 1e-5 hf
    epochs: int = opt(1, min=1)  # passes over the rows
    batch_size: int = opt(16, min=1)  # rows per step
    max_length: int = opt(128, min=8)  # tokens per row (prompt + completion); a new tiny model's block_size
    logging_steps: int = opt(10, min=1)  # emit loss every N steps
    gradient_checkpointing: bool = opt(True)  # hf: trade compute for memory
    lora: dict = opt({})  # hf: LoRA adapters instead of full fine-tuning
    n_layer: int = opt(2, min=1)  # new tiny model: blocks
    n_head: int = opt(4, min=1)  # new tiny model: heads
    n_embd: int = opt(128, min=8)  # new tiny model: width

    def validate(self):
        if self.backend == "hf" and not self.model_path:
            raise ConfigError("config field 'model_path' is required for backend \"hf\"")
        if self.n_embd % self.n_head:
            raise ConfigError("config field 'n_embd' must be a multiple of 'n_head'")
        check_lora(self.lora, self.backend)


def load_sft_rows(path):
    rows, errors = [], []
    for lineno, row, err in read_jsonl(path):
        if err is None:
            err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' is missing"
        completion = row.get("completion", row.get("chosen"))
        if err is None and completion is None:
            err = "'completion' (or 'chosen') is missing"
        if err is None and isinstance(row["prompt"], str) and not isinstance(completion, str):
            err = "'completion' must be a string like 'prompt'"
        if err is None and isinstance(row["prompt"], list):
            err = check_messages(completion, "completion")
            if err is None and completion[: len(row["prompt"])] == row["prompt"]:
                completion = completion[len(row["prompt"]):]
        if err is not None:
            errors.append((lineno, err))
            continue
        rows.append((row["prompt"], completion))
    _raise_errors(path, errors, "SFT")
    if not rows:
        raise UserError(f"{path}: no rows")
    return rows


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
    data = encode(load_sft_rows(cfg.train_file), tok, cfg.max_length)
    if cfg.backend == "tiny":
        from .model import TinyConfig, TinyTransformer, load_tiny

        model = (load_tiny(cfg.model_path, head="lm") if cfg.model_path else TinyTransformer(
            TinyConfig(n_layer=cfg.n_layer, n_head=cfg.n_head, n_embd=cfg.n_embd, block_size=cfg.max_length))).to(device)
    else:
        model = backends.load_policy("hf", cfg.model_path, device, lora=cfg.lora,
                                     gradient_checkpointing=cfg.gradient_checkpointing)
    steps_per_epoch = math.ceil(len(data) / cfg.batch_size)
    total = cfg.epochs * steps_per_epoch
    lr = cfg.lr if cfg.lr is not None else DEFAULT_LR[cfg.backend]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
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
    final_dir = os.path.join(cfg.output_dir, "model")
    with atomic_dir(final_dir) as tmp:
        backends.save_model(cfg.backend, model, tok, tmp, final=True,
                            meta={"kind": "policy", "backend": cfg.backend, "base_model": cfg.model_path,
                                  "metrics": metrics, "config": dataclasses.asdict(cfg)})
    events.emit("done", model_path=os.path.abspath(final_dir), metrics=metrics)


if __name__ == "__main__":
    run_cli(SFTConfig, main)
