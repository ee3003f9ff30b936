"""A registered policy as a small OpenAI-compatible chat server, so the app's endpoint code (Self-Instruct, the AI
judge) can use it as it uses any endpoint.

    python3 -m rlhf.serve --config cfg.json

Loads one policy directory (tiny or hf) the way rlhf.generate does, binds 127.0.0.1:<port> (0 = a free port) and
prints one protocol line when ready: {"event": "serving", "port", "url", "model"}. Answers POST /v1/chat/completions
(messages, max_tokens, temperature, top_p, n, seed) and GET /v1/models; a bad request gets a 400 in OpenAI's error
layout. Requests are answered one at a time (one model, one device); the worker stops the process with SIGTERM.
"""
import dataclasses
import json
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

import torch

from . import backends
from .config import opt, required
from .data import pad
from .generate import directory_name
from .ppo import response_mask
from .protocol import run_cli
from .runtime import autocast, resolve_device, seed_everything, setup_threads

MAX_BODY_BYTES = 4 * 2**20
MAX_N = 16
ROLES = ("system", "user", "assistant")


@dataclasses.dataclass
class ServeConfig:
    """What `python3 -m rlhf.serve` reads (written by the worker for a Self-Instruct or judge run on a policy)."""

    policy_path: str = required(help="a tiny or hf model directory (the backend is read from its config.json)")
    port: int = opt(0, min=0, max=65535, help="port on 127.0.0.1; 0 = a free one (reported in the serving event)")
    model_name: Optional[str] = opt(None, help="the model id clients ask for; default: the policy directory's name")
    max_new_tokens: int = opt(256, min=1, max=32_768, help="a request's default max_tokens")
    max_prompt_length: int = opt(2048, min=1, help="hf: longer prompts keep their last tokens")
    seed: int = opt(0, min=0, max=2**31 - 1, help="seeds the sampler at start; a request's `seed` reseeds it")
    backend: Optional[str] = opt(None, choices=["tiny", "hf"], help="default: detected from policy_path")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")


class BadRequest(Exception):
    def __init__(self, message, param=None, status=400, code=None, kind="invalid_request_error"):
        super().__init__(message)
        self.param, self.status, self.code, self.kind = param, status, code, kind


def _number(body, name, default, low, high, integer=False):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise BadRequest(f"'{name}' must be {'an integer' if integer else 'a number'}", name)
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}, got {value}", name)
    return value


