#!/usr/bin/env python3
"""Writes what Python tiktoken answers on fixed inputs as C++ literals for the tokenizer unit tests.

The files in tests/token/tiktoken_data/ are tiktoken's answers, never tokenmaxx's: the tests compare
tokenmaxx with them. The test `tokenizer_tiktoken_data_up_to_date` runs this script with --check, so
a new tiktoken that answers differently fails the suite instead of going unnoticed.

  splits.inc     how each pattern family splits text into pieces: tiktoken's own regex, read back
                 through a probe encoding whose vocabulary holds every substring of the text (so
                 each piece is one token and decode_single_token_bytes returns it)
  models.inc     tiktoken.list_encoding_names(), tiktoken.model's tables in order, and
                 encoding_name_for_model on probe names
  encodings.inc  per encoding: pat_str, n_vocab, max_token_value, eot_token, the special tokens
  utf8.inc       invalid UTF-8: the offset Python's decoder reports, bytes.decode(errors="replace")
                 and tiktoken's ids for the replaced text
  unstable.inc   encode_with_unstable (stable tokens; completions as count and SHA-256)
  encode_bytes.inc  _encode_bytes on bytes that end in invalid UTF-8
  specials.inc   encode() with allowed/disallowed special tokens: the ids, or the token named by
                 the ValueError

Usage: tests/token/gen_tiktoken_expectations.py [--check]   (needs TIKTOKEN_CACHE_DIR, scripts/env.sh)
"""
import argparse
import hashlib
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from generated_file import write_or_check  # noqa: E402

import tiktoken
import tiktoken.model
import tiktoken_ext.openai_public as openai_public

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "tiktoken_data")
FAMILY_PATTERNS = {
    "gpt2": openai_public.r50k_pat_str,
    "cl100k": openai_public.cl100k_base()["pat_str"],
    "o200k": openai_public.o200k_base()["pat_str"],
}
# gpt2 is left out: tiktoken builds it from two files that are not available offline (its ranks
# are r50k_base's, which tokenmaxx's tests check separately).
ENCODINGS = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


def cxx_bytes(b: bytes) -> str:
    """A C++ string_view literal for arbitrary bytes (octal escapes cannot swallow a following digit)."""
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\\" or ch == '"':
            out.append("\\" + ch)
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % c)
    return '"' + "".join(out) + '"sv'


def cxx_str(s: str) -> str:
    return cxx_bytes(s.encode("utf-8"))


def cxx_ids(ids) -> str:
    return "{" + ", ".join(str(i) for i in ids) + "}"


def comment(s) -> str:
    text = repr(s)
    return "  // " + (text if len(text) < 90 else text[:87] + "...")


# ---- inputs ---------------------------------------------------------------------------------------

