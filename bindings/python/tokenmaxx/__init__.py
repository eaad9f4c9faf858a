"""tokenmaxx: exact, fast, tiktoken-compatible token counting, usage accounting and private
adoption metrics.

    import tokenmaxx

    enc = tokenmaxx.get_encoding("o200k_base")          # or tokenmaxx.encoding_for_model("gpt-4o")
    assert enc.encode("hello world") == [24912, 2375]   # the same ids as tiktoken
    assert enc.count("hello world") == 2                # no list is built
    assert enc.count_batch(["a b", "c"], num_threads=2) == [2, 1]  # native threads, GIL released

The package mirrors the native core's three parts: ``tokenmaxx.token`` (the tokenizer, whose
names are also here), ``tokenmaxx.usage`` (the usage ledger: lock-free counters per tenant and
model, snapshots, Prometheus and OTLP export) and ``tokenmaxx.privacy`` (adoption metrics per team
and workflow, never per person). ``tokenmaxx.tiktoken_compat`` can be imported in place of
``tiktoken``. The submodules other than the tokenizer are imported on first use, so
``import tokenmaxx`` loads only what counting needs.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tokenmaxx import _core, token
from tokenmaxx.token import (
    ChatCount,
    Encoding,
    VocabError,
    count_chat,
    encoding_for_model,
    encoding_name_for_model,
    get_encoding,
    list_encoding_names,
    simd_backend,
)

if TYPE_CHECKING:
    from tokenmaxx import ledger, privacy, report, tiktoken_compat, usage

__version__: str = _core.__version__  # include/tokenmaxx/base/version.hpp

_LAZY_SUBMODULES = ("ledger", "privacy", "report", "tiktoken_compat", "usage")

# Spelled out (not extended from token.__all__): type checkers read only a literal list.
__all__ = [
    "ChatCount",
    "Encoding",
    "VocabError",
    "count_chat",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "ledger",
    "list_encoding_names",
    "privacy",
    "report",
    "simd_backend",
    "tiktoken_compat",
    "token",
    "usage",
]


def __getattr__(name: str) -> Any:
    """Imports ``tokenmaxx.usage``, ``.ledger``, ``.privacy``, ``.report`` and ``.tiktoken_compat`` on first use."""
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
