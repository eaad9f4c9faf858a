"""Behaviour of the tiktoken-compatible API, compared with Python tiktoken wherever tiktoken has
the same call: special tokens and their errors, lone surrogates, decoding and offsets, pickling,
custom encodings; then tokenmaxx's own additions (count, count_until, count_batch)."""
from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest

import tokenmaxx
from tokenmaxx import _core

ENCODINGS = ["r50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


def outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001
        return (type(e), str(e))


@pytest.fixture(params=ENCODINGS)
def pair(request, tiktoken):
    return tokenmaxx.get_encoding(request.param), tiktoken.get_encoding(request.param)


SPECIAL_TEXTS = [
    "hello world",
    "<|endoftext|>",
    "a<|endoftext|>b<|fim_prefix|>c<|endofprompt|>",
    "x <|fim_middle|><|fim_suffix|> y <|endoftext|>",
    "<|start|>user<|message|>hi<|end|><|return|><|reserved_200500|>",
    "<|endoftext|", "<||endoftext|>>", "<|<|endoftext|>|>", "<|endoftext|><|endoftext|>",
    "hell hello", "",
]
SPECIAL_ARGS = [
    {},
    {"allowed_special": "all"},
    {"disallowed_special": ()},
    {"disallowed_special": []},
    {"allowed_special": {"<|endoftext|>"}},
    {"allowed_special": frozenset({"<|fim_prefix|>", "<|start|>"})},
    {"allowed_special": {"<|endoftext|>"}, "disallowed_special": ()},
    {"allowed_special": "all", "disallowed_special": {"<|endoftext|>"}},
    {"allowed_special": {"not a special token"}},
    {"disallowed_special": {"<|endoftext|>"}},
    {"disallowed_special": ["<|endofprompt|>", "<|end|>"]},
    {"disallowed_special": {"hell"}},  # not a special token: tiktoken still rejects matching text
    {"disallowed_special": ("hello", "<|endoftext|>")},
    {"allowed_special": ["<|endoftext|>"]},  # a list: tiktoken raises TypeError
    {"allowed_special": "all", "disallowed_special": "all"},
]


@pytest.mark.parametrize("kwargs", SPECIAL_ARGS, ids=repr)
def test_encode_special_tokens_like_tiktoken(pair, kwargs):
    ours, theirs = pair
    for text in SPECIAL_TEXTS:
        expected = outcome(theirs.encode, text, **kwargs)
        assert outcome(ours.encode, text, **kwargs) == expected, text
        assert outcome(ours.encode_batch, [text, "plain"], **kwargs) == outcome(theirs.encode_batch, [text, "plain"], **kwargs)


def test_encode_batch_reports_the_first_failing_text(pair):
    ours, theirs = pair
    texts = ["ok", "b <|endofprompt|>", "a <|endoftext|>", "fine"] * 10
    expected = outcome(theirs.encode_batch, texts, disallowed_special={"<|endoftext|>", "<|endofprompt|>"})
    assert expected[0] is ValueError and "<|endofprompt|>" in expected[1]
    assert outcome(ours.encode_batch, texts, disallowed_special={"<|endoftext|>", "<|endofprompt|>"}) == expected
    assert outcome(ours.encode_batch, texts, num_threads=3) == outcome(theirs.encode_batch, texts, num_threads=3)


SURROGATE_TEXTS = [
    "\ud800",
    "a\udc00b",
    "\ud83d\ude00 pair as two code points",
    "lone high \ud83d then text",
    "\udfff\ud800 reversed",
    "mixed 😀 \ud800 <|endoftext|> \udc00",
    "\ud800" * 50 + "x" * 600,  # long enough to take the GIL-released path
]


def test_lone_surrogates_like_tiktoken(pair):
    ours, theirs = pair
    for text in SURROGATE_TEXTS:
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text), repr(text)
        assert outcome(ours.encode, text) == outcome(theirs.encode, text), repr(text)
        assert ours.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all"), repr(text)
        assert ours.count(text) == len(theirs.encode_ordinary(text))
    assert ours.encode_ordinary_batch(SURROGATE_TEXTS) == theirs.encode_ordinary_batch(SURROGATE_TEXTS)
    assert ours.count_batch(SURROGATE_TEXTS) == [len(ids) for ids in theirs.encode_ordinary_batch(SURROGATE_TEXTS)]


