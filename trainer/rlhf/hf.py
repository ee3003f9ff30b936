"""The `hf` backend: Hugging Face transformers models from a local directory (never the hub).

transformers and peft are imported lazily so the `tiny` backend works without them. Trainable models keep fp32
weights and run under bf16 autocast on GPU (runtime.autocast); frozen models (reference policy, reward model in
PPO) are loaded in bf16 on GPU to halve their memory.
"""
import os

import torch
import torch.nn as nn

from .protocol import UserError
from .tokenizer import render_messages, render_prompt


def _transformers():
    try:
        import transformers
    except ImportError:
        raise UserError(
            "backend \"hf\" needs the transformers package: pip install -r trainer/requirements.txt (or use backend \"tiny\")"
        )
    transformers.logging.set_verbosity_error()
    return transformers


def _check_dir(path, what):
    if not path or not os.path.isdir(path):
        raise UserError(f"{what} {path!r} is not a local model directory (hf models are never downloaded)")
    if not os.path.exists(os.path.join(path, "config.json")):
        raise UserError(f"{what} {path!r} has no config.json: not a Hugging Face model directory")


class HFTokenizer:
    """Adapts a transformers tokenizer to the interface of tokenizer.ByteTokenizer."""

    def __init__(self, path):
        tf = _transformers()
        _check_dir(path, "model path")
        self.tok = tf.AutoTokenizer.from_pretrained(path, local_files_only=True)
        if self.tok.eos_token_id is None:
            raise UserError(f"the tokenizer in {path} has no EOS token")
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token
        self.pad_token_id = self.tok.pad_token_id
        self.eos_token_id = self.tok.eos_token_id
        self.bos_token_id = self.tok.bos_token_id
        self.vocab_size = len(self.tok)
        self.name = getattr(self.tok, "name_or_path", path)
        self.templated = getattr(self.tok, "chat_template", None) is not None

    def encode(self, text, add_bos=True):
        return self.tok(text, add_special_tokens=add_bos)["input_ids"]

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=True)

    def render_prompt(self, prompt):
        if isinstance(prompt, list) and self.templated:
            return self.tok.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
        return render_prompt(prompt)

    def render_conversation(self, prompt, response):
        if isinstance(prompt, str):
            return prompt + response
        if self.templated:
            return self.tok.apply_chat_template(prompt + response, tokenize=False)
        return render_messages(prompt + response)

    def encode_prompt(self, prompt):
        # A rendered chat template already carries its special tokens.
        templated = isinstance(prompt, list) and self.templated
        return self.encode(self.render_prompt(prompt), add_bos=not templated)

    def encode_conversation(self, prompt, response):
        templated = isinstance(prompt, list) and self.templated
        ids = self.encode(self.render_conversation(prompt, response), add_bos=not templated)
        return ids if ids and ids[-1] == self.eos_token_id else ids + [self.eos_token_id]


def _position_ids(attention_mask):
    # Left-padded rows must see positions 0, 1, … from their first real token, as they would unpadded.
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0)


def _peft():
    try:
        import peft
    except ImportError:
        raise UserError("config field 'lora' needs the peft package: pip install peft (or remove 'lora')")
    return peft


def _lora(model, lora, task_type, adapter_dir=None):
    peft = _peft()
    if adapter_dir is not None:
        # peft would fall back to a pickled adapter_model.bin; only safetensors are loaded (we write nothing else)
        if not os.path.exists(os.path.join(adapter_dir, "adapter_model.safetensors")):
            raise UserError(f"{adapter_dir} has no adapter_model.safetensors; only safetensors weights are loaded")
        return peft.PeftModel.from_pretrained(model, adapter_dir, is_trainable=True)
    target = lora.get("target_modules", "all-linear")
    cfg = peft.LoraConfig(
        r=int(lora.get("r", 16)),
        lora_alpha=int(lora.get("alpha", 32)),
        lora_dropout=float(lora.get("dropout", 0.05)),
        target_modules=target,
        task_type=task_type,
    )
    return peft.get_peft_model(model, cfg)


def _gradient_checkpointing(model):
    try:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    except TypeError:  # transformers < 4.35
        model.gradient_checkpointing_enable()
    model.config.use_cache = False


def _dtype(device, frozen):
    dtype = torch.bfloat16 if (frozen and device.type == "cuda") else torch.float32
    # transformers 4.56 renamed from_pretrained's torch_dtype to dtype (and 5.x warns about the old name)
    tf = _transformers()
    major, minor = (int(x) for x in tf.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}


