"""KTO: the loss, the KL reference point and TRL's class-balance rule against hand-computed values, the mismatched
pairs, the unpaired and paired inputs, and the real CLI on the tiny backend from an SFT policy."""
import json
import math
import os

import pytest
import torch

from conftest import run_cli
from rlhf import synthetic
from rlhf.data import DataError, load_unpaired
from rlhf.kto import KTOExample, balance_weights, kto_loss, mismatched


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_kto_loss_by_hand_with_a_clamped_and_a_positive_kl():
    logps, ref = torch.tensor([-4.0, -6.0]), torch.tensor([-5.0, -5.0])  # logratios +1 (desirable), -1 (undesirable)
    desirable = torch.tensor([True, False])
    # mismatched logratios +1 and -3: mean -1, clamped to 0
    losses, rewards, kl = kto_loss(logps, ref, torch.tensor([-3.0, -7.0]), torch.tensor([-4.0, -4.0]), desirable,
                                   beta=0.5, desirable_weight=2.0, undesirable_weight=3.0)
    assert float(kl) == 0.0
    assert math.isclose(losses[0].item(), 2 * (1 - sigmoid(0.5 * 1)), rel_tol=1e-6)
    assert math.isclose(losses[1].item(), 3 * (1 - sigmoid(0.5 * (0 + 1))), rel_tol=1e-6)
    assert torch.allclose(rewards, torch.tensor([0.5, -0.5]))
    # mismatched logratios +1 and +2: z0 = 1.5 raises the bar for desirable and lowers it for undesirable
    losses, _, kl = kto_loss(logps, ref, torch.tensor([-3.0, -3.0]), torch.tensor([-4.0, -5.0]), desirable, beta=0.5)
    assert math.isclose(float(kl), 1.5)
    assert math.isclose(losses[0].item(), 1 - sigmoid(0.5 * (1 - 1.5)), rel_tol=1e-6)
    assert math.isclose(losses[1].item(), 1 - sigmoid(0.5 * (1.5 + 1)), rel_tol=1e-6)
    # the reference point carries no gradient
    p = logps.clone().requires_grad_(True)
    kl_p = torch.tensor([-3.0, -3.0], requires_grad=True)
    losses, _, _ = kto_loss(p, ref, kl_p, torch.tensor([-4.0, -5.0]), desirable, beta=0.5)
    losses.sum().backward()
    assert kl_p.grad is None and p.grad is not None


def test_class_balance_rule_and_the_weights_that_fix_it():
    # 30 desirable, 10 undesirable: 30/10 = 3 is outside [1, 4/3]; weighing undesirable 3x brings it to 1
    assert balance_weights(30, 10, 1.0, 1.0) == (3.0, (1.0, 3.0))
    # too few desirable: their weight goes up
    ratio, weights = balance_weights(10, 30, 1.0, 1.0)
    assert math.isclose(ratio, 1 / 3) and weights == (3.0, 1.0)
    assert balance_weights(12, 10, 1.0, 1.0)[0] == 1.2  # inside the range
    assert balance_weights(5, 0, 1.0, 1.0) == (None, (1.0, 1.0))


def test_mismatched_pairs_rotate_completions_by_one():
    ex = [KTOExample(f"p{i}", f"c{i}", True, [], 0) for i in range(3)]
    assert mismatched(ex) == [("p0", "c2"), ("p1", "c0"), ("p2", "c1")]


