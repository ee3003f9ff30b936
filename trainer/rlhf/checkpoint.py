"""Checkpoints and resume, one implementation for every algorithm: a checkpoint directory (models, training state,
RNG states of every process, config) is written to a temporary directory and renamed once complete; resume loads the
latest complete one and refuses a changed config; the final model directory is written the same way. PROTOCOL.md
("Resuming") describes what a checkpoint holds."""
import dataclasses
import json
import os
import pickle
import random
import shutil
from contextlib import contextmanager

import torch

from .protocol import ConfigError, UserError, read_json, write_json
from .runtime import all_gather, barrier

# Settings that may change between an interrupted run and its resumption: they do not change the model.
RESUME_MAY_CHANGE = ("resume", "logging_steps", "eval_steps", "save_steps", "save_total_limit", "device",
                     "num_sample_events")


class Checkpoints:
    """The checkpoints of one run under output_dir/checkpoints/, and its final model in output_dir/model/."""

    def __init__(self, cfg, dist, events, backend, tokenizer):
        self.cfg, self.dist, self.events, self.backend, self.tokenizer = cfg, dist, events, backend, tokenizer

    def resume_dir(self):
        """The checkpoint to resume from: the latest complete one when the config asks to resume, else None."""
        if not self.cfg.resume:
            return None
        ckpt = latest_checkpoint(self.cfg.output_dir)
        if ckpt:
            ignore = RESUME_MAY_CHANGE + staged_locations(self.cfg)
            check_resume_config(read_json(os.path.join(ckpt, "config.json")), dataclasses.asdict(self.cfg), ignore)
        return ckpt

    def load(self, ckpt):
        """A checkpoint's training state, with this process's RNG states restored from it."""
        state = load_training_state(ckpt)
        rng = state.pop("rng")
        set_rng_state(rng[self.dist.rank] if isinstance(rng, list) else rng)
        return state

    def save(self, step, models, state, meta):
        """Writes checkpoints/step-N: each of `models` (name → module) in its own directory, `state` (optimizer,
        scheduler, counters) with every process's RNG states, the config and `meta` (trainer_state.json)."""
        from . import backends  # not at the top: backends → model → this module

        path = checkpoint_dir(self.cfg.output_dir, step)
        rngs = all_gather(rng_state(), self.dist)
        if self.dist.main:
            with atomic_dir(path) as tmp:
                for name, module in models.items():
                    backends.save_model(self.backend, module, self.tokenizer, os.path.join(tmp, name), final=False)
                save_training_state(tmp, {**state, "step": step, "rng": rngs})
                write_json(os.path.join(tmp, "config.json"), dataclasses.asdict(self.cfg))
                write_json(os.path.join(tmp, "trainer_state.json"), meta)
            prune_checkpoints(self.cfg.output_dir, self.cfg.save_total_limit)
            self.events.emit("checkpoint", step=step, path=os.path.abspath(path))
        barrier(self.dist)

    def save_final(self, model, meta, metrics):
        """Writes output_dir/model (with rlhf_meta.json for the registry) and reports `done`."""
        from . import backends

        final_dir = os.path.join(self.cfg.output_dir, "model")
        if self.dist.main:
            with atomic_dir(final_dir) as tmp:
                backends.save_model(self.backend, model, self.tokenizer, tmp, final=True, meta=meta)
            self.events.emit("done", model_path=os.path.abspath(final_dir), metrics=metrics)
        barrier(self.dist)


def lineage(cfg, *, kind, method, base_model, step, metrics, **extra):
    """What rlhf_meta.json (and each checkpoint's trainer_state.json) records of a model, the same for every
    algorithm: what it is (kind: "reward" | "policy", method), where it came from (base model, snapshot id and
    sha256), how far it got (step, final metrics) and the whole config. `extra`: what one algorithm adds (a reward
    model's normalization, PPO's reward model)."""
    return {"kind": kind, "method": method, "backend": cfg.backend, "base_model": base_model,
            "snapshot_id": getattr(cfg, "snapshot_id", None), "snapshot_sha256": getattr(cfg, "snapshot_sha256", None),
            "step": step, **extra, "metrics": metrics, "config": dataclasses.asdict(cfg)}


def checkpoint_dir(output_dir, step):
    return os.path.join(output_dir, "checkpoints", f"step-{step:08d}")


