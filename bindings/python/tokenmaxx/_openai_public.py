"""The built-in encodings as tiktoken plugin constructors: the module tiktoken ships as
``tiktoken_ext.openai_public``, rebuilt from the C++ core's tables.

``tokenmaxx.tiktoken_compat.install()`` serves it as ``tiktoken_ext.openai_public`` when tiktoken
itself is not installed. ``tokenmaxx.get_encoding`` does not call these constructors for the
built-in names (it builds the native encodings directly); they exist for code that calls them.

    from tokenmaxx import _openai_public
    spec = _openai_public.cl100k_base()
    assert spec["name"] == "cl100k_base" and spec["special_tokens"]["<|endoftext|>"] == 100257
"""
from __future__ import annotations

from typing import Any, Callable

from tokenmaxx._core import token as _token
from tokenmaxx.load import data_gym_to_mergeable_bpe_ranks, load_tiktoken_bpe  # noqa: F401 (as tiktoken's)
from tokenmaxx.load import load_vocabulary

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"

_PATTERNS = {family: pattern for family, pattern, canonical in _token.family_patterns() if canonical}
_BUILTIN = {name: (vocab_file, family) for name, vocab_file, family in _token.builtin_encodings()}
#: tiktoken's pattern for r50k_base, p50k_base, p50k_edit and gpt2.
r50k_pat_str = _PATTERNS["gpt2"]
# tiktoken's constructors pass explicit_n_vocab for these three encodings only.
_EXPLICIT_N_VOCAB = {"gpt2": 50257, "r50k_base": 50257, "p50k_base": 50281}


def _spec(name: str) -> dict[str, Any]:
    vocab_file, family = _BUILTIN[name]
    spec: dict[str, Any] = {"name": name}
    if name in _EXPLICIT_N_VOCAB:
        spec["explicit_n_vocab"] = _EXPLICIT_N_VOCAB[name]
    spec["pat_str"] = _PATTERNS[family]
    spec["mergeable_ranks"] = load_vocabulary(vocab_file).to_dict()
    spec["special_tokens"] = dict(_token.builtin_special_tokens(name))
    return spec


def gpt2() -> dict[str, Any]:
    """GPT-2's encoding (the ranks of r50k_base, which tiktoken builds from GPT-2's original files)."""
    return _spec("gpt2")


def r50k_base() -> dict[str, Any]:
    """The r50k_base encoding (GPT-3 models such as davinci)."""
    return _spec("r50k_base")


def p50k_base() -> dict[str, Any]:
    """The p50k_base encoding (text-davinci-002/003, code-davinci-002)."""
    return _spec("p50k_base")


def p50k_edit() -> dict[str, Any]:
    """p50k_base's ranks with the FIM special tokens (text-davinci-edit-001)."""
    return _spec("p50k_edit")


def cl100k_base() -> dict[str, Any]:
    """The cl100k_base encoding (gpt-4, gpt-3.5-turbo, text-embedding-3-*)."""
    return _spec("cl100k_base")


def o200k_base() -> dict[str, Any]:
    """The o200k_base encoding (gpt-4o, gpt-4.1, gpt-5, o1, o3, o4-mini)."""
    return _spec("o200k_base")


def o200k_harmony() -> dict[str, Any]:
    """o200k_base's ranks with the harmony chat-format special tokens (gpt-oss-*)."""
    return _spec("o200k_harmony")


ENCODING_CONSTRUCTORS: dict[str, Callable[[], dict[str, Any]]] = {
    "gpt2": gpt2,
    "r50k_base": r50k_base,
    "p50k_base": p50k_base,
    "p50k_edit": p50k_edit,
    "cl100k_base": cl100k_base,
    "o200k_base": o200k_base,
    "o200k_harmony": o200k_harmony,
}