def test_unpaired_rows_and_pairs_split_with_ties_left_out(tmp_path):
    unpaired = tmp_path / "kto.jsonl"
    unpaired.write_text('{"prompt": "q", "completion": "good", "label": true}\n{"prompt": "q", "completion": "bad", "label": false}\n')
    assert load_unpaired(str(unpaired)) == ([("q", "good", True), ("q", "bad", False)], 0)
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"prompt": "q", "chosen": "a", "rejected": "b", "margin": 2}\n'
                     '{"prompt": "r", "chosen": "c", "rejected": "d", "margin": 0}\n{"prompt": "s", "chosen": "e", "rejected": "f"}\n')
    rows, ties = load_unpaired(str(pairs))
    assert rows == [("q", "a", True), ("q", "b", False), ("s", "e", True), ("s", "f", False)] and ties == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "q", "completion": "good", "label": true}\n{"prompt": "q", "completion": "x", "label": "yes"}\n')
    with pytest.raises(DataError, match="line 2: 'label' must be true"):
        load_unpaired(str(bad))


def _kto_task(tmp_path, data, policy):
    return {"output_dir": str(tmp_path / "kto"), "train_file": str(data / "train.jsonl"), "test_file": str(data / "test.jsonl"),
            "policy_path": policy, "snapshot_id": "snap-kto", "logging_steps": 10, "save_steps": 0}


def test_kto_prefers_the_desirable_side_on_held_out_pairs(synthetic_dir, sft_policy, tmp_path):
    run = run_cli("kto", _kto_task(tmp_path, synthetic_dir, sft_policy), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    done = run.done["metrics"]
    assert done["eval_rewards/margins"] > 0.3, done
    assert done["eval_rewards/chosen"] > done["eval_rewards/rejected"]
    names = set().union(*(e["metrics"] for e in run.of("metric")))
    for name in ("loss", "kl", "rewards/chosen", "rewards/rejected", "rewards/margins", "logps/chosen", "logps/rejected",
                 "count/chosen", "count/rejected", "eval_loss", "eval_kl"):
        assert name in names, name
    assert len([e for e in run.of("metric") if "loss" in e["metrics"]]) > 1
    with open(os.path.join(run.done["model_path"], "rlhf_meta.json")) as f:
        meta = json.load(f)
    assert meta["method"] == "kto" and meta["snapshot_id"] == "snap-kto" and meta["base_model"] == sft_policy
    logs = " ".join(e["message"] for e in run.of("log"))
    assert "1200 desirable and 1200 undesirable" in logs and "outside" not in logs


def test_kto_warns_about_an_unbalanced_split_or_adapts_the_weights(synthetic_dir, sft_policy, tmp_path):
    rows = [json.loads(line) for line in open(synthetic_dir / "train.jsonl")][:48]
    data = tmp_path / "unbalanced"
    data.mkdir()
    # 48 desirable, 16 undesirable
    lines = [{"prompt": r["prompt"], "completion": r["chosen"], "label": True} for r in rows]
    lines += [{"prompt": r["prompt"], "completion": r["rejected"], "label": False} for r in rows[:16]]
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    (data / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines[:8] + lines[-8:]))
    warn = run_cli("kto", {**_kto_task(tmp_path, data, sft_policy), "epochs": 1}, tmp_path, "warn.json")
    assert warn.returncode == 0, warn.stderr[-2000:]
    warning = [e for e in warn.of("log") if e.get("level") == "warning"]
    assert warning and "= 3.000, outside TRL's [1, 4/3]" in warning[0]["message"]
    assert "undesirable_weight 3" in warning[0]["message"]
    assert warn.done["metrics"]["undesirable_weight"] == 1.0
    adapt = run_cli("kto", {**_kto_task(tmp_path, data, sft_policy), "output_dir": str(tmp_path / "adapt"), "epochs": 1,
                            "class_balance": "adapt"}, tmp_path, "adapt.json")
    assert adapt.returncode == 0
    assert adapt.done["metrics"]["undesirable_weight"] == 3.0 and adapt.done["metrics"]["desirable_weight"] == 1.0


def test_kto_needs_two_examples_per_batch(tmp_path):
    run = run_cli("kto", {"output_dir": str(tmp_path), "train_file": "x.jsonl", "policy_path": "p", "batch_size": 1}, tmp_path)
    assert run.returncode == 2 and "batch_size" in run.of("error")[0]["message"]