@contextmanager
def atomic_dir(final_path):
    """Yields a temporary directory that becomes `final_path` only once everything in it has been written, so a run
    killed mid-save never leaves a half checkpoint that resume would trust."""
    parent = os.path.dirname(os.path.abspath(final_path))
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".tmp-{os.path.basename(final_path)}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if os.path.exists(final_path):
        old = tmp + ".old"
        os.rename(final_path, old)
        os.rename(tmp, final_path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, final_path)


def latest_checkpoint(output_dir):
    root = os.path.join(output_dir, "checkpoints")
    if not os.path.isdir(root):
        return None
    steps = sorted(d for d in os.listdir(root) if d.startswith("step-") and os.path.exists(os.path.join(root, d, "state.json")))
    return os.path.join(root, steps[-1]) if steps else None


def prune_checkpoints(output_dir, keep):
    root = os.path.join(output_dir, "checkpoints")
    steps = sorted(d for d in os.listdir(root) if d.startswith("step-"))
    for d in steps[:-keep] if keep > 0 else []:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)


def staged_locations(cfg):
    """The fields that name a place on this host (output_dir, train_file, policy_path, reward_model_path, ...): a
    run resumed by a worker on another host, whose DATA_DIR differs, reads the same inputs from other paths (the
    worker fetched them from the artifact store and checked their sha256 against the registry). What the inputs are
    is still checked: the snapshot's id and sha256 and every setting."""
    return tuple(f.name for f in dataclasses.fields(cfg) if f.name.endswith(("_dir", "_file", "_path")))


def check_resume_config(saved, current, ignore=RESUME_MAY_CHANGE):
    """Resuming with different training settings would silently give a different model: refuse it."""
    diffs = [k for k in sorted(set(saved) | set(current)) if k not in ignore and saved.get(k) != current.get(k)]
    if diffs:
        raise ConfigError(
            "cannot resume: the config differs from the checkpoint's in " + ", ".join(diffs) + " (use a new output_dir)"
        )


# ----------------------------------------------------------------------------------------------------------------------
# RNG states and training state on disk


def rng_state():
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    try:
        import numpy as np

        # as plain values: checkpoints are loaded with weights_only, which builds no numpy arrays
        name, keys, pos, has_gauss, cached = np.random.get_state()
        state["numpy"] = [name, keys.tolist(), int(pos), int(has_gauss), float(cached)]
    except ImportError:
        pass
    return state


def set_rng_state(state):
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        import numpy as np

        name, keys, pos, has_gauss, cached = state["numpy"]
        np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def torch_load(path, map_location="cpu"):
    """Loads a .pt file with weights_only: tensors and plain containers, nothing else. A .pt file is a pickle, and a
    pickle can name any function to call while it loads; a model directory can come from anywhere, so its files are
    never unpickled in full. Our own checkpoints hold only such values (see rng_state)."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        detail = str(e).split("WeightsUnpickler error:")[-1].strip().splitlines()[0]
        raise UserError(f"{path} holds more than tensors and plain values ({detail}); it is not loaded, since unpickling it could run code")


def save_training_state(directory, state):
    """A checkpoint's training state (step, optimizer, scheduler, RNG states …): its tensors in state.pt, the rest
    in state.json. Split because loading must stay weights_only (see torch_load), and torch 1.13's weights_only
    loader cannot read a Python float; JSON needs no unpickler at all. Dict keys keep their types (the optimizer's
    are ints), tuples stay tuples."""
    tensors = {}

    def pack(v):
        if isinstance(v, torch.Tensor):
            key = f"t{len(tensors)}"
            tensors[key] = v
            return {"tensor": key}
        if isinstance(v, dict):
            return {"dict": [[pack(k), pack(x)] for k, x in v.items()]}
        if isinstance(v, tuple):
            return {"tuple": [pack(x) for x in v]}
        if isinstance(v, list):
            return [pack(x) for x in v]
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        raise TypeError(f"a checkpoint cannot hold a {type(v).__name__}")

    tree = pack(state)
    torch.save(tensors, os.path.join(directory, "state.pt"))
    with open(os.path.join(directory, "state.json"), "w", encoding="utf-8") as f:
        json.dump(tree, f)


def load_training_state(directory):
    tensors = torch_load(os.path.join(directory, "state.pt"))
    with open(os.path.join(directory, "state.json"), encoding="utf-8") as f:
        tree = json.load(f)

    def unpack(v):
        if isinstance(v, list):
            return [unpack(x) for x in v]
        if isinstance(v, dict):
            (kind, body), = v.items()
            if kind == "tensor":
                return tensors[body]
            if kind == "tuple":
                return tuple(unpack(x) for x in body)
            return {unpack(k): unpack(x) for k, x in body}
        return v

    return unpack(tree)
