"""Model name -> encoding, as tiktoken's ``tiktoken.model`` (the tables come from the C++ core)."""
from __future__ import annotations

from tokenmaxx._core import token as _token
from tokenmaxx.core import Encoding
from tokenmaxx.registry import get_encoding

#: Exact model names, from the C++ table ``model_to_encoding``.
MODEL_TO_ENCODING: dict[str, str] = dict(_token.model_to_encoding())
#: Model-name prefixes, tried in order, from the C++ table ``model_prefix_to_encoding``.
MODEL_PREFIX_TO_ENCODING: dict[str, str] = dict(_token.model_prefix_to_encoding())


def encoding_name_for_model(model_name: str) -> str:
    """The name of the encoding a model uses; ``KeyError`` if the model is not recognised.

    Exact names are looked up first, then prefixes in tiktoken's order (dated and fine-tuned
    variants such as ``gpt-4o-2024-05-13`` and ``ft:gpt-4o:org``).

        from tokenmaxx.model import encoding_name_for_model
        assert encoding_name_for_model("gpt-4o-2024-05-13") == "o200k_base"
    """
    if model_name in MODEL_TO_ENCODING:
        return MODEL_TO_ENCODING[model_name]
    for model_prefix, encoding_name in MODEL_PREFIX_TO_ENCODING.items():
        if model_name.startswith(model_prefix):
            return encoding_name
    raise KeyError(
        f"Could not automatically map {model_name} to a tokeniser. "
        "Please use `tiktoken.get_encoding` to explicitly get the tokeniser you expect."
    ) from None


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses; ``KeyError`` if the model is not recognised."""
    return get_encoding(encoding_name_for_model(model_name))
