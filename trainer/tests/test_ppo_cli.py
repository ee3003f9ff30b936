import json
import os

import torch

from conftest import kill_at_first_checkpoint, run_cli
from rlhf.checkpoint import torch_load
from rlhf import synthetic
from rlhf.synthetic import has_marker


def _ppo_config(synthetic_dir, trained_rm, sft_policy, out, **over):
    return {"output_dir": str(out), "policy_path": sft_policy, "reward_model_path": trained_rm.done["model_path"],
            "prompts_file": str(synthetic_dir / "prompts.jsonl"), "max_new_tokens": 32, "save_steps": 0,
            "num_sample_events": 2, **over}


def test_ppo_raises_the_reward_model_score_and_holds_the_kl_near_its_target(synthetic_dir, trained_rm, sft_policy,
                                                                            tmp_path):
    cfg = {**_ppo_config(synthetic_dir, trained_rm, sft_policy, tmp_path / "ppo"), **synthetic.PPO_TASK}
    run = run_cli("ppo", cfg, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    metrics = [e["metrics"] for e in run.of("metric")]
    steps = synthetic.PPO_TASK["total_episodes"] // synthetic.PPO_TASK["batch_size"]
    assert len(metrics) == steps
    names = ("objective/kl", "objective/kl_coef", "objective/entropy", "objective/scores", "objective/rlhf_reward",
             "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg",
             "val/ratio", "response_length", "eps", "time/generate_s", "time/train_s", "generation_share")
    for name in names:
        assert name in metrics[-1], name
    before = metrics[0]["objective/scores"]
    after = sum(m["objective/scores"] for m in metrics[-3:]) / 3
    assert after - before > 1.5, (before, after)
    # the adaptive controller: the final KL within ±50% of the target, and β moved from where it started
    kl = sum(m["objective/kl"] for m in metrics[-3:]) / 3
    target = synthetic.PPO_TASK["kl_target"]
    assert 0.5 * target <= kl <= 1.5 * target, [round(m["objective/kl"], 2) for m in metrics]
    assert metrics[0]["objective/kl_coef"] == synthetic.PPO_TASK["kl_coef"]
    assert len({round(m["objective/kl_coef"], 6) for m in metrics}) > 10
    samples = run.of("sample")
    assert len(samples) == 2 * steps and all(isinstance(s["score"], float) for s in samples)
    assert sum(has_marker(s["response"]) for s in samples[-6:]) >= 4  # the policy now says the marker word
    assert os.path.exists(os.path.join(run.done["model_path"], "model.pt"))
    with open(os.path.join(run.done["model_path"], "rlhf_meta.json")) as f:
        meta = json.load(f)
    assert meta["reward_model_path"] == trained_rm.done["model_path"] and meta["method"] == "ppo"


def test_ppo_resume_after_kill_equals_uninterrupted_run(synthetic_dir, trained_rm, sft_policy, tmp_path):
    base = dict(total_episodes=64, batch_size=16, num_mini_batches=2, ppo_epochs=2, save_steps=2, lr=3e-4,
                num_sample_events=0)
    full = run_cli("ppo", _ppo_config(synthetic_dir, trained_rm, sft_policy, tmp_path / "full", **base), tmp_path, "f.json")
    assert full.returncode == 0, full.stderr[-3000:]

    cfg = _ppo_config(synthetic_dir, trained_rm, sft_policy, tmp_path / "cut", resume=True, **base)
    kill_at_first_checkpoint("ppo", cfg, tmp_path)
    ckpts = os.listdir(tmp_path / "cut" / "checkpoints")
    assert ckpts == ["step-00000002"]
    assert set(os.listdir(tmp_path / "cut" / "checkpoints" / ckpts[0])) >= {"policy", "value", "state.pt", "state.json", "config.json"}

    resumed = run_cli("ppo", cfg, tmp_path, "cut.json")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.of("start")[0]["resumed_from_step"] == 2
    a = torch_load(os.path.join(full.done["model_path"], "model.pt"))
    b = torch_load(os.path.join(resumed.done["model_path"], "model.pt"))
    for k in a:
        assert torch.equal(a[k], b[k]), k
    fa, fb = full.of("metric"), resumed.of("metric")
    assert [(m["metrics"]["objective/scores"], m["metrics"]["objective/kl_coef"]) for m in fa[2:]] == \
           [(m["metrics"]["objective/scores"], m["metrics"]["objective/kl_coef"]) for m in fb]
    va = torch_load(os.path.join(str(tmp_path / "full" / "checkpoints" / "step-00000004"), "value", "model.pt"))
    vb = torch_load(os.path.join(str(tmp_path / "cut" / "checkpoints" / "step-00000004"), "value", "model.pt"))
    assert all(torch.equal(va[k], vb[k]) for k in va)


def test_generate_writes_k_samples_per_prompt(synthetic_dir, sft_policy, tmp_path):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text('{"prompt_id": "a", "prompt": [{"role": "user", "content": "About the sea."}]}\n'
                       '{"prompt_id": 7, "prompt": "<|user|>\\nAbout winter.\\n<|assistant|>\\n"}\n')
    out = tmp_path / "out" / "gen.jsonl"
    run = run_cli("generate", {"policy_path": sft_policy, "prompts_file": str(prompts), "output_file": str(out),
                               "num_samples": 3, "max_new_tokens": 32, "model_name": "tiny-sft"}, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.of("generated") == [{"event": "generated", "path": str(out), "count": 6}]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["prompt_id"], r["sample_index"]) for r in rows] == [("a", 0), ("a", 1), ("a", 2), (7, 0), (7, 1), (7, 2)]
    assert all(r["model"] == "tiny-sft" and r["text"].strip() for r in rows)
    # the SFT policy answers in the task's words, so sampling and decoding line up
    assert sum(len(r["text"].split()) >= 2 for r in rows) >= 4
