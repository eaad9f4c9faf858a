"""Against Python tiktoken directly: ids for every corpus document and all six of tiktoken's
encodings with rank files (gpt2 reads other files, its ranks are r50k_base's), then the
special-token handling of `encode` on every document, the tables and the metadata."""
from __future__ import annotations

import pytest
from conftest import CORPUS_FILES, TIKTOKEN_ENCODINGS

import tokenmaxx
from tokenmaxx import _core


def outcome(fn, *args, **kwargs):
    """The result of a call, or its exception as (type, message), for side-by-side comparison."""
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001
        return (type(e), str(e))


@pytest.mark.parametrize("encoding", TIKTOKEN_ENCODINGS)
@pytest.mark.parametrize("corpus_file", CORPUS_FILES)
def test_encode_ordinary_equals_tiktoken(tiktoken, corpus, corpus_file, encoding):
    ours, theirs = tokenmaxx.get_encoding(encoding), tiktoken.get_encoding(encoding)
    texts = [text for _, text in corpus[corpus_file]]
    expected = theirs.encode_ordinary_batch(texts, num_threads=2)
    got = ours.encode_ordinary_batch(texts, num_threads=2)
    assert len(got) == len(expected) == len(texts), "one result per document"
    bad = [doc_id for (doc_id, _), a, b in zip(corpus[corpus_file], got, expected) if a != b]
    assert not bad, f"{len(bad)} documents differ from tiktoken, e.g. {bad[:5]}"


@pytest.mark.parametrize("encoding", TIKTOKEN_ENCODINGS)
@pytest.mark.parametrize("corpus_file", ["chat.jsonl", "edge_cases.jsonl"])
def test_encode_special_handling_equals_tiktoken(tiktoken, corpus, corpus_file, encoding):
    """encode() with its defaults (raises on special-token text), with everything allowed, and with
    the check disabled, on every document: same ids or same exception and message."""
    ours, theirs = tokenmaxx.get_encoding(encoding), tiktoken.get_encoding(encoding)
    raised = 0
    for doc_id, text in corpus[corpus_file]:
        expected = outcome(theirs.encode, text)
        assert outcome(ours.encode, text) == expected, doc_id
        raised += expected[0] is ValueError
        assert ours.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all"), doc_id
        assert ours.encode(text, disallowed_special=()) == theirs.encode(text, disallowed_special=()), doc_id
    if corpus_file == "edge_cases.jsonl":
        assert raised > 0, "the edge cases hold special-token text, so some documents must raise"


def test_encoding_names_and_model_tables_equal_tiktoken(tiktoken):
    import tiktoken.model

    assert tokenmaxx.list_encoding_names() == tiktoken.list_encoding_names()
    assert tokenmaxx.model.MODEL_TO_ENCODING == tiktoken.model.MODEL_TO_ENCODING
    assert list(tokenmaxx.model.MODEL_PREFIX_TO_ENCODING.items()) == list(tiktoken.model.MODEL_PREFIX_TO_ENCODING.items())
    models = list(tiktoken.model.MODEL_TO_ENCODING) + [
        "gpt-4o-2024-05-13", "gpt-4-0314", "gpt-3.5-turbo-FAKE", "gpt-oss-120b", "ft:gpt-4o:org", "o1-mini",
        "gpt-5-mini", "gpt-4.1-nano", "not-a-model", "", "gpt-4o-", "ft:davinci-002:x",
    ]
    for model in models:
        assert outcome(tokenmaxx.encoding_name_for_model, model) == outcome(tiktoken.encoding_name_for_model, model)


@pytest.mark.parametrize("encoding", TIKTOKEN_ENCODINGS)
def test_metadata_equals_tiktoken(tiktoken, encoding):
    ours, theirs = tokenmaxx.get_encoding(encoding), tiktoken.get_encoding(encoding)
    assert ours.name == theirs.name
    assert repr(ours) == repr(theirs)
    assert ours.n_vocab == theirs.n_vocab
    assert ours.max_token_value == theirs.max_token_value
    assert ours.eot_token == theirs.eot_token
    assert ours.special_tokens_set == theirs.special_tokens_set
    assert ours._special_tokens == theirs._special_tokens
    assert list(ours._special_tokens.items()) == list(theirs._special_tokens.items())
    assert ours._pat_str == theirs._pat_str
    assert _core.token.family_for_pattern(theirs._pat_str) is not None
    assert ours._mergeable_ranks == theirs._mergeable_ranks
    assert ours.token_byte_values() == theirs.token_byte_values()
    for token in [0, 1, 255, 256, 1000, ours.eot_token, ours.max_token_value]:
        assert ours.is_special_token(token) == theirs.is_special_token(token)


def test_gpt2_is_r50k_base(tiktoken):
    gpt2, r50k = tokenmaxx.get_encoding("gpt2"), tiktoken.get_encoding("r50k_base")
    assert gpt2.name == "gpt2"
    assert gpt2.n_vocab == r50k.n_vocab == 50257
    assert gpt2._pat_str == r50k._pat_str
    assert gpt2.encode("hello <|endoftext|>", allowed_special="all") == r50k.encode("hello <|endoftext|>", allowed_special="all")
