import json
import os

import pytest
import torch

from conftest import run_cli
from rlhf import model as tiny
from rlhf.evaluate import bootstrap_ci, pair_outcomes, summarize, win_rate


def test_outcomes_count_a_tie_as_one_half():
    assert pair_outcomes([2.0, 1.0, 0.5, 3.0], [1.0, 2.0, 0.5, 3.0 + 1e-9]) == [1.0, 0.0, 0.5, 0.5]
    assert win_rate([1.0, 0.0, 0.5, 0.5]) == 0.5


def test_bootstrap_interval_of_seven_wins_in_ten_prompts():
    # One pair per prompt: the bootstrap mean is Binomial(10, 0.7) / 10, whose 2.5% quantile is 0.4 (P(X<=3) = 0.011,
    # P(X<=4) = 0.047) and whose 97.5% quantile is 1.0 (P(X<=9) = 0.972).
    groups = [[1.0]] * 7 + [[0.0]] * 3
    low, high = bootstrap_ci(groups, resamples=20000, seed=0)
    assert low == pytest.approx(0.4)
    assert high == pytest.approx(1.0)


def test_bootstrap_resamples_prompts_not_pairs():
    # Nine wins on one prompt and one loss on another: only two prompts were seen, so the interval spans [0, 1] —
    # resampling the ten pairs as if independent would claim a win-rate of at least ~0.7.
    low, high = bootstrap_ci([[1.0] * 9, [0.0]], resamples=4000, seed=1)
    assert (low, high) == (0.0, 1.0)


def test_bootstrap_is_seeded_and_all_wins_is_certain():
    groups = [[1.0, 0.0], [1.0], [0.5, 1.0], [0.0]]
    assert bootstrap_ci(groups, 500, seed=3) == bootstrap_ci(groups, 500, seed=3)
    assert bootstrap_ci([[1.0]] * 5, 500, seed=3) == (1.0, 1.0)


def test_summary_means_and_counts():
    rows = [
        {"prompt_id": "a", "reward_policy": 2.0, "reward_reference": 1.0, "kl": 0.5, "length_policy": 4, "length_reference": 2},
        {"prompt_id": "a", "reward_policy": 0.0, "reward_reference": 1.0, "kl": 1.5, "length_policy": 6, "length_reference": 2},
        {"prompt_id": "b", "reward_policy": 3.0, "reward_reference": 3.0, "kl": 1.0, "length_policy": 2, "length_reference": 8},
    ]
    s = summarize(rows, resamples=200, seed=0)
    assert s["win_rate"] == pytest.approx(0.5)
    assert s["tie_rate"] == pytest.approx(1 / 3)
    assert s["reward/policy"] == pytest.approx(5 / 3)
    assert s["reward/reference"] == pytest.approx(5 / 3)
    assert s["reward/margin"] == pytest.approx(0.0)
    assert s["kl"] == pytest.approx(1.0)
    assert s["length/policy"] == pytest.approx(4.0)
    assert s["length/reference"] == pytest.approx(4.0)
    assert (s["prompts"], s["pairs"]) == (2, 3)
    assert s["win_rate_ci_low"] <= s["win_rate"] <= s["win_rate_ci_high"]


def _prompts(tmp_path, n):
    path = tmp_path / "prompts.jsonl"
    path.write_text("".join(json.dumps({"prompt_id": f"p{i}", "prompt": [{"role": "user", "content": f"About topic {i}."}]}) + "\n"
                            for i in range(n)))
    return str(path)


def test_a_policy_against_itself_has_no_kl_and_an_even_win_rate(trained_rm, sft_policy, tmp_path):
    out = tmp_path / "pairs.jsonl"
    cfg = {"policy_path": sft_policy, "reference_path": sft_policy, "reward_model_path": trained_rm.done["model_path"],
           "prompts_file": _prompts(tmp_path, 24), "output_file": str(out), "num_samples": 2, "max_new_tokens": 24,
           "batch_size": 16, "bootstrap_samples": 500}
    run = run_cli("evaluate", cfg, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    m = run.done["metrics"]
    assert (m["prompts"], m["pairs"]) == (24, 48)
    assert abs(m["kl"]) < 1e-4
    assert m["win_rate_ci_low"] <= 0.5 <= m["win_rate_ci_high"]
    assert m["win_rate_ci_low"] < m["win_rate"] < m["win_rate_ci_high"]
    assert run.of("metric")[-1]["metrics"] == m
    assert run.of("progress")[-1]["step"] == run.of("start")[0]["total_steps"] == 3
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 48 and {r["prompt_id"] for r in rows} == {f"p{i}" for i in range(24)}
    assert all(isinstance(r["policy"], str) and isinstance(r["reference"], str) for r in rows)


def test_a_different_reference_gives_a_positive_kl_and_a_clear_winner(trained_rm, sft_policy, tmp_path):
    # An untrained tiny policy emits byte noise; the SFT policy answers in the task's words. The KL on the SFT
    # policy's own samples is a large positive number and the reward model must see a difference.
    torch.manual_seed(0)
    fresh = str(tmp_path / "fresh")
    tiny.save_tiny(tiny.TinyTransformer(tiny.TinyConfig(n_embd=64)), fresh)
    cfg = {"policy_path": sft_policy, "reference_path": fresh, "reward_model_path": trained_rm.done["model_path"],
           "prompts_file": _prompts(tmp_path, 16), "max_new_tokens": 24, "bootstrap_samples": 500}
    run = run_cli("evaluate", cfg, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    m = run.done["metrics"]
    assert m["kl"] > 1.0
    assert m["reward/policy"] != m["reward/reference"]


def test_too_few_prompts_and_missing_models_are_reported(trained_rm, sft_policy, tmp_path):
    cfg = {"policy_path": sft_policy, "reference_path": str(tmp_path / "nope"),
           "reward_model_path": trained_rm.done["model_path"], "prompts_file": _prompts(tmp_path, 4)}
    run = run_cli("evaluate", cfg, tmp_path)
    assert run.returncode == 1
    assert "reference_path: model directory not found" in run.of("error")[-1]["message"]
    cfg["reference_path"], cfg["prompts_file"] = sft_policy, _prompts(tmp_path, 1)
    run = run_cli("evaluate", cfg, tmp_path, "b.json")
    assert run.returncode == 1
    assert "1 held-out prompt(s); an evaluation needs at least 2" in run.of("error")[-1]["message"]
    assert not os.path.exists(tmp_path / "pairs.jsonl")
