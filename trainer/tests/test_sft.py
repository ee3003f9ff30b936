"""SFT: completion-only masking, the token loss and packing against hand-computed values, packed rows attending only
to themselves, and the real CLI (every supported row layout, eval metrics, lineage, kill-and-resume)."""
import json
import math
import os
import subprocess
import sys

import torch

from conftest import TRAINER_DIR, run_cli
from rlhf import synthetic
from rlhf.checkpoint import torch_load
from rlhf.model import TinyConfig, TinyTransformer
from rlhf.sft import Example, collate, encode, pack, token_losses
from rlhf.tokenizer import ByteTokenizer

BOS, EOS = ByteTokenizer.bos_token_id, ByteTokenizer.eos_token_id


def test_only_completion_tokens_and_eos_are_learned():
    tok = ByteTokenizer()
    (ex,), dropped = encode([("ab", "cd")], tok, max_length=64)
    assert ex.ids == [BOS, ord("a"), ord("b"), ord("c"), ord("d"), EOS]
    assert ex.labels == [0, 0, 0, 1, 1, 1] and dropped == 0
    # every token after the first when the whole row is learned
    (whole,), _ = encode([("ab", "cd")], tok, max_length=64, completion_only=False)
    assert whole.labels == [0, 1, 1, 1, 1, 1]
    # a conversation: the prompt's turns and the assistant header are not learned, the answer and EOS are
    (conv,), _ = encode([([{"role": "user", "content": "hi"}], [{"role": "assistant", "content": "yo"}])], tok, 64)
    assert conv.ids[-3:] == [ord("y"), ord("o"), EOS] and sum(conv.labels) == 3
    # an over-long row loses the start of its prompt (one token of context stays), then the end of its completion
    (cut,), _ = encode([("ab", "cd")], tok, max_length=4)
    assert cut.ids == [ord("b"), ord("c"), ord("d"), EOS] and cut.labels == [0, 1, 1, 1]
    (long,), _ = encode([("ab", "cdefg")], tok, max_length=4)
    assert long.ids == [ord("b"), ord("c"), ord("d"), ord("e")] and long.labels == [0, 1, 1, 1]


def test_token_loss_by_hand_and_no_loss_across_a_packed_boundary():
    # vocabulary of 4; at every position the logit of token 2 is x, the rest 0
    x = 1.5
    logits = torch.zeros(1, 4, 4)
    logits[..., 2] = x
    ids = torch.tensor([[0, 2, 1, 2]])
    labels = torch.tensor([[False, False, True, True]])
    losses, mask, correct = token_losses(logits, ids, torch.ones(1, 4, dtype=torch.long), labels)
    p2 = math.exp(x) / (math.exp(x) + 3)
    p_other = 1 / (math.exp(x) + 3)
    assert mask.tolist() == [[False, True, True]]
    assert math.isclose(float((losses * mask).sum()), -math.log(p_other) - math.log(p2), rel_tol=1e-6)
    assert correct.tolist() == [[True, False, True]]  # the top token is 2 everywhere
    # two packed sequences [0, 2] and [1, 2]: token 1 (the second's first) is not predicted from the first one
    _, packed_mask, _ = token_losses(logits, ids, torch.tensor([[1, 1, 2, 2]]), torch.ones(1, 4, dtype=torch.bool))
    assert packed_mask.tolist() == [[True, False, True]]


def test_packing_is_best_fit_decreasing_without_splitting_a_row():
    rows = [Example([i] * n, [1] * n, [1] * n) for i, n in enumerate([2, 5, 3, 2], start=1)]
    packed = pack(rows, max_length=6)
    # 5 opens a row (1 left); 3 opens another (3 left); the first 2 fits best there (1 left); the last 2 opens a third
    assert [p.ids for p in packed] == [[2] * 5, [3] * 3 + [1] * 2, [4] * 2]
    assert packed[1].segments == [1, 1, 1, 2, 2]
    ids, segments, labels = collate(packed, pad_id=0)
    assert ids.shape == (3, 5) and segments[2].tolist() == [1, 1, 0, 0, 0] and labels.sum() == 12


def test_a_packed_sequence_sees_only_itself():
    torch.manual_seed(0)
    model = TinyTransformer(TinyConfig(n_layer=1, n_head=2, n_embd=16, block_size=16)).eval()
    a, b = torch.tensor([[5, 6, 7]]), torch.tensor([[8, 9]])
    packed = model(torch.cat([a, b], 1), torch.tensor([[1, 1, 1, 2, 2]]))
    assert torch.allclose(packed[:, :3], model(a), atol=1e-5)
    assert torch.allclose(packed[:, 3:], model(b), atol=1e-5)


