"""DPO: the loss against hand-computed values, the response log-probs, and the real CLI learning the hidden rule on
the tiny backend from an SFT policy (held-out accuracy of the implicit reward, ~40 s on 2 loaded cores)."""
import json
import math
import os

import torch

from conftest import run_cli
from rlhf import synthetic
from rlhf.data import load_preferences
from rlhf.dpo import dpo_loss, pair_weights, sequence_logps, split_ties


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


def test_a_tie_is_half_a_win_each_way():
    pc, pr, rc, rr = torch.tensor([-4.0, -4.0]), torch.tensor([-6.0, -6.0]), torch.tensor([-5.0, -5.0]), torch.tensor([-5.0, -5.0])
    ties = torch.tensor([False, True])
    losses, _, _ = dpo_loss(pc, pr, rc, rr, beta=0.1, label_smoothing=0.1, ties=ties)
    # logits 2 for both; the preference keeps its label smoothing, the tie is label smoothing 0.5
    assert math.isclose(losses[0].item(), -0.9 * logsigmoid(0.2) - 0.1 * logsigmoid(-0.2), rel_tol=1e-6)
    assert math.isclose(losses[1].item(), -0.5 * logsigmoid(0.2) - 0.5 * logsigmoid(-0.2), rel_tol=1e-6)
    # at equal implicit rewards a tie costs log 2, its minimum
    at_zero, _, _ = dpo_loss(pc, pc, rc, rc, beta=0.1, ties=ties)
    assert math.isclose(at_zero[1].item(), math.log(2), rel_tol=1e-6)
    # IPO: a tie's target is 0 instead of 1 / (2 beta)
    ipo, _, _ = dpo_loss(pc, pr, rc, rr, beta=0.5, loss_type="ipo", ties=ties)
    assert math.isclose(ipo[0].item(), (2 - 1) ** 2) and math.isclose(ipo[1].item(), 2.0 ** 2)


def test_margin_weighting_spreads_a_prompt_over_its_pairs_by_strength(tmp_path):
    f = tmp_path / "pairs.jsonl"
    f.write_text('{"prompt": "q", "chosen": "a", "rejected": "b", "margin": 3}\n'
                 '{"prompt": "q", "chosen": "b", "rejected": "c", "margin": 1}\n'
                 '{"prompt": "q", "chosen": "c", "rejected": "d", "margin": 0}\n'
                 '{"prompt": "r", "chosen": "x", "rejected": "y"}\n')
    marked, ties = split_ties(load_preferences(str(f)), drop=False)
    assert ties == 1 and [m[1] for m in marked] == [[False, False, True], [False]]
    # strengths 3, 1 and 1 for the tie; the row without a margin is no tie and counts 1
    assert [m[2] for m in marked] == [[3.0, 1.0, 1.0], [1.0]]
    groups = [type("G", (), {"strengths": m[2]}) for m in marked]
    # two prompts of 1/2 each: equal shares, or shares by strength (3/5, 1/5, 1/5 of the first half)
    assert torch.allclose(pair_weights(groups, by_margin=False), torch.tensor([1 / 6, 1 / 6, 1 / 6, 1 / 2]))
    assert torch.allclose(pair_weights(groups, by_margin=True), torch.tensor([0.3, 0.1, 0.1, 0.5]))
    dropped, n = split_ties(load_preferences(str(f)), drop=True)
    assert n == 1 and [len(g.pairs) for g, _, _ in dropped] == [2, 1]


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


def test_dpo_counts_the_ties_it_trains_on_or_drops(synthetic_dir, sft_policy, tmp_path):
    rows = [json.loads(line) for line in open(synthetic_dir / "train.jsonl")][:64]
    for i, r in enumerate(rows):
        r["margin"] = 0 if i % 4 == 0 else 2
    f = tmp_path / "ties.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    base = {"output_dir": str(tmp_path / "half"), "train_file": str(f), "policy_path": sft_policy, "save_steps": 0,
            "pair_weighting": "margin", "epochs": 1}
    half = run_cli("dpo", base, tmp_path, "half.json")
    assert half.returncode == 0, half.stderr[-2000:]
    assert half.done["metrics"]["data/ties"] == 16
    assert any("16 tied pair(s) (margin 0) in the train split: trained as half a win" in e["message"] for e in half.of("log"))
    drop = run_cli("dpo", {**base, "output_dir": str(tmp_path / "drop"), "ties": "drop"}, tmp_path, "drop.json")
    assert drop.returncode == 0 and any("16 tied pair(s)" in e["message"] and "left out" in e["message"] for e in drop.of("log"))
    assert drop.of("start")[0]["total_steps"] == 3  # 48 pairs of 48 prompts, 16 per step
    only_ties = tmp_path / "only-ties.jsonl"
    only_ties.write_text("".join(json.dumps({**r, "margin": 0}) + "\n" for r in rows[:4]))
    refused = run_cli("dpo", {**base, "train_file": str(only_ties), "ties": "drop"}, tmp_path, "only.json")
    assert refused.returncode != 0 and "every pair is a tie" in refused.of("error")[0]["message"]
