"""Sample k responses per prompt from a policy (tiny or hf directory) into a JSONL file.

    python3 -m rlhf.generate --config cfg.json

Output rows: {"prompt_id", "sample_index", "text", "model"}, one per (prompt, sample), in prompt order. With
`compare_policy_path` (an arena), a second policy answers every prompt too, with its own `model` tag: the app pairs
sample i of one with sample i of the other into an item.
"""
import dataclasses
import json
import os
from typing import Optional

import torch

from . import backends
from .config import opt, required
from .data import load_prompts, pad
from .ppo import response_mask
from .protocol import ConfigError, run_cli
from .runtime import autocast, resolve_device, seed_everything, setup_threads


@dataclasses.dataclass
class GenerateConfig:
    """What `python3 -m rlhf.generate` reads. The app's launch form shows the fields marked `form`."""

    policy_path: str = required(help="a tiny or hf model directory (the backend is read from its config.json)", staged=True)
    prompts_file: str = required(help="JSONL {prompt_id, prompt}", staged=True)
    output_file: str = required(help="JSONL written here (atomically: complete or absent)", staged=True)
    num_samples: int = opt(2, min=1, max=64, label="Samples per prompt (k)", form=True,
                           help="responses per prompt (from each policy in an arena); equal ones collapse, so without "
                                "a second policy a prompt needs 2 distinct ones to make an item")
    temperature: float = opt(0.7, min=0.0, max=2.0, label="Temperature", form=True,
                             help="0 = greedy (then all k samples are equal)")
    max_new_tokens: int = opt(128, min=1, max=1_048_576, label="Max new tokens", form=True, help="response length cap")
    max_prompt_length: int = opt(512, min=1, help="longer prompts keep their last tokens")
    batch_size: int = opt(32, min=1, help="sequences sampled at once")
    model_name: Optional[str] = opt(None, help="tag on every row; default: the policy directory's name (its run "
                                               "directory's for …/model)")
    compare_policy_path: Optional[str] = opt(None, help="a second policy answering the same prompts (an arena); "
                                                        "same backend", staged=True)
    compare_model_name: Optional[str] = opt(None, help="tag on the second policy's rows; default: its directory's name",
                                            staged=True)
    backend: Optional[str] = opt(None, choices=["tiny", "hf"], help="default: detected from policy_path")
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="sampling seed")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    output_dir: Optional[str] = opt(None, help="accepted for symmetry with the training runs; unused", staged=True)
    resume: bool = opt(False, help="accepted for symmetry (a generation run is simply rerun)", staged=True)
    snapshot_id: Optional[str] = opt(None, help="lineage only", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="lineage only", staged=True)


def directory_name(path):
    # runs write their model to <run dir>/model: the run directory's name says more than "model"
    parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
    return parts[-2] if parts[-1] == "model" and len(parts) > 1 else parts[-1]


def main(cfg, events):
    setup_threads()
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    backend = cfg.backend or backends.detect_backend(cfg.policy_path)
    tok = backends.load_tokenizer(backend, cfg.policy_path)
    sources = [(backends.load_policy(backend, cfg.policy_path, device, frozen=True),
                cfg.model_name or directory_name(cfg.policy_path))]
    if cfg.compare_policy_path:
        if (cfg.backend or backends.detect_backend(cfg.compare_policy_path)) != backend:
            raise ConfigError("config field 'compare_policy_path' must be a model of the same backend as policy_path")
        sources.append((backends.load_policy(backend, cfg.compare_policy_path, device, frozen=True),
                        cfg.compare_model_name or directory_name(cfg.compare_policy_path)))
        if sources[0][1] == sources[1][1]:
            raise ConfigError("the two policies of an arena need different model names (model_name, compare_model_name)")
    max_prompt = cfg.max_prompt_length
    if backend == "tiny":
        block = min(p.config.block_size for p, _ in sources)
        max_prompt = min(max_prompt, block - cfg.max_new_tokens)
        if max_prompt < 1:
            raise ConfigError(f"config field 'max_new_tokens' must be below the model's block_size ({block})")
    prompts = load_prompts(cfg.prompts_file)
    jobs = [(pid, prompt, k) for pid, prompt in prompts for k in range(cfg.num_samples)]
    per_source = (len(jobs) + cfg.batch_size - 1) // cfg.batch_size
    total = per_source * len(sources)
    events.emit("start", total_steps=total, device=device.type, world_size=1, resumed_from_step=None)
    out_path = os.path.abspath(cfg.output_file)
    rows = []
    step = 0
    for policy, model_name in sources:
        for s in range(0, len(jobs), cfg.batch_size):
            batch = jobs[s:s + cfg.batch_size]
            queries = [tok.encode_prompt(p)[-max_prompt:] for _, p, _ in batch]
            ids, mask = [t.to(device) for t in pad(queries, tok.pad_token_id, side="left")]  # (B, Tp)
            with torch.no_grad(), autocast(device, backend):
                responses = backends.sample(backend, policy, ids, mask, cfg.max_new_tokens, cfg.temperature, tok)  # (B, L)
            _, last, _ = response_mask(responses, tok.eos_token_id)
            for b, (pid, _, k) in enumerate(batch):
                text = tok.decode(responses[b, : int(last[b]) + 1].tolist())
                rows.append({"prompt_id": pid, "sample_index": k, "text": text, "model": model_name})
            step += 1
            events.emit("progress", step=step, total_steps=total)
    parent = os.path.dirname(out_path)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{out_path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, out_path)
    events.emit("generated", path=out_path, count=len(rows))
    events.emit("done", model_path=os.path.abspath(cfg.policy_path), metrics={"count": len(rows)})


if __name__ == "__main__":
    run_cli(GenerateConfig, main)