MULTIBYTE = [
    "héllo wörld",
    "日本語のテキスト、中文文本",
    "emoji 😀👍🏽 👩‍👩‍👧‍👦 flags 🇫🇷🇯🇵",
    "Ελληνικά, русский, العربية, עברית, हिन्दी, ไทย, 한국어",
    "combining: e\u0301 a\u0300\u0301\u0302 z\u0335\u0321",
    "𝕳𝖊𝖑𝖑𝖔 𓀀𓀁 \U0010fffd",
]


def test_decode_with_offsets_multibyte_like_tiktoken(pair):
    ours, theirs = pair
    for text in MULTIBYTE:
        ids = theirs.encode_ordinary(text)
        # Some tokens start inside a character: the offsets must say which character.
        assert ours.decode_with_offsets(ids) == theirs.decode_with_offsets(ids), text
        assert ours.decode_with_offsets(ids)[0] == text
    # A token sequence that is not valid UTF-8 raises like tiktoken's. The hieroglyph is four
    # byte-level tokens in every encoding, so its first token alone is a broken character.
    ids = theirs.encode_ordinary("𓀀")
    assert len(ids) == 4
    assert outcome(theirs.decode_with_offsets, ids[:1])[0] is UnicodeDecodeError
    assert outcome(ours.decode_with_offsets, ids[:1]) == outcome(theirs.decode_with_offsets, ids[:1])


def test_decode_like_tiktoken(pair):
    ours, theirs = pair
    ids = theirs.encode("café 😀 <|endoftext|>", allowed_special="all")
    assert ours.decode(ids) == theirs.decode(ids)
    assert ours.decode_bytes(ids) == theirs.decode_bytes(ids)
    assert ours.decode_tokens_bytes(ids) == theirs.decode_tokens_bytes(ids)
    assert ours.decode_bytes(tuple(ids)) == theirs.decode_bytes(tuple(ids))
    assert ours.decode_batch([ids, ids[:3], []]) == theirs.decode_batch([ids, ids[:3], []])
    assert ours.decode_bytes_batch([ids, ids[:3]]) == theirs.decode_bytes_batch([ids, ids[:3]])
    broken = theirs.encode_ordinary("𓀀")[:1]
    assert theirs.decode_bytes(broken) == b"\xf0", "a lone lead byte in every encoding"
    for errors in ["replace", "ignore", "backslashreplace", "strict"]:
        assert outcome(ours.decode, broken, errors=errors) == outcome(theirs.decode, broken, errors=errors)
    for token in [0, ours.eot_token, ours.max_token_value]:
        assert ours.decode_single_token_bytes(token) == theirs.decode_single_token_bytes(token)


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.decode_bytes([1, 10**6]),
        lambda e: e.decode([10**6]),
        lambda e: e.decode_single_token_bytes(10**6),
        lambda e: e.decode_tokens_bytes([5, 10**6]),
        lambda e: e.decode_bytes([-1]),
        lambda e: e.decode_bytes([2**32]),
        lambda e: e.decode_single_token_bytes(-1),
        lambda e: e.encode_single_token("qqqqqqqqzz"),
        lambda e: e.encode_single_token(b"<|endoftext|>"),
        lambda e: e.encode_single_token("hello"),
        lambda e: e._encode_single_piece("helloqqqq"),
        lambda e: e._encode_single_piece(b" \xe6\x97\xa5\xe6\x9c\xac"),
        lambda e: e.encode_ordinary_batch(["a"], num_threads=0),
        lambda e: e.eot_token,
        lambda e: sorted(e.special_tokens_set),
    ],
)
def test_errors_and_single_tokens_like_tiktoken(pair, call):
    ours, theirs = pair
    assert outcome(call, ours) == outcome(call, theirs)


def test_type_errors_like_tiktoken(pair):
    ours, theirs = pair
    for bad in [b"bytes", 123, None]:
        assert outcome(ours.encode_ordinary, bad) == outcome(theirs.encode_ordinary, bad)
        assert outcome(ours.encode_ordinary, bad)[0] is TypeError


def test_get_encoding_errors_like_tiktoken(tiktoken):
    for name in ["nope", "CL100K_BASE", 42]:
        ours, theirs = outcome(tokenmaxx.get_encoding, name), outcome(tiktoken.get_encoding, name)
        assert ours[0] is theirs[0] is ValueError
    assert outcome(tokenmaxx.get_encoding, 42) == outcome(tiktoken.get_encoding, 42)
    assert "cl100k_base" in outcome(tokenmaxx.get_encoding, "nope")[1]
    assert tokenmaxx.get_encoding("cl100k_base") is tokenmaxx.get_encoding("cl100k_base")


