import json
import os

import pytest

from conftest import run_cli
from rlhf import backends, synthetic
from rlhf.protocol import UserError
from rlhf.tokenizer import ByteTokenizer, WordTokenizer, load_tiny_tokenizer


def test_word_tokenizer_makes_a_known_word_one_token_and_spells_the_rest_in_bytes():
    tok = WordTokenizer.build(["Say moon and lake, lake first.", "lake moon", "é é"])
    assert tok.words == ["lake", "moon", "é"]  # seen twice, most frequent first; one-byte pieces have their byte token
    lake, moon = tok.index["lake"], tok.index["moon"]
    assert tok.encode("lake moon", add_bos=False) == [lake, 32, moon]
    assert tok.encode("\nlake", add_bos=False) == [10, lake]  # the same token after a newline as after a space
    assert tok.encode("lakes", add_bos=False) == list(b"lakes")  # not a word of the vocabulary: bytes
    assert tok.vocab_size == ByteTokenizer.vocab_size + 3
    assert tok.encode("x")[0] == tok.bos_token_id
    for text in ("Say moon and lake, lake first.", "zebra ünïcödé 🙂 lake\t_x_ 42", ""):
        assert tok.decode(tok.encode(text)) == text


def test_word_vocabulary_round_trips_through_a_model_directory(tmp_path):
    tok = WordTokenizer.build(["tree tree ünï ünï"] * 2)
    tok.save(str(tmp_path))
    again = load_tiny_tokenizer(str(tmp_path))
    assert isinstance(again, WordTokenizer) and again.words == tok.words
    assert isinstance(load_tiny_tokenizer(str(tmp_path / "none")), ByteTokenizer)
    assert isinstance(load_tiny_tokenizer(None), ByteTokenizer)


@pytest.fixture(scope="module")
def word_rm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("word-rm")
    synthetic.write_all(str(tmp / "data"), pairs=300, test_pairs=60, prompts=8, sft=8, seed=5)
    cfg = {"output_dir": str(tmp / "out"), "train_file": str(tmp / "data" / "train.jsonl"),
           "test_file": str(tmp / "data" / "test.jsonl"), "tokenizer": "words", **synthetic.RM_TASK}
    run = run_cli("reward", cfg, tmp)
    assert run.returncode == 0, run.stderr[-3000:]
    return run, tmp


def test_a_word_level_reward_model_saves_its_vocabulary_and_scores_any_text(word_rm):
    run, tmp = word_rm
    assert run.done["metrics"]["eval_accuracy"] >= 0.9, run.done["metrics"]
    model_dir = run.done["model_path"]
    with open(os.path.join(model_dir, "vocab.json")) as f:
        words = json.load(f)["words"]
    assert synthetic.MARKER in words and "assistant" in words
    with open(os.path.join(model_dir, "config.json")) as f:
        assert json.load(f)["vocab_size"] == ByteTokenizer.vocab_size + len(words)
    ckpt = run.of("checkpoint")[-1]["path"]
    assert os.path.exists(os.path.join(ckpt, "model", "vocab.json"))
    prompt = [{"role": "user", "content": "About the sea."}]
    rows = []
    for i in range(8):  # "zebra", the digits and "ünï" are in no vocabulary: they are scored as bytes
        rows.append({"id": f"good-{i}", "prompt": prompt, "response": f"blue {synthetic.MARKER} lake zebra {i}"})
        rows.append({"id": f"bad-{i}", "prompt": prompt, "response": f"blue rock lake ünï {i}"})
    inp = tmp / "input.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp / "scores.jsonl"
    score = run_cli("score", {"model_path": model_dir, "input_file": str(inp), "output_file": str(out)}, tmp, "s.json")
    assert score.returncode == 0, score.stderr[-3000:]
    by_id = {s["id"]: s["score"] for s in map(json.loads, out.read_text().splitlines())}
    assert sum(by_id[f"good-{i}"] > by_id[f"bad-{i}"] for i in range(8)) >= 7, by_id


def test_online_rl_refuses_a_reward_model_with_another_vocabulary(word_rm, tmp_path):
    # PPO/GRPO/RLOO score the policy's token ids as they are: a byte policy cannot feed a word-level reward model.
    model_dir = word_rm[0].done["model_path"]
    with pytest.raises(UserError, match="different tokenizers"):
        backends.check_same_tokenizer("tiny", ByteTokenizer(), model_dir, "PPO")
    backends.check_same_tokenizer("tiny", load_tiny_tokenizer(model_dir), model_dir, "PPO")
    backends.check_same_tokenizer("tiny", ByteTokenizer(), str(tmp_path), "PPO")  # bytes and bytes
