"""Plumbing shared by every algorithm: the stdout event protocol, config validation, seeding, devices,
checkpoints written atomically, and the distributed (torchrun) set-up. See PROTOCOL.md for the events."""
import dataclasses
import json
import math
import os
import pickle
import random
import shutil
import sys
import traceback
import typing
from contextlib import contextmanager, nullcontext

import torch


class UserError(Exception):
    """A problem the person launching the run can fix (bad data, missing file); reported without a traceback."""


class ConfigError(UserError):
    """The config JSON is invalid; the CLI exits with status 2."""


# ----------------------------------------------------------------------------------------------------------------------
# events on stdout


class Events:
    """Writes protocol events, one JSON object per line. Only rank 0 of a distributed run speaks."""

    def __init__(self, stream=None, enabled=True):
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def emit(self, event, **fields):
        if not self.enabled:
            return
        line = json.dumps({"event": event, **_json_safe(fields)}, ensure_ascii=False, allow_nan=False)
        self.stream.write(line + "\n")
        self.stream.flush()


def _json_safe(value):
    # NaN/Infinity are not JSON; a diverged loss is reported as null rather than breaking the line.
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, torch.Tensor):
        return _json_safe(value.item() if value.numel() == 1 else value.tolist())
    return value


def claim_stdout():
    """Keeps the real stdout for events and points file descriptor 1 (Python prints, C libraries, warnings) at
    stderr, so that nothing but protocol lines can ever reach the worker on stdout."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


def run_cli(config_cls, main, argv=None):
    """Entry point of every `python3 -m rlhf.<algo> --config cfg.json`: exit 0 done, 1 failed, 2 bad config."""
    events = Events(claim_stdout())
    try:
        args = _parse_args(argv)
        cfg = load_config(config_cls, args.config)
    except ConfigError as e:
        events.emit("error", message=str(e))
        sys.exit(2)
    try:
        main(cfg, events)
    except ConfigError as e:
        events.emit("error", message=str(e))
        sys.exit(2)
    except UserError as e:
        events.emit("error", message=str(e))
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - every failure must reach the worker as an event, with the trace on stderr
        traceback.print_exc(file=sys.stderr)
        events.emit("error", message=f"{type(e).__name__}: {e}")
        sys.exit(1)


def _parse_args(argv):
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):
            raise ConfigError(message)

    parser = Parser(description="see trainer/README.md")
    parser.add_argument("--config", required=True, help="path to the run's config JSON")
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------------------------------------------------
# config validation


def load_config(config_cls, path):
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}")
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {path} is not valid JSON: {e}")
    return parse_config(config_cls, raw)


def parse_config(config_cls, raw):
    """Builds the dataclass from a dict: unknown keys, missing required keys and wrongly typed or out-of-range values
    are rejected with a message naming the field. Field metadata may hold `choices`, `min`, `max`."""
    if not isinstance(raw, dict):
        raise ConfigError("config must be a JSON object")
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config field(s): {', '.join(unknown)}")
    hints = typing.get_type_hints(config_cls)
    values = {}
    for name, f in fields.items():
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"config field '{name}' is required")
            continue
        values[name] = _check_value(name, raw[name], hints[name], f.metadata)
    cfg = config_cls(**values)
    check = getattr(cfg, "validate", None)
    if check is not None:
        check()
    return cfg


def _check_value(name, value, hint, meta):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union and type(None) in args:
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif hint is dict or typing.get_origin(hint) is dict:
        ok = isinstance(value, dict)
    else:
        raise TypeError(f"unsupported config type {hint} for {name}")
    if not ok:
        raise ConfigError(f"config field '{name}' must be {_type_word(hint)}, got {json.dumps(value)}")
    if "choices" in meta and value not in meta["choices"]:
        choices = ", ".join(json.dumps(c) for c in meta["choices"])
        raise ConfigError(f"config field '{name}' must be one of {choices}, got {json.dumps(value)}")
    if "min" in meta and value < meta["min"]:
        raise ConfigError(f"config field '{name}' must be >= {meta['min']}, got {value}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(f"config field '{name}' must be <= {meta['max']}, got {value}")
    return value


def _type_word(hint):
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(hint, "an object")


def opt(default, *, choices=None, min=None, max=None):
    """A config field with a default and optional constraints (checked by parse_config)."""
    meta = {}
    if choices is not None:
        meta["choices"] = choices
    if min is not None:
        meta["min"] = min
    if max is not None:
        meta["max"] = max
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def required(*, choices=None, min=None, max=None):
    meta = {k: v for k, v in (("choices", choices), ("min", min), ("max", max)) if v is not None}
    return dataclasses.field(metadata=meta)


LORA_KEYS = {"r": int, "alpha": int, "dropout": float, "target_modules": (str, list)}


def check_lora(lora, backend):
    """`lora` is {} (off) or {"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"} for `hf`."""
    if not lora:
        return
    if backend != "hf":
        raise ConfigError("config field 'lora' needs backend \"hf\"")
    for key, value in lora.items():
        if key not in LORA_KEYS:
            raise ConfigError(f"config field 'lora.{key}' is unknown (allowed: {', '.join(LORA_KEYS)})")
        want = LORA_KEYS[key]
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, want) or isinstance(value, bool):
            raise ConfigError(f"config field 'lora.{key}' has the wrong type: {json.dumps(value)}")
    if int(lora.get("r", 16)) < 1:
        raise ConfigError("config field 'lora.r' must be >= 1")


# ----------------------------------------------------------------------------------------------------------------------
# runtime: threads, seeds, devices, precision


def setup_threads():
    # Debian's torch starts with one thread here; use every core this process may run on.
    n = int(os.environ.get("RLHF_NUM_THREADS", "0")) or len(os.sched_getaffinity(0))
    torch.set_num_threads(max(1, n))


def seed_everything(seed):
    random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:
        pass


def resolve_device(name, local_rank=0):
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("config field 'device' is \"cuda\" but no CUDA GPU is visible to this process")
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def autocast(device, backend):
    """bf16 autocast for the `hf` backend on GPU (weights stay fp32 for the optimizer); exact fp32 elsewhere."""
    if backend == "hf" and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


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


def linear_schedule(optimizer, total_steps, warmup_steps, kind="linear"):
    def factor(step):
        if warmup_steps > 0 and step < warmup_steps:
            return (step + 1) / warmup_steps
        if kind == "constant":
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def epoch_order(n, seed, epoch):
    """The shuffled order of n examples in one epoch: a pure function of (seed, epoch), so a resumed run can rebuild
    the exact batches from the step number alone."""
    g = torch.Generator()
    g.manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=g).tolist()


# ----------------------------------------------------------------------------------------------------------------------
# checkpoints


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


def check_resume_config(saved, current, ignore=("resume", "logging_steps", "eval_steps", "save_steps", "save_total_limit", "device", "num_sample_events")):
    """Resuming with different training settings would silently give a different model: refuse it."""
    diffs = [k for k in sorted(set(saved) | set(current)) if k not in ignore and saved.get(k) != current.get(k)]
    if diffs:
        raise ConfigError(
            "cannot resume: the config differs from the checkpoint's in " + ", ".join(diffs) + " (use a new output_dir)"
        )


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(_json_safe(obj), f, indent=2, ensure_ascii=False)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ----------------------------------------------------------------------------------------------------------------------
# distributed (torchrun sets WORLD_SIZE, RANK, LOCAL_RANK)


@dataclasses.dataclass
class Dist:
    world_size: int
    rank: int
    local_rank: int

    @property
    def main(self):
        return self.rank == 0


def init_distributed(device_name):
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Dist(1, 0, 0)
    import torch.distributed as dist

    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device_name != "cpu" and torch.cuda.is_available()
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group("nccl" if use_cuda else "gloo")
    return Dist(world_size, rank, local_rank)


def all_mean(values, dist_info, device):
    """Averages a dict of floats over the processes of a distributed run."""
    if dist_info.world_size == 1:
        return values
    import torch.distributed as dist

    keys = sorted(values)
    t = torch.tensor([float(values[k]) for k in keys], device=device, dtype=torch.float64)
    dist.all_reduce(t)
    t /= dist_info.world_size
    return dict(zip(keys, t.tolist()))


def sha256_file(path):
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_trainer(trainer, oom_hint: str):
    """Runs a trainer: a CUDA out-of-memory error becomes a message a person can act on, and a torchrun process
    group is always torn down (a leaked group hangs the other ranks)."""
    try:
        return trainer.run()
    except torch.cuda.OutOfMemoryError as e:
        raise UserError(f"out of GPU memory ({e}); {oom_hint}") from e
    finally:
        if trainer.dist.world_size > 1:
            import torch.distributed as dist

            dist.destroy_process_group()
