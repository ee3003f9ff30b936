"""The trainer's side of PROTOCOL.md: errors a person can act on, events on stdout (one JSON object per line), the
CLI every algorithm runs under (`python3 -m rlhf.<algo> --config cfg.json`), and JSON files written the same way."""
import json
import math
import os
import sys
import traceback

import torch


class UserError(Exception):
    """A problem the person launching the run can fix (bad data, missing file); reported without a traceback."""


class ConfigError(UserError):
    """The config JSON is invalid; the CLI exits with status 2."""


class Events:
    """Writes protocol events, one JSON object per line. Only rank 0 of a distributed run speaks."""

    def __init__(self, stream=None, enabled=True):
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def emit(self, event, **fields):
        if not self.enabled:
            return
        line = json.dumps({"event": event, **json_safe(fields)}, ensure_ascii=False, allow_nan=False)
        self.stream.write(line + "\n")
        self.stream.flush()


def json_safe(value):
    """NaN/Infinity are not JSON: a diverged loss is written as null rather than breaking the line."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, torch.Tensor):
        return json_safe(value.item() if value.numel() == 1 else value.tolist())
    return value


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(json_safe(obj), f, indent=2, ensure_ascii=False)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def claim_stdout():
    """Keeps the real stdout for events and points file descriptor 1 (Python prints, C libraries, warnings) at
    stderr, so that nothing but protocol lines can ever reach the worker on stdout."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


def run_cli(config_cls, main, argv=None):
    """Entry point of every `python3 -m rlhf.<algo> --config cfg.json`: exit 0 done, 1 failed, 2 bad config."""
    from .config import load_config

    events = Events(claim_stdout())
    try:
        args = _parse_args(argv)
        cfg = load_config(config_cls, args.config)
    except ConfigError as e:
        events.emit("error", message=str(e))
        sys.exit(2)
    try:
        main(cfg, events)
    except ConfigError as e:
        events.emit("error", message=str(e))
        sys.exit(2)
    except UserError as e:
        events.emit("error", message=str(e))
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - every failure must reach the worker as an event, with the trace on stderr
        traceback.print_exc(file=sys.stderr)
        events.emit("error", message=f"{type(e).__name__}: {e}")
        sys.exit(1)


def _parse_args(argv):
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):
            raise ConfigError(message)

    parser = Parser(description="see trainer/README.md")
    parser.add_argument("--config", required=True, help="path to the run's config JSON")
    return parser.parse_args(argv)