CURATED_TEXTS = [
    # contractions, any case, and the long s (U+017F case-folds to s)
    "I'm", "I'M", "we'RE here", "they'Ve", "she'LL", "it's", "IT'S", "he'D", "don't", "DON'T", "'s", "'S'",
    "''ll", "x'", "'\u017f", "I\u017f'\u017f", "'\u017ft", "word'sx", "O'Neil's", "rock'n'roll", "'re'", " 's",
    "l'Ll", "You'Ll'Ve", "\u00c9T\u00c9'S", "a'\u212a",
    # digits: groups of three (cl100k, o200k), unbounded runs (gpt2), other number classes
    "1", "12", "123", "1234", "1234567", "12.34", " 123 4567", "a1b22c333", "\u0663\u0664\u0665\u0666",
    "x\u00b2\u00b3", "\u216b\u2169", "1,000,000", "3.14159e-10", "\u0967\u0968\u0969\u096a", "0x1F2E3D",
    "  42", "\n42",
    # whitespace: \s+(?!\S), \s++$, \s*[\r\n], White_Space beyond ASCII, U+180E is not space
    "a b", "a  b", "a   b", "a\tb", "a \tb", "a\n", "a\n\n", "a \n b", "a\n \nb", "a\r\nb", "\r\n\r\n", "   ",
    "x   ", "  x", "\t\tx", "a\u00a0b", "a\u00a0\u00a0b", "a\u3000b", "x\u2028y", "x\u180ey", "a\u0085b",
    "a\x0bb", "a\x0cb", "\n\n\n x", "x \n", "x  \n  ", " \n\n  \n", "a\x1cb", "a \u00a0 b", "x\r", "x\r\r\n  y",
    # o200k: upper/lower case runs, title case, modifier letters, marks inside words
    "HelloWorld", "HTTPServer", "camelCaseABCDef", "iPhone", "McDonald's", "ABC", "ABCdef", "aBC",
    "\u01c5ungla \u01c8", "\u0391\u0392\u0393\u03b1\u03b2\u03b3", "\u00c0\u00c9\u00ce\u00f4\u00fb",
    "Stra\u00dfe STRASSE", "\u02b0\u02b1\u02b2", "\u0132\u0133\u0132", "ABC's", "abcDEF'LL", "XMLHttpRequest",
    # combining marks, Indic and Thai (letters with marks), ligatures
    "e\u0301", "\u0301abc", " \u0301x", "a\u20dd", "\u0928\u092e\u0938\u094d\u0924\u0947",
    "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", "\ufb01anc\u00e9", "!\u0301a", "\u0301\u0301",
    # CJK and other scripts without spaces
    "\u4e2d\u6587\u5b57\u7b26", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8", "\u4e2d\u6587ABC123", "\u300c\u5f15\u7528\u300d\u3002",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645",
    # punctuation runs, with trailing newlines and slashes
    "...!!!", " !!", "  !!", "hello!!!\n\n", "a/b/c", "//comment\n", "http://example.com/path?q=1",
    "<|endoftext|>", '<div class="x">', "   ...\n", '{"a":1}', "x += 1;\r\n", "---\n", "@@ -1,2 +1,3 @@",
    "!/\n/", " /*\n*/",
    # emoji and symbols
    "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467 family", "\U0001f1fa\U0001f1f8",
    "a\U0001f600b", "\u20ac100",
    # mixtures
    "Hello, world! I'm 42 years old.\nNew   line\t\ttab", "def f(x):\n    return x**2  # square\n",
]

# Characters the random texts are drawn from: one or more of every class the patterns distinguish.
AWKWARD = (
    list("aZ'sStTdDmMlLvVeErR 019") + ["\n", "\r", "\t", "  ", "\u00a0", "\u3000", "\u2028", "\u180e", "\u0085"]
    + ["\u0301", "\u20dd", "\u0903", "\u01c5", "\u02b0", "\u4e2d", "\u00e9", "\u00c9", "\u017f", "\u212a"]
    + ["\u0663", "\u00b2", "\u216b", "!", "/", ".", "\U0001f600", "\u200d", "<|", "|>", "\u0e32", "\u0938"]
)


def random_texts(count, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(AWKWARD) for _ in range(rng.randint(1, 14))) for _ in range(count)]


# ---- tiktoken's answers -----------------------------------------------------------------------------

def tiktoken_pieces(pattern: str, text: str):
    raw = text.encode("utf-8")
    ranks = {bytes([i]): i for i in range(256)}
    for i in range(len(raw)):
        for j in range(i + 2, len(raw) + 1):
            ranks.setdefault(raw[i:j], len(ranks))
    probe = tiktoken.Encoding("pieces", pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    pieces = [probe.decode_single_token_bytes(t) for t in probe.encode_ordinary(text)]
    if b"".join(pieces) != raw:
        sys.exit(f"probe encoding lost bytes of {text!r}")
    return pieces


def render_splits():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand.",
             "// {family, text, the pieces tiktoken's regex splits it into}"]
    texts = CURATED_TEXTS + random_texts(60, seed=20240518)
    for family, pattern in FAMILY_PATTERNS.items():
        for text in texts:
            pieces = tiktoken_pieces(pattern, text)
            lines.append(comment(text))
            lines.append(f'{{"{family}", {cxx_str(text)}, {{' + ", ".join(cxx_bytes(p) for p in pieces) + "}},")
    return "\n".join(lines) + "\n"


