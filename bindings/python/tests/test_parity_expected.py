"""Every corpus document, every base encoding: ids and counts equal ../shared/expected."""
from __future__ import annotations

import pytest
from conftest import BASE_ENCODINGS, CORPUS_FILES, ids_sha256, load_expected

import tokenmaxx


@pytest.mark.parametrize("encoding", BASE_ENCODINGS)
@pytest.mark.parametrize("corpus_file", CORPUS_FILES)
def test_ids_and_counts_match_expected(corpus, corpus_file, encoding):
    enc = tokenmaxx.get_encoding(encoding)
    docs = corpus[corpus_file]
    expected = load_expected(corpus_file, encoding)
    assert len(expected) == len(docs), "the expected file must cover every document"
    texts = [text for _, text in docs]
    batch_ids = enc.encode_ordinary_batch(texts, num_threads=2)
    counts = enc.count_batch(texts, num_threads=2)
    assert len(batch_ids) == len(counts) == len(docs), "one result per document"
    mismatches = []
    for (doc_id, text), ids, n in zip(docs, batch_ids, counts):
        row = expected[doc_id]
        assert row["bytes"] == len(text.encode("utf-8")), doc_id
        if len(ids) != row["count"] or ids_sha256(ids) != row["ids_sha256"] or n != row["count"]:
            mismatches.append(doc_id)
    assert not mismatches, f"{len(mismatches)} documents differ, e.g. {mismatches[:5]}"


@pytest.mark.parametrize("encoding", BASE_ENCODINGS)
def test_single_calls_agree_with_batch(corpus, encoding):
    enc = tokenmaxx.get_encoding(encoding)
    docs = [text for _, text in corpus["chat.jsonl"][:300]] + [text for _, text in corpus["udhr.jsonl"][:50]]
    assert [enc.encode_ordinary(t) for t in docs] == enc.encode_ordinary_batch(docs)
    assert [enc.count(t) for t in docs] == [len(ids) for ids in enc.encode_ordinary_batch(docs)]
    # Every document decodes back to its text.
    assert [enc.decode(ids) for ids in enc.encode_ordinary_batch(docs)] == docs
