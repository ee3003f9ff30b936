"""Direct Preference Optimization of a policy on a snapshot's preference pairs, after TRL's DPOTrainer.

    python3 -m rlhf.dpo --config cfg.json        (one process, or torchrun --nproc_per_node=K -m rlhf.dpo …)

With logp the summed log-probability of a response's tokens (EOS included) given its prompt, under the policy being
trained and under the frozen reference (the starting policy), and

    logits = (logp_chosen - logp_rejected) - (ref_logp_chosen - ref_logp_rejected)

the sigmoid loss (DPO) is -logsigmoid(beta * logits) * (1 - label_smoothing) - logsigmoid(-beta * logits) *
label_smoothing (label smoothing: conservative DPO), and the IPO loss is (logits - 1 / (2 * beta))^2 on log-probs
averaged over each response's tokens, as TRL computes it. The implicit reward of a response is beta * (logp -
ref_logp). One batch element is one prompt with all its ranked pairs, as for the reward model: each distinct response
is scored once per step, and a prompt weighs the same however many pairs it has.

Ties are never dropped silently. A pair row with margin 0 is a tie the snapshot kept (`ties: keep`); with `ties`
"half" (the default) it counts as half a win each way, as the export's Bradley-Terry ranking counts it: the sigmoid
loss with label smoothing 0.5 for that pair (its minimum: equal implicit rewards), the IPO loss with target 0. With
"drop" it is left out. Either way the count is logged (and reported as `data/ties`); ties the snapshot itself left
out (`ties: drop`) are named in the run's log by the worker.

`pair_weighting` "margin" weighs each of a prompt's pairs by its margin (the annotators' strength: 1 slightly, 2
better, 3 much better, or the aggregated margin) instead of equally; a tie, or a row without a margin, counts as
margin 1. A prompt still weighs the same in total. The preference metrics (rewards/accuracies, margins) leave ties out.
"""
import dataclasses
import math
import os
from typing import Optional

import torch
import torch.nn.functional as F

from . import backends
from .checkpoint import Checkpoints, lineage
from .config import check_lora, opt, required
from .data import collate, load_preferences
from .protocol import ConfigError, UserError, run_cli
from .runtime import (emit_start, train_steps, all_mean, autocast, batch_indices, init_distributed, linear_schedule, resolve_device,
                      run_trainer, seed_everything, setup_threads, wrap_ddp)


@dataclasses.dataclass
class DPOConfig:
    """What `python3 -m rlhf.dpo` reads (TRL DPOConfig names). The app's launch form shows the fields marked `form`."""

    output_dir: str = required(help="checkpoints/ and the final policy model/ are written here", staged=True)
    train_file: str = required(help="the snapshot's train split (JSONL, .gz allowed)", staged=True)
    policy_path: str = required(help="the starting policy (a tiny or local hf directory); also the frozen reference")
    test_file: Optional[str] = opt(None, help="the snapshot's test split, evaluated as eval_*", staged=True)
    backend: str = opt("tiny", choices=["tiny", "hf"], help="tiny byte-level transformer, or Hugging Face transformers")
    snapshot_id: Optional[str] = opt(None, help="recorded in every checkpoint and the final model's metadata", staged=True)
    snapshot_sha256: Optional[str] = opt(None, help="the snapshot's content hash, recorded for lineage", staged=True)
    resume: bool = opt(False, help="continue from the latest checkpoint in output_dir (a fresh start when there is none)",
                       staged=True)
    seed: int = opt(42, min=0, max=2**31 - 1, label="Seed", form=True, help="seeds data order and every RNG")
    device: str = opt("auto", choices=["auto", "cpu", "cuda"], help="auto: cuda when visible")
    loss_type: str = opt("sigmoid", choices=["sigmoid", "ipo"], label="Loss", form=True,
                         help="sigmoid: DPO; ipo: IPO (squared loss on length-averaged log-probs)")
    beta: float = opt(0.1, gt=0.0, max=100.0, label="Beta (β)", form=True,
                      help="how far the policy may move from the reference: small = far (TRL beta)")
    label_smoothing: float = opt(0.0, min=0.0, lt=0.5, label="Label smoothing", form=True,
                                 help="the share of labels assumed flipped (conservative DPO; sigmoid loss only)")
    pair_weighting: str = opt("none", choices=["none", "margin"], label="Pair weighting", form=True,
                              help="none: a prompt's pairs weigh the same; margin: each by its margin (strength)")
    ties: str = opt("half", choices=["half", "drop"], label="Ties",
                    help="pairs with margin 0: half a win each way (half), or left out (drop); counted either way")
    lr: Optional[float] = opt(None, gt=0.0, lt=1.0, by_backend={"tiny": 1e-3, "hf": 1e-6}, label="Learning rate",
                              form=True, help="peak learning rate (AdamW, linear decay after the warmup)")
    warmup_ratio: float = opt(0.0, min=0.0, max=1.0, help="share of the steps spent warming the learning rate up linearly")
    weight_decay: float = opt(0.0, min=0.0, help="AdamW weight decay")
    # 2 tiny epochs: one left the prompt-dependent `count` task at 0.87 held-out, two reach 0.98 (docs/benchmarks.md)
    epochs: Optional[int] = opt(None, min=1, max=1000, by_backend={"tiny": 2, "hf": 1}, label="Epochs", form=True,
                                help="passes over the training groups")
    batch_size: Optional[int] = opt(None, min=1, max=65_536, by_backend={"tiny": 16, "hf": 8}, label="Batch size",
                                    form=True, help="prompts per optimizer step over all processes; a ranking's pairs "
                                                    "stay together")
    max_length: Optional[int] = opt(None, min=8, max=1_048_576, by_backend={"tiny": 128, "hf": 512}, label="Max length",
                                    form=True, help="tokens per prompt + response (tiny: at most the policy's block size); "
                                                    "longer ones lose the start of the prompt")
    max_grad_norm: float = opt(1.0, min=0.0, help="gradient clipping (0 = off)")
    logging_steps: int = opt(10, min=1, max=1_000_000, label="Logging steps", form=True,
                             help="averaged train metrics every N steps")
    eval_steps: int = opt(0, min=0, max=1_000_000, help="evaluate on test_file every N steps (0 = at the end only)")
    save_steps: int = opt(100, min=0, max=1_000_000, help="checkpoint every N steps (0 = at the end only)")
    save_total_limit: int = opt(2, min=1, help="checkpoints kept on disk")
    gradient_checkpointing: bool = opt(True, help="hf: trade compute for memory")
    lora: dict = opt({}, help='hf: LoRA adapters {"r", "alpha", "dropout", "target_modules"}; {} = full fine-tuning')

    def validate(self):
        if self.loss_type == "ipo" and self.label_smoothing > 0:
            raise ConfigError("config field 'label_smoothing': the IPO loss has no label smoothing")
        check_lora(self.lora, self.backend)