MODEL_PROBES = [
    "gpt-4o-2024-05-13", "gpt-4o-mini", "chatgpt-4o-latest", "gpt-4.1-nano-2025-04-14", "gpt-4.5-preview",
    "gpt-5-mini", "gpt-50", "gpt-5", "o1-preview", "o3-mini", "o4-mini-2025-04-16", "o4-mini-high", "o2",
    "o1x", "gpt-4-0314", "gpt-4-32k", "gpt-4", "gpt-4.1", "gpt-3.5-turbo-16k", "gpt-3.5-turbo-FAKE",
    "gpt-35-turbo-16k", "gpt-oss-120b", "gpt-oss-20b", "ft:gpt-4o-mini:org::id", "ft:gpt-4o:x", "ft:gpt-4:x",
    "ft:gpt-4-0613:org", "ft:gpt-3.5-turbo-0613:org", "ft:davinci-002:org", "ft:babbage-002:org",
    "text-embedding-3-small", "davinci", "davinci-002", "text-davinci-003", "code-davinci-edit-001", "gpt2",
    "gpt-2", "GPT-4", "gpt4", "llama-3", "", "claude-3", "o1-", "gpt-4o-", "ft:", "gpt-",
]


def render_models():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand."]
    lines.append("#ifdef TIKTOKEN_ENCODING_NAME  // tiktoken.list_encoding_names()")
    for name in tiktoken.list_encoding_names():
        lines.append(f'TIKTOKEN_ENCODING_NAME("{name}")')
    lines.append("#endif")
    lines.append("#ifdef TIKTOKEN_MODEL_EXACT  // tiktoken.model.MODEL_TO_ENCODING, in order")
    for m, e in tiktoken.model.MODEL_TO_ENCODING.items():
        lines.append(f'TIKTOKEN_MODEL_EXACT("{m}", "{e}")')
    lines.append("#endif")
    lines.append("#ifdef TIKTOKEN_MODEL_PREFIX  // tiktoken.model.MODEL_PREFIX_TO_ENCODING, in order")
    for m, e in tiktoken.model.MODEL_PREFIX_TO_ENCODING.items():
        lines.append(f'TIKTOKEN_MODEL_PREFIX("{m}", "{e}")')
    lines.append("#endif")
    lines.append("#ifdef TIKTOKEN_MODEL_PROBE  // encoding_name_for_model(name), \"\" when it raises KeyError")
    probes = list(MODEL_PROBES)
    for p in tiktoken.model.MODEL_PREFIX_TO_ENCODING:
        probes += [p, p + "x", p + "-2099"]
    for m in tiktoken.model.MODEL_TO_ENCODING:
        probes += [m, m + "-x"]
    seen = set()
    for p in probes:
        if p in seen:
            continue
        seen.add(p)
        try:
            e = tiktoken.model.encoding_name_for_model(p)
        except KeyError:
            e = ""
        lines.append(f'TIKTOKEN_MODEL_PROBE("{p}", "{e}")')
    lines.append("#endif")
    return "\n".join(lines) + "\n"


def render_encodings():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand.",
             "// {name, pat_str, n_vocab, max_token_value, eot_token, {special token, id, what the id decodes to}...}"]
    for name in ENCODINGS:
        enc = tiktoken.get_encoding(name)
        specials = sorted(enc._special_tokens.items(), key=lambda kv: kv[1])
        lines.append(f'{{"{name}", {cxx_str(enc._pat_str)}, {enc.n_vocab}, {enc.max_token_value}, {enc.eot_token},')
        lines.append("  {" + ", ".join(f'{{{cxx_str(t)}, {i}, {cxx_bytes(enc.decode_single_token_bytes(i))}}}'
                                 for t, i in specials) + "}},")
    return "\n".join(lines) + "\n"


UTF8_CURATED = [
    b"ab\xff", b"\xe2\x82", b"\xe2\x82x", b"ok \xed\xa0\x80", b"\xc0\xaf", b"\xc0\x80", b"\xc1\xbf",
    b"\xe0\x9f\xbf", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80",
    b"caf\xc3\xa9\x80", b"a\x00\xfe", b"12345678\x80", b"\xf0\x9f\x98", b"\xf0\x9f\x98 smile", b"ok\xe2",
    b"\x80\x80\x80", b"\xef\xbb\xbf\xff", b"hello \xe2\x82\xac\xe2\x82", b"\xed\xbf\xbf", b"\xee\x80",
    b"<|endoftext|>\xff", b"  \xff  ", b"\xc2", b"\xdf", b"\xe1\x80", b"\xf1\x80\x80", b"\xf4\x8f\xbf",
]


