"""Tokenizers of the `tiny` backend, and the chat template both backends share when a model has none.

ByteTokenizer: ids 0..255 are the UTF-8 bytes; three special ids follow. Any text round-trips, no vocabulary file is
needed. WordTokenizer: the same ids, then one id per word of a vocabulary built from the training data (vocab.json in
the model directory); a word outside it, and anything that is not a word, is spelled in bytes, so any text encodes and
round-trips too.
"""
import collections
import json
import os
import re

VOCAB_FILE = "vocab.json"
# a word (letters, digits, underscore) or any other single character; spaces are pieces of their own, so "lake" is one
# token whether it follows a space, a newline or a quote
PIECE = re.compile(r"\w+|\W", re.S)


def is_messages(value):
    return isinstance(value, list)


def render_messages(messages):
    """A conversation as text: every turn is `<|role|>\\ncontent\\n`, except that the last turn has no trailing newline
    (the end-of-sequence token follows it), so rendering prompt + [answer] equals render_prompt(prompt) + answer."""
    parts = [f"<|{m['role']}|>\n{m['content']}\n" for m in messages[:-1]]
    last = messages[-1]
    parts.append(f"<|{last['role']}|>\n{last['content']}")
    return "".join(parts)


def render_prompt(prompt):
    """The text a policy continues: a plain-string prompt is used as is (TRL's standard format); messages are
    rendered and followed by the assistant header (the generation prompt)."""
    if isinstance(prompt, str):
        return prompt
    return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in prompt) + "<|assistant|>\n"


class ByteTokenizer:
    pad_token_id = 256
    bos_token_id = 257
    eos_token_id = 258
    vocab_size = 259
    name = "byte"

    def encode(self, text, add_bos=True):
        ids = list(text.encode("utf-8"))
        return [self.bos_token_id] + ids if add_bos else ids

    def decode(self, ids):
        # NUL is dropped: no answer means it, and PostgreSQL text (samples, candidates) cannot hold it.
        return bytes(i for i in ids if 0 < i < 256).decode("utf-8", errors="replace")

    def render_prompt(self, prompt):
        return render_prompt(prompt)

    def render_conversation(self, prompt, response):
        """prompt + response as one text: strings concatenate (TRL standard), messages go through the template."""
        if isinstance(prompt, str):
            return prompt + response
        return render_messages(prompt + response)

    def encode_prompt(self, prompt):
        return self.encode(self.render_prompt(prompt))

    def encode_conversation(self, prompt, response):
        """Token ids of a full (prompt, response) text ending with EOS: what a reward model scores."""
        return self.encode(self.render_conversation(prompt, response)) + [self.eos_token_id]


class WordTokenizer(ByteTokenizer):
    """Word-level ids above the byte tokenizer's: a word of the vocabulary is one token, the rest is bytes."""

    name = "words"

    def __init__(self, words):
        self.words = list(words)
        self.index = {w: ByteTokenizer.vocab_size + i for i, w in enumerate(self.words)}
        self.word_bytes = [w.encode("utf-8") for w in self.words]
        self.vocab_size = ByteTokenizer.vocab_size + len(self.words)

    @classmethod
    def build(cls, texts, max_words=8192, min_count=2):
        """The pieces of more than one byte seen at least `min_count` times in `texts`, most frequent first (ties by
        the piece): the same texts always give the same ids."""
        counts = collections.Counter(m.group() for t in texts for m in PIECE.finditer(t))
        # a piece of one byte already has its token
        words = [w for w, n in counts.items() if n >= min_count and len(w.encode("utf-8")) > 1]
        words.sort(key=lambda w: (-counts[w], w))
        return cls(words[:max_words])

    @classmethod
    def load(cls, directory):
        with open(os.path.join(directory, VOCAB_FILE), encoding="utf-8") as f:
            return cls(json.load(f)["words"])

    def save(self, directory):
        with open(os.path.join(directory, VOCAB_FILE), "w", encoding="utf-8") as f:
            json.dump({"tokenizer": self.name, "words": self.words}, f, ensure_ascii=False, indent=0)

    def encode(self, text, add_bos=True):
        ids = [self.bos_token_id] if add_bos else []
        for m in PIECE.finditer(text):
            piece = m.group()
            i = self.index.get(piece)
            if i is None:
                ids.extend(piece.encode("utf-8"))
            else:
                ids.append(i)
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            if 0 < i < 256:
                out.append(i)
            elif ByteTokenizer.vocab_size <= i < self.vocab_size:
                out += self.word_bytes[i - ByteTokenizer.vocab_size]
        return out.decode("utf-8", errors="replace")


def load_tiny_tokenizer(directory):
    """The tokenizer a tiny model directory was trained with: its vocab.json, or bytes when it has none."""
    if directory and os.path.exists(os.path.join(directory, VOCAB_FILE)):
        return WordTokenizer.load(directory)
    return ByteTokenizer()
