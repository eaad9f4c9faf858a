"""Byte-pair encoding in plain Python, for learning how it works: tiktoken's ``tiktoken._educational``.

The same functions and results as tiktoken's module: ``bpe_train`` learns ranks from text,
``bpe_encode`` merges one piece by them (the lowest-ranked adjacent pair first, the leftmost on a
tie), ``SimpleBytePairEncoding`` ties the two to a split pattern, and ``visualise_tokens`` prints
tokens on coloured backgrounds. Needs the ``regex`` package (for ``\\p{L}`` in the patterns).

    from tokenmaxx.tiktoken_compat._educational import SimpleBytePairEncoding, bpe_train

    enc = SimpleBytePairEncoding.from_tiktoken("cl100k_base")
    tokens = enc.encode("hello world", visualise=None)
    assert tokens == [15339, 1917] and enc.decode(tokens) == "hello world"
    ranks = bpe_train("low lower lowest " * 50, vocab_size=262, pat_str=enc.pat_str, visualise=None)
    small = SimpleBytePairEncoding(pat_str=enc.pat_str, mergeable_ranks=ranks)
    assert small.decode_tokens_bytes(small.encode(" lowest", visualise=None)) == [b" lowes", b"t"]
"""
from __future__ import annotations

import collections
import os
from typing import Any

_GPT2_RELEASE_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_BACKGROUNDS = [f"\u001b[48;5;{i}m" for i in [167, 179, 185, 77, 80, 68, 134]]


def _regex() -> Any:
    import regex  # type: ignore[import-untyped]

    return regex


class SimpleBytePairEncoding:
    """A tokenizer from a split pattern and merge ranks, encoding with ``bpe_encode``."""

    def __init__(self, *, pat_str: str, mergeable_ranks: dict[bytes, int]) -> None:
        """Creates the encoding: ``pat_str`` splits text into pieces, ``mergeable_ranks`` maps
        token bytes to ranks (a lower rank merges first)."""
        self.pat_str = pat_str
        self.mergeable_ranks = mergeable_ranks
        self._decoder = {rank: token for token, rank in mergeable_ranks.items()}
        self._pat = _regex().compile(pat_str)

    def encode(self, text: str, visualise: str | None = "colour") -> list[int]:
        """The tokens of ``text``: each piece of the split is merged on its own.

        ``visualise`` (``"colour"``, ``"color"``, ``"simple"`` or None) prints every merge step.
        """
        tokens: list[int] = []
        for piece in self._pat.findall(text):
            tokens.extend(bpe_encode(self.mergeable_ranks, piece.encode("utf-8"), visualise=visualise))
        return tokens

    def decode_bytes(self, tokens: list[int]) -> bytes:
        """The bytes of a token sequence (``KeyError`` for an unknown token)."""
        return b"".join(self._decoder[token] for token in tokens)

    def decode(self, tokens: list[int]) -> str:
        """The text of a token sequence; bytes that are not valid UTF-8 become U+FFFD."""
        return self.decode_bytes(tokens).decode("utf-8", errors="replace")

    def decode_tokens_bytes(self, tokens: list[int]) -> list[bytes]:
        """The bytes of each token, to see where the token boundaries fall."""
        return [self._decoder[token] for token in tokens]

    @staticmethod
    def train(training_data: str, vocab_size: int, pat_str: str) -> SimpleBytePairEncoding:
        """An encoding whose ranks ``bpe_train`` learned from ``training_data`` (printing each merge)."""
        ranks = bpe_train(data=training_data, vocab_size=vocab_size, pat_str=pat_str)
        return SimpleBytePairEncoding(pat_str=pat_str, mergeable_ranks=ranks)

    @staticmethod
    def from_tiktoken(encoding: Any) -> SimpleBytePairEncoding:
        """The pattern and ranks of an encoding, or of the encoding with that name."""
        if isinstance(encoding, str):
            from tokenmaxx.registry import get_encoding

            encoding = get_encoding(encoding)
        return SimpleBytePairEncoding(pat_str=encoding._pat_str, mergeable_ranks=encoding._mergeable_ranks)


