"""Score (prompt, response) rows with a trained reward model: how the app puts the active reward model in the loop.

    python3 -m rlhf.score --config cfg.json

Input rows: {"id", "prompt", "response"} — prompt a string or a list of messages, response a string (the answer).
Output rows: {"id", "score"} in input order, the raw reward at the last real token (what PPO optimises), written
atomically (complete or absent).
"""
import dataclasses
import json
import os
from typing import Optional

import torch

from . import backends
from .config import opt, required
from .data import load_scoring_rows, pad
from .model import gather_last
from .protocol import UserError, run_cli
from .runtime import autocast, resolve_device, setup_threads


@dataclasses.dataclass
class ScoreConfig:
    """What `python3 -m rlhf.score` reads; a SCORE run's config (the worker stages the files and the model)."""

    model_path: str = required(help="the reward model directory (tiny or hf; the backend is read from its config.json)",
                               staged=True)
    input_file: str = required(help="JSONL {id, prompt, response}", staged=True)
    output_file: str = required(help="JSONL {id, score} written here", staged=True)
    batch_size: int = opt(32, min=1, max=65_536, label="Batch size", help="sequences scored at once")
    max_length: int = opt(512, min=8, max=1_048_576, label="Max length",
                          help="tokens per prompt + response; longer ones keep their end (the reward is read there)")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    output_dir: Optional[str] = opt(None, help="the run's directory, given by the worker; the scores go to output_file",
                                    staged=True)
    resume: bool = opt(False, help="accepted for symmetry (a scoring run is simply rerun)", staged=True)


def encode(tokenizer, prompt, response, max_length):
    # A conversation gets the answer as an assistant turn, exactly as a snapshot's conversational rows are scored.
    answer = response if isinstance(prompt, str) else [{"role": "assistant", "content": response}]
    ids = tokenizer.encode_conversation(prompt, answer)
    return ids[-max_length:]


def main(cfg, events):
    setup_threads()
    device = resolve_device(cfg.device)
    if not os.path.isdir(cfg.model_path):
        raise UserError(f"reward model directory not found: {cfg.model_path}")
    backend = backends.detect_backend(cfg.model_path)
    tok = backends.load_tokenizer(backend, cfg.model_path)
    model = backends.load_value_model(backend, cfg.model_path, device, frozen=True, pad_token_id=tok.pad_token_id)
    max_length = cfg.max_length
    if backend == "tiny":
        max_length = min(max_length, model.config.block_size)
    rows = load_scoring_rows(cfg.input_file)
    total = (len(rows) + cfg.batch_size - 1) // cfg.batch_size
    events.emit("start", total_steps=total, device=device.type, world_size=1, resumed_from_step=None)
    scores = []
    for step, s in enumerate(range(0, len(rows), cfg.batch_size), start=1):
        batch = rows[s:s + cfg.batch_size]
        seqs = [encode(tok, prompt, response, max_length) for _, prompt, response in batch]
        ids, mask = [t.to(device) for t in pad(seqs, tok.pad_token_id)]  # (B, T)
        with torch.no_grad(), autocast(device, backend):
            values = model(ids, mask)  # (B, T)
        scores.extend(gather_last(values, mask).float().tolist())  # (B,)
        events.emit("progress", step=step, total_steps=total)
    out_path = os.path.abspath(cfg.output_file)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = f"{out_path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        for (rid, _, _), score in zip(rows, scores):
            f.write(json.dumps({"id": rid, "score": score}) + "\n")
    os.replace(tmp, out_path)
    events.emit("done", model_path=os.path.abspath(cfg.model_path), metrics={"count": len(rows)})


if __name__ == "__main__":
    run_cli(ScoreConfig, main)
