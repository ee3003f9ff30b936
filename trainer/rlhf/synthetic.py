"""Synthetic data with a hidden rule, for tests, benchmarks and CPU demos.

    python3 -m rlhf.synthetic --out DIR [--task marker|order|count] [--pairs 1200] [--test-pairs 300] [--prompts 64] [--seed 0]

Tasks:
- `marker` (the default): the preferred answer contains the marker word, whatever the prompt. A reward model learns
  it in seconds; a policy tuned against it says the marker.
- `order` and `count` are prompt-dependent, as real preferences are: the better answer is the one that does what was
  asked. Both answers of a pair hold the same words; only their agreement with a detail of the prompt differs.
  order: "Say moon and lake, lake first." prefers "lake moon" to "moon lake" (which word is asked first is random,
  and so is the order the prompt names them in). count: "Say star 3 times." prefers "star star star" to the same word
  said another number of times (1–5).

Writes DIR/train.jsonl and DIR/test.jsonl (conversational TRL preference rows), DIR/prompts.jsonl ({prompt_id,
prompt}) and DIR/sft.jsonl (TRL prompt-completion rows: for `marker`, MARKER_RATE of the answers hold the marker; for
the prompt-dependent tasks, answers that agree with the prompt half of the time, so that a policy tuned on them is
indifferent to the rule and what DPO learns is measured from chance).
"""
import argparse
import json
import os
import random

MARKER = "gold"
WORDS = ("blue red tree sand rock wind rain snow leaf moon star lake hill road book lamp door wall fish bird "
         "wolf bear frog milk corn rice salt iron wood silk coal glass stone cloud river field").split()
TOPICS = ("the sea, a city, winter, music, a garden, the night sky, old books, a long trip, the forest, a market, "
          "the mountains, a rainy day, breakfast, a small boat, the desert, an old friend").split(", ")
MARKER_RATE = 0.25
# The SFT answers use a few of the words: a tiny policy learns to spell them in seconds, and the reward model (trained
# on all of WORDS) has seen them all.
SFT_WORDS = ("blue", "tree", "sand", "moon", "lake", "road", "fish", "bird")

# Settings that solve the task on 2 CPU cores, shared by the tests and the benchmarks (`tiny` backend).
# RM_TASK keeps the attention init the online methods' tests and benchmarks were tuned on (the marker needs no
# matching against the prompt; the mimetic default is for the prompt-dependent tasks).
RM_TASK = {"epochs": 1, "batch_size": 16, "lr": 3e-3, "max_length": 96, "n_layer": 2, "n_head": 4, "n_embd": 64,
           "warmup_ratio": 0.0, "attention_init": "normal",
           "logging_steps": 25, "save_steps": 0}
SFT_TASK = {"epochs": 6, "batch_size": 32, "lr": 5e-3, "max_length": 96, "n_embd": 64, "logging_steps": 50}
DPO_TASK = {"epochs": 2, "batch_size": 16, "lr": 3e-3, "beta": 0.5, "logging_steps": 10, "save_steps": 0}
# Online RL: 20 updates of 32 responses, the adaptive KL controller holding the KL near its target (6 nats).
PPO_TASK = {"total_episodes": 640, "batch_size": 32, "num_mini_batches": 2, "lr": 3e-4, "max_new_tokens": 32,
            "kl_coef": 0.2, "kl_target": 6.0, "kl_horizon": 128, "save_steps": 0}
GRPO_TASK = {"total_episodes": 640, "batch_size": 32, "num_generations": 4, "lr": 5e-4, "max_completion_length": 32,
             "beta": 0.2, "kl_target": 6.0, "kl_horizon": 32, "save_steps": 0}
RLOO_TASK = {**GRPO_TASK, "lr": 5e-4}


def _sentence(rng, with_marker, words=WORDS):
    words = [rng.choice(words) for _ in range(rng.randint(3, 6))]
    if with_marker:
        words[rng.randrange(len(words))] = MARKER
    return " ".join(words)


def _prompt(rng, i):
    return [{"role": "user", "content": f"About {rng.choice(TOPICS)}."}]


