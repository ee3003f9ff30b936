"""DPO: the loss against hand-computed values, the response log-probs, and the real CLI learning the hidden rule on
the tiny backend from an SFT policy (held-out accuracy of the implicit reward, ~40 s on 2 loaded cores)."""
import math
import os

import torch

from conftest import run_cli
from rlhf import synthetic
from rlhf.dpo import dpo_loss, sequence_logps


def logsigmoid(x):
    return -math.log(1 + math.exp(-x))


def test_sigmoid_loss_label_smoothing_and_rewards_by_hand():
    pc, pr, rc, rr = torch.tensor([-4.0]), torch.tensor([-6.0]), torch.tensor([-5.0]), torch.tensor([-5.0])
    # logits = (-4 - -6) - (-5 - -5) = 2; beta 0.1 -> -logsigmoid(0.2)
    losses, chosen, rejected = dpo_loss(pc, pr, rc, rr, beta=0.1)
    assert math.isclose(losses.item(), -logsigmoid(0.2), rel_tol=1e-6)
    assert math.isclose(chosen.item(), 0.1 * 1.0, rel_tol=1e-6) and math.isclose(rejected.item(), 0.1 * -1.0, rel_tol=1e-6)
    smoothed, _, _ = dpo_loss(pc, pr, rc, rr, beta=0.1, label_smoothing=0.25)
    assert math.isclose(smoothed.item(), -0.75 * logsigmoid(0.2) - 0.25 * logsigmoid(-0.2), rel_tol=1e-6)


def test_ipo_loss_is_squared_distance_to_half_over_beta():
    losses, _, _ = dpo_loss(torch.tensor([-1.0]), torch.tensor([-2.0]), torch.tensor([-1.5]), torch.tensor([-1.5]),
                            beta=0.5, loss_type="ipo")
    # logits 1, target 1 / (2 * 0.5) = 1 -> 0; a wider gap costs its squared excess
    assert losses.item() == 0.0
    wide, _, _ = dpo_loss(torch.tensor([0.0]), torch.tensor([-3.0]), torch.tensor([0.0]), torch.tensor([0.0]),
                          beta=0.5, loss_type="ipo")
    assert math.isclose(wide.item(), 4.0, rel_tol=1e-6)


def test_sequence_logps_count_response_tokens_only():
    # uniform logits over 4 tokens: every token has log-prob log(1/4)
    logits = torch.zeros(2, 5, 4)
    ids = torch.tensor([[1, 2, 3, 0, 0], [1, 2, 3, 1, 2]])
    mask = torch.tensor([[False, False, True, False, False], [False, True, True, True, True]])
    total = sequence_logps(logits, ids, mask)
    assert torch.allclose(total, torch.tensor([1, 4]) * math.log(0.25))
    assert torch.allclose(sequence_logps(logits, ids, mask, average=True), torch.full((2,), math.log(0.25)))


def test_dpo_learns_the_hidden_rule_and_registers_a_policy(synthetic_dir, sft_policy, tmp_path):
    cfg = {"output_dir": str(tmp_path / "dpo"), "train_file": str(synthetic_dir / "train.jsonl"),
           "test_file": str(synthetic_dir / "test.jsonl"), "policy_path": sft_policy, "snapshot_id": "snap-dpo",
           **synthetic.DPO_TASK}
    run = run_cli("dpo", cfg, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    done = run.done
    assert done["metrics"]["eval_rewards/accuracies"] >= 0.9, done["metrics"]
    assert done["metrics"]["eval_rewards/margins"] > 0
    names = set().union(*(e["metrics"] for e in run.of("metric")))
    for name in ("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
                 "logps/rejected", "learning_rate", "eval_loss"):
        assert name in names, name
    assert os.path.exists(os.path.join(done["model_path"], "rlhf_meta.json"))
    # the loss went down over the run
    losses = [e["metrics"]["loss"] for e in run.of("metric") if "loss" in e["metrics"]]
    assert losses[-1] < losses[0]


def test_dpo_refuses_label_smoothing_with_ipo(synthetic_dir, sft_policy, tmp_path):
    run = run_cli("dpo", {"output_dir": str(tmp_path), "train_file": str(synthetic_dir / "train.jsonl"),
                          "policy_path": sft_policy, "loss_type": "ipo", "label_smoothing": 0.1}, tmp_path)
    assert run.returncode == 2 and "label_smoothing" in run.events[0]["message"]
