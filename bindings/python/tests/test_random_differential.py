"""Random differential test of the pretokenizers against tiktoken's regexes.

Corpus parity covers real text; this covers the corners a scanner edit is most likely to break:
short random strings drawn from characters at the edges of the regex classes (whitespace that is
and is not \\s, letters of every case category, combining marks, digits of several scripts,
contraction letters including the long s, emoji and joiners, unassigned and private-use code
points, special-token fragments). Seeded, so a failure reproduces.
"""
from __future__ import annotations

import random

import pytest

import tokenmaxx

ENCODINGS = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base", "o200k_harmony"]

AWKWARD = [
    # whitespace: ASCII, Unicode \s, and look-alikes that are not \s
    " ", " ", "  ", "\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\u00a0", "\u0085",
    "\u2028", "\u3000", "\u200b", "\u180e", "\ufeff",
    # letters: Lu, Ll, Lt, Lm, Lo, case edge cases
    "a", "z", "A", "Z", "ß", "İ", "ı", "ǅ", "ǈ", "ʰ", "ᴬ", "\u0640", "中", "あ", "\u0e01", "ﬀ", "\u1e9e",
    # marks (Mn, Mc, Me) and the Greek ypogegrammeni (Mn, but Lowercase)
    "\u0301", "\u0903", "\u20dd", "\u0345", "\u0e31",
    # numbers: Nd in several scripts, Nl, No
    "0", "1", "7", "٣", "߂", "Ⅻ", "\u3007", "½", "²",
    # contraction pieces, including the long s and the Kelvin sign (case folding)
    "'", "’", "s", "S", "ſ", "t", "T", "re", "RE", "ve", "ll", "LL", "m", "d", "D", "K", "\u212a",
    # punctuation and symbols
    "/", "!", ".", ",", "-", "_", "$", "+", "<", ">", "|", "^", "`", "@",
    # emoji, joiners, modifiers, astral, unassigned, private use, controls
    "😀", "\u200d", "\U0001f3fb", "\U0001f1e9\U0001f1ea", "\U00010000", "\U000e0001", "\u0378",
    "\ue000", "\x00", "\x7f", "\u00ad",
    # special-token text and fragments
    "<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "<|start|>", "<|reserved_200010|>", "<|", "|>",
]


def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(AWKWARD) for _ in range(rng.randint(1, 24))) for _ in range(count)]


@pytest.mark.parametrize("name", ENCODINGS)
def test_random_awkward_strings_match_tiktoken(name, tiktoken):
    ours, theirs = tokenmaxx.get_encoding(name), tiktoken.get_encoding(name)
    texts = random_texts(seed=sum(map(ord, name)), count=2000)
    mismatches = []
    for text in texts:
        expected = theirs.encode_ordinary(text)
        if ours.encode_ordinary(text) != expected:
            mismatches.append(("encode_ordinary", text))
        if ours.count(text) != len(expected):
            mismatches.append(("count", text))
        if ours.encode(text, allowed_special="all") != theirs.encode(text, allowed_special="all"):
            mismatches.append(("encode(all)", text))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]!r}"


def _unstable(enc, text: str, **kwargs) -> tuple:
    """encode_with_unstable with the completions sorted (tiktoken returns them in hash order)."""
    try:
        stable, completions = enc.encode_with_unstable(text, **kwargs)
    except ValueError as e:
        return ("ValueError", str(e))
    return stable, sorted(list(c) for c in completions)


@pytest.mark.parametrize("name", ENCODINGS)
def test_encode_with_unstable_and_encode_bytes_match_tiktoken(name, tiktoken):
    """Prefix completions and the bytes encoder, on text cut anywhere, including inside a character."""
    ours, theirs = tokenmaxx.get_encoding(name), tiktoken.get_encoding(name)
    rng = random.Random(sum(map(ord, name)) + 1)
    texts = [t[: rng.randint(0, 8)] for t in random_texts(seed=sum(map(ord, name)) + 1, count=300)]
    texts += ["hello fanta", "hello world  ", "x\n\n", "a\n \n", "12345", "<|endoftext|>", "abc<|endoftext|>", ""]
    mismatches = []
    for text in texts:
        for kwargs in ({}, {"allowed_special": "all"}, {"disallowed_special": ()}):
            if _unstable(ours, text, **kwargs) != _unstable(theirs, text, **kwargs):
                mismatches.append(("encode_with_unstable", kwargs, text))
        raw = text.encode("utf-8")
        for data in (raw[: rng.randint(0, len(raw))], raw + b"\xff", raw + "中".encode()[:2], b"\x80" + raw):
            if ours._encode_bytes(data) != theirs._encode_bytes(data):
                mismatches.append(("_encode_bytes", data))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]!r}"


def test_encode_with_unstable_contract():
    """tiktoken's documented contract: stable tokens decode to a prefix, each completion extends it."""
    enc = tokenmaxx.get_encoding("cl100k_base")
    text = "The quick brown fox jum"
    stable, completions = enc.encode_with_unstable(text)
    assert text.encode().startswith(enc.decode_bytes(stable))
    assert completions and all(enc.decode_bytes(stable + seq).startswith(text.encode()) for seq in completions)
    assert [enc.encode_single_token(" jump")] in completions
    with pytest.raises(ValueError, match="endoftext"):
        enc.encode_with_unstable("a<|endoftext|>")
    assert enc.encode_with_unstable("a<|endoftext|>", allowed_special="all") == ([64, 100257], [])
    with pytest.raises(UnicodeEncodeError):  # as tiktoken: lone surrogates are not rewritten here
        enc.encode_with_unstable("a\ud800")
