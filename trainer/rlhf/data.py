"""Reading the trainer's input files, with per-line validation: snapshot files (TRL preference rows), prompt files,
SFT rows and the rows a reward model scores.

A preference row: {"prompt", "chosen", "rejected", "margin"?, "prompt_id"?} where prompt/chosen/rejected are all
strings (TRL "standard") or all message lists [{role, content}] (TRL "conversational"; chosen/rejected may repeat the
prompt messages or hold only the answer). Other keys are ignored. Rows of one prompt (same prompt_id, else same
prompt) form one group: a K-way ranking exported as C(K,2) pair rows becomes one group of K distinct responses and
C(K,2) pairs, so each response is scored once per step (InstructGPT).
"""
import dataclasses
import gzip
import json
import math

import torch

from .protocol import UserError

MAX_REPORTED = 20


class DataError(UserError):
    pass


@dataclasses.dataclass
class Group:
    prompt: object  # str, or a list of {role, content}
    responses: list  # distinct responses: str, or lists of messages
    pairs: list  # (chosen index, rejected index, margin) into `responses`
    prompt_id: object = None
    # per pair: whether its row gave a margin (a row without one has margin 0 but is no tie; 0 given is a tie the
    # snapshot kept, `ties: keep`)
    has_margin: list = dataclasses.field(default_factory=list)


def _open(path):
    try:
        return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"file not found: {path}")


def read_jsonl(path):
    """Yields (line number, parsed object or None, error or None) for every non-blank line."""
    with _open(path) as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield lineno, None, f"not valid JSON ({e.msg})"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, "not a JSON object"
                continue
            yield lineno, obj, None


def raise_line_errors(path, errors, what):
    """Raises DataError listing the bad lines of `path` (the first MAX_REPORTED), when there are any."""
    if not errors:
        return
    shown = "\n".join(f"  line {n}: {msg}" for n, msg in errors[:MAX_REPORTED])
    more = f"\n  … and {len(errors) - MAX_REPORTED} more" if len(errors) > MAX_REPORTED else ""
    raise DataError(f"{path}: {len(errors)} bad {what} line(s):\n{shown}{more}")


def check_messages(value, field):
    if not isinstance(value, list) or not value:
        return f"'{field}' must be a non-empty list of messages"
    for i, m in enumerate(value):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            return f"'{field}[{i}]' must be an object with string 'role' and 'content'"
    return None


def check_prompt(value):
    if isinstance(value, str):
        return None if value else "'prompt' is empty"
    if isinstance(value, list):
        return check_messages(value, "prompt")
    return "'prompt' must be a string or a list of messages"


def _response(row, field):
    """The answer part of chosen/rejected, or an error message."""
    prompt, value = row["prompt"], row.get(field)
    if value is None:
        return None, f"'{field}' is missing"
    if isinstance(prompt, str):
        if not isinstance(value, str):
            return None, f"'{field}' must be a string like 'prompt'"
        return value, None
    err = check_messages(value, field)
    if err:
        return None, err
    if value[: len(prompt)] == prompt:
        value = value[len(prompt):]
        if not value:
            return None, f"'{field}' holds only the prompt messages, no answer"
    return value, None


