"""A drop-in stand-in for the ``tiktoken`` package (tiktoken 0.14's public API).

    import tokenmaxx.tiktoken_compat as tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    assert tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
    assert tiktoken.model.MODEL_TO_ENCODING["gpt-4"] == "cl100k_base"
    assert "o200k_harmony" in tiktoken.registry.list_encoding_names()
    custom = tiktoken.Encoding("mine", pat_str=enc._pat_str, mergeable_ranks=enc._mergeable_ranks,
                               special_tokens={"<|endoftext|>": 100257, "<|im_start|>": 100264})
    assert custom.encode("<|im_start|>hi", allowed_special="all") == [100264, 6151]

The submodules ``core``, ``registry``, ``model`` and ``load`` are tokenmaxx's own modules of the
same names (``tokenmaxx.tiktoken_compat.core is tokenmaxx.core``); ``_educational`` is tiktoken's
teaching implementation of byte-pair encoding. Encodings of ``tiktoken_ext`` plugins are found as
tiktoken finds them.

For code that does ``import tiktoken`` itself, call ``install()`` first: ``tiktoken`` and its
submodules then resolve to this package, and ``tiktoken_ext.openai_public`` to tokenmaxx's built-in
constructors when tiktoken is not installed.

    import tokenmaxx.tiktoken_compat
    tokenmaxx.tiktoken_compat.install()

    import tiktoken
    import tiktoken._educational
    import tiktoken_ext.openai_public
    assert tiktoken.get_encoding("gpt2").encode("hello world") == [31373, 995]
"""
from __future__ import annotations

import importlib.util
import sys
import types

from tokenmaxx import core, load, model, registry
from tokenmaxx.core import Encoding
from tokenmaxx.model import encoding_for_model, encoding_name_for_model
from tokenmaxx.registry import get_encoding, list_encoding_names

#: The tiktoken release whose API this module provides (code that checks tiktoken's version reads it).
__version__ = "0.14.0"

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
    """Makes ``import tiktoken`` (and ``tiktoken.core``, ``.registry``, ``.model``, ``.load``,
    ``._educational``) load tokenmaxx, and ``import tiktoken_ext.openai_public`` work.

    Affects this process only; an already imported real ``tiktoken`` is replaced for later imports.
    A real ``tiktoken_ext.openai_public`` (installed with tiktoken) is left as it is: it builds its
    encodings through ``tiktoken.load``, which is then tokenmaxx's.
    """
    this = sys.modules[__name__]
    sys.modules["tiktoken"] = this
    for name, module in _SUBMODULES.items():
        sys.modules[f"tiktoken.{name}"] = module
    educational = sys.modules.get(f"{__name__}._educational")
    if educational is not None:
        sys.modules["tiktoken._educational"] = educational
    _install_openai_public()


def _install_openai_public() -> None:
    """Serves ``tiktoken_ext.openai_public`` from tokenmaxx when no installed one can be found."""
    if "tiktoken_ext.openai_public" in sys.modules:
        return
    try:
        if importlib.util.find_spec("tiktoken_ext.openai_public") is not None:
            return
    except ImportError:  # no tiktoken_ext namespace package at all
        pass
    from tokenmaxx import _openai_public

    namespace = sys.modules.get("tiktoken_ext")
    if namespace is None:
        namespace = types.ModuleType("tiktoken_ext", "tiktoken's plugin namespace (provided by tokenmaxx)")
        namespace.__path__ = []
        sys.modules["tiktoken_ext"] = namespace
    sys.modules["tiktoken_ext.openai_public"] = _openai_public
    namespace.openai_public = _openai_public  # type: ignore[attr-defined]
