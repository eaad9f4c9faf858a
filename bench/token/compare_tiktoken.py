#!/usr/bin/env python3
"""Side-by-side throughput: tokenmaxx (C++ `count`) against Python tiktoken, in one run.

Exactness first: tiktoken's counts must equal ../shared/expected (and tokenizer_bench aborts unless
its own counts do). Then each side tokenizes the same documents single-threaded; the table gives
MB/s and the ratio. Hostile inputs (1 MiB without a split point) are timed once each.

Usage:
  TOKENMAXX_VOCAB_DIR=../shared/vocab TOKENMAXX_CORPUS_DIR=../shared/corpus \\
  TOKENMAXX_EXPECTED_DIR=../shared/expected TIKTOKEN_CACHE_DIR=../shared/vocab/tiktoken_cache \\
  python3 bench/token/compare_tiktoken.py --bench build/release/bench/token/tokenizer_bench [--out bench/results/tokenizer.md]
"""
import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time

import tiktoken

ENCODINGS = ["r50k_base", "cl100k_base", "o200k_base"]
FILES = ["prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"]


def documents(corpus, name):
    path = os.path.join(corpus, name)
    if name.endswith(".txt"):
        with open(path, encoding="utf-8") as f:
            return [f.read()]
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def expected_counts(expected_dir, name, enc):
    stem = name.rsplit(".", 1)[0]
    with open(os.path.join(expected_dir, f"{stem}.{enc}.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["count"] for line in f if line.strip()]


def best_time(fn, min_seconds=1.0, min_reps=3):
    best, total, reps = float("inf"), 0.0, 0
    while reps < min_reps or total < min_seconds:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, total, reps = min(best, dt), total + dt, reps + 1
    return best


def hostile(kind):
    n = 1 << 20
    if kind == "a":
        return "a" * n
    if kind == "caret":
        return "^" * n
    if kind == "space":
        return " " * n
    rng = random.Random(42)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(alphabet) for _ in range(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path to tokenizer_bench")
    ap.add_argument("--out")
    args = ap.parse_args()
    corpus, expected_dir = os.environ["TOKENMAXX_CORPUS_DIR"], os.environ["TOKENMAXX_EXPECTED_DIR"]

    # tokenmaxx: Google Benchmark JSON (it checks exactness against expected before timing).
    raw = subprocess.run([args.bench, "--benchmark_format=json", "--benchmark_min_time=0.5",
                          "--benchmark_filter=^(count|hostile_1MiB)/(r50k_base|cl100k_base|o200k_base)/"],
                         check=True, capture_output=True, text=True).stdout
    ours = {b["name"]: b for b in json.loads(raw)["benchmarks"]}

    rows = []
    for enc_name in ENCODINGS:
        enc = tiktoken.get_encoding(enc_name)
        for name in FILES:
            docs = documents(corpus, name)
            want = expected_counts(expected_dir, name, enc_name)
            got = [len(enc.encode_ordinary(d)) for d in docs]
            if got != want:
                sys.exit(f"tiktoken disagrees with expected on {name} {enc_name}; not timing")
            nbytes = sum(len(d.encode("utf-8")) for d in docs)
            t = best_time(lambda: [enc.encode_ordinary(d) for d in docs])
            tk = nbytes / t / 1e6
            b = ours[f"count/{enc_name}/{name}"]
            tm = b["bytes_per_second"] / 1e6
            rows.append((enc_name, name, nbytes, tk, tm))
        for kind in ["a", "caret", "space", "base64"]:
            text = hostile(kind)
            t0 = time.perf_counter()
            try:
                enc.encode_ordinary(text)
                tk_s = time.perf_counter() - t0
            except BaseException as e:  # tiktoken's regex engine panics (stack overflow) on some runs
                tk_s = f"fails ({type(e).__name__})"
            b = ours[f"hostile_1MiB/{enc_name}/{kind}"]
            tm_s = b["real_time"] / 1e3  # milliseconds -> seconds
            rows.append((enc_name, f"1 MiB of {kind}", 1 << 20, tk_s, tm_s))

    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
             f"tiktoken {tiktoken.__version__} (Python API over its Rust core), tokenmaxx C++ `count`; "
             "single thread, same run.", "",
             "| encoding | input | bytes | tiktoken | tokenmaxx | speed-up |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for enc_name, name, nbytes, a, b in rows:
        if name.startswith("1 MiB") and isinstance(a, str):
            lines.append(f"| {enc_name} | {name} | {nbytes} | {a} | {b:.3f} s | n/a |")
        elif name.startswith("1 MiB"):
            lines.append(f"| {enc_name} | {name} | {nbytes} | {a:.3f} s | {b:.3f} s | {a / b:.1f}x |")
        else:
            lines.append(f"| {enc_name} | {name} | {nbytes} | {a:.1f} MB/s | {b:.1f} MB/s | {b / a:.1f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
