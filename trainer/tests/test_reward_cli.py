import json
import os
import shutil
import subprocess
import sys

import torch

from conftest import TRAINER_DIR, kill_at_first_checkpoint, parse_stdout, run_cli
from rlhf import synthetic
from rlhf.checkpoint import load_training_state, torch_load


def test_hidden_rule_reward_model_reaches_95_percent_held_out_within_60s(trained_rm):
    run = trained_rm
    assert [e["event"] for e in run.events][0] == "start"
    start = run.of("start")[0]
    assert start["device"] == "cpu" and start["world_size"] == 1 and start["resumed_from_step"] is None
    train_metrics = [e["metrics"] for e in run.of("metric") if "loss" in e["metrics"]]
    assert train_metrics, "no train metrics"
    for name in ("loss", "accuracy", "margin", "mean_reward", "min_reward", "max_reward", "learning_rate", "num_tokens"):
        assert name in train_metrics[-1], name
    assert train_metrics[-1]["loss"] < train_metrics[0]["loss"]
    done = run.done
    assert done["metrics"]["eval_accuracy"] >= 0.95, done["metrics"]
    assert done["metrics"]["train_runtime"] < 60, done["metrics"]["train_runtime"]
    assert run.of("progress")[-1]["step"] == run.of("progress")[-1]["total_steps"] == start["total_steps"]


def test_final_model_and_checkpoint_carry_lineage_and_normalization(trained_rm):
    model_dir = trained_rm.done["model_path"]
    with open(os.path.join(model_dir, "rlhf_meta.json")) as f:
        meta = json.load(f)
    assert meta["kind"] == "reward" and meta["snapshot_id"] == "snap-test" and meta["snapshot_sha256"] == "ab" * 32
    assert meta["normalization"]["std"] > 0
    ckpt = trained_rm.of("checkpoint")[-1]["path"]
    assert os.path.isabs(ckpt)
    with open(os.path.join(ckpt, "trainer_state.json")) as f:
        state = json.load(f)
    assert state["step"] == trained_rm.of("start")[0]["total_steps"]
    assert state["normalization"] == meta["normalization"]
    with open(os.path.join(ckpt, "config.json")) as f:
        assert json.load(f)["snapshot_id"] == "snap-test"
    saved = load_training_state(ckpt)
    assert {"optimizer", "scheduler", "rng", "step", "cursor"} <= set(saved)


def _small_task(tmp_path):
    synthetic.write_all(str(tmp_path / "data"), pairs=160, test_pairs=40, prompts=8, sft=8, seed=3)
    return {"train_file": str(tmp_path / "data" / "train.jsonl"), "test_file": str(tmp_path / "data" / "test.jsonl"),
            "epochs": 2, "batch_size": 8, "max_length": 96, "n_embd": 32, "lr": 3e-3, "logging_steps": 5,
            "save_steps": 5, "seed": 7}


def _state(model_dir):
    return torch_load(os.path.join(model_dir, "model.pt"))


def test_resume_after_kill_equals_uninterrupted_run(tmp_path):
    base = _small_task(tmp_path)
    full = run_cli("reward", {**base, "output_dir": str(tmp_path / "full")}, tmp_path, "full.json")
    assert full.returncode == 0, full.stderr[-2000:]

    cfg = {**base, "output_dir": str(tmp_path / "cut"), "resume": True}
    seen = kill_at_first_checkpoint("reward", cfg, tmp_path)
    assert not any(e["event"] == "done" for e in seen)

    resumed = run_cli("reward", cfg, tmp_path, "cut.json")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.of("start")[0]["resumed_from_step"] == 5
    assert resumed.of("metric")[0]["step"] > 5  # no step was trained twice

    a, b = _state(full.done["model_path"]), _state(resumed.done["model_path"])
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    for name in ("eval_accuracy", "eval_loss", "loss", "num_tokens"):
        assert full.done["metrics"][name] == resumed.done["metrics"][name], name