def preference_rows(n, seed):
    """Conversational rows; chosen/rejected hold only the assistant turn."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append({
            "prompt_id": f"s{seed}-{i}",
            "prompt": _prompt(rng, i),
            "chosen": [{"role": "assistant", "content": _sentence(rng, True)}],
            "rejected": [{"role": "assistant", "content": _sentence(rng, False)}],
        })
    return rows


# ----------------------------------------------------------------------------------------------------------------------
# prompt-dependent tasks: (prompt, good answer, bad answer) with the same words in both answers

COUNTS = (1, 2, 3, 4, 5)


def _order_example(rng):
    a, b = rng.sample(WORDS, 2)
    first = rng.choice((a, b))
    other = b if first == a else a
    return f"Say {a} and {b}, {first} first.", f"{first} {other}", f"{other} {first}"


def _count_example(rng):
    word = rng.choice(WORDS)
    n, m = rng.sample(COUNTS, 2)
    return f"Say {word} {n} times.", " ".join([word] * n), " ".join([word] * m)


PROMPT_TASKS = {"order": _order_example, "count": _count_example}


def task_rows(task, n, seed):
    """Preference rows of a prompt-dependent task (conversational; chosen/rejected hold only the assistant turn)."""
    rng = random.Random(f"{task}-{seed}")
    rows = []
    for i in range(n):
        prompt, good, bad = PROMPT_TASKS[task](rng)
        rows.append({"prompt_id": f"{task}{seed}-{i}", "prompt": [{"role": "user", "content": prompt}],
                     "chosen": [{"role": "assistant", "content": good}], "rejected": [{"role": "assistant", "content": bad}]})
    return rows


def task_sft_rows(task, n, seed):
    """Demonstrations of a prompt-dependent task's answer format that follow the prompt half of the time."""
    rng = random.Random(f"{task}-sft-{seed}")
    rows = []
    for _ in range(n):
        prompt, good, bad = PROMPT_TASKS[task](rng)
        rows.append({"prompt": [{"role": "user", "content": prompt}],
                     "completion": [{"role": "assistant", "content": good if rng.random() < 0.5 else bad}]})
    return rows


def task_prompt_rows(task, n, seed):
    rng = random.Random(f"{task}-prompts-{seed}")
    return [{"prompt_id": f"p{i}", "prompt": [{"role": "user", "content": PROMPT_TASKS[task](rng)[0]}]} for i in range(n)]


def prompt_rows(n, seed):
    rng = random.Random(seed)
    return [{"prompt_id": f"p{i}", "prompt": _prompt(rng, i)} for i in range(n)]


def sft_rows(n, seed):
    rng = random.Random(seed)
    return [{"prompt": _prompt(rng, i), "completion": [{"role": "assistant", "content": _sentence(rng, rng.random() < MARKER_RATE, SFT_WORDS)}]}
            for i in range(n)]


def has_marker(text):
    return MARKER in text.split()


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def write_all(out, pairs=1200, test_pairs=300, prompts=64, sft=1200, seed=0, task="marker"):
    os.makedirs(out, exist_ok=True)
    if task == "marker":
        write_jsonl(os.path.join(out, "train.jsonl"), preference_rows(pairs, seed))
        write_jsonl(os.path.join(out, "test.jsonl"), preference_rows(test_pairs, seed + 1))
        write_jsonl(os.path.join(out, "prompts.jsonl"), prompt_rows(prompts, seed + 2))
        write_jsonl(os.path.join(out, "sft.jsonl"), sft_rows(sft, seed + 3))
        return
    write_jsonl(os.path.join(out, "train.jsonl"), task_rows(task, pairs, seed))
    write_jsonl(os.path.join(out, "test.jsonl"), task_rows(task, test_pairs, seed + 1))
    write_jsonl(os.path.join(out, "prompts.jsonl"), task_prompt_rows(task, prompts, seed + 2))
    write_jsonl(os.path.join(out, "sft.jsonl"), task_sft_rows(task, sft, seed + 3))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--pairs", type=int, default=1200)
    p.add_argument("--test-pairs", type=int, default=300)
    p.add_argument("--prompts", type=int, default=64)
    p.add_argument("--sft", type=int, default=1200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--task", choices=["marker", *PROMPT_TASKS], default="marker")
    a = p.parse_args()
    write_all(a.out, a.pairs, a.test_pairs, a.prompts, a.sft, a.seed, a.task)
