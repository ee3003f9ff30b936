"""rlhf.serve as the worker runs it: a real process on a trained tiny policy, asked over HTTP like any OpenAI-compatible
endpoint."""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import torch

from conftest import TRAINER_DIR
from rlhf.model import top_p_filter


@pytest.fixture(scope="module")
def server(sft_policy, tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    cfg = os.path.join(str(d), "serve.json")
    with open(cfg, "w") as f:
        json.dump({"policy_path": sft_policy, "port": 0, "model_name": "tiny-sft", "max_new_tokens": 24, "device": "cpu"}, f)
    proc = subprocess.Popen([sys.executable, "-m", "rlhf.serve", "--config", cfg], cwd=TRAINER_DIR, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    ready = json.loads(proc.stdout.readline())
    assert ready["event"] == "serving", ready
    yield proc, ready
    proc.terminate()
    proc.wait(timeout=30)


def call(ready, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(f"http://127.0.0.1:{ready['port']}{path}", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_ready_line_names_a_free_port_on_loopback(server):
    _, ready = server
    assert ready["port"] > 0 and ready["url"] == f"http://127.0.0.1:{ready['port']}/v1"
    assert ready["model"] == "tiny-sft" and ready["backend"] == "tiny"


def test_models_lists_the_served_policy(server):
    status, body = call(server[1], "/v1/models")
    assert status == 200 and [m["id"] for m in body["data"]] == ["tiny-sft"]


def test_chat_completion_in_openai_layout_with_n_and_usage(server):
    status, body = call(server[1], "/v1/chat/completions", {
        "model": "tiny-sft", "messages": [{"role": "user", "content": "Write a short greeting."}],
        "max_tokens": 8, "temperature": 0.9, "top_p": 0.9, "n": 3, "seed": 7})
    assert status == 200, body
    assert body["object"] == "chat.completion" and body["model"] == "tiny-sft"
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    for c in body["choices"]:
        assert c["message"]["role"] == "assistant" and isinstance(c["message"]["content"], str)
        assert c["finish_reason"] in ("stop", "length")
    u = body["usage"]
    assert u["prompt_tokens"] > 0 and 0 < u["completion_tokens"] <= 3 * 8
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]


def test_same_seed_same_answers(server):
    ask = {"messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 12, "temperature": 1.0, "n": 2, "seed": 123}
    first = call(server[1], "/v1/chat/completions", ask)[1]
    second = call(server[1], "/v1/chat/completions", ask)[1]
    assert [c["message"]["content"] for c in first["choices"]] == [c["message"]["content"] for c in second["choices"]]


def test_greedy_answers_are_identical_across_n(server):
    body = call(server[1], "/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 10, "temperature": 0, "n": 2})[1]
    assert body["choices"][0]["message"]["content"] == body["choices"][1]["message"]["content"]


@pytest.mark.parametrize("body,status,param", [
    ({"messages": []}, 400, "messages"),
    ({"messages": [{"role": "robot", "content": "x"}]}, 400, "messages[0].role"),
    ({"messages": [{"role": "user", "content": 5}]}, 400, "messages[0].content"),
    ({"messages": [{"role": "user", "content": "x"}], "temperature": 3}, 400, "temperature"),
    ({"messages": [{"role": "user", "content": "x"}], "top_p": 0}, 400, "top_p"),
    ({"messages": [{"role": "user", "content": "x"}], "n": 0}, 400, "n"),
    ({"messages": [{"role": "user", "content": "x"}], "max_tokens": "many"}, 400, "max_tokens"),
    ({"messages": [{"role": "user", "content": "x"}], "stream": True}, 400, "stream"),
    ({"messages": [{"role": "user", "content": "x"}], "model": "gpt-4"}, 404, "model"),
])
def test_bad_requests_get_openai_error_json(server, body, status, param):
    got, err = call(server[1], "/v1/chat/completions", body)
    assert got == status
    assert err["error"]["param"] == param and err["error"]["type"] == "invalid_request_error" and err["error"]["message"]


def test_malformed_json_is_a_400_and_the_server_keeps_serving(server):
    got, err = call(server[1], "/v1/chat/completions", raw=b"{not json")
    assert got == 400 and "not valid JSON" in err["error"]["message"]
    assert call(server[1], "/v1/models")[0] == 200


def test_sigterm_stops_the_server(sft_policy, tmp_path):
    cfg = tmp_path / "serve.json"
    cfg.write_text(json.dumps({"policy_path": sft_policy, "device": "cpu"}))
    proc = subprocess.Popen([sys.executable, "-m", "rlhf.serve", "--config", str(cfg)], cwd=TRAINER_DIR, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert json.loads(proc.stdout.readline())["event"] == "serving"
    proc.terminate()
    assert proc.wait(timeout=30) == 0


def test_missing_policy_is_an_error_event(tmp_path):
    cfg = tmp_path / "serve.json"
    cfg.write_text(json.dumps({"policy_path": str(tmp_path / "nope")}))
    p = subprocess.run([sys.executable, "-m", "rlhf.serve", "--config", str(cfg)], cwd=TRAINER_DIR, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert json.loads(p.stdout.splitlines()[-1]) == {"event": "error", "message": f"{str(tmp_path / 'nope')!r} is not a model directory (no config.json)"}


def test_top_p_keeps_the_smallest_set_reaching_the_mass():
    probs = torch.tensor([[0.5, 0.3, 0.15, 0.05]])
    assert (top_p_filter(probs, 0.75) > 0).tolist() == [[True, True, False, False]]
    assert (top_p_filter(probs, 0.1) > 0).tolist() == [[True, False, False, False]]
    assert torch.equal(top_p_filter(probs, 1.0), probs)
