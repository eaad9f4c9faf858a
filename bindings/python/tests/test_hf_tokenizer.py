"""Byte-level BPE from tokenizer.json against Hugging Face `tokenizers` itself.

The tokenizer.json files are made here by training small byte-level BPE models with `tokenizers` on
the shared corpus, with several vocabulary sizes and pre-tokenizers (ByteLevel's own GPT-2 split,
with and without a prefix space; Qwen 2's split; DeepSeek V3's sequence of three splits), then
the documents and seeded random strings are encoded by both. A sample of the corpus keeps this
quick (every 8th document of each file, at most 64 KiB of each): training on all of it took 9
minutes and encoding it 3 minutes per model on this machine.
"""
from __future__ import annotations

import json
import random
import unicodedata

import pytest
from conftest import CORPUS_FILES
from test_patterns import random_texts

from tokenmaxx import _core

tokenizers = pytest.importorskip("tokenizers")
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers  # noqa: E402

QWEN2 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
DEEPSEEK_V3 = [
    r"\p{N}{1,3}",
    r"[一-龥\u3040-ゟ゠-ヿ]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def byte_level(**kw):
    return pre_tokenizers.ByteLevel(**kw)


def split(pattern: str):
    return pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)


CONFIGS = {
    "gpt2-300": (300, lambda: byte_level(add_prefix_space=False)),
    "gpt2-prefix-2000": (2000, lambda: byte_level(add_prefix_space=True)),
    "qwen2-1000": (1000, lambda: pre_tokenizers.Sequence([split(QWEN2), byte_level(add_prefix_space=False, use_regex=False)])),
    "qwen2-8000": (8000, lambda: pre_tokenizers.Sequence([split(QWEN2), byte_level(add_prefix_space=False, use_regex=False)])),
    "deepseek-3000": (
        3000,
        lambda: pre_tokenizers.Sequence([*(split(p) for p in DEEPSEEK_V3), byte_level(add_prefix_space=False, use_regex=False)]),
    ),
}


SAMPLE_EVERY = 8
SAMPLE_CHARS = 64 * 1024


def without_newer_code_points(text: str) -> str:
    """Code points assigned after Unicode 14.0 (Python 3.11's unicodedata, the version of PCRE2
    10.42's tables) replaced by U+FFFD: the Split patterns run through PCRE2, which does not know
    their classes (docs/VOCABULARIES.md lists them); tokenizers' Oniguruma does."""
    assert unicodedata.unidata_version.startswith("14."), "this test needs Unicode 14 data (Python 3.11)"
    return "".join("\ufffd" if unicodedata.category(c) == "Cn" else c for c in text)


@pytest.fixture(scope="module")
def docs(corpus) -> list[str]:
    return [without_newer_code_points(text[:SAMPLE_CHARS]) for name in CORPUS_FILES for _, text in corpus[name][::SAMPLE_EVERY]]


@pytest.fixture(scope="module")
def trained(docs, tmp_path_factory) -> dict[str, tuple[Tokenizer, str]]:
    training = docs
    out = {}
    for name, (size, pre) in CONFIGS.items():
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre()
        trainer = trainers.BpeTrainer(
            vocab_size=size, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
        )
        tok.train_from_iterator(training, trainer=trainer)
        path = tmp_path_factory.mktemp("hf") / f"{name}.json"
        tok.save(str(path))
        out[name] = (tok, str(path))
    return out


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_equals_tokenizers(trained, docs, name):
    ref, path = trained[name]
    ours = _core.token.HFTokenizer.from_file(path)
    rng = random.Random(5)
    texts = docs + [without_newer_code_points(t) for t in random_texts(11, 300)]
    texts += [f"{rng.choice(SPECIALS)}{t}{rng.choice(SPECIALS)} x" for t in random_texts(12, 50)]
    bad = []
    for k, text in enumerate(texts):
        expected = ref.encode(text, add_special_tokens=False).ids
        if ours.encode(text) != expected or ours.count(text) != len(expected):
            bad.append(k)
    assert not bad, f"{len(bad)} of {len(texts)} texts differ from tokenizers, e.g. {[texts[k][:40] for k in bad[:3]]}"
    assert ours.vocab_size == ref.get_vocab_size()
    text = "Hello <|im_start|>world"
    # ByteLevel's add_prefix_space puts a space before each piece between added tokens.
    expected = " Hello <|im_start|> world" if "prefix" in name else text
    assert ours.decode(ours.encode(text)) == expected


def test_merges_list_rule_differs_from_rank_rule():
    """tokenizers merges by the merges list: with merges a+b, ab+c and b+c (ranked in that order),
    "abc" becomes "abc"; a piece "bcd" with only b+c and a token "bcd" never listed stays "bc","d"
    although "bcd" is in the vocabulary (tiktoken's rule would make it one token)."""
    spec = make_json([("a", "b"), ("ab", "c"), ("b", "c")], extra=["ab", "abc", "bc", "bcd"])
    ours = _core.token.HFTokenizer.from_str(spec)
    ref = Tokenizer.from_str(spec)
    for text in ["abc", "bcd", "abcd", "xbcdx"]:
        assert ours.encode(text) == ref.encode(text, add_special_tokens=False).ids, text
    assert len(ours.encode("bcd")) == 2


def make_json(merges: list[tuple[str, str]], extra: list[str], **overrides) -> str:
    from tokenizers.pre_tokenizers import ByteLevel

    alphabet = ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    for t in extra:
        vocab.setdefault(t, len(vocab))
    doc = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    for key, value in overrides.items():
        doc[key] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    "override,feature",
    [
        ({"normalizer": {"type": "NFKC"}}, "normalizer NFKC"),
        ({"normalizer": {"type": "Lowercase"}}, "normalizer Lowercase"),
        ({"pre_tokenizer": {"type": "Whitespace"}}, "pre_tokenizer Whitespace"),
        ({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "a"}, "behavior": "MergedWithPrevious", "invert": False}},
         "Split behavior MergedWithPrevious"),
        ({"model": {"type": "WordPiece", "vocab": {}}}, "model WordPiece"),
        ({"model": {"type": "Unigram", "vocab": []}}, "model Unigram"),
    ],
)
def test_unsupported_features_are_named(override, feature):
    spec = make_json([], [], **override)
    with pytest.raises(ValueError, match=feature):
        _core.token.HFTokenizer.from_str(spec)