def _key(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def load_preferences(path):
    """Reads and validates a preference file; raises DataError listing every bad line (by line number)."""
    groups, errors = {}, []
    for lineno, row, err in read_jsonl(path):
        if err is None:
            err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' is missing"
        if err is None:
            chosen, err = _response(row, "chosen")
        if err is None:
            rejected, err = _response(row, "rejected")
        if err is None and _key(chosen) == _key(rejected):
            err = "'chosen' and 'rejected' are identical"
        given = err is None and row.get("margin") is not None
        margin = row.get("margin") if given else 0.0
        if err is None and (isinstance(margin, bool) or not isinstance(margin, (int, float)) or not math.isfinite(margin)):
            err = "'margin' must be a finite number"
        pid = row.get("prompt_id") if err is None else None
        if err is None and pid is not None and not isinstance(pid, (str, int)):
            err = "'prompt_id' must be a string or an integer"
        if err is not None:
            errors.append((lineno, err))
            continue
        key = f"id:{pid}" if pid is not None else f"prompt:{_key(row['prompt'])}"
        group = groups.get(key)
        if group is None:
            group = groups[key] = (Group(row["prompt"], [], [], pid), {}, lineno)
        g, index, first_line = group
        if _key(g.prompt) != _key(row["prompt"]):
            errors.append((lineno, f"prompt_id {pid!r} was used with a different prompt on line {first_line}"))
            continue
        ids = []
        for response in (chosen, rejected):
            k = _key(response)
            if k not in index:
                index[k] = len(g.responses)
                g.responses.append(response)
            ids.append(index[k])
        g.pairs.append((ids[0], ids[1], float(margin)))
        g.has_margin.append(given)
    raise_line_errors(path, errors, "preference")
    if not groups:
        raise DataError(f"{path}: no preference rows")
    return [g for g, _, _ in groups.values()]


def load_prompts(path):
    """Prompt rows {prompt_id, prompt} for PPO and generation; prompt_id defaults to the line number."""
    prompts, errors = [], []
    for lineno, row, err in read_jsonl(path):
        if err is None:
            err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' is missing"
        pid = row.get("prompt_id", lineno) if err is None else None
        if err is None and not isinstance(pid, (str, int)):
            err = "'prompt_id' must be a string or an integer"
        if err is not None:
            errors.append((lineno, err))
            continue
        prompts.append((pid, row["prompt"]))
    raise_line_errors(path, errors, "prompt")
    if not prompts:
        raise DataError(f"{path}: no prompts")
    return prompts


def _completion_of(row):
    """(prompt, completion) of an SFT row, or an error message. Rows: TRL prompt-completion {"prompt", "completion"}
    (strings, or message lists), TRL language-modeling {"messages"} (the last turn, an assistant's, is the
    completion; the turns before it the prompt), or preference rows (`chosen` is the completion)."""
    if "messages" in row and "prompt" not in row:
        messages = row["messages"]
        err = check_messages(messages, "messages")
        if err:
            return None, err
        if len(messages) < 2 or messages[-1]["role"] != "assistant":
            return None, "'messages' must end with an assistant turn that follows at least one other turn"
        return (messages[:-1], messages[-1:]), None
    err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' (or 'messages') is missing"
    if err:
        return None, err
    prompt = row["prompt"]
    completion = row.get("completion", row.get("chosen"))
    if completion is None:
        return None, "'completion' (or 'chosen') is missing"
    if isinstance(prompt, str):
        if not isinstance(completion, str):
            return None, "'completion' must be a string like 'prompt'"
        return (prompt, completion), None
    err = check_messages(completion, "completion")
    if err:
        return None, err
    if completion[: len(prompt)] == prompt:
        completion = completion[len(prompt):]
        if not completion:
            return None, "'completion' holds only the prompt messages, no answer"
    return (prompt, completion), None


def load_completions(path):
    """SFT rows (see _completion_of) as [(prompt, completion)]; a conversational completion that repeats the prompt
    messages keeps only the answer."""
    rows, errors = [], []
    for lineno, row, err in read_jsonl(path):
        pair = None
        if err is None:
            pair, err = _completion_of(row)
        if err is not None:
            errors.append((lineno, err))
            continue
        rows.append(pair)
    raise_line_errors(path, errors, "SFT")
    if not rows:
        raise DataError(f"{path}: no rows")
    return rows


def load_unpaired(path):
    """KTO rows as [(prompt, completion, desirable)]: TRL's unpaired preference rows {"prompt", "completion",
    "label"} (label true = desirable), or preference rows split into their chosen (desirable) and rejected
    (undesirable) sides, one of each per pair row, as TRL's unpair_preference_dataset does (a file holds one kind or
    the other: the first row decides). A pair row whose margin is 0 (a tie the snapshot kept) prefers neither side
    and is left out; the count is returned. Returns (rows, ties left out)."""
    rows, errors, ties, paired = [], [], 0, None
    for lineno, row, err in read_jsonl(path):
        if err is None and paired is None:
            paired = "label" not in row
        if err is None and not paired:
            pair, err = _completion_of({k: v for k, v in row.items() if k in ("prompt", "completion", "messages")})
            if err is None and not isinstance(row.get("label"), bool):
                err = "'label' must be true (desirable) or false (undesirable)"
            if err is None:
                rows.append((*pair, row["label"]))
        elif err is None:
            err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' is missing"
            chosen = rejected = None
            if err is None:
                chosen, err = _response(row, "chosen")
            if err is None:
                rejected, err = _response(row, "rejected")
            if err is None and row.get("margin") == 0:
                ties += 1
            elif err is None:
                rows.append((row["prompt"], chosen, True))
                rows.append((row["prompt"], rejected, False))
        if err is not None:
            errors.append((lineno, err))
    raise_line_errors(path, errors, "KTO")
    if not rows:
        raise DataError(f"{path}: no rows")
    return rows, ties


def load_scoring_rows(path):
    """Rows to score {"id", "prompt", "response"} as [(id, prompt, response)]."""
    rows, errors = [], []
    for lineno, row, err in read_jsonl(path):
        if err is None:
            err = check_prompt(row.get("prompt")) if "prompt" in row else "'prompt' is missing"
        if err is None and not isinstance(row.get("response"), str):
            err = "'response' must be a string"
        if err is None and not isinstance(row.get("id"), (str, int)):
            err = "'id' must be a string or an integer"
        if err is not None:
            errors.append((lineno, err))
            continue
        rows.append((row["id"], row["prompt"], row["response"]))
    raise_line_errors(path, errors, "scoring")
    return rows


@dataclasses.dataclass
class EncodedGroup:
    ids: list  # token ids of each distinct response in context (prompt + response + EOS)
    pairs: list  # (chosen, rejected, margin)


def encode_groups(groups, tokenizer, max_length):
    """Tokenizes every (prompt, response); over-long ones keep their last max_length tokens, since the reward is read
    at the end. Returns (encoded groups, number truncated)."""
    out, truncated = [], 0
    for g in groups:
        ids = []
        for response in g.responses:
            t = tokenizer.encode_conversation(g.prompt, response)
            if len(t) > max_length:
                t = t[-max_length:]
                truncated += 1
            ids.append(t)
        out.append(EncodedGroup(ids, g.pairs))
    return out, truncated


def pad(seqs, pad_id, side="right"):
    """List of token lists -> input_ids (N, T), attention_mask (N, T)."""
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for i, s in enumerate(seqs):
        if side == "right":
            ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
            mask[i, : len(s)] = 1
        else:
            ids[i, T - len(s):] = torch.tensor(s, dtype=torch.long)
            mask[i, T - len(s):] = 1
    return ids, mask


def collate(groups, pad_id):
    """A batch of groups -> every distinct response once, plus the pairs indexing into them.
    Returns input_ids (N, T), attention_mask (N, T), chosen (P,), rejected (P,), margin (P,), pair_weight (P,): each
    group weighs 1/len(batch) in total, spread over its pairs (InstructGPT's per-prompt normalisation)."""
    seqs, chosen, rejected, margin, weight = [], [], [], [], []
    for g in groups:
        base = len(seqs)
        seqs.extend(g.ids)
        for c, r, m in g.pairs:
            chosen.append(base + c)
            rejected.append(base + r)
            margin.append(m)
            weight.append(1.0 / (len(g.pairs) * len(groups)))
    ids, mask = pad(seqs, pad_id)
    return ids, mask, torch.tensor(chosen), torch.tensor(rejected), torch.tensor(margin), torch.tensor(weight)
