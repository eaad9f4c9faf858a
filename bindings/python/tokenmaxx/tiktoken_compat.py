"""A drop-in stand-in for the ``tiktoken`` package.

    import tokenmaxx.tiktoken_compat as tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    enc = tiktoken.encoding_for_model("gpt-4o")
    tiktoken.model.MODEL_TO_ENCODING["gpt-4"]
    tiktoken.registry.list_encoding_names()
    tiktoken.Encoding(name, pat_str=..., mergeable_ranks=..., special_tokens=...)

The submodules ``core``, ``registry``, ``model`` and ``load`` are tokenmaxx's own and are also
importable as ``tokenmaxx.tiktoken_compat.<name>``. For code that does ``import tiktoken`` itself,
call ``tokenmaxx.tiktoken_compat.install()`` first: it makes ``tiktoken`` (and its submodules)
resolve to this module in ``sys.modules``.
"""
from __future__ import annotations

import sys

from tokenmaxx import core, load, model, registry
from tokenmaxx.core import Encoding
from tokenmaxx.model import encoding_for_model, encoding_name_for_model
from tokenmaxx.registry import get_encoding, list_encoding_names

__all__ = [
    "Encoding",
    "core",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "install",
    "list_encoding_names",
    "load",
    "model",
    "registry",
]

_SUBMODULES = {"core": core, "registry": registry, "model": model, "load": load}
for _name, _module in _SUBMODULES.items():
    sys.modules.setdefault(f"{__name__}.{_name}", _module)


def install() -> None:
    """Makes ``import tiktoken`` (and ``tiktoken.core``, ``.registry``, ``.model``, ``.load``) load tokenmaxx.

    Affects this process only; an already imported real ``tiktoken`` is replaced for later imports.
    """
    this = sys.modules[__name__]
    sys.modules["tiktoken"] = this
    for name, module in _SUBMODULES.items():
        sys.modules[f"tiktoken.{name}"] = module
