"""Where and how a run executes: threads, seeds, devices and precision, the learning-rate schedule and data order,
and the distributed (torchrun) set-up: torchrun sets WORLD_SIZE, RANK, LOCAL_RANK; rank 0 speaks and saves."""
import dataclasses
import math
import os
import random
import time
from contextlib import nullcontext

import torch

from .protocol import ConfigError, UserError


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


def linear_schedule(optimizer, total_steps, warmup_steps, kind="linear"):
    def factor(step):
        if warmup_steps > 0 and step < warmup_steps:
            return (step + 1) / warmup_steps
        if kind == "constant":
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


MIN_LOG_POINTS = 5


def logging_interval(logging_steps, total_steps):
    """Steps between train-metric events: logging_steps, or less in a short run, so that its charts have at least
    MIN_LOG_POINTS points (a run on a small snapshot has fewer steps than the usual interval)."""
    return max(1, min(logging_steps, total_steps // MIN_LOG_POINTS))


def emit_start(trainer):
    """The `start` event of a trainer with device, dist, ckpt (the checkpoint resumed from, or None) and steps."""
    trainer.events.emit("start", total_steps=trainer.total_steps, device=trainer.device.type,
                        world_size=trainer.dist.world_size, resumed_from_step=trainer.step if trainer.ckpt else None)


def train_steps(trainer, save_checkpoint):
    """The step loop the offline trainers share (reward, SFT, DPO, KTO), after `start` (emit_start) and up to the
    final evaluation.

    `trainer` has cfg (logging_steps, eval_steps, save_steps), events, step, total_steps, test, and train_step /
    flush_metrics / evaluate. Emits train metrics every logging interval, progress about 50 times, eval metrics
    every eval_steps, and calls save_checkpoint() every save_steps; then evaluates once more. Returns the last train
    metrics with the final eval metrics and train_runtime; the caller adds its own figures and saves the last
    checkpoint and the final model, which differ per algorithm."""
    cfg, ev = trainer.cfg, trainer.events
    t0 = time.time()
    last = {}
    progress_every = max(1, trainer.total_steps // 50)
    log_every = logging_interval(cfg.logging_steps, trainer.total_steps)
    while trainer.step < trainer.total_steps:
        trainer.train_step()
        final = trainer.step == trainer.total_steps
        if trainer.step % log_every == 0 or final:
            last = trainer.flush_metrics()
            ev.emit("metric", step=trainer.step, metrics=last)
        if trainer.step % progress_every == 0 or final:
            ev.emit("progress", step=trainer.step, total_steps=trainer.total_steps)
        if cfg.eval_steps and trainer.step % cfg.eval_steps == 0 and trainer.test and not final:
            ev.emit("metric", step=trainer.step, metrics=trainer.evaluate())
        if cfg.save_steps and trainer.step % cfg.save_steps == 0 and not final:
            save_checkpoint()
    metrics = dict(last)
    if trainer.test:
        evals = trainer.evaluate()
        ev.emit("metric", step=trainer.step, metrics=evals)
        metrics.update(evals)
    metrics["train_runtime"] = time.time() - t0
    return metrics


def epoch_order(n, seed, epoch):
    """The shuffled order of n examples in one epoch: a pure function of (seed, epoch), so a resumed run can rebuild
    the exact batches from the step number alone."""
    g = torch.Generator()
    g.manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=g).tolist()


def batch_indices(n, batch_size, seed, step, dist_info):
    """The indices of this process's examples at `step` of an epoch-based run, and whether it has any: a pure function
    of (seed, step), which makes resume exact. A short last batch may leave a process empty; it then gets the batch's
    first example, to join the collective step with zero weight."""
    steps_per_epoch = math.ceil(n / batch_size)
    epoch, i = divmod(step, steps_per_epoch)
    idx = epoch_order(n, seed, epoch)[i * batch_size:(i + 1) * batch_size]
    local = idx[dist_info.rank::dist_info.world_size]
    return (local or idx[:1]), bool(local)


# ----------------------------------------------------------------------------------------------------------------------
# distributed


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


def wrap_ddp(module, dist_info, device):
    """The module DistributedDataParallel-wrapped in a distributed run (the module itself otherwise)."""
    if dist_info.world_size == 1:
        return module
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None)


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


def all_gather(value, dist_info):
    """[value of rank 0, value of rank 1, …] (a one-element list in a single process)."""
    if dist_info.world_size == 1:
        return [value]
    import torch.distributed as dist

    out = [None] * dist_info.world_size
    dist.all_gather_object(out, value)
    return out


def barrier(dist_info):
    if dist_info.world_size > 1:
        import torch.distributed as dist

        dist.barrier()


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
