"""The checked-in JSON Schema (server/schemas/trainer-config.json) is what the config dataclasses say today, and every
field says what it is for: the app validates launches and builds its launch form from that file."""
import dataclasses

from rlhf import schema


def test_checked_in_schema_is_current():
    with open(schema.OUT, encoding="utf-8") as f:
        checked_in = f.read()
    assert checked_in == schema.render(), "server/schemas/trainer-config.json is stale: run `npm run trainer:schema`"


def test_every_field_is_documented_and_form_fields_are_labelled():
    for module, cls in schema.CONFIGS.items():
        for f in dataclasses.fields(cls):
            assert f.metadata.get("help", "").strip(), f"{module}: field '{f.name}' has no help"
            if f.metadata.get("form"):
                assert f.metadata.get("label"), f"{module}: form field '{f.name}' has no label"
            by_backend = f.metadata.get("by_backend")
            if by_backend:
                assert f.default is None and set(by_backend) == {"tiny", "hf"}, f"{module}: '{f.name}' by_backend"


def test_rules_name_fields_of_their_config():
    for module, cls in schema.CONFIGS.items():
        names = {f.name for f in dataclasses.fields(cls)}
        for rule in getattr(cls, "RULES", ()):
            named = [rule["field"], *(rule[k] for k in ("value", "of") if k in rule), *rule.get("when", {})]
            assert set(named) <= names, (module, rule)
