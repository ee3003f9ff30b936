import json

import pytest

from rlhf.data import DataError, load_preferences, load_prompts


def write(tmp_path, rows, name="d.jsonl"):
    p = tmp_path / name
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return str(p)


def msg(role, content):
    return {"role": role, "content": content}


def test_k_way_ranking_becomes_one_group_of_all_pairs(tmp_path):
    # a 3-way ranking A > B > C exported as its C(3,2) = 3 pair rows, plus another prompt's single pair
    rows = [
        {"prompt_id": "p1", "prompt": "Q?", "chosen": "A", "rejected": "B", "margin": 1},
        {"prompt_id": "p1", "prompt": "Q?", "chosen": "A", "rejected": "C"},
        {"prompt_id": "p1", "prompt": "Q?", "chosen": "B", "rejected": "C", "margin": 0.5},
        {"prompt": "Other?", "chosen": "x", "rejected": "y"},
    ]
    groups = load_preferences(write(tmp_path, rows))
    assert len(groups) == 2
    g = groups[0]
    assert g.responses == ["A", "B", "C"]
    assert g.pairs == [(0, 1, 1.0), (0, 2, 0.0), (1, 2, 0.5)]
    assert groups[1].responses == ["x", "y"]


def test_rows_without_prompt_id_group_by_prompt(tmp_path):
    p = [msg("user", "Hi")]
    rows = [{"prompt": p, "chosen": [msg("assistant", "a")], "rejected": [msg("assistant", "b")]},
            {"prompt": p, "chosen": [msg("assistant", "a")], "rejected": [msg("assistant", "c")]}]
    groups = load_preferences(write(tmp_path, rows))
    assert len(groups) == 1 and len(groups[0].responses) == 3


def test_conversational_answers_with_or_without_the_prompt_prefix_are_the_same_response(tmp_path):
    p = [msg("system", "Be brief."), msg("user", "Hi")]
    rows = [
        {"prompt": p, "chosen": p + [msg("assistant", "Hello")], "rejected": [msg("assistant", "Go away")]},
        {"prompt": p, "chosen": [msg("assistant", "Hello")], "rejected": p + [msg("assistant", "Hm")]},
    ]
    g = load_preferences(write(tmp_path, rows))[0]
    assert g.responses == [[msg("assistant", "Hello")], [msg("assistant", "Go away")], [msg("assistant", "Hm")]]
    assert [(c, r) for c, r, _ in g.pairs] == [(0, 1), (0, 2)]


def test_bad_lines_are_reported_by_line_number(tmp_path):
    rows = [
        {"prompt": "ok", "chosen": "a", "rejected": "b"},
        "{not json",
        {"prompt": "q", "chosen": "a"},
        {"prompt": "q", "chosen": ["x"], "rejected": "b"},
        {"prompt": "q", "chosen": "same", "rejected": "same"},
        {"prompt": "q", "chosen": "a", "rejected": "b", "margin": "big"},
        {"prompt_id": 7, "prompt": "first", "chosen": "a", "rejected": "b"},
        {"prompt_id": 7, "prompt": "second", "chosen": "a", "rejected": "b"},
    ]
    with pytest.raises(DataError) as e:
        load_preferences(write(tmp_path, rows))
    text = str(e.value)
    assert "6 bad preference line(s)" in text
    for line, words in ((2, "not valid JSON"), (3, "'rejected' is missing"), (4, "'chosen' must be a string"),
                        (5, "identical"), (6, "'margin'"), (8, "different prompt on line 7")):
        assert f"line {line}: " in text and words in text.split(f"line {line}: ")[1].split("\n")[0], (line, text)


def test_prompt_file_rows(tmp_path):
    path = write(tmp_path, [{"prompt_id": "a", "prompt": "Hi"}, {"prompt": [msg("user", "Yo")]}, {"prompt": 3}])
    with pytest.raises(DataError, match="line 3: 'prompt' must be a string or a list of messages"):
        load_prompts(path)
    ok = write(tmp_path, [{"prompt_id": "a", "prompt": "Hi"}, {"prompt": [msg("user", "Yo")]}], "ok.jsonl")
    assert load_prompts(ok) == [("a", "Hi"), (2, [msg("user", "Yo")])]
