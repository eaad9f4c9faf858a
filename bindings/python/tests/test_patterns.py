"""Custom pretokenizer patterns against tiktoken: `Encoding(pat_str=...)` with foreign patterns.

Each pattern runs two ways here, the hand-written scanner when one implements it and the PCRE2
fallback (forced), and both must give tiktoken's ids on the shared corpus and on seeded random
strings. The PCRE2 fallback's Unicode tables are older than tiktoken's; the first test finds every
code point where that changes a class the patterns use, checks that each one is a code point the
older Unicode version had not assigned, and the differential tests leave exactly those out.
"""
from __future__ import annotations

import functools
import random
import unicodedata

import pytest
from conftest import CORPUS_FILES

import tokenmaxx
from tokenmaxx import _core

LLAMA3 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
    r"\s*[\r\n]+|\s+(?!\S)|\s+"
)
CL100K_TIKTOKEN_0_6 = (
    r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|"
    r"\s+(?!\S)|\s+"
)
LLAMA4 = (  # llama-models' llama4 Tokenizer.O200K_PATTERN
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"""
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"""
    r"""\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
TEKKEN = (  # mistral-common's tekken_240911.json config.pattern
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|"
    r"\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
KIMI = "|".join(  # litellm's Kimi pattern (litellm/llms/bedrock/count_tokens/kimi_k3.py), as Kimi K2's
    (
        r"[\p{Han}]+",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"\p{N}{1,3}",
        r" ?[^\s\p{L}\p{N}]+[\r\n]*",
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    )
)
FOREIGN = {"llama3": LLAMA3, "llama4": LLAMA4, "tekken": TEKKEN, "kimi": KIMI, "cl100k_tiktoken_0_6": CL100K_TIKTOKEN_0_6}
# The classes these patterns use, each as a pattern that matches one code point of the class.
CLASSES = [r"\p{L}", r"\p{Lu}", r"\p{Ll}", r"\p{Lt}", r"\p{Lm}", r"\p{Lo}", r"\p{M}", r"\p{N}", r"\s", r"\p{Han}"]

BYTE_RANKS = {bytes([b]): b for b in range(256)}
ALL_CODE_POINTS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


@functools.lru_cache(maxsize=None)
def cl100k_ranks(tiktoken) -> dict[bytes, int]:
    return tiktoken.get_encoding("cl100k_base")._mergeable_ranks


_VOCABS: dict[int, tuple[dict[bytes, int], _core.token.Vocabulary]] = {}


def ours(pattern: str, ranks: dict[bytes, int], *, force_regex: bool) -> _core.token.CoreEncoding:
    if id(ranks) not in _VOCABS:
        _VOCABS[id(ranks)] = (ranks, _core.token.Vocabulary.from_ranks(ranks, "test ranks"))
    return _core.token.CoreEncoding.from_pattern("t", pattern, _VOCABS[id(ranks)][1], [], force_regex=force_regex)


def pair_ranks(texts: list[str]) -> dict[bytes, int]:
    """All bytes plus every adjacent byte pair of `texts`: small to build, and since every pair
    inside a piece merges, the ids show where the pieces end."""
    ranks = dict(BYTE_RANKS)
    for text in texts:
        data = text.encode("utf-8")
        for k in range(len(data) - 1):
            ranks.setdefault(data[k : k + 2], len(ranks))
    return ranks


def matched_code_points(encode, pattern_text: str) -> set[int]:
    """The code points a one-code-point class pattern matches (text it does not match is dropped)."""
    return {ord(c) for c in bytes(encode(ALL_CODE_POINTS)).decode("utf-8")}


@pytest.fixture(scope="module")
def unicode_gap(tiktoken) -> dict[str, set[int]]:
    """Per class: the code points where PCRE2 (Unicode 14.0) and tiktoken's regex disagree."""
    gap = {}
    for cls in CLASSES:
        theirs = tiktoken.Encoding("c", pat_str=cls, mergeable_ranks=BYTE_RANKS, special_tokens={})
        mine = ours(cls, BYTE_RANKS, force_regex=True)
        gap[cls] = matched_code_points(theirs.encode_ordinary, cls) ^ matched_code_points(mine.encode_ordinary, cls)
    return gap


def ranges(cps: set[int]) -> list[str]:
    out, run = [], []
    for c in sorted(cps):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(f"U+{run[0]:04X}" + (f"..U+{run[-1]:04X}" if len(run) > 1 else ""))
        run = [c]
    if run:
        out.append(f"U+{run[0]:04X}" + (f"..U+{run[-1]:04X}" if len(run) > 1 else ""))
    return out


def test_unicode_version_gap_is_only_newer_code_points(unicode_gap):
    """Every code point whose class differs is one Unicode 14.0 had not assigned (Python 3.11's
    unicodedata is 14.0, the version of PCRE2 10.42's tables); the list is in docs/VOCABULARIES.md."""
    assert unicodedata.unidata_version.startswith("14."), "this check needs Unicode 14 data (Python 3.11)"
    for cls, cps in unicode_gap.items():
        assigned_before = [c for c in cps if unicodedata.category(chr(c)) != "Cn"]
        assert not assigned_before, f"{cls}: assigned in Unicode 14 yet classified differently: {ranges(set(assigned_before))[:10]}"
    everything = set().union(*unicode_gap.values())
    print(f"\nPCRE2/tiktoken class differences: {len(everything)} code points: {', '.join(ranges(everything))}")
    assert len(everything) < 20000, "the gap should be the code points of a few Unicode versions"
    # Code points of tiktoken's classes that PCRE2 lacks exist (Unicode 15.0's CJK Extension H, ...).
    assert 0x31350 in unicode_gap[r"\p{L}"] and 0x31350 in unicode_gap[r"\p{Han}"]


def without_gap(text: str, gap: set[int]) -> str:
    return "".join("\ufffd" if ord(c) in gap else c for c in text)


def random_texts(seed: int, count: int) -> list[str]:
    """Strings that stress the patterns: case changes, contractions, digits, marks, CJK, runs of
    spaces and newlines, punctuation next to newlines and slashes."""
    rng = random.Random(seed)
    alphabet = (
        list("abcXYZ'sStTdDlLmMrRvVeE0123456789  \t\n\r/.,!?-_()[]{}\"") + ["'ll", "'VE", "'Re", "'ſ"]
        + list("éÉßǅǈʰˆªºאあア漢字한국") + ["\u0301", "\u0308", "\u20dd", "\u00a0", "\u2003", "\u3000", "\u0085"]
        + ["\U0001F600", "\U0001F469\u200d\U0001F4BB", "٣", "Ⅻ", "½", "𝟘", "\u2028", "\x0b", "\x0c"]
    )
    texts = []
    for _ in range(count):
        n = rng.randint(1, 60)
        texts.append("".join(rng.choice(alphabet) for _ in range(n)))
    texts += [" " * k + "\n" * j + " " * m for k in range(3) for j in range(3) for m in range(3) if k + j + m]
    return texts


@pytest.fixture(scope="module")
def docs(corpus) -> list[tuple[str, str]]:
    return [(f"{name}:{doc_id}", text) for name in CORPUS_FILES for doc_id, text in corpus[name]]


@pytest.mark.parametrize(
    "name,path", [(n, "pcre2") for n in sorted(FOREIGN)] + [(n, "scanner") for n in sorted(FOREIGN) if n != "kimi"]
)
def test_foreign_patterns_equal_tiktoken(tiktoken, unicode_gap, docs, name, path):
    pattern = FOREIGN[name]
    ranks = cl100k_ranks(tiktoken)
    mine = ours(pattern, ranks, force_regex=path == "pcre2")
    if path == "scanner":
        assert mine.family != "regex" and mine.pcre2_pattern == ""
    else:
        assert mine.family == "regex" and mine.pcre2_pattern
    theirs = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    gap = set().union(*unicode_gap.values()) if path == "pcre2" else set()
    texts = [(doc_id, without_gap(text, gap)) for doc_id, text in docs]
    texts += [(f"random-{k}", t) for k, t in enumerate(random_texts(13, 400))]
    bad = [doc_id for doc_id, text in texts if mine.encode_ordinary(text) != theirs.encode_ordinary(text)]
    assert not bad, f"{len(bad)} of {len(texts)} texts differ from tiktoken, e.g. {bad[:5]}"


def test_known_patterns_use_scanners(tiktoken):
    """Patterns a scanner implements are recognised from their text, including cl100k's older
    spellings (tiktoken before 0.6, minbpe) and the vendor patterns."""
    expected = {LLAMA3: "llama3", CL100K_TIKTOKEN_0_6: "llama3", LLAMA4: "o200k", TEKKEN: "tekken"}
    for name in ["r50k_base", "cl100k_base", "o200k_base"]:
        expected[tiktoken.get_encoding(name)._pat_str] = {"r50k_base": "gpt2"}.get(name, name.split("_")[0])
    for pattern, family in expected.items():
        assert ours(pattern, BYTE_RANKS, force_regex=False).family == family
    assert ours(KIMI, BYTE_RANKS, force_regex=False).family == "regex"


def test_encoding_accepts_any_tiktoken_pattern(tiktoken):
    """tokenmaxx.Encoding(pat_str=...) takes litellm's Kimi pattern (refused before the fallback)."""
    ranks = cl100k_ranks(tiktoken)
    enc = tokenmaxx.Encoding("kimi", pat_str=KIMI, mergeable_ranks=ranks, special_tokens={"<|x|>": 100300})
    theirs = tiktoken.Encoding("kimi", pat_str=KIMI, mergeable_ranks=ranks, special_tokens={"<|x|>": 100300})
    text = "Hello 世界, it's 2025!\n<|x|> ok"
    assert enc.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all")
    assert enc.count(text) == len(theirs.encode_ordinary(text))
    with pytest.raises(ValueError, match="pattern"):
        tokenmaxx.Encoding("bad", pat_str="(", mergeable_ranks=ranks, special_tokens={})


def test_regex_skips_unmatched_text_and_empty_matches(tiktoken):
    """Text no alternative matches belongs to no piece, as in tiktoken; empty matches yield no piece
    (tiktoken panics on them, so only the non-empty result is compared)."""
    ranks = cl100k_ranks(tiktoken)
    words = ours(r"\p{L}+", ranks, force_regex=True)
    theirs = tiktoken.Encoding("w", pat_str=r"\p{L}+", mergeable_ranks=ranks, special_tokens={})
    assert words.encode_ordinary("ab, 12 cd!") == theirs.encode_ordinary("ab, 12 cd!")
    assert words.pieces("ab, 12 cd!") == [(0, 2), (7, 9)]
    digits = ours(r"\d*", ranks, force_regex=True)
    assert digits.pieces("ab12c3") == [(2, 4), (5, 6)]
    cl100k = tiktoken.get_encoding("cl100k_base")
    assert digits.encode_ordinary("ab12c3") == cl100k.encode_ordinary("12") + cl100k.encode_ordinary("3")


def test_catastrophic_backtracking_is_an_error_not_a_hang(tiktoken):
    evil = ours(r"(?:a+)+b|.", BYTE_RANKS, force_regex=True)
    with pytest.raises(ValueError, match="matching bounds"):
        evil.encode_ordinary("a" * 5000)
    assert evil.count("ab") == 2  # the same pattern on harmless text


# Pieces of pattern syntax for random patterns: every construct the translation rewrites.
ATOMS = [
    "a", "b", "A", "'", " ", r"\n", r"\t", r"\.", r"\-", "é", "ß", "ſ", "K", "k", "日",
    r"\s", r"\S", r"\d", r"\D", r"\w", r"\W", r"\h", r"\H", ".", r"\O", r"\x41", r"\x{e9}", r"\u0062", r"\U0001F600",
    r"\p{L}", r"\pL", r"\P{L}", r"\p{Lu}", r"\p{Ll}", r"\p{N}", r"\p{M}", r"\p{Letter}", r"\p{gc=Nd}",
    r"\p{Greek}", r"\p{sc=Han}", r"\p{Han}", r"\p{Uppercase_Letter}", r"\p{^L}", r"\p{Any}",
    "[abc]", "[^abc]", "[a-z]", "[^a-z]", r"[\s\p{L}]", r"[^\s\p{L}\p{N}]", r"[\r\n]", "[[:alpha:]]", "[[:^digit:]]",
    "[[:word:]]", r"[\p{L}&&[^a-z]]", r"[a-z--[aeiou]]", r"[a-z~~[d-w]]", r"[[a-c][x-z]]", r"[\w&&\D]", r"[^\W\d]",
    "[]a]", "[a-]", r"[\-a]", r"[\h.]",
]
ASSERTIONS = ["^", "$", r"\A", r"\z", r"\b", r"\B", "(?=a)", "(?!\\s)", "(?<=a)", "(?<!b)"]
QUANTIFIERS = ["", "", "", "*", "+", "?", "*?", "+?", "??", "*+", "++", "?+", "{2}", "{1,3}", "{2,}", "{,2}", "{1,2}?", "{1,2}+"]
FLAGS = ["", "", "(?i)", "(?m)", "(?s)", "(?x)", "(?U)", "(?i:", "(?-i:", "(?s:", "(?m:"]


def random_pattern(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.12 and depth < 2:
            flag = rng.choice(FLAGS)
            inner = random_pattern(rng, depth + 1)
            if flag.endswith(":"):
                parts.append(flag + inner + ")" + rng.choice(QUANTIFIERS))
            else:
                parts.append("(" + rng.choice(["", "?:", "?>"]) + flag + inner + ")" + rng.choice(QUANTIFIERS))
        elif roll < 0.2:
            parts.append(rng.choice(ASSERTIONS))
        else:
            parts.append(rng.choice(ATOMS) + rng.choice(QUANTIFIERS))
    alternatives = ["".join(parts)]
    if depth == 0:
        alternatives += ["".join(rng.choice(ATOMS) + rng.choice(QUANTIFIERS) for _ in range(2)) for _ in range(rng.randint(0, 2))]
        alternatives.append(r"\s+|.")  # most text ends up in some piece
    return "|".join(alternatives)


def tiktoken_outcome(enc, text: str):
    try:
        return enc.encode_ordinary(text)
    except BaseException as e:  # noqa: BLE001  # a PanicException (empty match) is a BaseException
        return type(e).__name__


def test_random_patterns_equal_tiktoken(tiktoken, unicode_gap, capfd):
    """Random patterns from the constructs the translation handles: every one tiktoken accepts
    compiles here (case-insensitive \\p{..} and class set operations included), and gives
    tiktoken's ids on random strings (those where tiktoken panics on an empty match are skipped)."""
    rng = random.Random(2025)
    texts = [without_gap(t, set().union(*unicode_gap.values())) for t in random_texts(7, 25)]
    ranks = pair_ranks(texts)
    compared = accepted = 0
    failures = []
    for _ in range(600):
        pattern = random_pattern(rng)
        try:
            theirs = tiktoken.Encoding("r", pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
        except ValueError:
            continue
        accepted += 1
        try:
            mine = ours(pattern, ranks, force_regex=True)
        except ValueError as e:
            failures.append((pattern, f"refused: {e}"))
            continue
        for text in texts:
            expected = tiktoken_outcome(theirs, text)
            if isinstance(expected, str):
                continue
            compared += 1
            got = mine.encode_ordinary(text)
            if got != expected:
                failures.append((pattern, f"differs on {text!r} (PCRE2: {mine.pcre2_pattern})"))
                break
    capfd.readouterr()  # tiktoken prints a backtrace for every panic
    assert accepted > 300 and compared > 3000
    assert not failures, f"{len(failures)} patterns: " + "\n".join(f"{p!r}: {why}" for p, why in failures[:8])
