"""RLOO (REINFORCE Leave-One-Out) against a reward model, after TRL's RLOOTrainer and Ahmadian et al. 2024.

    python3 -m rlhf.rloo --config cfg.json          (one process)
    torchrun --nproc_per_node=K -m rlhf.rloo --config cfg.json   (K GPUs, DistributedDataParallel)

One update: k = num_generations completions of each of batch_size / k prompts, scored by the frozen reward model
(minus missing_eos_penalty without EOS); the KL penalty comes off the reward, r = score - beta * KL (KL summed over the
completion's tokens, k1 by default, at the policy that sampled); a completion's advantage is its reward minus the mean
reward of the other k - 1 completions of its prompt (the leave-one-out baseline: unbiased, no value model), one value
for all its tokens, optionally normalised over the batch; then num_iterations passes of the clipped surrogate, with
no KL term in the loss. beta is adaptive by default (ppo.AdaptiveKLController, toward kl_target).

Sampling, scoring, the clipped loss, checkpoints and metrics are GRPO's (grpo.OnlineTrainer); this file holds what is
RLOO's own: its config defaults, the leave-one-out advantages and the KL in the reward.
"""
import dataclasses
from typing import Optional

from .config import opt
from .grpo import OnlineConfig, OnlineTrainer, main as online_main
from .protocol import run_cli


@dataclasses.dataclass
class RLOOConfig(OnlineConfig):
    """What `python3 -m rlhf.rloo` reads (TRL RLOOConfig names). The app's launch form shows the fields marked `form`."""

    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 5e-4, "hf": 1e-6}, label="Learning rate",
                              form=True, help="AdamW over the policy")
    beta: Optional[float] = opt(None, min=0.0, by_backend={"tiny": 0.2, "hf": 0.05}, label="KL coefficient (β)",
                                form=True, help="β of the KL subtracted from each completion's reward; with the "
                                                "adaptive controller, its starting value")
    kl_estimator: str = opt("k1", choices=["k1", "k3"],
                            help="KL summed over the completion's tokens: k1 = logp - logp_ref (TRL RLOO); k3 = "
                                 "exp(logp_ref - logp) - (logp_ref - logp) - 1 (unbiased, always >= 0)")
    normalize_advantages: bool = opt(False, help="whiten the advantages over the batch (TRL option)")


# ----------------------------------------------------------------------------------------------------------------------
# the piece RLOO adds (a pure function, unit-tested)


def rloo_advantages(rewards, k):
    """rewards (B,) in groups of k consecutive completions of one prompt -> advantages (B,): each reward minus the
    mean of the other k - 1 rewards of its group, (sum - r) / (k - 1)."""
    grouped = rewards.view(-1, k)  # (P, k)
    baseline = (grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)  # (P, k)
    return (grouped - baseline).reshape(-1)


class RLOOTrainer(OnlineTrainer):
    method = "rloo"
    kl_in_loss = False

    def advantages(self, scores, seq_kl, beta):
        rewards = scores - beta * seq_kl  # (B,)
        adv = rloo_advantages(rewards, self.k)
        if self.cfg.normalize_advantages:
            adv = (adv - adv.mean()) / (adv.std() + 1e-4)
        return adv, rewards


def main(cfg, events):
    return online_main(cfg, events, RLOOTrainer)


if __name__ == "__main__":
    run_cli(RLOOConfig, main)
