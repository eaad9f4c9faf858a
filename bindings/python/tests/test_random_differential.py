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
