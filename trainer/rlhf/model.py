"""The `tiny` backend: a small GPT-style causal transformer over bytes (nanoGPT-like, pre-LayerNorm).

One class serves both uses: head "lm" gives next-token logits (policy), head "value" gives one scalar per position
(reward model, PPO value model). Saved as `model.pt` (state dict) + `config.json` in a directory.
"""
import dataclasses
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checkpoint import torch_load
from .protocol import UserError


@dataclasses.dataclass
class TinyConfig:
    vocab_size: int = 259  # 256 bytes + pad, bos, eos (tokenizer.ByteTokenizer)
    block_size: int = 256  # longest sequence the position table covers
    n_layer: int = 2  # transformer blocks
    n_head: int = 4  # attention heads per block
    n_embd: int = 128  # residual stream width
    dropout: float = 0.0  # off by default: runs stay bit-for-bit reproducible
    head: str = "lm"  # "lm" (logits over the vocabulary) or "value" (one scalar per position)
    init: str = "normal"  # "normal" (nanoGPT's N(0, 0.02)) or "mimetic" (attention starts near identity, see mimetic_init)


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def weights(self, x, mask):
        """Each head's attention weights (B, H, T, T) over x (B, T, C), and its values (B, H, T, D)."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, H, T, T)
        att = att.masked_fill(~mask[:, None, :, :], float("-inf"))
        return F.softmax(att, dim=-1), v

    def forward(self, x, mask):
        B, T, C = x.shape
        att, v = self.weights(x, mask)
        y = (self.drop(att) @ v).transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.drop(self.proj(y))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = SelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(), nn.Linear(4 * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout)
        )

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class TinyTransformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        # The LM head is tied to the embedding (nanoGPT); the value head is a fresh linear layer.
        self.value_head = nn.Linear(cfg.n_embd, 1) if cfg.head == "value" else None
        self.apply(self._init_weights)
        if cfg.init == "mimetic":
            for block in self.blocks:
                mimetic_init(block.attn, cfg)
        elif cfg.init != "normal":
            raise UserError(f"tiny model init must be normal or mimetic, not {cfg.init!r}")

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask=None):
        """input_ids (B, T), attention_mask (B, T) with 1 for real tokens; padding may sit on either side. A packed
        row (SFT packing) numbers its sequences 1, 2, … in attention_mask instead: each then attends only to itself
        and counts its positions from 0, as if it were alone.
        Returns logits (B, T, V) for head "lm" or values (B, T) for head "value"."""
        B, T = input_ids.shape
        if T > self.config.block_size:
            raise UserError(f"sequence of {T} tokens exceeds the tiny model's block_size {self.config.block_size}")
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        causal = torch.ones(T, T, dtype=torch.bool, device=input_ids.device).tril()  # (T, T)
        if attention_mask.max() > 1:
            pos = packed_positions(attention_mask)  # (B, T)
            mask = causal[None] & (attention_mask[:, :, None] == attention_mask[:, None, :]) & (attention_mask > 0)[:, None, :]
        else:
            attention_mask = attention_mask.bool()
            # Positions count real tokens only, so a left-padded sequence sees the same positions as an unpadded one.
            pos = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)  # (B, T)
            mask = causal[None] & attention_mask[:, None, :]  # (B, T, T): query t sees real keys <= t
        # A pad query with no real key before it would softmax over nothing (NaN); let it see itself.
        mask = mask | torch.eye(T, dtype=torch.bool, device=input_ids.device)[None]
        x = self.wte(input_ids) + self.wpe(pos)  # (B, T, C)
        for block in self.blocks:
            x = block(x, mask)
        x = self.ln_f(x)  # (B, T, C)
        if self.value_head is not None:
            return self.value_head(x).squeeze(-1)  # (B, T)
        return x @ self.wte.weight.t()  # (B, T, V)


MIMETIC_QK = (0.7, 0.7)  # (alpha, beta): W_q W_k^T ~ alpha Z + beta I per head
MIMETIC_VO = (0.4, 0.4)  # (alpha, beta): W_v W_o ~ alpha Z - beta I


@torch.no_grad()
def mimetic_init(attn, cfg):
    """Mimetic initialization (Trockman & Kolter, 2023): each head's W_q W_k^T starts as alpha Z + beta I, so a token
    attends to tokens like itself from the first step, and W_v W_o as alpha Z - beta I (Z Gaussian, variance 1/d).
    Matching a token against the prompt is then refined rather than discovered, which is what a tiny reward model
    needs on prompt-dependent preferences. nn.Linear computes x W^T: the qkv weight's rows are q, k, v (C each)."""
    qk, vo = MIMETIC_QK, MIMETIC_VO
    C, H = cfg.n_embd, cfg.n_head
    D = C // H
    w = attn.qkv.weight  # (3C, C)
    for h in range(H):
        rows = slice(h * D, (h + 1) * D)
        # q_h = x A^T, k_h = x B^T with A, B (D, C): scores x A^T B x^T, so A^T B (C x C) should be ~ alpha Z + beta I,
        # restricted to rank D: the top-D singular directions of the target
        target = qk[0] * torch.randn(C, C) / math.sqrt(C) + qk[1] * torch.eye(C)
        U, S, Vh = torch.linalg.svd(target)
        r = torch.sqrt(S[:D])
        w[rows] = (U[:, :D] * r).t()  # A = (U_D sqrt(S_D))^T
        w[C + h * D:C + (h + 1) * D] = r[:, None] * Vh[:D]  # B = sqrt(S_D) V_D^T
    # values and output projection: proj(v(x)) = x Wv^T Wp^T; Wv^T Wp^T ~ alpha Z - beta I
    target = vo[0] * torch.randn(C, C) / math.sqrt(C) - vo[1] * torch.eye(C)
    U, S, Vh = torch.linalg.svd(target)
    r = torch.sqrt(S)
    w[2 * C:] = (U * r).t()  # Wv (C, C): Wv^T = U sqrt(S)
    attn.proj.weight.copy_((r[:, None] * Vh).t())  # Wp^T = sqrt(S) V^T