# ----------------------------------------------------------------------------------------------------------------------
# the pieces of one step (pure functions, unit-tested)


def dpo_loss(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, beta, loss_type="sigmoid",
             label_smoothing=0.0, ties=None):
    """Pairs (P,) of log-probs -> per-pair losses (P,), implicit rewards of chosen and rejected (P,) each. `ties`
    (P,) bool marks the pairs that are ties: half a win each way (label smoothing 0.5; IPO target 0)."""
    logits = (chosen_logps - rejected_logps) - (ref_chosen_logps - ref_rejected_logps)  # (P,)
    tie = torch.zeros_like(logits, dtype=torch.bool) if ties is None else ties
    if loss_type == "ipo":
        target = torch.where(tie, torch.zeros_like(logits), torch.full_like(logits, 1 / (2 * beta)))
        losses = (logits - target) ** 2
    else:
        ls = torch.where(tie, torch.full_like(logits, 0.5), torch.full_like(logits, label_smoothing))
        losses = -F.logsigmoid(beta * logits) * (1 - ls) - F.logsigmoid(-beta * logits) * ls
    chosen_rewards = beta * (chosen_logps - ref_chosen_logps).detach()
    rejected_rewards = beta * (rejected_logps - ref_rejected_logps).detach()
    return losses, chosen_rewards, rejected_rewards


def sequence_logps(logits, input_ids, response_mask, average=False):
    """logits (N, T, V), input_ids (N, T), response_mask (N, T) True on response tokens -> log-prob of each
    sequence's response (N,): the sum over its tokens, or the mean when `average` (IPO)."""
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)  # (N, T-1, V): position t predicts token t+1
    token_logp = logp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)  # (N, T-1)
    mask = response_mask[:, 1:].float()  # (N, T-1)
    total = (token_logp * mask).sum(-1)  # (N,)
    return total / mask.sum(-1).clamp(min=1) if average else total


def pair_weights(groups, by_margin):
    """(P,) weights of a batch's pairs in collate's order: each group 1/len(groups) in total, spread over its pairs
    equally or in proportion to their strength (the margin; 1 for a tie or a row without one)."""
    out = []
    for g in groups:
        strengths = [s if by_margin else 1.0 for s in g.strengths]
        total = sum(strengths)
        out.extend(s / (total * len(groups)) for s in strengths)
    return torch.tensor(out)


@dataclasses.dataclass
class DPOGroup:
    ids: list  # token ids of each distinct response in context (prompt + response + EOS)
    starts: list  # index of each sequence's first response token
    pairs: list  # (chosen, rejected, margin)
    ties: list = dataclasses.field(default_factory=list)  # per pair: a tie (margin 0 given)
    strengths: list = dataclasses.field(default_factory=list)  # per pair: its margin, 1 for a tie or none given