def _rows(tmp_path):
    """The synthetic task's demonstrations in each layout the trainer reads."""
    synthetic.write_all(str(tmp_path / "data"), pairs=40, test_pairs=8, prompts=4, sft=160, seed=5)
    rows = [json.loads(line) for line in open(tmp_path / "data" / "sft.jsonl")]
    layouts = {
        "prompt-completion": rows,
        "messages": [{"messages": r["prompt"] + r["completion"]} for r in rows],
        "preference": [{"prompt": r["prompt"], "chosen": r["completion"], "rejected": [{"role": "assistant", "content": "x"}]}
                       for r in rows],
    }
    paths = {}
    for name, data in layouts.items():
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("".join(json.dumps(r) + "\n" for r in data))
    return paths


def _task(train, test, out):
    return {"output_dir": str(out), "train_file": str(train), "test_file": str(test), "epochs": 2, "batch_size": 16,
            "max_length": 96, "n_embd": 32, "lr": 5e-3, "logging_steps": 2, "save_steps": 5, "seed": 3,
            "snapshot_id": "snap-sft", "snapshot_sha256": "cd" * 32}


def test_sft_cli_learns_from_each_row_layout_and_records_lineage(tmp_path):
    paths = _rows(tmp_path)
    finals = {}
    for name, path in paths.items():
        run = run_cli("sft", _task(path, paths["prompt-completion"], tmp_path / name), tmp_path, f"{name}.json")
        assert run.returncode == 0, run.stderr[-2000:]
        train = [e["metrics"] for e in run.of("metric") if "loss" in e["metrics"]]
        assert len(train) > 1 and train[-1]["loss"] < train[0]["loss"], (name, train)
        for key in ("mean_token_accuracy", "num_tokens", "learning_rate", "epoch"):
            assert key in train[-1], key
        finals[name] = run.done["metrics"]
        assert "eval_loss" in finals[name] and "eval_mean_token_accuracy" in finals[name]
        with open(os.path.join(run.done["model_path"], "rlhf_meta.json")) as f:
            meta = json.load(f)
        assert meta["kind"] == "policy" and meta["method"] == "sft" and meta["snapshot_sha256"] == "cd" * 32
        assert meta["config"]["train_file"] == str(path) and meta["metrics"]["eval_loss"] == finals[name]["eval_loss"]
    # the same demonstrations in three layouts are the same training rows
    assert finals["messages"]["eval_loss"] == finals["prompt-completion"]["eval_loss"]
    assert finals["preference"]["eval_loss"] == finals["prompt-completion"]["eval_loss"]


def test_sft_packing_takes_fewer_steps(tmp_path):
    paths = _rows(tmp_path)
    plain = run_cli("sft", {**_task(paths["prompt-completion"], paths["prompt-completion"], tmp_path / "a"), "save_steps": 0,
                            "max_length": 192}, tmp_path, "a.json")
    # rows of ~60 tokens: three fit in 192
    packed = run_cli("sft", {**_task(paths["prompt-completion"], paths["prompt-completion"], tmp_path / "b"), "save_steps": 0,
                             "packing": True, "max_length": 192}, tmp_path, "b.json")
    assert plain.returncode == 0 and packed.returncode == 0, packed.stderr[-2000:]
    assert packed.of("start")[0]["total_steps"] < plain.of("start")[0]["total_steps"]
    # the same tokens are learned either way
    assert packed.done["metrics"]["num_tokens"] == plain.done["metrics"]["num_tokens"]


def test_sft_resume_after_kill_equals_uninterrupted_run(tmp_path):
    paths = _rows(tmp_path)
    base = _task(paths["prompt-completion"], paths["prompt-completion"], tmp_path / "full")
    full = run_cli("sft", base, tmp_path, "full.json")
    assert full.returncode == 0, full.stderr[-2000:]
    cfg = {**base, "output_dir": str(tmp_path / "cut"), "resume": True}
    cfg_path = tmp_path / "cut.json"
    cfg_path.write_text(json.dumps(cfg))
    proc = subprocess.Popen([sys.executable, "-m", "rlhf.sft", "--config", str(cfg_path)], cwd=TRAINER_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if json.loads(line)["event"] == "checkpoint":
            proc.kill()
            break
    proc.wait()
    resumed = run_cli("sft", cfg, tmp_path, "cut.json")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.of("start")[0]["resumed_from_step"] == 5
    a = torch_load(os.path.join(full.done["model_path"], "model.pt"))
    b = torch_load(os.path.join(resumed.done["model_path"], "model.pt"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert full.done["metrics"]["eval_loss"] == resumed.done["metrics"]["eval_loss"]


def test_sft_names_bad_rows_by_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "completion": "b"}\n{"messages": [{"role": "user", "content": "only"}]}\n{"prompt": "a"}\n')
    run = run_cli("sft", {"output_dir": str(tmp_path / "o"), "train_file": str(bad)}, tmp_path)
    assert run.returncode != 0
    message = run.of("error")[0]["message"]
    assert "line 2" in message and "assistant turn" in message and "line 3" in message
