"""Encodings by name, loaded once per process: tiktoken's ``tiktoken.registry``.

The built-in encodings are served natively. Other names come from tiktoken plugins, exactly as
tiktoken finds them: every module of the ``tiktoken_ext`` namespace package that defines
``ENCODING_CONSTRUCTORS`` (a dict mapping names to functions that return ``Encoding`` keyword
arguments). tiktoken's own plugin, ``tiktoken_ext.openai_public``, defines the built-in names and
is served by an equivalent built from the C++ core's tables (``tokenmaxx._openai_public``), never imported.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Sequence

from tokenmaxx import _openai_public
from tokenmaxx._core import token as _token
from tokenmaxx.core import Encoding
from tokenmaxx.load import load_vocabulary

_lock = threading.RLock()
#: Encodings created so far, by name (as tiktoken's ``registry.ENCODINGS``).
ENCODINGS: dict[str, Encoding] = {}
#: Every known name -> constructor, filled on first need from the plugins (as in tiktoken, None before).
ENCODING_CONSTRUCTORS: dict[str, Callable[[], dict[str, Any]]] | None = None
#: name -> (rank file, pretokenizer family), from the C++ table ``builtin_encodings``.
_BUILTIN: dict[str, tuple[str, str]] = {name: (vocab_file, family) for name, vocab_file, family in _token.builtin_encodings()}
_OWN_PLUGIN = "tiktoken_ext.openai_public"
#: The open-model encodings (not tiktoken's; ``list_encoding_names`` stays tiktoken's list):
#: llama3, llama4, tekken. Their rank files come from the vendor's package (``tokenmaxx.load``).
OPEN_MODEL_ENCODINGS: tuple[str, ...] = tuple(n for n in _BUILTIN if n not in _openai_public.ENCODING_CONSTRUCTORS)


@functools.lru_cache
def _available_plugin_modules() -> Sequence[str]:
    """The modules of the ``tiktoken_ext`` namespace package (none when it is not installed)."""
    import importlib
    import pkgutil

    try:
        tiktoken_ext = importlib.import_module("tiktoken_ext")
    except ImportError:
        return [_OWN_PLUGIN]
    mods = [name for _, name, _ in pkgutil.iter_modules(tiktoken_ext.__path__, tiktoken_ext.__name__ + ".")]
    return mods if _OWN_PLUGIN in mods else [_OWN_PLUGIN, *mods]


def _find_constructors() -> None:
    """Fills ``ENCODING_CONSTRUCTORS`` from the plugins; ``ValueError`` on a plugin without the
    table or a name defined twice (then it stays None, so the next call raises again)."""
    import importlib

    global ENCODING_CONSTRUCTORS
    with _lock:
        if ENCODING_CONSTRUCTORS is not None:
            return
        constructors: dict[str, Callable[[], dict[str, Any]]] = {}
        for mod_name in _available_plugin_modules():
            mod = _openai_public if mod_name == _OWN_PLUGIN else importlib.import_module(mod_name)
            try:
                table = mod.ENCODING_CONSTRUCTORS
            except AttributeError as e:
                raise ValueError(f"tiktoken plugin {mod_name} does not define ENCODING_CONSTRUCTORS") from e
            for enc_name, constructor in table.items():
                if enc_name in constructors:
                    raise ValueError(f"Duplicate encoding name {enc_name} in tiktoken plugin {mod_name}")
                constructors[enc_name] = constructor
        ENCODING_CONSTRUCTORS = constructors


def _builtin(encoding_name: str) -> Encoding:
    vocab_file, family = _BUILTIN[encoding_name]
    vocab = load_vocabulary(vocab_file)
    core = _token.CoreEncoding(encoding_name, family, vocab, _token.builtin_special_tokens(encoding_name))
    return Encoding._from_core(core, vocab)


def get_encoding(encoding_name: str) -> Encoding:
    """The encoding ``encoding_name``, created once and shared (thread-safe).

    Raises ``ValueError`` for a name that is neither built in (tiktoken's names and
    ``OPEN_MODEL_ENCODINGS``) nor defined by a ``tiktoken_ext`` plugin, and ``VocabError`` when a
    rank file cannot be found (see ``tokenmaxx.load``; for llama3/llama4 install ``llama-models``,
    for tekken ``mistral-common``).

        import tokenmaxx
        enc = tokenmaxx.get_encoding("cl100k_base")
        assert enc.encode("hello world") == [15339, 1917]
    """
    if not isinstance(encoding_name, str):
        raise ValueError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    enc = ENCODINGS.get(encoding_name)
    if enc is not None:
        return enc
    with _lock:
        enc = ENCODINGS.get(encoding_name)
        if enc is not None:
            return enc
        constructors = ENCODING_CONSTRUCTORS
        builtin = _openai_public.ENCODING_CONSTRUCTORS.get(encoding_name)
        if builtin is not None and (constructors is None or constructors.get(encoding_name) is builtin):
            enc = _builtin(encoding_name)  # no plugin needs importing for a built-in name
        elif encoding_name in OPEN_MODEL_ENCODINGS and (constructors is None or encoding_name not in constructors):
            enc = _builtin(encoding_name)
        else:
            if constructors is None:
                _find_constructors()
                constructors = ENCODING_CONSTRUCTORS
                assert constructors is not None
            if encoding_name not in constructors:
                raise ValueError(
                    f"Unknown encoding {encoding_name}.\nKnown encodings: {', '.join(constructors)}\n"
                    f"Plugins found: {_available_plugin_modules()}"
                )
            constructor = constructors[encoding_name]
            enc = _builtin(encoding_name) if constructor is builtin else Encoding(**constructor())
        ENCODINGS[encoding_name] = enc
        return enc


def list_encoding_names() -> list[str]:
    """The names of every available encoding: the built-in ones, then those of plugins."""
    with _lock:
        if ENCODING_CONSTRUCTORS is None:
            _find_constructors()
            assert ENCODING_CONSTRUCTORS is not None
        return list(ENCODING_CONSTRUCTORS)