def test_resume_on_another_host_reads_the_same_inputs_from_other_paths(tmp_path):
    """A worker on another host (its own DATA_DIR) resumes a checkpoint fetched from the artifact store: the staged
    paths differ, the settings and the snapshot do not, and the run continues where it stopped."""
    base = _small_task(tmp_path)
    cfg = {**base, "output_dir": str(tmp_path / "host-a" / "run"), "resume": True}
    kill_at_first_checkpoint("reward", cfg, tmp_path)
    (tmp_path / "host-b").mkdir()
    shutil.copytree(tmp_path / "host-a" / "run" / "checkpoints", tmp_path / "host-b" / "run" / "checkpoints")
    shutil.copytree(tmp_path / "data", tmp_path / "host-b" / "data")
    moved = {**cfg, "output_dir": str(tmp_path / "host-b" / "run"),
             "train_file": str(tmp_path / "host-b" / "data" / "train.jsonl"),
             "test_file": str(tmp_path / "host-b" / "data" / "test.jsonl")}
    resumed = run_cli("reward", moved, tmp_path, "moved.json")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.of("start")[0]["resumed_from_step"] == 5
    # a setting still may not change on the way
    changed = run_cli("reward", {**moved, "lr": 1e-4}, tmp_path, "changed.json")
    assert changed.returncode == 2 and "lr" in changed.of("error")[0]["message"]


def test_resume_refuses_a_changed_config(tmp_path):
    base = {**_small_task(tmp_path), "epochs": 1, "save_steps": 0}
    first = run_cli("reward", {**base, "output_dir": str(tmp_path / "o")}, tmp_path)
    assert first.returncode == 0
    again = run_cli("reward", {**base, "output_dir": str(tmp_path / "o"), "resume": True, "lr": 1e-4}, tmp_path)
    assert again.returncode == 2
    assert "lr" in again.of("error")[0]["message"]


def test_bad_config_is_rejected_naming_the_field(tmp_path):
    run = run_cli("reward", {"output_dir": str(tmp_path), "train_file": "x.jsonl", "learning_rat": 1}, tmp_path)
    assert run.returncode == 2 and run.events == [{"event": "error", "message": run.events[0]["message"]}]
    assert "learning_rat" in run.events[0]["message"]
    run = run_cli("reward", {"output_dir": str(tmp_path), "train_file": "x.jsonl", "batch_size": 0}, tmp_path)
    assert run.returncode == 2 and "'batch_size' must be >= 1" in run.events[0]["message"]
    run = run_cli("reward", {"output_dir": str(tmp_path), "train_file": "x.jsonl", "backend": "hf"}, tmp_path)
    assert run.returncode == 2 and "model_path" in run.events[0]["message"]


def test_bad_data_fails_with_line_numbers_and_only_json_on_stdout(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "q", "chosen": "a", "rejected": "b"}\n{"prompt": "q"}\n')
    run = run_cli("reward", {"output_dir": str(tmp_path / "o"), "train_file": str(bad)}, tmp_path)
    assert run.returncode == 1
    assert "line 2: 'chosen' is missing" in run.of("error")[0]["message"]
    assert "Traceback" not in run.stderr


def test_hf_backend_fails_clearly_without_transformers_or_model_dir(tmp_path):
    try:
        import transformers  # noqa: F401
        expected = "no config.json"  # a GPU host: the package is there, the directory is not a model
    except ImportError:
        expected = "needs the transformers package"
    data = _small_task(tmp_path)
    (tmp_path / "empty").mkdir()
    run = run_cli("reward", {"output_dir": str(tmp_path / "o"), "train_file": data["train_file"], "backend": "hf",
                             "model_path": str(tmp_path / "empty")}, tmp_path)
    assert run.returncode == 1
    assert expected in run.of("error")[0]["message"]


def test_stdout_carries_only_protocol_lines_even_when_python_prints(tmp_path):
    # a print from our code or a library during a run must land on stderr, never on the worker's stdout
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"output_dir": str(tmp_path), "train_file": "x.jsonl"}))
    code = ("import os, sys\n"
            "from rlhf.protocol import run_cli\n"
            "from rlhf.reward import RewardConfig\n"
            "def main(cfg, events):\n"
            "    print('python noise')\n"
            "    os.system('echo shell noise')\n"
            "    events.emit('done', model_path='/m', metrics={'loss': float('nan')})\n"
            f"run_cli(RewardConfig, main, ['--config', {str(cfg)!r}])\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=TRAINER_DIR, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert parse_stdout(p.stdout) == [{"event": "done", "model_path": "/m", "metrics": {"loss": None}}]
    assert "python noise" in p.stderr and "shell noise" in p.stderr
