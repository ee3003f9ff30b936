"""Byte-level tokenizer of the `tiny` backend, and the chat template both backends share when a model has none.

Ids 0..255 are the UTF-8 bytes; three special ids follow. Any text round-trips, no vocabulary file is needed.
"""


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
