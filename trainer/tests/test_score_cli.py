import json
import os

from conftest import run_cli
from rlhf import synthetic


def _rows(tmp_path, rows):
    path = tmp_path / "input.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_scores_follow_the_hidden_rule_in_input_order(trained_rm, tmp_path):
    prompt = [{"role": "user", "content": "About the sea."}]
    rows = []
    for i in range(12):
        rows.append({"id": f"good-{i}", "prompt": prompt, "response": f"blue {synthetic.MARKER} lake {i}"})
        rows.append({"id": f"bad-{i}", "prompt": prompt, "response": f"blue rock lake {i}"})
    out = tmp_path / "scores.jsonl"
    cfg = {"model_path": trained_rm.done["model_path"], "input_file": _rows(tmp_path, rows), "output_file": str(out),
           "batch_size": 5}
    run = run_cli("score", cfg, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.done["metrics"]["count"] == len(rows)
    assert run.of("progress")[-1]["step"] == run.of("start")[0]["total_steps"] == 5
    scored = [json.loads(line) for line in out.read_text().splitlines()]
    assert [s["id"] for s in scored] == [r["id"] for r in rows]
    by_id = {s["id"]: s["score"] for s in scored}
    wins = sum(by_id[f"good-{i}"] > by_id[f"bad-{i}"] for i in range(12))
    assert wins >= 11, by_id


def test_batching_does_not_change_a_score(trained_rm, tmp_path):
    # Rows of very different lengths share a padded batch: the reward must still be read at each row's own end.
    prompt = [{"role": "user", "content": "About winter."}]
    rows = [{"id": i, "prompt": prompt, "response": " ".join(["moon"] * (1 + 4 * i))} for i in range(6)]
    model = trained_rm.done["model_path"]
    together = tmp_path / "together.jsonl"
    alone = tmp_path / "alone.jsonl"
    inp = _rows(tmp_path, rows)
    assert run_cli("score", {"model_path": model, "input_file": inp, "output_file": str(together), "batch_size": 6},
                   tmp_path, "a.json").returncode == 0
    assert run_cli("score", {"model_path": model, "input_file": inp, "output_file": str(alone), "batch_size": 1},
                   tmp_path, "b.json").returncode == 0
    a = [json.loads(x)["score"] for x in together.read_text().splitlines()]
    b = [json.loads(x)["score"] for x in alone.read_text().splitlines()]
    assert all(abs(x - y) < 1e-4 for x, y in zip(a, b)), (a, b)


def test_bad_rows_are_reported_by_line_and_nothing_is_written(trained_rm, tmp_path):
    inp = _rows(tmp_path, [{"id": "a", "prompt": "hi", "response": "x"}, {"id": "b", "prompt": "hi"}])
    out = tmp_path / "scores.jsonl"
    run = run_cli("score", {"model_path": trained_rm.done["model_path"], "input_file": inp, "output_file": str(out)},
                  tmp_path)
    assert run.returncode == 1
    assert "line 2: 'response' must be a string" in run.of("error")[-1]["message"]
    assert not os.path.exists(out)


def test_unknown_config_field_exits_2(tmp_path):
    run = run_cli("score", {"model_path": "/m", "input_file": "/i", "output_file": "/o", "lr": 1}, tmp_path)
    assert run.returncode == 2
    assert "unknown config field(s): lr" in run.of("error")[-1]["message"]
