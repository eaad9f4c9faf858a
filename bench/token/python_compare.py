#!/usr/bin/env python3
"""Side-by-side Python benchmark: the tokenmaxx package against Python tiktoken, in one run.

Exactness first: for every document and encoding, tokenmaxx's ids must equal tiktoken's and the
counts and id hashes must equal ../shared/expected; otherwise nothing is timed. Then both libraries
run the same calls on the same documents, alternating repetitions (best of >= 3 reps and >= 1 s
each), so background load hits both alike:

- encode_ordinary, one call per document, one thread;
- count (tokenmaxx `count`, no list built) against tiktoken's `len(encode_ordinary(...))`;
- encode_ordinary_batch over many documents with num_threads=2 (this machine's cores) and 8
  (tiktoken's default).

Usage:
  TOKENMAXX_CORPUS_DIR=../shared/corpus TOKENMAXX_EXPECTED_DIR=../shared/expected \\
  TIKTOKEN_CACHE_DIR=../shared/vocab/tiktoken_cache python3 bench/token/python_compare.py [--out bench/results/python.md]
(with the tokenmaxx package installed: `pip install .` or scripts/test_python.sh)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time

import tiktoken

import tokenmaxx

ENCODINGS = ["r50k_base", "cl100k_base", "o200k_base"]
FILES = ["prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"]


def documents(corpus: str, name: str) -> list[tuple[str, str]]:
    path = os.path.join(corpus, name)
    with open(path, encoding="utf-8") as f:
        if name.endswith(".txt"):
            return [(name, f.read())]
        return [(row["id"], row["text"]) for row in map(json.loads, filter(str.strip, f))]


def expected(expected_dir: str, name: str, enc: str) -> dict[str, dict]:
    stem = name.rsplit(".", 1)[0]
    with open(os.path.join(expected_dir, f"{stem}.{enc}.jsonl"), encoding="utf-8") as f:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, f))}


def side_by_side(fa, fb, min_seconds: float = 1.0, min_reps: int = 3) -> tuple[float, float]:
    """Best times of fa and fb, alternating repetitions."""
    best_a = best_b = float("inf")
    total, reps = 0.0, 0
    while reps < min_reps or total < 2 * min_seconds:
        for which, fn in ((0, fa), (1, fb)):
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            total += dt
            if which == 0:
                best_a = min(best_a, dt)
            else:
                best_b = min(best_b, dt)
        reps += 1
    return best_a, best_b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    corpus, expected_dir = os.environ["TOKENMAXX_CORPUS_DIR"], os.environ["TOKENMAXX_EXPECTED_DIR"]
    docs = {name: documents(corpus, name) for name in FILES}

    # Exactness before any timing.
    for enc_name in ENCODINGS:
        ours, theirs = tokenmaxx.get_encoding(enc_name), tiktoken.get_encoding(enc_name)
        for name in FILES:
            want = expected(expected_dir, name, enc_name)
            for doc_id, text in docs[name]:
                ids = ours.encode_ordinary(text)
                row = want[doc_id]
                if ids != theirs.encode_ordinary(text) or len(ids) != row["count"] or \
                        hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest() != row["ids_sha256"]:
                    sys.exit(f"{enc_name} {name} {doc_id}: tokenmaxx differs from tiktoken/expected; not timing")
    print("exactness: tokenmaxx == tiktoken == expected on every document; timing", file=sys.stderr)

    load_before = os.getloadavg()
    rows = []
    for enc_name in ENCODINGS:
        ours, theirs = tokenmaxx.get_encoding(enc_name), tiktoken.get_encoding(enc_name)
        for name in FILES:
            texts = [t for _, t in docs[name]]
            nbytes = sum(len(t.encode("utf-8")) for t in texts)
            ta, tb = side_by_side(lambda: [theirs.encode_ordinary(t) for t in texts],
                                  lambda: [ours.encode_ordinary(t) for t in texts])
            rows.append((enc_name, name, "encode_ordinary", nbytes, ta, tb))
            ta, tb = side_by_side(lambda: [len(theirs.encode_ordinary(t)) for t in texts],
                                  lambda: [ours.count(t) for t in texts])
            rows.append((enc_name, name, "count", nbytes, ta, tb))
        # Batch: every chat and UDHR row plus the three large files cut into 64 KiB pieces.
        batch = [t for n in ["chat.jsonl", "udhr.jsonl"] for _, t in docs[n]]
        for n in ["prose_en.txt", "code_python.txt", "code_cpp.txt"]:
            text = docs[n][0][1]
            batch += [text[i:i + 65536] for i in range(0, len(text), 65536)]
        nbytes = sum(len(t.encode("utf-8")) for t in batch)
        assert ours.encode_ordinary_batch(batch) == theirs.encode_ordinary_batch(batch)
        for threads in [2, 8]:
            ta, tb = side_by_side(lambda: theirs.encode_ordinary_batch(batch, num_threads=threads),
                                  lambda: ours.encode_ordinary_batch(batch, num_threads=threads))
            rows.append((enc_name, f"{len(batch)} documents", f"encode_ordinary_batch, {threads} threads", nbytes, ta, tb))
        ta, tb = side_by_side(lambda: [len(x) for x in theirs.encode_ordinary_batch(batch, num_threads=2)],
                              lambda: ours.count_batch(batch, num_threads=2))
        rows.append((enc_name, f"{len(batch)} documents", "count_batch, 2 threads", nbytes, ta, tb))

    load_after = os.getloadavg()
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work), {platform.platform()}; "
        f"Python {platform.python_version()}; tiktoken {tiktoken.__version__} vs tokenmaxx {tokenmaxx.__version__} "
        "(Python package); same run, alternating repetitions, best of >= 3; ids checked equal first.",
        "",
        f"Load average (1 min) at start / end of the timed part: {load_before[0]:.2f} / {load_after[0]:.2f} "
        f"on {os.cpu_count()} cores; with other work running, the batch rows cannot show multi-core scaling.",
        "",
        "Command: `TOKENMAXX_CORPUS_DIR=../shared/corpus TOKENMAXX_EXPECTED_DIR=../shared/expected "
        "TIKTOKEN_CACHE_DIR=../shared/vocab/tiktoken_cache python3 bench/token/python_compare.py --out bench/results/python.md`",
        "",
        "For `count`, tiktoken has no counting call, so its column is `len(encode_ordinary(text))`.",
        "",
        "| encoding | input | call | bytes | tiktoken | tokenmaxx | speed-up |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for enc_name, name, call, nbytes, ta, tb in rows:
        lines.append(f"| {enc_name} | {name} | {call} | {nbytes} | {nbytes / ta / 1e6:.1f} MB/s | "
                     f"{nbytes / tb / 1e6:.1f} MB/s | {ta / tb:.1f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
