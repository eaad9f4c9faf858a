"""``Encoding``: tiktoken's Encoding API over the native tokenmaxx core, plus counting.

Every method behaves as tiktoken 0.14's does (same ids, same exceptions and messages for
disallowed special tokens, lone surrogates rewritten the same way); the work happens in C++ with
the GIL released, and the ``*_batch`` methods use a native thread pool.
"""
from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, AbstractSet, Any, Collection, Literal, Mapping, NamedTuple, NoReturn, Sequence, Union

from tokenmaxx._core import token as _token

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_Specials = Union[Literal["all"], Collection[str]]
_ChatRequest = Union[Sequence[Mapping[str, Any]], Mapping[str, Any]]


class ChatCount(NamedTuple):
    """The prompt tokens of a chat request, how many messages it had, and how they were counted:
    ``"harmony"`` (exact, gpt-oss) or ``"openai-cookbook-estimate"`` (OpenAI's documented estimate)."""

    prompt_tokens: int
    messages: int
    method: str


def _chat_request_json(request: _ChatRequest) -> str:
    if isinstance(request, Mapping):
        return json.dumps(request, ensure_ascii=False)
    return json.dumps({"messages": list(request)}, ensure_ascii=False)


class Encoding:
    """A tokenizer: tiktoken's ``Encoding`` with the same constructor and methods."""

    _vocab: _token.Vocabulary  # set for built-in encodings (their ranks are materialised lazily)

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ):
        """Creates an encoding from a rank table, as tiktoken's constructor does.

        ``pat_str`` is any pattern tiktoken accepts: a pattern that a hand-written scanner
        implements (OpenAI's, Llama 3's, Tekken's) uses it, any other is compiled with PCRE2 with
        tiktoken's semantics; one that does not compile raises ``ValueError`` naming the problem.
        """
        self.name = name
        self._pat_str = pat_str
        self._mergeable_ranks = mergeable_ranks
        self._special_tokens = special_tokens
        self.max_token_value = max(max(mergeable_ranks.values()), max(special_tokens.values(), default=0))
        if explicit_n_vocab:
            assert len(mergeable_ranks) + len(special_tokens) == explicit_n_vocab
            assert self.max_token_value == explicit_n_vocab - 1
        vocab = _token.Vocabulary.from_ranks(mergeable_ranks, f"mergeable_ranks of {name}")
        self._core = _token.CoreEncoding.from_pattern(name, pat_str, vocab, list(special_tokens.items()))
        self._special_token_values = set(special_tokens.values())

    @classmethod
    def _from_core(cls, core: _token.CoreEncoding, vocab: _token.Vocabulary) -> Encoding:
        self = cls.__new__(cls)
        self._vocab = vocab
        self.name = core.name
        self._pat_str = core.pattern
        self._special_tokens = dict(core.special_tokens)
        self.max_token_value = core.max_token_value
        self._core = core
        self._special_token_values = set(self._special_tokens.values())
        return self

    @functools.cached_property
    def _mergeable_ranks(self) -> dict[bytes, int]:  # built on first use for built-in encodings
        return self._vocab.to_dict()

    def __repr__(self) -> str:
        """``<Encoding 'name'>``, as tiktoken."""
        return f"<Encoding {self.name!r}>"

    # ====================
    # Encoding
    # ====================

    def encode_ordinary(self, text: str) -> list[int]:
        """Encodes a string into tokens, ignoring special tokens (special-token text is plain text)."""
        return self._core.encode_ordinary(text)

    def _resolve_specials(
        self,
        allowed_special: Literal["all"] | AbstractSet[str],
        disallowed_special: Literal["all"] | Collection[str],
    ) -> tuple[_Specials, _Specials, frozenset[str] | None]:
        """(allowed for the core, disallowed for the core, extra strings to check in Python).

        tiktoken rejects any text matching a disallowed string, even one that is not a special
        token; the core only knows special tokens, so such strings are checked here, exactly as
        tiktoken does (a regex search over the text).
        """
        if allowed_special == "all":
            allowed_special = self.special_tokens_set
        if disallowed_special == "all":
            # Everything not allowed: the core derives that set itself, so it is not built per call.
            if type(allowed_special) not in (set, frozenset):
                self.special_tokens_set - allowed_special  # tiktoken's TypeError, if any
            return allowed_special, "all", None
        if not disallowed_special:
            return allowed_special, (), None
        if not isinstance(disallowed_special, frozenset):
            disallowed_special = frozenset(disallowed_special)
        if disallowed_special <= self.special_tokens_set:
            return allowed_special, disallowed_special, None
        return allowed_special, (), disallowed_special

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encodes a string into tokens, as tiktoken does.

        Text matching a special token raises ``ValueError`` unless the token is in
        ``allowed_special`` (then it becomes its id) or left out of ``disallowed_special`` (then it
        is plain text). ``allowed_special="all"`` allows every special token;
        ``disallowed_special=()`` disables the check.
        """
        allowed, disallowed, python_check = self._resolve_specials(allowed_special, disallowed_special)
        if not isinstance(text, str):
            self._search_like_tiktoken(text, allowed, disallowed)
        if python_check is not None:
            _check_disallowed(text, python_check)
        return self._core.encode(text, allowed, disallowed)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> npt.NDArray[np.uint32]:
        """Encodes a string into tokens, returning a numpy uint32 array (needs numpy).

        Unlike ``encode``, text with surrogate code points raises ``UnicodeEncodeError``, as in
        tiktoken.
        """
        import numpy as np

        allowed, disallowed, python_check = self._resolve_specials(allowed_special, disallowed_special)
        if not isinstance(text, str):
            self._search_like_tiktoken(text, allowed, disallowed)
        if python_check is not None:
            _check_disallowed(text, python_check)
        try:
            data = self._core.encode_to_uint32_bytes(text, allowed, disallowed)
        except UnicodeEncodeError:
            self._check_disallowed_before_unicode_error(text, allowed, disallowed)
            raise
        return np.frombuffer(data, dtype=np.uint32)

    def encode_ordinary_batch(self, text: Sequence[str], *, num_threads: int = 8) -> list[list[int]]:
        """Encodes a list of strings, ignoring special tokens, on up to ``num_threads`` native threads."""
        return self._core.encode_ordinary_batch(text, num_threads)

    def encode_batch(
        self,
        text: Sequence[str],
        *,
        num_threads: int = 8,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[list[int]]:
        """Encodes a list of strings on up to ``num_threads`` native threads; see ``encode``."""
        allowed, disallowed, python_check = self._resolve_specials(allowed_special, disallowed_special)
        if python_check is not None:
            text = list(text)
            for t in text:
                _check_disallowed(t, python_check)
        return self._core.encode_batch(text, allowed, disallowed, num_threads)

    def encode_with_unstable(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> tuple[list[int], list[list[int]]]:
        """Encodes a string into stable tokens and possible completion sequences, as tiktoken does.

        The stable tokens cover a prefix of ``text`` that no continuation changes; each completion
        is a token sequence that may follow them once more text arrives. Special tokens are
        handled as in ``encode``; text with surrogate code points raises ``UnicodeEncodeError``.
        Completions come in sorted order (tiktoken's order is arbitrary).
        """
        allowed, disallowed, python_check = self._resolve_specials(allowed_special, disallowed_special)
        if not isinstance(text, str):
            self._search_like_tiktoken(text, allowed, disallowed)
        if python_check is not None:
            _check_disallowed(text, python_check)
        try:
            return self._core.encode_with_unstable(text, allowed, disallowed)
        except UnicodeEncodeError:
            self._check_disallowed_before_unicode_error(text, allowed, disallowed)
            raise

    def _search_like_tiktoken(self, text: object, allowed: _Specials, disallowed: _Specials) -> None:
        """tiktoken searches the text for disallowed special tokens before its core sees it, so
        text that is not a str fails in that search, with the message of the ``regex`` package
        when it is installed (else of ``re``); do the same search."""
        if disallowed == "all":
            disallowed = self.special_tokens_set - set(allowed)
        if disallowed:
            try:
                import regex as engine  # type: ignore[import-untyped]
            except ImportError:
                engine = re
            inner = "|".join(engine.escape(token) for token in sorted(disallowed))
            engine.compile(f"({inner})").search(text)

    def _check_disallowed_before_unicode_error(self, text: str, allowed: _Specials, disallowed: _Specials) -> None:
        """tiktoken looks for disallowed special tokens before it converts the text to UTF-8: when
        the core failed on surrogates, report a disallowed special token first, as tiktoken would."""
        if disallowed == "all":
            disallowed = self.special_tokens_set - set(allowed)
        if disallowed:
            _check_disallowed(text, frozenset(disallowed))

    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of text that is exactly one token (special tokens included); ``KeyError`` otherwise."""
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core.encode_single_token(text_or_bytes)

    # ====================
    # Counting (tokenmaxx)
    # ====================

    def count(self, text: str) -> int:
        """``len(encode_ordinary(text))``, computed without building the list."""
        return self._core.count(text)

    def count_batch(self, text: Sequence[str], *, num_threads: int = 8) -> list[int]:
        """``count`` of every string, on up to ``num_threads`` native threads."""
        return self._core.count_batch(text, num_threads)

    def count_until(self, text: str, limit: int) -> int:
        """``count(text)`` if it is at most ``limit``, else ``limit + 1`` (scanning stops early)."""
        if limit < 0:
            raise ValueError("limit must be non-negative")
        return self._core.count_until(text, limit)

    def count_chat(self, messages: _ChatRequest) -> ChatCount:
        """The prompt tokens of an OpenAI-style chat request (its ``messages`` list, or the request
        dict) for a model of this encoding. For ``o200k_harmony`` (gpt-oss) this is the harmony
        rendering, exactly as ``openai-harmony`` renders the conversation before the assistant's
        turn; for every other encoding it is OpenAI's documented estimate (every string field
        encoded, 3 tokens per message, 1 per name, 3 to prime the reply). ``ValueError`` for
        anything but text content (images, tool calls), naming the message.

            import tokenmaxx
            hello = [{"role": "user", "content": "Hello there"}]
            assert tokenmaxx.get_encoding("o200k_harmony").count_chat(hello) == (8, 1, "harmony")
            assert tokenmaxx.get_encoding("o200k_base").count_chat(hello).method == "openai-cookbook-estimate"
        """
        return ChatCount(*self._core.count_chat_json(_chat_request_json(messages)))

    def render_harmony(self, messages: _ChatRequest) -> list[int]:
        """The harmony token ids of a chat request followed by ``<|start|>assistant``: what
        ``count_chat`` counts for gpt-oss models. Needs the harmony special tokens (o200k_harmony).

            import tokenmaxx
            enc = tokenmaxx.get_encoding("o200k_harmony")
            ids = enc.render_harmony([{"role": "user", "content": "Hello there"}])
            assert enc.decode(ids) == "<|start|>user<|message|>Hello there<|end|><|start|>assistant"
        """
        return self._core.render_harmony_json(_chat_request_json(messages))

    # ====================
    # Decoding
    # ====================

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """Decodes a list of tokens into bytes (``KeyError`` for an unknown id)."""
        return self._core.decode_bytes(tokens)

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """Decodes a list of tokens into a string (invalid UTF-8 handled per ``errors``)."""
        return self._core.decode_bytes(tokens).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        """The bytes of one token, special tokens included (``KeyError`` for an unknown id)."""
        return self._core.decode_single_token_bytes(token)

    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]:
        """The bytes of each token."""
        return self._core.decode_tokens_bytes(tokens)

    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]:
        """The text and, for each token, the index of the first character it contributes to.

        When a token starts inside a multi-byte character, its offset is that character's index.
        Raises ``UnicodeDecodeError`` if the tokens do not decode to valid UTF-8 (as tiktoken).
        """
        token_bytes = self._core.decode_tokens_bytes(tokens)
        text_len = 0
        offsets = []
        for token in token_bytes:
            # A token that starts with a continuation byte belongs to the previous character.
            offsets.append(max(0, text_len - (0x80 <= token[0] < 0xC0)))
            text_len += sum(1 for c in token if not 0x80 <= c < 0xC0)
        text = b"".join(token_bytes).decode("utf-8", errors="strict")
        return text, offsets

    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8
    ) -> list[str]:
        """Decodes a batch of token lists into strings."""
        return [b.decode("utf-8", errors=errors) for b in self._core.decode_bytes_batch(batch, num_threads)]

    def decode_bytes_batch(self, batch: Sequence[Sequence[int]], *, num_threads: int = 8) -> list[bytes]:
        """Decodes a batch of token lists into bytes."""
        return self._core.decode_bytes_batch(batch, num_threads)

    # ====================
    # Miscellaneous
    # ====================

    def token_byte_values(self) -> list[bytes]:
        """The bytes of every mergeable token, sorted."""
        return self._core.token_byte_values()

    @property
    def eot_token(self) -> int:
        """The id of ``<|endoftext|>`` (``KeyError`` for an encoding without it)."""
        return self._special_tokens["<|endoftext|>"]

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        """The text of every special token."""
        return set(self._special_tokens.keys())

    def is_special_token(self, token: int) -> bool:
        """Whether ``token`` is the id of a special token."""
        assert isinstance(token, int)
        return token in self._special_token_values

    @property
    def n_vocab(self) -> int:
        """``max_token_value + 1``."""
        return self.max_token_value + 1

    # ====================
    # Private (as in tiktoken)
    # ====================

    def _encode_single_piece(self, text_or_bytes: str | bytes) -> list[int]:
        """Byte-pair encodes the bytes as one piece, without splitting (no special tokens)."""
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core.encode_single_piece(text_or_bytes)

    def _encode_bytes(self, text: bytes) -> list[int]:
        """Encodes bytes that may end in invalid UTF-8 (tiktoken's private helper, same result)."""
        return self._core.encode_bytes(text)

    def _encode_only_native_bpe(self, text: str) -> list[int]:
        """Splits with the ``regex`` package and ``_pat_str``, then merges natively (a reference path)."""
        import regex

        ret = []
        for piece in regex.findall(regex.compile(self._pat_str), text):
            ret.extend(self._core.encode_single_piece(piece.encode("utf-8")))
        return ret

    def __getstate__(self) -> object:
        """A built-in encoding pickles as its name; a custom one as its constructor arguments."""
        from tokenmaxx import registry

        # Built-in encodings pickle by name.
        if self is registry.ENCODINGS.get(self.name):
            return self.name
        return {
            "name": self.name,
            "pat_str": self._pat_str,
            "mergeable_ranks": self._mergeable_ranks,
            "special_tokens": self._special_tokens,
        }

    def __setstate__(self, value: object) -> None:
        """Restores a pickled encoding (a built-in one is the shared instance's state)."""
        from tokenmaxx import registry

        if isinstance(value, str):
            self.__dict__ = registry.get_encoding(value).__dict__
            return
        state: dict[str, Any] = value  # type: ignore[assignment]
        self.__init__(**state)  # type: ignore[misc]


@functools.lru_cache(maxsize=128)
def _special_token_regex(tokens: frozenset[str]) -> re.Pattern[str]:
    inner = "|".join(re.escape(token) for token in tokens)
    return re.compile(f"({inner})")


def _check_disallowed(text: str, disallowed: frozenset[str]) -> None:
    if match := _special_token_regex(disallowed).search(text):
        raise_disallowed_special_token(match.group())


def raise_disallowed_special_token(token: str) -> NoReturn:
    """Raises tiktoken's ValueError for a disallowed special token (the text comes from the core)."""
    raise ValueError(_token.disallowed_special_message(token))
