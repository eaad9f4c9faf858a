"""tokenmaxx: exact, fast, tiktoken-compatible token counting.

    import tokenmaxx

    enc = tokenmaxx.get_encoding("o200k_base")        # or tokenmaxx.encoding_for_model("gpt-4o")
    enc.encode("hello world")                         # the same ids as tiktoken
    enc.count("hello world")                          # no list is built
    enc.count_batch(texts, num_threads=8)             # native threads, GIL released

``tokenmaxx.tiktoken_compat`` can be imported in place of ``tiktoken``; ``tokenmaxx.usage`` holds the
usage ledger (lock-free counters per tenant and model, snapshots, Prometheus and OTLP export) and
``tokenmaxx.privacy`` the adoption metrics (per team and workflow, never per person).
"""
from __future__ import annotations

from tokenmaxx import _core, ledger, privacy, usage
from tokenmaxx.core import Encoding
from tokenmaxx.load import VocabError
from tokenmaxx.model import encoding_for_model, encoding_name_for_model
from tokenmaxx.registry import get_encoding, list_encoding_names

__version__: str = _core.__version__  # include/tokenmaxx/base/version.hpp

__all__ = [
    "Encoding",
    "VocabError",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "ledger",
    "list_encoding_names",
    "privacy",
    "usage",
]
