"""The config dataclasses as JSON Schema: the one definition of each algorithm's config, exported for the app, which
validates launch configs with it, takes its defaults and builds the launch form's fields and help from it
(server/schemas/run-launch.ts).

    python3 -m rlhf.schema            # print it
    python3 -m rlhf.schema --write    # write server/schemas/trainer-config.json (checked in; a test keeps it current)

Beyond JSON Schema's own keywords: `x-default-by-backend` (the default per backend), `x-form` (shown on the launch
form), `x-backends` (only for these backends), `x-staged` (filled in by the worker, never launched with) and
`x-rules` (cross-field rules, see config.required_when and config.multiple_of).
"""
import dataclasses
import json
import os
import sys
import typing

from . import dpo, evaluate, generate, grpo, kto, ppo, reward, rloo, score, sft

CONFIGS = {
    "rlhf.reward": reward.RewardConfig,
    "rlhf.ppo": ppo.PPOConfig,
    "rlhf.grpo": grpo.GRPOConfig,
    "rlhf.rloo": rloo.RLOOConfig,
    "rlhf.dpo": dpo.DPOConfig,
    "rlhf.generate": generate.GenerateConfig,
    "rlhf.score": score.ScoreConfig,
    "rlhf.evaluate": evaluate.EvalConfig,
    "rlhf.sft": sft.SFTConfig,
    "rlhf.kto": kto.KTOConfig,
}

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "server", "schemas",
                   "trainer-config.json")

JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "object"}
KEYWORDS = (("label", "title"), ("choices", "enum"), ("min", "minimum"), ("max", "maximum"), ("gt", "exclusiveMinimum"),
            ("lt", "exclusiveMaximum"), ("by_backend", "x-default-by-backend"), ("form", "x-form"),
            ("backends", "x-backends"), ("staged", "x-staged"))


def field_schema(f, hint):
    args = typing.get_args(hint)
    nullable = typing.get_origin(hint) is typing.Union and type(None) in args
    base = next(a for a in args if a is not type(None)) if nullable else hint
    base = dict if typing.get_origin(base) is dict else base
    out = {"type": [JSON_TYPES[base], "null"] if nullable else JSON_TYPES[base], "description": f.metadata["help"]}
    if f.default is not dataclasses.MISSING:
        out["default"] = f.default
    elif f.default_factory is not dataclasses.MISSING:
        out["default"] = f.default_factory()
    for key, keyword in KEYWORDS:
        if key in f.metadata:
            out[keyword] = f.metadata[key]
    return out


def config_schema(config_cls):
    hints = typing.get_type_hints(config_cls)
    fields = dataclasses.fields(config_cls)
    return {
        "title": config_cls.__name__,
        "description": " ".join((config_cls.__doc__ or "").split()),
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING],
        "properties": {f.name: field_schema(f, hints[f.name]) for f in fields},
        "x-rules": list(getattr(config_cls, "RULES", ())),
    }


def build():
    return {
        "$comment": "Generated from the config dataclasses in trainer/rlhf by `npm run trainer:schema`; do not edit.",
        "modules": {module: config_schema(cls) for module, cls in CONFIGS.items()},
    }


def render():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        with open(OUT, "w", encoding="utf-8") as f:
            f.write(render())
        print(f"wrote {OUT}", file=sys.stderr)
    else:
        sys.stdout.write(render())
