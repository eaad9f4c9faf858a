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

from tokenmaxx.core import Encoding
from tokenmaxx.load import VocabError
from tokenmaxx.model import encoding_for_model, encoding_name_for_model
from tokenmaxx.registry import get_encoding, list_encoding_names

__all__ = [
    "Encoding",
    "VocabError",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
]