def bpe_encode(mergeable_ranks: dict[bytes, int], input: bytes, visualise: str | None = "colour") -> list[int]:  # noqa: A002 (tiktoken's name)
    """Merges the bytes of one piece: repeatedly join the adjacent pair whose concatenation has the
    lowest rank (the leftmost such pair on a tie) until no pair is in ``mergeable_ranks``."""
    parts = [bytes([b]) for b in input]
    while True:
        _show(parts, visualise)
        best: tuple[int, int] | None = None  # (rank, index)
        for i in range(len(parts) - 1):
            rank = mergeable_ranks.get(parts[i] + parts[i + 1])
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, i)
        if best is None:
            break
        i = best[1]
        parts[i : i + 2] = [parts[i] + parts[i + 1]]
    if visualise:
        print()
    return [mergeable_ranks[part] for part in parts]


def _show(parts: list[bytes], visualise: str | None) -> None:
    if visualise in ("colour", "color"):
        visualise_tokens(parts)
    elif visualise == "simple":
        print(parts)


def bpe_train(data: str, vocab_size: int, pat_str: str, visualise: str | None = "colour") -> dict[bytes, int]:
    """Learns merge ranks from ``data``: the 256 single bytes first, then, until ``vocab_size``
    tokens exist, the most frequent adjacent pair within the pieces of ``pat_str`` (the first seen
    on a tie) becomes the next token. ``ValueError`` if ``vocab_size`` is below 256."""
    if vocab_size < 2**8:
        raise ValueError("vocab_size must be at least 256, so we can encode all bytes")
    ranks = {bytes([b]): b for b in range(2**8)}
    words = [[bytes([b]) for b in piece.encode("utf-8")] for piece in _regex().findall(pat_str, data)]
    while len(ranks) < vocab_size:
        pair_counts: collections.Counter[tuple[bytes, bytes]] = collections.Counter()
        for word in words:
            pair_counts.update(zip(word[:-1], word[1:]))
        # max() keeps the first of equal counts, and a Counter iterates in first-seen order.
        pair = max(pair_counts, key=lambda p: pair_counts[p])
        token = pair[0] + pair[1]
        ranks[token] = len(ranks)
        words = [_merge_pair(word, pair, token) for word in words]
        if visualise:
            print(f"The current most common pair is {pair[0]!r} + {pair[1]!r}")
            print(f"So we made {token!r} our {len(ranks)}th token")
            if visualise in ("colour", "color"):
                print("Now the first fifty words in our training data look like:")
                visualise_tokens([t for word in words[:50] for t in word])
            elif visualise == "simple":
                print("Now the first twenty words in our training data look like:")
                for word in words[:20]:
                    print(word)
            print("\n")
    return ranks


def _merge_pair(word: list[bytes], pair: tuple[bytes, bytes], token: bytes) -> list[bytes]:
    """``word`` with every non-overlapping occurrence of ``pair``, left to right, joined into ``token``."""
    out: list[bytes] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(token)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def visualise_tokens(token_values: list[bytes]) -> None:
    """Prints the tokens side by side on alternating background colours (partial characters as U+FFFD)."""
    running_length = 0
    last_colour = None
    for text in (value.decode("utf-8", errors="replace") for value in token_values):
        colour = _BACKGROUNDS[running_length % len(_BACKGROUNDS)]
        if colour == last_colour:
            colour = _BACKGROUNDS[(running_length + 1) % len(_BACKGROUNDS)]
        last_colour = colour
        running_length += len(text)
        print(colour + text, end="")
    print("\u001b[0m")


def train_simple_encoding() -> SimpleBytePairEncoding:
    """Trains a 600-token encoding on this module's own source with GPT-2's original pattern and
    shows the merges that encode ``"hello world"``."""
    with open(os.path.abspath(__file__), encoding="utf-8") as f:
        data = f.read()
    enc = SimpleBytePairEncoding.train(data, vocab_size=600, pat_str=_GPT2_RELEASE_PATTERN)
    print("This is the sequence of merges performed in order to encode 'hello world':")
    tokens = enc.encode("hello world")
    assert enc.decode(tokens) == "hello world"
    assert enc.decode_bytes(tokens) == b"hello world"
    assert enc.decode_tokens_bytes(tokens) == [b"hello", b" world"]
    return enc