def split_ties(groups, drop):
    """Each group with its pairs' tie marks (margin 0 given) and strengths (the margin; 1 for a tie or a row without
    one); with `drop`, tied pairs are left out (a group left with no pair goes). Returns ([(group, ties,
    strengths)], number of ties)."""
    out, n = [], 0
    for g in groups:
        tie = [given and m == 0 for (_, _, m), given in zip(g.pairs, g.has_margin)]
        n += sum(tie)
        kept = [(p, t) for p, t in zip(g.pairs, tie) if not (drop and t)]
        if kept:
            g.pairs = [p for p, _ in kept]
            out.append((g, [t for _, t in kept], [p[2] if (p[2] > 0 and not t) else 1.0 for p, t in kept]))
    return out, n


def encode_groups(marked, tokenizer, max_length):
    """Tokenizes every (prompt, response) of split_ties' groups; an over-long sequence drops the start of its prompt
    (the response is what is scored; at least one token of context is kept)."""
    out = []
    for g, ties, strengths in marked:
        n_prompt = len(tokenizer.encode_prompt(g.prompt))
        ids, starts = [], []
        for response in g.responses:
            t = tokenizer.encode_conversation(g.prompt, response)
            cut = max(0, len(t) - max_length)
            ids.append(t[cut:])
            starts.append(max(1, n_prompt - cut))
        out.append(DPOGroup(ids, starts, g.pairs, ties, strengths))
    return out


def response_mask_of(groups, T):
    """(N, T) True from each sequence's first response token on, for the sequences of `groups` in collate's order
    (padding is masked by the attention mask as well)."""
    starts = torch.tensor([s for g in groups for s in g.starts])  # (N,)
    return torch.arange(T)[None, :] >= starts[:, None]


# ----------------------------------------------------------------------------------------------------------------------


