"""One interface over the two backends, so each algorithm file reads the same whichever model it trains.

policy(input_ids (B, T), attention_mask (B, T)) -> logits (B, T, V)
value_model(input_ids (B, T), attention_mask (B, T)) -> per-position scalars (B, T); a reward is the scalar at the
last real token (model.gather_last).
"""
import os

from . import model as tiny
from .protocol import UserError, read_json
from .tokenizer import load_tiny_tokenizer


def unwrap(module):
    return getattr(module, "module", module)  # DistributedDataParallel keeps the model in .module


def load_tokenizer(backend, path):
    if backend == "tiny":
        return load_tiny_tokenizer(path)  # bytes, or the words of the model directory's vocab.json
    from . import hf

    return hf.HFTokenizer(path)


def check_same_tokenizer(backend, tokenizer, reward_model_path, method):
    """The policy's tokens are scored by the reward model as they are: both must use one tokenizer (tiny: bytes, or
    one word vocabulary)."""
    rm_tok = load_tokenizer(backend, reward_model_path)
    if backend == "tiny":
        same = getattr(rm_tok, "words", None) == getattr(tokenizer, "words", None)
    else:
        same = rm_tok.tok.get_vocab() == tokenizer.tok.get_vocab()
    if not same:
        raise UserError(f"the policy and the reward model use different tokenizers; {method} needs the same one")


def load_value_model(backend, path, device, *, frozen=False, lora=None, gradient_checkpointing=False, resume_dir=None,
                     tiny_init=None, pad_token_id=None):
    """A reward/value model from `path` (a reward model, or a policy whose backbone gets a fresh value head).
    For `tiny` with no path, a new model is built from `tiny_init` (a dict of TinyConfig fields)."""
    if backend == "tiny":
        if resume_dir is not None:
            m = tiny.load_tiny(resume_dir, head="value")
        elif path:
            m = tiny.load_tiny(path, head="value")
        else:
            m = tiny.TinyTransformer(tiny.TinyConfig(**{**(tiny_init or {}), "head": "value"}))
        m = m.to(device)
    else:
        from . import hf

        m = hf.load_value_model(path, device, frozen=frozen, lora=lora, gradient_checkpointing=gradient_checkpointing,
                                pad_token_id=pad_token_id, resume_dir=resume_dir)
    if frozen:
        m.eval()
        m.requires_grad_(False)
    return m


def load_policy(backend, path, device, *, frozen=False, lora=None, gradient_checkpointing=False, resume_dir=None):
    if backend == "tiny":
        m = tiny.load_tiny(resume_dir or path, head="lm").to(device)
    else:
        from . import hf

        m = hf.load_policy(path, device, frozen=frozen, lora=lora, gradient_checkpointing=gradient_checkpointing,
                           resume_dir=resume_dir)
    if frozen:
        m.eval()
        m.requires_grad_(False)
    return m


def sample(backend, policy, input_ids, attention_mask, max_new_tokens, temperature, tokenizer, top_p=1.0):
    """Left-padded prompts (B, Tp) -> responses (B, L), pad after each row's first EOS; top_p < 1: nucleus sampling."""
    policy = unwrap(policy)
    if backend == "tiny":
        fn = tiny.sample
    else:
        from . import hf

        fn = hf.sample
    return fn(policy, input_ids, attention_mask, max_new_tokens, temperature, tokenizer.eos_token_id, tokenizer.pad_token_id, top_p)


def save_model(backend, module, tokenizer, directory, *, final, meta=None):
    """Writes a model directory: tiny state dict + config.json, or hf save_pretrained (safetensors); `meta` goes to
    rlhf_meta.json beside it (normalization, snapshot, metrics) for the model registry."""
    module = unwrap(module)
    if backend == "tiny":
        tiny.save_tiny(module, directory)
        if hasattr(tokenizer, "save") and module.config.vocab_size == tokenizer.vocab_size:
            tokenizer.save(directory)  # a word vocabulary (bytes need no file)
    else:
        from . import hf

        hf.save(module, tokenizer, directory, final=final)
    if meta is not None:
        from .protocol import write_json

        write_json(os.path.join(directory, "rlhf_meta.json"), meta)


def detect_backend(path):
    """For generate: a tiny directory says so in its config.json; anything else with a config.json is hf."""
    if tiny.is_tiny_dir(path):
        return "tiny"
    if os.path.exists(os.path.join(path, "config.json")):
        return "hf"
    raise UserError(f"{path!r} is not a model directory (no config.json)")


def read_meta(path):
    p = os.path.join(path, "rlhf_meta.json")
    return read_json(p) if os.path.exists(p) else {}