def parse_request(body, served_model, default_max_tokens):
    """The request's sampling settings, or BadRequest naming the parameter (OpenAI's `param`)."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    model = body.get("model")
    if model is not None and model != served_model:
        raise BadRequest(f"The model '{model}' does not exist; this server serves '{served_model}'", "model", 404, "model_not_found")
    if body.get("stream"):
        raise BadRequest("'stream' is not supported by this server", "stream")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty array of {role, content}", "messages")
    clean = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise BadRequest(f"messages[{i}].role must be one of {', '.join(ROLES)}", f"messages[{i}].role")
        content = m.get("content")
        if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content):
            content = "".join(p["text"] for p in content)  # OpenAI's content parts, text only
        if not isinstance(content, str):
            raise BadRequest(f"messages[{i}].content must be a string", f"messages[{i}].content")
        clean.append({"role": m["role"], "content": content})
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return {
        "messages": clean,
        "max_tokens": _number({"max_tokens": max_tokens}, "max_tokens", default_max_tokens, 1, 32_768, integer=True),
        "temperature": float(_number(body, "temperature", 1.0, 0.0, 2.0)),
        "top_p": float(_number(body, "top_p", 1.0, 1e-6, 1.0)),
        "n": _number(body, "n", 1, 1, MAX_N, integer=True),
        "seed": _number(body, "seed", None, 0, 2**63 - 1, integer=True),
    }


class Policy:
    """One loaded policy; `complete` is serialized by a lock (one model on one device answers one batch at a time)."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.device = resolve_device(cfg.device)
        self.backend = cfg.backend or backends.detect_backend(cfg.policy_path)
        self.tok = backends.load_tokenizer(self.backend, cfg.policy_path)
        self.model = backends.load_policy(self.backend, cfg.policy_path, self.device, frozen=True)
        self.name = cfg.model_name or directory_name(cfg.policy_path)
        self.lock = threading.Lock()

    def limits(self, max_tokens):
        """(new tokens, prompt tokens kept). A tiny model's context is its block_size: the answer gets at most half of
        it, the prompt keeps its last tokens in the rest (an answer cut there ends with finish_reason "length")."""
        if self.backend == "tiny":
            block = self.model.config.block_size
            new = min(max_tokens, block // 2)
            return new, block - new
        return max_tokens, self.cfg.max_prompt_length

    def complete(self, req):
        new_tokens, max_prompt = self.limits(req["max_tokens"])
        query = self.tok.encode_prompt(req["messages"])[-max_prompt:]
        with self.lock:
            if req["seed"] is not None:
                seed_everything(req["seed"] % 2**31)
            ids, mask = [t.to(self.device) for t in pad([query] * req["n"], self.tok.pad_token_id, side="left")]  # (n, Tp)
            with torch.no_grad(), autocast(self.device, self.backend):
                responses = backends.sample(self.backend, self.model, ids, mask, new_tokens, req["temperature"], self.tok, req["top_p"])  # (n, L)
        _, last, _ = response_mask(responses, self.tok.eos_token_id)
        choices, completion_tokens = [], 0
        for i in range(req["n"]):
            row = responses[i, : int(last[i]) + 1].tolist()
            stopped = self.tok.eos_token_id in row
            completion_tokens += len(row)
            choices.append({"index": i, "message": {"role": "assistant", "content": self.tok.decode(row)},
                            "finish_reason": "stop" if stopped else "length", "logprobs": None})
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": choices,
            "usage": {"prompt_tokens": len(query), "completion_tokens": completion_tokens, "total_tokens": len(query) + completion_tokens},
        }


def make_handler(policy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - http.server's name; access lines go to stderr
            import sys

            sys.stderr.write("serve: " + format % args + "\n")

        def send_json(self, status, obj):
            data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_error_json(self, err):
            self.send_json(err.status, {"error": {"message": str(err), "type": err.kind, "param": err.param, "code": err.code}})

        def path_only(self):
            return self.path.split("?", 1)[0].rstrip("/")

        def do_GET(self):
            if self.path_only() == "/v1/models":
                return self.send_json(200, {"object": "list", "data": [{"id": policy.name, "object": "model", "created": 0, "owned_by": "rlhf-studio"}]})
            self.send_error_json(BadRequest(f"no route GET {self.path_only()}", status=404, code="not_found"))

        def do_POST(self):
            try:
                if self.path_only() != "/v1/chat/completions":
                    raise BadRequest(f"no route POST {self.path_only()}", status=404, code="not_found")
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self.close_connection = True
                    raise BadRequest(f"the request body is over {MAX_BODY_BYTES // 2**20} MiB", status=413)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as e:
                    raise BadRequest(f"the request body is not valid JSON: {e}")
                req = parse_request(body, policy.name, policy.cfg.max_new_tokens)
            except BadRequest as e:
                return self.send_error_json(e)
            try:
                result = policy.complete(req)
            except Exception as e:  # noqa: BLE001 - a failed generation is the client's 500, the server keeps serving
                import traceback

                traceback.print_exc()
                return self.send_error_json(BadRequest(f"{type(e).__name__}: {e}", status=500, kind="server_error"))
            self.send_json(200, result)

    return Handler


def main(cfg, events):
    setup_threads()
    seed_everything(cfg.seed)
    policy = Policy(cfg)
    server = ThreadingHTTPServer(("127.0.0.1", cfg.port), make_handler(policy))
    server.daemon_threads = True
    port = server.server_address[1]

    def stop(*_):
        # shutdown() waits for serve_forever, which runs in this thread: hand it to another one
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    events.emit("serving", port=port, url=f"http://127.0.0.1:{port}/v1", model=policy.name, backend=policy.backend,
                device=policy.device.type)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    run_cli(ServeConfig, main)