def test_pickle_builtin_by_name():
    enc = tokenmaxx.get_encoding("o200k_harmony")
    data = pickle.dumps(enc)
    assert len(data) < 200, "a built-in encoding pickles by name"
    back = pickle.loads(data)
    assert back.name == "o200k_harmony"
    assert back.encode("hi <|start|>", allowed_special="all") == enc.encode("hi <|start|>", allowed_special="all")


def test_pickle_in_subprocess_uses_the_name():
    data = pickle.dumps(tokenmaxx.get_encoding("cl100k_base"))
    code = "import pickle, sys; e = pickle.loads(sys.stdin.buffer.read()); print(e.name, e.encode('hello world'))"
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True).stdout
    assert out.decode().strip() == "cl100k_base [15339, 1917]"


def test_custom_encoding_like_tiktoken(tiktoken, corpus):
    """A custom encoding from r50k ranks with the original GPT-2 pattern (which tiktoken documents
    as equivalent) and extra special tokens, built the same way in both libraries."""
    base = tiktoken.get_encoding("r50k_base")
    gpt2_release_pattern = r"""'s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    kwargs = dict(
        pat_str=gpt2_release_pattern,
        mergeable_ranks=base._mergeable_ranks,
        special_tokens={"<|endoftext|>": 50256, "<|im_start|>": 50257, "<|im_end|>": 50258},
    )
    ours, theirs = tokenmaxx.Encoding("custom", **kwargs), tiktoken.Encoding("custom", **kwargs)
    texts = [t for _, t in corpus["chat.jsonl"][:400]] + [t for _, t in corpus["udhr.jsonl"][:40]]
    texts += [t for _, t in corpus["edge_cases.jsonl"] if not t.startswith("\x00")][:60]
    assert ours.encode_ordinary_batch(texts) == theirs.encode_ordinary_batch(texts)
    text = "<|im_start|>user\nhello<|im_end|><|endoftext|>"
    assert ours.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all")
    assert outcome(ours.encode, text) == outcome(theirs.encode, text)
    assert ours.n_vocab == theirs.n_vocab == 50259
    assert ours.decode(ours.encode(text, allowed_special="all")) == text
    # Pickled by full state, restored to an equal encoding.
    back = pickle.loads(pickle.dumps(ours))
    assert back.name == "custom" and back._pat_str == gpt2_release_pattern
    assert back.encode(text, allowed_special="all") == ours.encode(text, allowed_special="all")


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "p50k_base"])
def test_custom_encoding_from_builtin_ranks(tiktoken, name):
    base = tiktoken.get_encoding(name)
    ours = tokenmaxx.Encoding(
        name + "_copy",
        pat_str=base._pat_str,
        mergeable_ranks=base._mergeable_ranks,
        special_tokens=base._special_tokens,
        # as tiktoken's own constructors: only p50k_base's ids have no gaps
        explicit_n_vocab=base.n_vocab if name == "p50k_base" else None,
    )
    text = "Hello,   world!\n\n  It's 12345 o'clock — ÅNGSTRÖM's naïve café <|endoftext|>"
    assert ours.encode(text, disallowed_special=()) == base.encode(text, disallowed_special=())
    assert ours.encode(text, allowed_special="all") == base.encode(text, allowed_special="all")


def test_custom_encoding_accepts_any_pattern_and_rejects_invalid_ones(tiktoken):
    """A pattern no scanner implements runs through the PCRE2 fallback (test_patterns.py compares
    it with tiktoken at length); one that does not compile is a ValueError naming the problem."""
    ranks = {bytes([b]): b for b in range(256)} | {b"ab": 256, b" c": 257}
    ours = tokenmaxx.Encoding("x", pat_str=r"\w+|\s+", mergeable_ranks=ranks, special_tokens={})
    theirs = tiktoken.Encoding("x", pat_str=r"\w+|\s+", mergeable_ranks=ranks, special_tokens={})
    assert ours.encode("ab c!") == theirs.encode("ab c!") == [256, 32, 99]
    with pytest.raises(ValueError, match="unclosed group"):
        tokenmaxx.Encoding("x", pat_str="(ab", mergeable_ranks=ranks, special_tokens={})


def test_custom_encoding_explicit_n_vocab_checked_like_tiktoken(tiktoken):
    pat = tiktoken.get_encoding("r50k_base")._pat_str
    ranks = {bytes([b]): b for b in range(256)}
    for n in [300, 257]:
        kwargs = dict(pat_str=pat, mergeable_ranks=ranks, special_tokens={"<|x|>": 256}, explicit_n_vocab=n)
        assert outcome(tokenmaxx.Encoding, "t", **kwargs)[0] is outcome(tiktoken.Encoding, "t", **kwargs)[0]
    enc = tokenmaxx.Encoding("t", pat_str=pat, mergeable_ranks=ranks, special_tokens={"<|x|>": 256}, explicit_n_vocab=257)
    assert enc.encode("ab<|x|>", allowed_special="all") == [97, 98, 256]


def test_count_and_count_until():
    enc = tokenmaxx.get_encoding("cl100k_base")
    text = "The quick brown fox jumps over the lazy dog. " * 40
    n = len(enc.encode_ordinary(text))
    assert enc.count(text) == n
    assert enc.count("<|endoftext|>") == len(enc.encode_ordinary("<|endoftext|>"))  # plain text, no error
    for limit in [0, 1, n // 2, n - 1]:
        assert enc.count_until(text, limit) == limit + 1
    for limit in [n, n + 1, 10 * n]:
        assert enc.count_until(text, limit) == n
    assert enc.count_until("", 0) == 0
    with pytest.raises(ValueError):
        enc.count_until(text, -1)
    texts = [text[:k] for k in range(0, len(text), 97)]
    assert enc.count_batch(texts, num_threads=3) == [len(enc.encode_ordinary(t)) for t in texts]


def test_encode_to_numpy_like_tiktoken(pair):
    np = pytest.importorskip("numpy")
    ours, theirs = pair
    text = "numpy <|endoftext|> array"
    a = ours.encode_to_numpy(text, allowed_special="all")
    assert a.dtype == np.uint32 and a.tolist() == theirs.encode(text, allowed_special="all")


def test_tiktoken_compat_runs_tiktoken_code_unchanged(tmp_path):
    """A script written for tiktoken, run with `tiktoken` resolving to the compatibility module."""
    script = textwrap.dedent(
        """
        import tokenmaxx.tiktoken_compat
        tokenmaxx.tiktoken_compat.install()

        import tiktoken
        import tiktoken.model
        from tiktoken.load import load_tiktoken_bpe
        from tiktoken.registry import list_encoding_names
        from tiktoken.core import Encoding

        enc = tiktoken.get_encoding("cl100k_base")
        assert isinstance(enc, tiktoken.Encoding) and isinstance(enc, Encoding)
        assert tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
        assert tiktoken.model.MODEL_TO_ENCODING["gpt-4"] == "cl100k_base"
        assert "o200k_harmony" in list_encoding_names()
        ids = enc.encode("hello world")
        assert ids == [15339, 1917] and enc.decode(ids) == "hello world"
        assert enc.encode("<|endoftext|>", allowed_special={"<|endoftext|>"}) == [100257]
        ranks = load_tiktoken_bpe("https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
                                  expected_hash="306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930")
        custom = tiktoken.Encoding("mine", pat_str=tiktoken.get_encoding("r50k_base")._pat_str,
                                   mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})
        assert custom.encode("hello world") == [31373, 995]
        print("ok", tiktoken.__name__)
        """
    )
    path = tmp_path / "uses_tiktoken.py"
    path.write_text(script)
    env = dict(__import__("os").environ, TOKENMAXX_OFFLINE="1")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok tokenmaxx.tiktoken_compat"


def test_compat_module_attributes():
    import tokenmaxx.tiktoken_compat as tk
    from tokenmaxx.tiktoken_compat.model import MODEL_PREFIX_TO_ENCODING

    assert tk.get_encoding is tokenmaxx.get_encoding
    assert tk.Encoding is tokenmaxx.Encoding
    assert tk.registry.list_encoding_names() == tokenmaxx.list_encoding_names()
    assert tk.model.encoding_name_for_model("gpt-4-0613") == "cl100k_base"
    assert MODEL_PREFIX_TO_ENCODING["gpt-oss-"] == "o200k_harmony"


def test_family_patterns_are_tiktokens(tiktoken):
    families = {name: _core.token.family_for_pattern(tiktoken.get_encoding(name)._pat_str) for name in
                ["r50k_base", "p50k_base", "cl100k_base", "o200k_base", "o200k_harmony"]}
    assert families == {"r50k_base": "gpt2", "p50k_base": "gpt2", "cl100k_base": "cl100k",
                        "o200k_base": "o200k", "o200k_harmony": "o200k"}
    assert _core.token.family_for_pattern(tiktoken.get_encoding("cl100k_base")._pat_str + " ") is None
