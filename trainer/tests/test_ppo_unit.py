import math

import torch

from rlhf.model import TinyConfig, TinyTransformer, gather_last
from rlhf.ppo import gae, masked_whiten, per_token_rewards, policy_loss, response_mask, token_logprobs, value_loss

EOS, PAD = 9, 0


def test_mask_stops_at_first_eos_and_flags_missing_eos():
    responses = torch.tensor([[5, 6, EOS, 7, EOS], [5, 6, 7, 8, 5], [EOS, 3, 3, 3, 3]])
    mask, last, has_eos = response_mask(responses, EOS)
    assert mask.long().tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]
    assert last.tolist() == [2, 4, 0]
    assert has_eos.tolist() == [True, False, True]


def test_mask_uses_positions_when_pad_equals_eos():
    # Many HF tokenizers pad with EOS: the mask must still end at the first EOS, not at the last "pad".
    responses = torch.tensor([[5, EOS, EOS, EOS]])
    mask, last, _ = response_mask(responses, EOS)
    assert mask.long().tolist() == [[1, 1, 0, 0]] and last.tolist() == [1]


def test_score_goes_on_last_real_token_and_kl_only_inside_mask():
    responses = torch.tensor([[5, 6, EOS, PAD], [5, 6, 7, 8]])
    mask, last, _ = response_mask(responses, EOS)
    mask = mask.float()
    kl = torch.full((2, 4), 0.5)
    rewards, non_score = per_token_rewards(kl * mask, torch.tensor([3.0, -1.0]), last, mask, kl_coef=0.1)
    assert torch.allclose(rewards[0], torch.tensor([-0.05, -0.05, 3.0 - 0.05, 0.0]))
    assert torch.allclose(rewards[1], torch.tensor([-0.05, -0.05, -0.05, -1.0 - 0.05]))
    assert torch.allclose(non_score.sum(1), torch.tensor([-0.15, -0.2]))


def test_reward_model_score_is_read_at_last_real_token_of_prompt_plus_response():
    torch.manual_seed(0)
    rm = TinyTransformer(TinyConfig(head="value", n_embd=32, block_size=32)).eval()
    query = torch.tensor([[PAD, 1, 2], [3, 4, 5]])  # left-padded prompts
    q_mask = torch.tensor([[0, 1, 1], [1, 1, 1]])
    responses = torch.tensor([[6, EOS, PAD], [6, 7, EOS]])
    mask, _, _ = response_mask(responses, EOS)
    ids, full_mask = torch.cat([query, responses], 1), torch.cat([q_mask, mask.long()], 1)
    with torch.no_grad():
        score = gather_last(rm(ids, full_mask), full_mask)
        alone = rm(torch.tensor([[1, 2, 6, EOS]]), torch.ones(1, 4, dtype=torch.long))[0, -1]
    assert torch.allclose(score[0], alone, atol=1e-5)


def test_gae_matches_hand_computation():
    rewards = torch.tensor([[0.0, 0.0, 1.0, 5.0]])
    values = torch.tensor([[0.5, 0.2, 0.1, 9.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])  # the episode ends at t=2; t=3 is padding
    gamma, lam = 0.9, 0.8
    adv, ret = gae(rewards, values, mask, gamma, lam)
    d2 = 1.0 - 0.1  # terminal: no bootstrap from the padded position
    d1 = 0.0 + gamma * 0.1 - 0.2
    d0 = 0.0 + gamma * 0.2 - 0.5
    a2, a1 = d2, d1 + gamma * lam * d2
    a0 = d0 + gamma * lam * a1
    assert torch.allclose(adv, torch.tensor([[a0, a1, a2, 0.0]]), atol=1e-6)
    assert torch.allclose(ret[0, :3], torch.tensor([a0 + 0.5, a1 + 0.2, a2 + 0.1]), atol=1e-6)


def test_gae_with_gamma_one_lambda_one_is_reward_to_go_minus_value():
    rewards = torch.tensor([[1.0, 2.0, 3.0]])
    values = torch.tensor([[0.5, 0.5, 0.5]])
    adv, _ = gae(rewards, values, torch.ones(1, 3), 1.0, 1.0)
    assert torch.allclose(adv, torch.tensor([[5.5, 4.5, 2.5]]))


def test_value_loss_is_clipped_around_old_values():
    old = torch.tensor([[0.0, 0.0]])
    returns = torch.tensor([[1.0, 1.0]])
    mask = torch.ones(1, 2)
    # moving 0 -> 1 exceeds the clip range 0.2: the clipped prediction 0.2 has the larger loss, so it counts
    loss, clipfrac = value_loss(torch.tensor([[1.0, 0.1]]), old, returns, mask, cliprange_value=0.2)
    expected = 0.5 * ((1.0 - 0.2) ** 2 + (1.0 - 0.1) ** 2) / 2
    assert math.isclose(loss.item(), expected, rel_tol=1e-6)
    assert math.isclose(clipfrac.item(), 0.5)
    # padding positions do not count
    loss_masked, _ = value_loss(torch.tensor([[1.0, 0.1]]), old, returns, torch.tensor([[0.0, 1.0]]), 0.2)
    assert math.isclose(loss_masked.item(), 0.5 * 0.81, rel_tol=1e-6)


def test_policy_loss_clips_the_ratio():
    old = torch.zeros(1, 2)
    new = torch.log(torch.tensor([[2.0, 1.0]]))  # ratio 2 on the first token
    adv = torch.tensor([[1.0, 1.0]])
    loss, clipfrac, approxkl, ratio = policy_loss(new, old, adv, torch.ones(1, 2), cliprange=0.2)
    assert math.isclose(loss.item(), -(1.2 + 1.0) / 2, rel_tol=1e-6)
    assert math.isclose(clipfrac.item(), 0.5)
    assert math.isclose(approxkl.item(), 0.5 * math.log(2) ** 2 / 2, rel_tol=1e-6)
    assert math.isclose(ratio.item(), 1.5, rel_tol=1e-6)


def test_logprobs_use_temperature_scaled_logits():
    logits = torch.tensor([[[2.0, 0.0]]])
    lp = token_logprobs(logits, torch.tensor([[0]]), temperature=0.5)
    assert math.isclose(lp.item(), math.log(math.exp(4) / (math.exp(4) + 1)), rel_tol=1e-5)


def test_whitening_ignores_padding():
    x = torch.tensor([[1.0, 3.0, 100.0]])
    w = masked_whiten(x, torch.tensor([[1.0, 1.0, 0.0]]))
    assert w[0, 2].item() == 0.0
    assert math.isclose(w[0, 0].item(), -w[0, 1].item(), rel_tol=1e-6) and w[0, 0].item() < 0