def random_invalid_utf8(count, seed):
    rng = random.Random(seed)
    pool = [b"a", b" ", b"\n", b"'s", b"1", "\u00e9".encode(), "\u4e2d".encode(), "\U0001f600".encode(),
            b"\x80", b"\xbf", b"\xc0", b"\xc2", b"\xe0", b"\xe2\x82", b"\xed\xa0", b"\xf0\x9f", b"\xf4\x90", b"\xff"]
    out = []
    while len(out) < count:
        b = b"".join(rng.choice(pool) for _ in range(rng.randint(1, 10)))
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            out.append(b)
    return out


def render_utf8():
    cl100k, o200k = tiktoken.get_encoding("cl100k_base"), tiktoken.get_encoding("o200k_base")
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " and Python " + sys.version.split()[0] + " -- do not edit by hand.",
             "// {bytes, first error offset (UnicodeDecodeError.start), bytes.decode('utf-8', 'replace'),",
             "//  cl100k_base ids of the replaced text, o200k_base ids of it}"]
    for b in UTF8_CURATED + random_invalid_utf8(80, seed=7):
        try:
            b.decode("utf-8")
            sys.exit(f"{b!r} is valid UTF-8")
        except UnicodeDecodeError as e:
            offset = e.start
        replaced = b.decode("utf-8", errors="replace")
        lines.append(f"{{{cxx_bytes(b)}, {offset}, {cxx_str(replaced)}, "
                     f"{cxx_ids(cl100k.encode_ordinary(replaced))}, {cxx_ids(o200k.encode_ordinary(replaced))}}},")
    return "\n".join(lines) + "\n"


UNSTABLE_TEXTS = ["hello fan", "x\n", "12345", "na\u00efve", "the quick brown fox jumps", "\u4e2d\u6587",
                  "hello world<|endoftext|>", "", "I'm", "<|endoftext|> x", "x\n\n"]
# Texts ending in whitespace have ~45,000 (cl100k) to ~106,000 (o200k) completions, each one
# encoded: one encoding is enough to check the whitespace split.
UNSTABLE_WHITESPACE_TEXTS = ["a  ", "def f(x):\n  "]
ENCODE_BYTES_INPUTS = [b"hello \xe2\x82", b"\xff\xfe", b"abc", b"", b"caf\xc3", b"a \xf0\x9f\x98", b"12345\x80",
                       b"hello world\n\n\xe4\xb8", b"\xed\xa0\x80x"]


def completions_digest(completions):
    canonical = ";".join(",".join(str(t) for t in seq) for seq in sorted(completions))
    return hashlib.sha256(canonical.encode()).hexdigest()


def render_unstable():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand.",
             "// {encoding, text, stable tokens, completions: count, SHA-256 of the sorted sequences written",
             "//  as '1,2;3'} from encode_with_unstable(text, allowed_special='all')"]
    for name in ["r50k_base", "cl100k_base", "o200k_base"]:
        enc = tiktoken.get_encoding(name)
        for text in UNSTABLE_TEXTS + (UNSTABLE_WHITESPACE_TEXTS if name == "cl100k_base" else []):
            stable, completions = enc.encode_with_unstable(text, allowed_special="all")
            lines.append(f'{{"{name}", {cxx_str(text)}, {cxx_ids(stable)}, {len(completions)}, '
                         f'"{completions_digest(completions)}"}},')
    return "\n".join(lines) + "\n"


def render_encode_bytes():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand.",
             "// {encoding, bytes, _encode_bytes(bytes)}"]
    for name in ["r50k_base", "cl100k_base", "o200k_base"]:
        enc = tiktoken.get_encoding(name)
        for b in ENCODE_BYTES_INPUTS:
            lines.append(f'{{"{name}", {cxx_bytes(b)}, {cxx_ids(enc._encode_bytes(b))}}},')
    return "\n".join(lines) + "\n"