class HFValueModel(nn.Module):
    """AutoModelForSequenceClassification (num_labels=1) read at every position: (B, T) -> (B, T) scores.
    Running the backbone and head ourselves (as TRL does) lets the caller pick the last real token itself,
    whatever side the padding is on."""

    def __init__(self, model, lora_enabled):
        super().__init__()
        self.model = model
        self.lora_enabled = lora_enabled

    def _base(self):
        return self.model.get_base_model() if self.lora_enabled else self.model

    def forward(self, input_ids, attention_mask):
        base = self._base()
        backbone = getattr(base, base.base_model_prefix)
        out = backbone(input_ids=input_ids, attention_mask=attention_mask, position_ids=_position_ids(attention_mask))
        hidden = out[0]  # (B, T, C)
        head = base.score if hasattr(base, "score") else base.classifier
        return head(hidden).squeeze(-1).float()  # (B, T)


class HFPolicy(nn.Module):
    """AutoModelForCausalLM: (B, T) -> logits (B, T, V)."""

    def __init__(self, model, lora_enabled):
        super().__init__()
        self.model = model
        self.lora_enabled = lora_enabled

    def forward(self, input_ids, attention_mask):
        if attention_mask.max() > 1:
            # a packed row (see model.TinyTransformer.forward): positions restart per sequence; without an attention
            # mask, transformers' flash-attention path reads the sequence boundaries from them (TRL's padding_free);
            # its other attention implementations let a sequence see the earlier ones of its row
            from .model import packed_positions

            out = self.model(input_ids=input_ids, position_ids=packed_positions(attention_mask))
            return out.logits.float()
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=_position_ids(attention_mask))
        return out.logits.float()  # (B, T, V)


def _source(path, resume_dir, lora):
    # Full-weight checkpoints load from the checkpoint; LoRA ones load the base and then the saved adapter.
    return path if (resume_dir is None or lora) else resume_dir


# use_safetensors: a pytorch_model.bin is a pickle, which can run code as it loads; only safetensors weights load.
def load_value_model(path, device, frozen=False, lora=None, gradient_checkpointing=False, pad_token_id=None, resume_dir=None):
    tf = _transformers()
    _check_dir(path, "reward model path")
    model = tf.AutoModelForSequenceClassification.from_pretrained(
        _source(path, resume_dir, lora), num_labels=1, local_files_only=True, use_safetensors=True, **_dtype(device, frozen)
    )
    if pad_token_id is not None:
        model.config.pad_token_id = pad_token_id
    if gradient_checkpointing and not frozen:
        _gradient_checkpointing(model)
    if lora and not frozen:
        model = _lora(model, lora, "SEQ_CLS", resume_dir)
    return HFValueModel(model, bool(lora) and not frozen).to(device)


def load_policy(path, device, frozen=False, lora=None, gradient_checkpointing=False, resume_dir=None):
    tf = _transformers()
    _check_dir(path, "policy path")
    model = tf.AutoModelForCausalLM.from_pretrained(
        _source(path, resume_dir, lora), local_files_only=True, use_safetensors=True, **_dtype(device, frozen)
    )
    if gradient_checkpointing and not frozen:
        _gradient_checkpointing(model)
    if lora and not frozen:
        model = _lora(model, lora, "CAUSAL_LM", resume_dir)
    return HFPolicy(model, bool(lora) and not frozen).to(device)


@torch.no_grad()
def sample(policy, input_ids, attention_mask, max_new_tokens, temperature, eos_token_id, pad_token_id, top_p=1.0):
    """Same contract as model.sample: left-padded prompts (B, Tp) -> responses (B, L), pad after the first EOS."""
    model = policy.model
    was_cache = model.config.use_cache
    model.config.use_cache = True  # gradient checkpointing turns the KV cache off for training only
    kwargs = dict(max_new_tokens=max_new_tokens, pad_token_id=pad_token_id, eos_token_id=eos_token_id)
    if temperature > 0:
        kwargs.update(do_sample=True, temperature=temperature, top_k=0, top_p=top_p)
    else:
        kwargs.update(do_sample=False)
    out = model.generate(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
    model.config.use_cache = was_cache
    response = out[:, input_ids.size(1):]  # (B, L)
    return mask_after_eos(response, eos_token_id, pad_token_id)


def mask_after_eos(response, eos_token_id, pad_token_id):
    is_eos = response == eos_token_id  # (B, L)
    after = (is_eos.long().cumsum(1) - is_eos.long()) > 0  # strictly after the first EOS
    return response.masked_fill(after, pad_token_id)


def save(module, tokenizer, directory, final):
    """save_pretrained (safetensors). A final LoRA model is merged so its directory loads as a plain model; a LoRA
    checkpoint keeps only the adapter (resume reloads the base model from its original path)."""
    model = module.model
    if module.lora_enabled and final:
        model = model.merge_and_unload()
    os.makedirs(directory, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.tok.save_pretrained(directory)
