"""A sample of user code, checked with `mypy --strict` (test_typing.py): the stubs and annotations
must let typed code use the package without a single ignore."""
from __future__ import annotations

import tokenmaxx
import tokenmaxx.tiktoken_compat as tiktoken
from tokenmaxx.token import Encoding, VocabError, encoding_for_model


def count_prompt(model: str, prompt: str, limit: int) -> tuple[int, bool]:
    enc: Encoding = encoding_for_model(model)
    n: int = enc.count_until(prompt, limit)
    return n, n > limit


def ids(texts: list[str]) -> list[list[int]]:
    enc = tokenmaxx.get_encoding("cl100k_base")
    batch: list[list[int]] = enc.encode_batch(texts, allowed_special="all", num_threads=2)
    counts: list[int] = enc.count_batch(texts)
    assert [len(b) for b in batch] == counts
    return batch


def decode(tokens: list[int]) -> str:
    enc = tiktoken.get_encoding("o200k_base")
    text, offsets = enc.decode_with_offsets(tokens)
    return text + str(offsets) + enc.decode(tokens, errors="strict")


def load_or_explain() -> str:
    try:
        return tokenmaxx.get_encoding("r50k_base").name
    except VocabError as e:
        return str(e)


names: list[str] = tokenmaxx.list_encoding_names()
version: str = tokenmaxx.__version__