class DPOTrainer:
    def __init__(self, cfg, events):
        self.cfg, self.events = cfg, events
        self.dist = init_distributed(cfg.device)
        events.enabled = self.dist.main
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        seed_everything(cfg.seed)
        be = cfg.backend
        self.tokenizer = backends.load_tokenizer(be, cfg.policy_path)
        self.checkpoints = Checkpoints(cfg, self.dist, events, be, self.tokenizer)
        self.ckpt = self.checkpoints.resume_dir()
        common = dict(lora=cfg.lora, gradient_checkpointing=cfg.gradient_checkpointing)
        self.policy = backends.load_policy(be, cfg.policy_path, self.device,
                                           resume_dir=os.path.join(self.ckpt, "policy") if self.ckpt else None, **common)
        self.ref = backends.load_policy(be, cfg.policy_path, self.device, frozen=True)
        max_length = min(cfg.max_length, self.policy.config.block_size) if be == "tiny" else cfg.max_length
        train, self.ties = split_ties(load_preferences(cfg.train_file), cfg.ties == "drop")
        if not train:
            raise UserError(f"{cfg.train_file}: every pair is a tie, and ties \"drop\" leaves none to train on")
        self.train = encode_groups(train, self.tokenizer, max_length)
        self.test = (encode_groups(split_ties(load_preferences(cfg.test_file), cfg.ties == "drop")[0], self.tokenizer,
                                   max_length) if cfg.test_file else [])
        self.steps_per_epoch = math.ceil(len(self.train) / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        self.policy_ddp = wrap_ddp(self.policy, self.dist, self.device)
        params = [p for p in self.policy.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.scheduler = linear_schedule(self.optimizer, self.total_steps, int(cfg.warmup_ratio * self.total_steps))
        self.step = 0
        self.acc = {}  # running sums of train metrics since the last logging step
        if self.ckpt:
            state = self.checkpoints.load(self.ckpt)
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            self.step, self.acc = state["step"], state["log_acc"]

    def batch_groups(self, step):
        """This process's groups at `step` (see runtime.batch_indices), and whether they are real."""
        idx, real = batch_indices(len(self.train), self.cfg.batch_size, self.cfg.seed, step, self.dist)
        return [self.train[j] for j in idx], real

    def pair_terms(self, model, groups):
        """Per-pair losses (P,), rewards of chosen and rejected (P,), policy log-probs of chosen and rejected (P,), and
        the pairs' weights (P,) for a batch of groups."""
        cfg = self.cfg
        ids, mask, c, r, _, _ = collate(groups, self.tokenizer.pad_token_id)
        weight = pair_weights(groups, cfg.pair_weighting == "margin")
        ties = torch.tensor([t for g in groups for t in g.ties], dtype=torch.bool).to(self.device)
        resp = (response_mask_of(groups, ids.size(1)) & mask.bool()).to(self.device)  # (N, T)
        ids, mask = ids.to(self.device), mask.to(self.device)
        average = cfg.loss_type == "ipo"
        with autocast(self.device, cfg.backend):
            logps = sequence_logps(model(ids, mask), ids, resp, average)  # (N,)
            with torch.no_grad():
                ref_logps = sequence_logps(self.ref(ids, mask), ids, resp, average)  # (N,)
        c, r = c.to(self.device), r.to(self.device)
        losses, rc, rr = dpo_loss(logps[c], logps[r], ref_logps[c], ref_logps[r], cfg.beta, cfg.loss_type,
                                  cfg.label_smoothing, ties)
        return losses, rc, rr, logps[c].detach(), logps[r].detach(), weight.to(self.device), ties

    @staticmethod
    def stats(losses, rc, rr, logp_c, logp_r, weight, ties, prefix=""):
        """TRL's metric names, weighted as the loss is (a prompt weighs the same however many pairs it has); the
        preference metrics over the pairs that are not ties."""
        w = weight / weight.sum().clamp(min=1e-12)
        pw = weight * (~ties).float()
        pw = pw / pw.sum().clamp(min=1e-12)

        def mean(x, w=pw):
            return float((x.float() * w).sum())

        return {f"{prefix}loss": mean(losses, w), f"{prefix}rewards/chosen": mean(rc), f"{prefix}rewards/rejected": mean(rr),
                f"{prefix}rewards/accuracies": mean(rc > rr), f"{prefix}rewards/margins": mean(rc - rr),
                f"{prefix}logps/chosen": mean(logp_c), f"{prefix}logps/rejected": mean(logp_r)}

    def train_step(self):
        groups, real = self.batch_groups(self.step)
        self.policy.train()
        losses, rc, rr, logp_c, logp_r, weight, ties = self.pair_terms(self.policy_ddp, groups)
        stats = self.stats(losses.detach(), rc, rr, logp_c, logp_r, weight, ties)
        if not real:
            weight = weight * 0
        loss = (losses * weight).sum()
        loss.backward()
        if self.cfg.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.cfg.max_grad_norm)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        for k, v in all_mean(stats, self.dist, self.device).items():
            self.acc[k] = self.acc.get(k, 0.0) + v
        self.acc["_n"] = self.acc.get("_n", 0) + 1
        self.acc["learning_rate"] = lr

    def flush_metrics(self):
        n = self.acc.pop("_n")
        lr = self.acc.pop("learning_rate")
        metrics = {k: v / n for k, v in self.acc.items()}
        metrics.update(learning_rate=lr, epoch=self.step / self.steps_per_epoch)
        self.acc = {}
        return metrics

    @torch.no_grad()
    def evaluate(self):
        """The eval_ metrics over this process's share of the test groups, averaged over processes."""
        self.policy.eval()
        parts = []
        mine = self.test[self.dist.rank::self.dist.world_size] or self.test[:1]
        for i in range(0, len(mine), self.cfg.batch_size):
            batch = mine[i:i + self.cfg.batch_size]
            losses, rc, rr, logp_c, logp_r, w, ties = self.pair_terms(self.policy, batch)
            parts.append((losses, rc, rr, logp_c, logp_r, w * len(batch), ties))
        cat = [torch.cat([p[k] for p in parts]) for k in range(7)]
        return all_mean(self.stats(*cat, prefix="eval_"), self.dist, self.device)

    def meta(self, metrics):
        return lineage(self.cfg, kind="policy", method=self.cfg.loss_type if self.cfg.loss_type == "ipo" else "dpo",
                       base_model=self.cfg.policy_path, step=self.step, metrics=metrics)

    def save_checkpoint(self):
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(), "log_acc": self.acc}
        self.checkpoints.save(self.step, {"policy": self.policy}, state, self.meta({}))

    def run(self):
        emit_start(self)
        cfg, ev = self.cfg, self.events
        if self.ties:
            what = "left out (ties \"drop\")" if cfg.ties == "drop" else "trained as half a win each way"
            ev.emit("log", message=f"{self.ties} tied pair(s) (margin 0) in the train split: {what}")
        metrics = train_steps(self, self.save_checkpoint)
        metrics["data/ties"] = float(self.ties)
        self.save_checkpoint()
        self.checkpoints.save_final(self.policy, self.meta(metrics), metrics)
        return metrics


def main(cfg, events):
    setup_threads()
    os.makedirs(cfg.output_dir, exist_ok=True)
    trainer = DPOTrainer(cfg, events)
    return run_trainer(trainer, "lower batch_size or max_length, or enable lora")


if __name__ == "__main__":
    run_cli(DPOConfig, main)
