"""Shared fixtures: the real CLIs run as subprocesses (as the worker runs them), and the synthetic hidden-rule task
is trained once per session (reward model, SFT policy) for the tests that need trained models."""
import json
import os
import subprocess
import sys
import time

import pytest

TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAINER_DIR)

from rlhf import synthetic  # noqa: E402



class CliRun:
    def __init__(self, returncode, events, stderr, seconds):
        self.returncode, self.events, self.stderr, self.seconds = returncode, events, stderr, seconds

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]

    @property
    def done(self):
        done = self.of("done")
        assert done, f"no done event; stderr:\n{self.stderr[-3000:]}\nevents: {self.events[-5:]}"
        return done[-1]


def parse_stdout(text):
    """Every stdout line must be one JSON object with an `event` (the protocol's first rule)."""
    events = []
    for line in text.splitlines():
        obj = json.loads(line)
        assert isinstance(obj, dict) and "event" in obj, line
        events.append(obj)
    return events


def run_cli(module, config, tmp_path, name="config.json", env=None):
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        json.dump(config, f)
    t0 = time.time()
    p = subprocess.run([sys.executable, "-m", f"rlhf.{module}", "--config", path], cwd=TRAINER_DIR,
                       capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)
    return CliRun(p.returncode, parse_stdout(p.stdout), p.stderr, time.time() - t0)


def kill_at_first_checkpoint(module, config, tmp_path, name="cut.json"):
    """Starts `python -m rlhf.<module>` and kills it (SIGKILL: no chance to clean up, as a dying worker host) as soon
    as it reports its first checkpoint; returns the events it wrote until then."""
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        json.dump(config, f)
    proc = subprocess.Popen([sys.executable, "-m", f"rlhf.{module}", "--config", path], cwd=TRAINER_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = []
    for line in proc.stdout:
        seen.append(json.loads(line))
        if seen[-1]["event"] == "checkpoint":
            proc.kill()
            break
    proc.wait()
    return seen


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("synthetic")
    synthetic.write_all(str(d), pairs=1200, test_pairs=300, prompts=64, sft=1200, seed=0)
    return d


@pytest.fixture(scope="session")
def trained_rm(synthetic_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("rm")
    cfg = {"output_dir": str(out), "train_file": str(synthetic_dir / "train.jsonl"),
           "test_file": str(synthetic_dir / "test.jsonl"), "snapshot_id": "snap-test", "snapshot_sha256": "ab" * 32,
           **synthetic.RM_TASK}
    run = run_cli("reward", cfg, out)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def sft_policy(synthetic_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("sft")
    cfg = {"output_dir": str(out), "train_file": str(synthetic_dir / "sft.jsonl"), **synthetic.SFT_TASK}
    run = run_cli("sft", cfg, out)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.done["model_path"]
