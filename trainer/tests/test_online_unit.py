"""The pieces of GRPO, RLOO and the adaptive KL controller against values computed by hand."""
import math
import types

import pytest
import torch

from rlhf.config import parse_config
from rlhf.grpo import GRPOConfig, aggregate_loss, clipped_token_loss, grpo_advantages, kl_per_token
from rlhf.ppo import AdaptiveKLController, PPOConfig
from rlhf.protocol import ConfigError
from rlhf.rloo import RLOOConfig, RLOOTrainer, rloo_advantages


def close(a, b, tol=1e-6):
    return all(math.isclose(x, y, rel_tol=tol, abs_tol=tol) for x, y in zip(a, b)) and len(a) == len(b)


def test_grpo_advantages_are_z_scores_within_each_prompts_group():
    rewards = torch.tensor([1.0, 2.0, 3.0, 5.0, 5.0, 5.0])  # two prompts, k = 3
    adv, std = grpo_advantages(rewards, 3, "group")
    # group 1: mean 2, unbiased std 1; group 2: all equal, so no signal at all (and no division by zero)
    assert close(adv.tolist(), [-1 / 1.0001, 0.0, 1 / 1.0001, 0.0, 0.0, 0.0])
    assert close(std.tolist(), [1.0, 0.0])
    none, _ = grpo_advantages(rewards, 3, "none")  # Dr. GRPO: the mean is taken off, nothing divided
    assert close(none.tolist(), [-1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    batch, _ = grpo_advantages(rewards, 3, "batch")
    s = rewards.std().item()  # sqrt((2.5^2 + 1.5^2 + 0.5^2 + 3 * 1.5^2) / 5) = sqrt(3.1)
    assert math.isclose(s, math.sqrt(3.1), rel_tol=1e-6)
    assert close(batch.tolist(), [-1 / (s + 1e-4), 0.0, 1 / (s + 1e-4), 0.0, 0.0, 0.0])


def test_rloo_baseline_is_the_mean_of_the_other_completions():
    # k = 3: baselines (2+3)/2, (1+3)/2, (1+2)/2
    assert close(rloo_advantages(torch.tensor([1.0, 2.0, 3.0]), 3).tolist(), [1 - 2.5, 2 - 2.0, 3 - 1.5])
    # k = 2: each completion is compared with the other one only
    assert close(rloo_advantages(torch.tensor([4.0, 0.0, -1.0, -1.0]), 2).tolist(), [4.0, -4.0, 0.0, 0.0])
    # the same as k / (k - 1) * (r - group mean)
    r = torch.tensor([0.3, -1.2, 2.0, 0.7, 0.1, 0.0, 5.0, -2.0])
    grouped = r.view(-1, 4)
    expected = (4 / 3 * (grouped - grouped.mean(1, keepdim=True))).reshape(-1)
    assert torch.allclose(rloo_advantages(r, 4), expected, atol=1e-6)


def test_rloo_takes_the_kl_penalty_off_the_reward_before_the_baseline():
    trainer = object.__new__(RLOOTrainer)
    trainer.k = 2
    trainer.cfg = types.SimpleNamespace(normalize_advantages=False)
    scores, kl = torch.tensor([1.0, 1.0]), torch.tensor([4.0, 0.0])
    adv, rewards = trainer.advantages(scores, kl, 0.5)
    assert close(rewards.tolist(), [1.0 - 2.0, 1.0])  # r = score - beta * KL
    assert close(adv.tolist(), [-2.0, 2.0])  # equal scores: the completion further from the reference loses


def test_kl_estimators_k1_and_k3():
    logp = torch.log(torch.tensor([[0.5, 0.2]]))
    ref = torch.log(torch.tensor([[0.25, 0.2]]))
    assert close(kl_per_token(logp, ref, "k1")[0].tolist(), [math.log(2), 0.0])
    # k3 = exp(ref - logp) - (ref - logp) - 1 = 0.5 + log 2 - 1
    assert close(kl_per_token(logp, ref, "k3")[0].tolist(), [0.5 + math.log(2) - 1, 0.0])
    # k1 can be negative for one token, k3 never is
    assert kl_per_token(ref, logp, "k1")[0, 0] < 0 and kl_per_token(ref, logp, "k3")[0, 0] > 0
    # on samples from the policy both are unbiased for KL(policy || ref); k3 with less variance
    torch.manual_seed(0)
    p, q = torch.tensor([0.7, 0.2, 0.1]), torch.tensor([0.4, 0.4, 0.2])
    x = torch.multinomial(p, 200_000, replacement=True)
    lp, lq = p.log()[x], q.log()[x]
    exact = float((p * (p.log() - q.log())).sum())
    k1, k3 = kl_per_token(lp, lq, "k1"), kl_per_token(lp, lq, "k3")
    assert abs(k1.mean().item() - exact) < 0.01 and abs(k3.mean().item() - exact) < 0.01
    assert k3.var() < k1.var()


def test_clipped_loss_clips_the_ratio_by_the_sign_of_the_advantage():
    old = torch.zeros(4, 1)
    new = torch.log(torch.tensor([[2.0], [0.5], [0.5], [1.1]]))
    adv = torch.tensor([1.0, -1.0, 1.0, 1.0])
    loss, low, high = clipped_token_loss(new, old, adv, eps_low=0.2, eps_high=0.28)
    # ratio 2, A > 0: capped at 1 + 0.28; ratio 0.5, A < 0: capped at 1 - 0.2; ratio 0.5, A > 0: not clipped
    assert close(loss[:, 0].tolist(), [-1.28, 0.8, -0.5, -1.1])
    assert high[:, 0].tolist() == [True, False, False, False]
    assert low[:, 0].tolist() == [False, True, False, False]


def test_loss_aggregation_per_loss_type():
    per_token = torch.tensor([[1.0, 2.0, 9.0], [3.0, 9.0, 9.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert math.isclose(aggregate_loss(per_token, mask, "grpo", 4).item(), (1.5 + 3.0) / 2)  # per completion
    assert math.isclose(aggregate_loss(per_token, mask, "bnpo", 4).item(), 6.0 / 3)  # per token
    assert math.isclose(aggregate_loss(per_token, mask, "dr_grpo", 4).item(), 6.0 / (2 * 4))  # fixed denominator


def test_adaptive_kl_controller_moves_beta_toward_the_target():
    ctl = AdaptiveKLController("adaptive", 0.2, target=6.0, horizon=100)
    # KL 9 is 50% over: the error is clipped to 0.2, times 10 episodes / horizon 100
    assert math.isclose(ctl.update(9.0, 10), 0.2 * (1 + 0.2 * 0.1))
    # KL 5.4 is 10% under
    assert math.isclose(ctl.update(5.4, 10), 0.2 * 1.02 * (1 - 0.1 * 0.1))
    # far under: clipped at -0.2 per horizon
    assert math.isclose(ctl.update(0.0, 100), 0.2 * 1.02 * 0.99 * 0.8)
    fixed = AdaptiveKLController("fixed", 0.2, target=6.0, horizon=100)
    assert fixed.update(100.0, 1000) == 0.2


def test_online_configs_check_groups_and_the_controller():
    base = {"output_dir": "/tmp/x", "policy_path": "/p", "reward_model_path": "/r", "prompts_file": "/f"}
    cfg = parse_config(GRPOConfig, base)
    assert (cfg.num_generations, cfg.batch_size, cfg.kl_estimator, cfg.kl_controller) == (4, 64, "k3", "adaptive")
    assert parse_config(RLOOConfig, base).kl_estimator == "k1"
    with pytest.raises(ConfigError, match="'batch_size'.*multiple of num_generations"):
        parse_config(GRPOConfig, {**base, "batch_size": 30, "num_generations": 4})
    with pytest.raises(ConfigError, match="'num_generations' must be >= 2"):
        parse_config(RLOOConfig, {**base, "num_generations": 1})
    with pytest.raises(ConfigError, match="'beta': must be above 0 for the adaptive KL controller"):
        parse_config(GRPOConfig, {**base, "beta": 0})
    assert parse_config(GRPOConfig, {**base, "beta": 0, "kl_controller": "fixed"}).beta == 0
    with pytest.raises(ConfigError, match="'kl_coef': must be above 0"):
        parse_config(PPOConfig, {**base, "kl_coef": 0})
