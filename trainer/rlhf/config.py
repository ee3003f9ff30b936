"""Typed configs: each algorithm's dataclass is the one definition of what its config may hold. A field is declared
with `opt(default, help=…, label=…, min=…, …)` or `required(…)`; a config's cross-field rules are data too
(`RULES`), so that `parse_config` checks a JSON config against them here and `rlhf.schema` exports the same
definition to JSON Schema for the app (validation, defaults and the launch form's fields and help)."""
import dataclasses
import json
import math
import typing

from .protocol import ConfigError


def opt(default, *, help, label=None, choices=None, min=None, max=None, gt=None, lt=None, by_backend=None, form=False,
        backends=None, staged=False):
    """A config field with a default.

    help: what the field means (the docstring of the field; also the launch form's hint)
    label: its name on the launch form
    choices / min / max / gt / lt: allowed values (min/max inclusive, gt/lt exclusive)
    by_backend: {"tiny": x, "hf": y}, the default for each backend (the field's own default is then None)
    form: shown on the app's launch form; backends: only for these backends
    staged: filled in by the worker from the run's inputs, never set on the launch form
    """
    meta = _metadata(help=help, label=label, choices=choices, min=min, max=max, gt=gt, lt=lt, by_backend=by_backend,
                     form=form, backends=backends, staged=staged)
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def required(*, help, label=None, choices=None, staged=False, form=False, backends=None):
    """A config field without a default (see opt)."""
    return dataclasses.field(metadata=_metadata(help=help, label=label, choices=choices, staged=staged, form=form,
                                                backends=backends))


def _metadata(**values):
    # flags only when set, so that the exported schema carries only what a field says
    return {k: v for k, v in values.items() if v is not None and v is not False}


# ----------------------------------------------------------------------------------------------------------------------
# cross-field rules, as data (exported with the schema and checked by the app before a run is queued)


def required_when(field, *, message, backend=None, when=None):
    """`field` must be set (non-empty, non-zero, its default counting) when the config's backend is `backend` (or
    when the fields of `when` hold those values)."""
    return {"rule": "required_when", "field": field, "when": when or {"backend": backend}, "message": message}


def multiple_of(value, of, *, message, field=None):
    """The field `value` must be a multiple of the field `of`; the error is reported on `field` (default: `value`)."""
    return {"rule": "multiple_of", "field": field or value, "value": value, "of": of, "message": message}


def _rule_error(rule, cfg):
    if rule["rule"] == "required_when":
        if all(getattr(cfg, k) == v for k, v in rule["when"].items()) and not getattr(cfg, rule["field"]):
            return rule["message"]
    elif rule["rule"] == "multiple_of":
        value, of = getattr(cfg, rule["value"]), getattr(cfg, rule["of"])
        if of and value % of:
            return rule["message"]
    return None


# ----------------------------------------------------------------------------------------------------------------------
# parsing


def load_config(config_cls, path):
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}")
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {path} is not valid JSON: {e}")
    return parse_config(config_cls, raw)


def parse_config(config_cls, raw):
    """Builds the dataclass from a dict: unknown keys, missing required keys, wrongly typed or out-of-range values and
    broken RULES are rejected with a message naming the field; per-backend defaults are filled in."""
    if not isinstance(raw, dict):
        raise ConfigError("config must be a JSON object")
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config field(s): {', '.join(unknown)}")
    hints = typing.get_type_hints(config_cls)
    values = {}
    for name, f in fields.items():
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"config field '{name}' is required")
            continue
        values[name] = _check_value(name, raw[name], hints[name], f.metadata)
    cfg = config_cls(**values)
    for name, f in fields.items():
        by_backend = f.metadata.get("by_backend")
        if by_backend and getattr(cfg, name) is None:
            setattr(cfg, name, by_backend[getattr(cfg, "backend", None) or "tiny"])
    for rule in getattr(config_cls, "RULES", ()):
        message = _rule_error(rule, cfg)
        if message:
            raise ConfigError(f"config field '{rule['field']}': {message}")
    check = getattr(cfg, "validate", None)
    if check is not None:
        check()
    return cfg


def _check_value(name, value, hint, meta):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union and type(None) in args:
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif hint is dict or typing.get_origin(hint) is dict:
        ok = isinstance(value, dict)
    else:
        raise TypeError(f"unsupported config type {hint} for {name}")
    if not ok:
        raise ConfigError(f"config field '{name}' must be {_type_word(hint)}, got {json.dumps(value)}")
    if "choices" in meta and value not in meta["choices"]:
        choices = ", ".join(json.dumps(c) for c in meta["choices"])
        raise ConfigError(f"config field '{name}' must be one of {choices}, got {json.dumps(value)}")
    if "min" in meta and value < meta["min"]:
        raise ConfigError(f"config field '{name}' must be >= {meta['min']}, got {value}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(f"config field '{name}' must be <= {meta['max']}, got {value}")
    if "gt" in meta and value <= meta["gt"]:
        raise ConfigError(f"config field '{name}' must be > {meta['gt']}, got {value}")
    if "lt" in meta and value >= meta["lt"]:
        raise ConfigError(f"config field '{name}' must be < {meta['lt']}, got {value}")
    return value


def _type_word(hint):
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(hint, "an object")


LORA_KEYS = {"r": int, "alpha": int, "dropout": float, "target_modules": (str, list)}


def check_lora(lora, backend):
    """`lora` is {} (off) or {"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"} for `hf`."""
    if not lora:
        return
    if backend != "hf":
        raise ConfigError("config field 'lora' needs backend \"hf\"")
    for key, value in lora.items():
        if key not in LORA_KEYS:
            raise ConfigError(f"config field 'lora.{key}' is unknown (allowed: {', '.join(LORA_KEYS)})")
        want = LORA_KEYS[key]
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, want) or isinstance(value, bool):
            raise ConfigError(f"config field 'lora.{key}' has the wrong type: {json.dumps(value)}")
    if int(lora.get("r", 16)) < 1:
        raise ConfigError("config field 'lora.r' must be >= 1")
