"""The tokenizer: exact tiktoken-compatible encodings, counting and vocabularies.

This is the Python face of ``tokenmaxx._core.token``, as ``tokenmaxx.usage`` and
``tokenmaxx.privacy`` are of the other two subsystems. The same names are importable from
``tokenmaxx`` itself; the tiktoken-shaped modules behind them (``tokenmaxx.core``, ``.registry``,
``.model``, ``.load``) are what ``tokenmaxx.tiktoken_compat`` serves as ``tiktoken.*``.

    from tokenmaxx.token import encoding_for_model, get_encoding

    enc = encoding_for_model("gpt-4o")
    assert enc.name == "o200k_base"
    assert get_encoding("cl100k_base").count("hello world") == 2
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

from tokenmaxx.core import ChatCount, Encoding
from tokenmaxx.load import VocabError
from tokenmaxx.model import encoding_for_model, encoding_name_for_model
from tokenmaxx.registry import OPEN_MODEL_ENCODINGS, get_encoding, list_encoding_names
from tokenmaxx._core import token as _core_token
from tokenmaxx._core.token import HFTokenizer


def simd_backend() -> str:
    """The SIMD backend the pretokenizer uses: ``"avx2"``, ``"sse4.2"``, ``"avx512bw"``, ``"neon"``
    or ``"scalar"``. Chosen once, at first use, as the best this CPU runs; setting the environment
    variable ``TOKENMAXX_SIMD`` before the first tokenization forces another one.

        import tokenmaxx
        assert tokenmaxx.simd_backend() in tokenmaxx.token.available_simd_backends()
    """
    return _core_token.simd_backend()


def count_chat(messages: Union[Sequence[Mapping[str, Any]], Mapping[str, Any]], *, model: str) -> ChatCount:
    """The prompt tokens of an OpenAI-style chat request for ``model`` (``Encoding.count_chat`` of
    the model's encoding): exact harmony rendering for gpt-oss models, OpenAI's documented
    estimate for the others; the result's ``method`` says which.

        import tokenmaxx
        request = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
        assert tokenmaxx.count_chat(request, model="gpt-oss-20b").method == "harmony"
        assert tokenmaxx.count_chat(request["messages"], model="gpt-4o").prompt_tokens == 15  # (3+1+3) + (3+1+1) + 3
    """
    return encoding_for_model(model).count_chat(messages)


def available_simd_backends() -> list[str]:
    """The SIMD backends this build carries and this CPU runs, ``"scalar"`` first, best last."""
    return _core_token.available_simd_backends()

__all__ = [
    "ChatCount",
    "HFTokenizer",
    "OPEN_MODEL_ENCODINGS",
    "available_simd_backends",
    "count_chat",
    "simd_backend",
    "Encoding",
    "VocabError",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
]
