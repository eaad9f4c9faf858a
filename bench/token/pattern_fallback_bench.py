#!/usr/bin/env python3
"""The PCRE2 fallback against tiktoken on the same pattern, in ONE run on this machine.

For each foreign pattern (Llama 3, Llama 4, Tekken, Kimi K2 as litellm spells it; the patterns of
bindings/python/tests/test_patterns.py) over cl100k_base's ranks, on three corpus files (English
prose, Python code, the 266-language UDHR):
  - tiktoken: `Encoding(pat_str=...)`, `encode_ordinary`;
  - tokenmaxx PCRE2: the pattern compiled by the fallback (forced even where a scanner exists),
    `encode_ordinary` and `count`;
  - tokenmaxx scanner: the hand-written scanner of the pattern's family, where there is one.
Exactness first: every tool's ids must equal tiktoken's on every document (the file is not timed
otherwise). Then the tools alternate round by round (background load hits all alike), best of
--rounds, single thread, CPU time of this process. Writes a Markdown table (MB/s, ratio to
tiktoken) to --out.

Usage (the tokenmaxx package installed):
  TOKENMAXX_CORPUS_DIR=../shared/corpus TIKTOKEN_CACHE_DIR=../shared/vocab/tiktoken_cache \\
  python3 bench/token/pattern_fallback_bench.py --out bench/results/openvocab.md
"""
from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import os
import platform
import sys
import time

import tiktoken

from tokenmaxx import _core

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python", "tests"))
from test_patterns import FOREIGN  # noqa: E402

PATTERNS = ["llama3", "llama4", "tekken", "kimi"]
FILES = ["prose_en.txt", "code_python.txt", "udhr.jsonl"]


def documents(corpus: str, name: str) -> list[str]:
    with open(os.path.join(corpus, name), encoding="utf-8") as f:
        if name.endswith(".txt"):
            return [f.read()]
        return [json.loads(line)["text"] for line in f if line.strip()]


def best_cpu_seconds(run, rounds_done: list[float]) -> None:
    t0 = time.process_time()
    run()
    rounds_done.append(time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.environ.get("TOKENMAXX_CORPUS_DIR"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not args.corpus:
        sys.exit("set TOKENMAXX_CORPUS_DIR")
    ranks = tiktoken.get_encoding("cl100k_base")._mergeable_ranks
    vocab = _core.token.Vocabulary.from_ranks(ranks, "cl100k ranks")
    files = {name: documents(args.corpus, name) for name in FILES}
    rows = []
    for pattern_name in PATTERNS:
        pattern = FOREIGN[pattern_name]
        theirs = tiktoken.Encoding(pattern_name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
        pcre2 = _core.token.CoreEncoding.from_pattern("t", pattern, vocab, [], force_regex=True)
        scanner = _core.token.CoreEncoding.from_pattern("t", pattern, vocab, [], force_regex=False)
        tools = {
            "tiktoken encode_ordinary": theirs.encode_ordinary,
            "tokenmaxx PCRE2 encode_ordinary": pcre2.encode_ordinary,
            "tokenmaxx PCRE2 count": pcre2.count,
        }
        if scanner.family != "regex":
            tools[f"tokenmaxx scanner ({scanner.family}) count"] = scanner.count
        for file_name, docs in files.items():
            expected = [theirs.encode_ordinary(d) for d in docs]
            mismatched = [k for k, d in enumerate(docs) if pcre2.encode_ordinary(d) != expected[k]]
            if scanner.family != "regex":
                mismatched += [k for k, d in enumerate(docs) if scanner.encode_ordinary(d) != expected[k]]
            size = sum(len(d.encode("utf-8")) for d in docs)
            if mismatched:
                rows.append((pattern_name, file_name, size, {"mismatches": len(set(mismatched))}))
                continue
            times: dict[str, list[float]] = {t: [] for t in tools}
            for _ in range(args.rounds):
                for tool, call in tools.items():
                    best_cpu_seconds(lambda: [call(d) for d in docs], times[tool])
            rows.append((pattern_name, file_name, size, {t: min(v) for t, v in times.items()}))
            print(pattern_name, file_name, {t: round(size / min(v) / 1e6, 1) for t, v in times.items()}, flush=True)

    lines = [
        "# PCRE2 fallback vs tiktoken on the same pattern",
        "",
        "Produced by `bench/token/pattern_fallback_bench.py` (one run; tools alternating per round, best of "
        f"{args.rounds}, CPU time, single thread, Python API for both). cl100k_base ranks with each pattern; "
        "ids checked equal to tiktoken's on every document before timing.",
        "",
        f"tiktoken {metadata.version('tiktoken')}, tokenmaxx {metadata.version('tokenmaxx')}, "
        f"Python {platform.python_version()}, {platform.machine()}, load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| pattern | file | tool | MB/s | vs tiktoken |",
        "| --- | --- | --- | --- | --- |",
    ]
    for pattern_name, file_name, size, result in rows:
        if "mismatches" in result:
            lines.append(f"| {pattern_name} | {file_name} | differs from tiktoken on {result['mismatches']} documents | | |")
            continue
        base = result["tiktoken encode_ordinary"]
        for tool, seconds in result.items():
            lines.append(f"| {pattern_name} | {file_name} | {tool} | {size / seconds / 1e6:.1f} | {base / seconds:.2f}x |")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