# (encoding, text, allowed_special, disallowed_special); sets are written as lists, "all" as "all".
SPECIAL_CASES = [
    ("cl100k_base", "hello <|endoftext|> world", "all", "all"),
    ("cl100k_base", "hello <|endoftext|> world", [], "all"),
    ("cl100k_base", "hello <|endoftext|> world", [], []),
    ("cl100k_base", "a<|fim_prefix|>b<|endoftext|>", ["<|endoftext|>"], "all"),
    ("cl100k_base", "a<|fim_prefix|>b<|endoftext|>", ["<|endoftext|>"], []),
    ("cl100k_base", "  <|endofprompt|>  \n<|endoftext|>", "all", "all"),
    ("cl100k_base", "<|endoftext|><|endoftext|>x", "all", "all"),
    ("cl100k_base", "<|endoftext|", "all", "all"),
    ("cl100k_base", "x<|endoftext|>y", [], ["x"]),
    ("cl100k_base", "say foo then <|endoftext|>", [], ["<|endoftext|>", "foo"]),
    ("r50k_base", "text<|endoftext|>", "all", "all"),
    ("p50k_edit", "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>", "all", "all"),
    ("p50k_edit", "<|fim_prefix|>x", ["<|endoftext|>"], "all"),
    ("o200k_base", "<|endofprompt|> and <|endoftext|>", "all", "all"),
    ("o200k_harmony", "<|start|>assistant<|channel|>final<|message|>Hi!<|end|>", "all", "all"),
    ("o200k_harmony", "<|start|>user<|message|>x<|reserved_200100|>", ["<|start|>", "<|message|>"], "all"),
    ("o200k_harmony", "<a><|reserved_2001|><|<|reserved_200100|>", "all", "all"),
    ("o200k_harmony", "<|startoftext|><|return|><|call|><|constrain|>", "all", "all"),
]


def render_specials():
    lines = ["// GENERATED by tests/token/gen_tiktoken_expectations.py from tiktoken " + tiktoken.__version__ +
             " -- do not edit by hand.",
             "// {encoding, text, allowed, disallowed, ids, the token a ValueError names (\"\" when none)};",
             "// each set is written as: is_all, {names...}"]
    for name, text, allowed, disallowed in SPECIAL_CASES:
        enc = tiktoken.get_encoding(name)
        ids, error_token = [], ""
        try:
            ids = enc.encode(text, allowed_special=set(allowed) if allowed != "all" else "all",
                             disallowed_special=set(disallowed) if disallowed != "all" else "all")
        except ValueError as e:
            m = re.search(r"disallowed special token '(.*?)'", str(e))
            if not m:
                sys.exit(f"unexpected ValueError: {e}")
            error_token = m.group(1)

        def cxx_set(s):
            if s == "all":
                return "true, {}"
            return "false, {" + ", ".join(cxx_str(x) for x in s) + "}"

        lines.append(f'{{"{name}", {cxx_str(text)}, {cxx_set(allowed)}, {cxx_set(disallowed)}, {cxx_ids(ids)}, '
                     f'{cxx_str(error_token)}}},')
    return "\n".join(lines) + "\n"


RENDERERS = {
    "splits.inc": render_splits,
    "models.inc": render_models,
    "encodings.inc": render_encodings,
    "utf8.inc": render_utf8,
    "unstable.inc": render_unstable,
    "encode_bytes.inc": render_encode_bytes,
    "specials.inc": render_specials,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 if a checked-in file differs")
    args = ap.parse_args()
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        sys.exit("set TIKTOKEN_CACHE_DIR (source scripts/env.sh)")
    stale = []
    for file_name, render in RENDERERS.items():
        path = os.path.join(OUT_DIR, file_name)
        if not write_or_check(path, render(), args.check):
            stale.append(file_name)
    if stale:
        sys.exit(f"out of date in {OUT_DIR}: {', '.join(stale)}; run tests/token/gen_tiktoken_expectations.py "
                 f"(tiktoken {tiktoken.__version__}) and review the diff")


if __name__ == "__main__":
    main()
