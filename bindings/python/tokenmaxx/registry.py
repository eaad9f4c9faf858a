"""The built-in encodings, loaded once per process (tiktoken's ``tiktoken.registry``)."""
from __future__ import annotations

import threading

from tokenmaxx._core import token as _token
from tokenmaxx.core import Encoding
from tokenmaxx.load import load_vocabulary

_lock = threading.RLock()
#: Encodings loaded so far, by name (as tiktoken's ``registry.ENCODINGS``).
ENCODINGS: dict[str, Encoding] = {}
#: name -> (rank file, pretokenizer family), from the C++ table ``kBuiltinEncodings``.
_BUILTIN: dict[str, tuple[str, str]] = {name: (vocab_file, family) for name, vocab_file, family in _token.builtin_encodings()}


def get_encoding(encoding_name: str) -> Encoding:
    """The built-in encoding ``encoding_name``, created once and shared (thread-safe)."""
    if not isinstance(encoding_name, str):
        raise ValueError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    enc = ENCODINGS.get(encoding_name)
    if enc is not None:
        return enc
    with _lock:
        enc = ENCODINGS.get(encoding_name)
        if enc is not None:
            return enc
        if encoding_name not in _BUILTIN:
            raise ValueError(
                f"Unknown encoding {encoding_name}.\nKnown encodings: {', '.join(_BUILTIN)}"
            )
        vocab_file, family = _BUILTIN[encoding_name]
        vocab = load_vocabulary(vocab_file)
        core = _token.CoreEncoding(encoding_name, family, vocab, _token.builtin_special_tokens(encoding_name))
        enc = ENCODINGS[encoding_name] = Encoding._from_core(core, vocab)
        return enc


def list_encoding_names() -> list[str]:
    """The names of the built-in encodings."""
    return list(_BUILTIN)