def packed_positions(segments):
    """segments (B, T): 1, 2, … per packed sequence, 0 for padding -> each token's position within its sequence."""
    T = segments.size(1)
    idx = torch.arange(T, device=segments.device).expand_as(segments)  # (B, T)
    starts = torch.ones_like(segments, dtype=torch.bool)
    starts[:, 1:] = segments[:, 1:] != segments[:, :-1]
    first = torch.where(starts, idx, torch.zeros_like(idx)).cummax(-1).values  # (B, T): where each one's sequence began
    return idx - first


def last_token_index(attention_mask):
    """Index of the last real (non-pad) token of each row: (B, T) -> (B,). Works for right and left padding."""
    T = attention_mask.size(1)
    positions = torch.arange(T, device=attention_mask.device).expand_as(attention_mask)  # (B, T)
    return torch.where(attention_mask.bool(), positions, torch.full_like(positions, -1)).max(dim=1).values


def gather_last(values, attention_mask):
    """values (B, T) -> (B,): the value at each row's last real token."""
    idx = last_token_index(attention_mask)  # (B,)
    return values.gather(1, idx[:, None]).squeeze(1)


def top_p_filter(probs, top_p):
    """Nucleus sampling: zeroes the least likely tokens outside the smallest set whose mass reaches top_p (the most
    likely token always stays). probs (B, V) -> (B, V), not renormalized (torch.multinomial does not need it)."""
    sorted_probs, order = probs.sort(dim=-1, descending=True)  # (B, V)
    outside = sorted_probs.cumsum(-1) - sorted_probs >= top_p  # mass before a token already reaches top_p
    return probs.scatter(-1, order, sorted_probs.masked_fill(outside, 0.0))


@torch.no_grad()
def sample(model, input_ids, attention_mask, max_new_tokens, temperature, eos_token_id, pad_token_id, top_p=1.0):
    """Samples continuations of left-padded prompts. input_ids (B, Tp) -> response ids (B, L) with L <= max_new_tokens;
    tokens after a row's first EOS are pad. Uses the global torch RNG (seeded and checkpointed by the caller)."""
    B = input_ids.size(0)
    seq, mask = input_ids, attention_mask
    done = torch.zeros(B, dtype=torch.bool, device=input_ids.device)
    out = []
    for _ in range(max_new_tokens):
        logits = model(seq, mask)[:, -1, :]  # (B, V)
        if temperature > 0:
            probs = F.softmax(logits / temperature, dim=-1)
            if top_p < 1.0:
                probs = top_p_filter(probs, top_p)
            nxt = torch.multinomial(probs, 1).squeeze(1)  # (B,)
        else:
            nxt = logits.argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, pad_token_id), nxt)
        out.append(nxt)
        seq = torch.cat([seq, nxt[:, None]], dim=1)
        mask = torch.cat([mask, (~done).long()[:, None]], dim=1)
        done = done | (nxt == eos_token_id)
        if bool(done.all()):
            break
    return torch.stack(out, dim=1)  # (B, L)


def save_tiny(model, directory):
    """Writes the state dict and config into `directory` (created)."""
    os.makedirs(directory, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(directory, "model.pt"))
    with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"backend": "tiny", **dataclasses.asdict(model.config)}, f, indent=2)


def is_tiny_dir(path):
    try:
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            return json.load(f).get("backend") == "tiny"
    except (OSError, ValueError):
        return False


def load_tiny(directory, head=None):
    """Loads a tiny model directory. With `head` differing from the saved one (a policy's backbone starting a reward
    model, say), the shared weights are loaded and the new head starts fresh."""
    if not is_tiny_dir(directory):
        raise UserError(f"{directory} is not a tiny model directory (config.json with \"backend\": \"tiny\")")
    with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
        saved = json.load(f)
    saved.pop("backend", None)
    cfg = TinyConfig(**saved)
    if head is not None:
        cfg.head = head
    model = TinyTransformer(cfg)
    state = torch_load(os.path.join(directory, "model.pt"))
    if head is not None and head != saved["head"]:
        state = {k: v for k, v in state.items() if not k.startswith("value_head.")}
        model.load_state_dict(state, strict=False)
    else:
        model.load_state_dict(state)
    return model
