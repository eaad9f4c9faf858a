"""Concurrency: one Encoding shared by many Python threads, native batch calls with any thread
count, and the GIL released while a long text is tokenized."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import tokenmaxx


@pytest.fixture(scope="module")
def docs(corpus):
    texts = [t for _, t in corpus["chat.jsonl"][:600]] + [t for _, t in corpus["udhr.jsonl"][:60]]
    texts += [t for _, t in corpus["edge_cases.jsonl"][:80]]
    texts.append(corpus["code_python.txt"][0][1][:200_000])
    return texts


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_harmony"])
def test_shared_encoding_from_8_threads(docs, name):
    enc = tokenmaxx.get_encoding(name)
    reference = [enc.encode_ordinary(t) for t in docs]
    counts = [len(ids) for ids in reference]

    def work(seed: int):
        order = list(range(len(docs)))
        order = order[seed:] + order[:seed]  # each thread starts somewhere else
        out = {}
        for i in order:
            out[i] = (enc.encode_ordinary(docs[i]), enc.count(docs[i]), enc.encode(docs[i], disallowed_special=()))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, [k * len(docs) // 8 for k in range(8)]))
    for out in results:
        for i, (ids, n, ids2) in out.items():
            assert ids == reference[i] and ids2 == reference[i] and n == counts[i]


def test_batch_results_do_not_depend_on_thread_count(docs):
    enc = tokenmaxx.get_encoding("o200k_base")
    reference = [enc.encode_ordinary(t) for t in docs]
    for threads in [1, 2, 3, 8, 64]:
        assert enc.encode_ordinary_batch(docs, num_threads=threads) == reference
        assert enc.encode_batch(docs, num_threads=threads, disallowed_special=()) == reference
        assert enc.count_batch(docs, num_threads=threads) == [len(r) for r in reference]
        assert enc.decode_bytes_batch(reference, num_threads=threads) == [t.encode() for t in docs]
    assert enc.encode_ordinary_batch([], num_threads=4) == []
    assert enc.encode_ordinary_batch(iter(docs[:5])) == reference[:5]  # any iterable, like tiktoken's map
    with pytest.raises(ValueError, match="max_workers must be greater than 0"):
        enc.count_batch(docs, num_threads=0)


def test_concurrent_batch_calls(docs):
    enc = tokenmaxx.get_encoding("cl100k_base")
    reference = enc.encode_ordinary_batch(docs, num_threads=1)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: enc.encode_ordinary_batch(docs, num_threads=4), range(8)))
    assert all(out == reference for out in outs)


def test_get_encoding_from_many_threads_returns_one_object():
    barrier = threading.Barrier(8)

    def get(_):
        barrier.wait()
        return tokenmaxx.get_encoding("p50k_edit")

    with ThreadPoolExecutor(8) as pool:
        encs = list(pool.map(get, range(8)))
    assert all(e is encs[0] for e in encs)


def test_gil_is_released_while_tokenizing():
    """While another thread counts a long text (hundreds of ms in C++), this thread keeps running:
    its longest pause stays far below the length of the call."""
    enc = tokenmaxx.get_encoding("cl100k_base")
    text = "the quick brown fox, 12345! " * 100_000
    while True:  # make the call last at least 0.3 s on this machine
        t0 = time.perf_counter()
        enc.count(text)
        if time.perf_counter() - t0 >= 0.3 or len(text) > 1 << 28:
            break
        text += text
    done = threading.Event()
    timing = {}

    def worker():
        t0 = time.perf_counter()
        enc.count(text)
        timing["call"] = time.perf_counter() - t0
        done.set()

    thread = threading.Thread(target=worker)
    longest, last = 0.0, time.perf_counter()
    thread.start()
    while not done.is_set():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    thread.join()
    assert timing["call"] > 0.15, "the call must be long enough for the measurement to mean something"
    assert longest < timing["call"] / 2, (longest, timing["call"])
