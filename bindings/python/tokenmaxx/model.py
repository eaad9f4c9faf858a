"""Model name -> encoding, as tiktoken's ``tiktoken.model`` (the tables come from the C++ core)."""
from __future__ import annotations

from tokenmaxx._core import token as _token
from tokenmaxx.core import Encoding
from tokenmaxx.registry import OPEN_MODEL_ENCODINGS, get_encoding

_OPEN = set(OPEN_MODEL_ENCODINGS)
#: Exact model names, tiktoken's, from the C++ table ``model_to_encoding``.
MODEL_TO_ENCODING: dict[str, str] = {m: e for m, e in _token.model_to_encoding() if e not in _OPEN}
#: Model-name prefixes, tiktoken's, tried in order, from the C++ table ``model_prefix_to_encoding``.
MODEL_PREFIX_TO_ENCODING: dict[str, str] = {m: e for m, e in _token.model_prefix_to_encoding() if e not in _OPEN}
#: The open models' names (Llama, Mistral), after tiktoken's in the C++ tables.
OPEN_MODEL_TO_ENCODING: dict[str, str] = {m: e for m, e in _token.model_to_encoding() if e in _OPEN}
OPEN_MODEL_PREFIX_TO_ENCODING: dict[str, str] = {m: e for m, e in _token.model_prefix_to_encoding() if e in _OPEN}


def encoding_name_for_model(model_name: str) -> str:
    """The name of the encoding a model uses; ``KeyError`` if the model is not recognised.

    Exact names are looked up first, then prefixes in tiktoken's order (dated and fine-tuned
    variants such as ``gpt-4o-2024-05-13`` and ``ft:gpt-4o:org``).

        from tokenmaxx.model import encoding_name_for_model
        assert encoding_name_for_model("gpt-4o-2024-05-13") == "o200k_base"
    """
    for exact in (MODEL_TO_ENCODING, OPEN_MODEL_TO_ENCODING):
        if model_name in exact:
            return exact[model_name]
    for prefixes in (MODEL_PREFIX_TO_ENCODING, OPEN_MODEL_PREFIX_TO_ENCODING):
        for model_prefix, encoding_name in prefixes.items():
            if model_name.startswith(model_prefix):
                return encoding_name
    raise KeyError(
        f"Could not automatically map {model_name} to a tokeniser. "
        "Please use `tiktoken.get_encoding` to explicitly get the tokeniser you expect."
    ) from None


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses; ``KeyError`` if the model is not recognised."""
    return get_encoding(encoding_name_for_model(model_name))
