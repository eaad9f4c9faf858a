"""Chat requests: the harmony rendering against the openai-harmony package (the reference for
gpt-oss prompts) token for token on random conversations, and the estimate for other models
against the OpenAI cookbook's num_tokens_from_messages run with tiktoken."""
from __future__ import annotations

import functools
import os
import random

import pytest
import tiktoken

import tokenmaxx
from conftest import shared_dir

# openai-harmony reads o200k_base.tiktoken from TIKTOKEN_ENCODINGS_BASE (else it downloads it).
os.environ.setdefault("TIKTOKEN_ENCODINGS_BASE", str(shared_dir("TOKENMAXX_VOCAB_DIR", "vocab")))
import openai_harmony as oh  # noqa: E402

ROLES = {"system": oh.Role.SYSTEM, "developer": oh.Role.DEVELOPER, "user": oh.Role.USER,
         "assistant": oh.Role.ASSISTANT, "tool": oh.Role.TOOL}
WORDS = ["hello", " world", "Grüße", "東京", "  ", "\n\n", "<|end|>", "<|start|>", "'s", "42", "🙂", ":", "x y",
         "functions.get_weather", "\t", "É", "ß", "ǅ", "\u200b", "def f(x):\n    return x"]


@functools.lru_cache(maxsize=1)
def harmony_encoding():
    return oh.load_harmony_encoding(oh.HarmonyEncodingName.HARMONY_GPT_OSS)


def harmony_ids(messages):
    enc = harmony_encoding()
    rendered = []
    for m in messages:
        content = m.get("content")
        parts = [] if content is None else [content] if isinstance(content, str) else [p["text"] for p in content]
        author = oh.Author.new(ROLES[m["role"]], m.get("name"))
        rendered.append(oh.Message(author=author, content=[oh.TextContent(text=t) for t in parts]))
    return enc.render_conversation_for_completion(oh.Conversation.from_messages(rendered), oh.Role.ASSISTANT)


def random_text(rng):
    return "".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 6)))


def random_conversation(rng):
    messages = []
    for _ in range(rng.randrange(0, 6)):
        role = rng.choice(list(ROLES))
        m = {"role": role}
        if role == "tool" or rng.random() < 0.3:
            m["name"] = random_text(rng).strip() or "fn"
        kind = rng.random()
        if kind < 0.6:
            m["content"] = random_text(rng)
        elif kind < 0.9:
            m["content"] = [{"type": "text", "text": random_text(rng)} for _ in range(rng.randrange(0, 4))]
        else:
            m["content"] = None
        messages.append(m)
    return messages


def test_harmony_rendering_equals_openai_harmony_on_random_conversations():
    enc = tokenmaxx.get_encoding("o200k_harmony")
    rng = random.Random(20261203)
    for _ in range(400):
        messages = random_conversation(rng)
        want = harmony_ids(messages)
        assert enc.render_harmony(messages) == want, messages
        assert enc.count_chat(messages) == (len(want), len(messages), "harmony"), messages
        assert tokenmaxx.count_chat({"model": "gpt-oss-120b", "messages": messages}, model="gpt-oss-120b").prompt_tokens == len(want)


def cookbook(messages, model):
    """OpenAI cookbook, How_to_count_tokens_with_tiktoken.ipynb, num_tokens_from_messages."""
    encoding = tiktoken.encoding_for_model(model)
    num_tokens = 0
    for message in messages:
        num_tokens += 3
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += 1
    return num_tokens + 3


def test_other_models_get_the_cookbook_estimate():
    rng = random.Random(7)
    for model in ["gpt-4o", "gpt-4", "gpt-3.5-turbo", "gpt-4.1-mini"]:
        for _ in range(50):
            messages = [{k: v for k, v in m.items() if isinstance(v, str)} for m in random_conversation(rng)]
            got = tokenmaxx.count_chat(messages, model=model)
            assert got == (cookbook(messages, model), len(messages), "openai-cookbook-estimate"), (model, messages)


def test_what_neither_method_counts_is_refused_naming_the_message():
    enc = tokenmaxx.get_encoding("o200k_harmony")
    with pytest.raises(ValueError, match="message 1: only text content parts"):
        enc.count_chat([{"role": "user", "content": "a"}, {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])
    with pytest.raises(ValueError, match="needs a name"):
        enc.count_chat([{"role": "tool", "content": "{}"}])
    with pytest.raises(ValueError, match="not a harmony role"):
        enc.render_harmony([{"role": "function", "content": "{}"}])
    with pytest.raises(ValueError, match="harmony special tokens"):
        tokenmaxx.get_encoding("o200k_base").render_harmony([])
