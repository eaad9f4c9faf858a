#!/usr/bin/env python3
"""tokenmaxx against every exact tokenizer peer on PyPI, in ONE run on this machine.

1. Exactness first. For every corpus document (../shared/corpus) and encoding, each tool's token
   count must equal tiktoken's (and ../shared/expected). A tool that disagrees anywhere is reported
   with its number of mismatches and is not timed on that file; a tool that refuses an input
   (bpe-openai's Python wrapper refuses 1 M characters and 200 k tokens) is called through its
   own lower-level API when it has one, else reported as refusing.
2. Then timing, the tools alternating round by round so background load hits all alike, best of
   the rounds, single thread, CPU time of this process (time.process_time):
   - count per document: tokenmaxx `count`, quicktok `count`, bpe-openai's core `count`,
     tiktoken / riptoken `len(encode_ordinary(...))` (they have no count);
   - encode (ids) per document: tokenmaxx `encode_ordinary` against tiktoken's;
   - worst cases: 1 MiB of one letter, 1 MiB of spaces, 1 MiB of base64, 100 KiB of CJK
     ideographs (from the UDHR) without spaces: milliseconds per call (first call and best);
   - batch: count over all UDHR documents with 1 and 2 threads (wall time), for the tools that
     have a threaded batch call.
3. Writes a Markdown report (MB/s and ratios, versions, machine, load average) to --out.

Usage (the tokenmaxx package installed, e.g. by scripts/test_python.sh):
  TOKENMAXX_CORPUS_DIR=../shared/corpus TOKENMAXX_EXPECTED_DIR=../shared/expected \\
  TIKTOKEN_CACHE_DIR=../shared/vocab/tiktoken_cache \\
  python3 bench/token/compare_peers.py --out bench/results/peers.md
Peers (benchmark only, not installed by scripts/setup.sh):
  pip install quicktok-v1==0.4.0 riptoken==0.2.4 bpe-openai==0.1.4 (tiktoken and tokenizers come with setup).
"""
from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import os
import platform
import random
import statistics
import sys
import time
from typing import Callable

ENCODINGS = ["cl100k_base", "o200k_base"]
FILES = ["prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"]


def documents(corpus: str, name: str) -> list[str]:
    with open(os.path.join(corpus, name), encoding="utf-8") as f:
        if name.endswith(".txt"):
            return [f.read()]
        return [json.loads(line)["text"] for line in f if line.strip()]


def expected_counts(expected_dir: str, name: str, enc: str) -> list[int]:
    stem = name.rsplit(".", 1)[0]
    with open(os.path.join(expected_dir, f"{stem}.{enc}.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["count"] for line in f if line.strip()]


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


class Tool:
    def __init__(self, name: str, count: Callable[[str], int], batch: Callable[[list[str], int], list[int]] | None):
        self.name = name
        self.count = count
        self.batch = batch


def make_tools(enc: str) -> tuple[list[Tool], dict[str, str]]:
    """The tools for one encoding, and a note per tool that could not be used."""
    import tiktoken
    import tokenmaxx

    tools: list[Tool] = []
    notes: dict[str, str] = {}
    tm = tokenmaxx.get_encoding(enc)
    tools.append(Tool("tokenmaxx", tm.count, lambda ts, n: tm.count_batch(ts, num_threads=n)))
    tk = tiktoken.get_encoding(enc)
    tools.append(Tool("tiktoken", lambda t: len(tk.encode_ordinary(t)),
                      lambda ts, n: [len(x) for x in tk.encode_ordinary_batch(ts, num_threads=n)]))
    try:
        import quicktok

        q = quicktok.get_encoding(enc)
        tools.append(Tool("quicktok-v1", q.count, lambda ts, n: [int(x) for x in quicktok.count_batch(q, ts, threads=n)]))
    except Exception as e:  # noqa: BLE001 (report any failure to load a peer)
        notes["quicktok-v1"] = f"not usable: {type(e).__name__}: {e}"
    try:
        import riptoken

        r = riptoken.get_encoding(enc)
        tools.append(Tool("riptoken", lambda t: len(r.encode_ordinary(t)),
                          None))
        notes["riptoken"] = "no batch row: its encode_ordinary_batch takes no thread count"
    except Exception as e:  # noqa: BLE001
        notes["riptoken"] = f"not usable: {type(e).__name__}: {e}"
    try:
        import bpe_openai

        b = bpe_openai.get_encoding(enc)
        core = getattr(b, "_backend", None)
        if core is not None and hasattr(core, "count"):
            # The wrapper refuses >= 1 M characters and > 200 k tokens; its Rust core does not.
            tools.append(Tool("bpe-openai", core.count, None))
            notes["bpe-openai"] = "called through its core's `count` (the Python wrapper refuses large inputs)"
        else:
            tools.append(Tool("bpe-openai", lambda t: len(b.encode_ordinary(t)), None))
    except Exception as e:  # noqa: BLE001
        notes["bpe-openai"] = f"not usable: {type(e).__name__}: {e}"
    try:
        from transformers.integrations.tiktoken import convert_tiktoken_to_fast  # noqa: F401

        notes["tokenizers"] = "transformers is installed but no converted tokenizer.json is available offline"
    except Exception:  # noqa: BLE001
        notes["tokenizers"] = ("cannot load the OpenAI vocabularies offline: HF tokenizers needs a tokenizer.json, "
                               "which only transformers' converter (or a hub download) makes")
    return tools, notes


def cpu_time(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def wall_time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def best_alternating(fns: dict[str, Callable[[], object]], rounds: int, clock=cpu_time) -> dict[str, float]:
    best = {k: float("inf") for k in fns}
    order = list(fns)
    for r in range(rounds):
        for k in (order if r % 2 == 0 else reversed(order)):
            best[k] = min(best[k], clock(fns[k]))
    return best


def worst_cases() -> dict[str, str]:
    rng = random.Random(42)
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    corpus = os.environ["TOKENMAXX_CORPUS_DIR"]
    cjk = "".join(c for t in documents(corpus, "udhr.jsonl") for c in t if 0x4000 <= ord(c) <= 0x9FFF)
    cjk_text = ""
    while len((cjk_text + cjk).encode()) <= 100 * 1024:
        cjk_text += cjk
    return {
        "1 MiB of 'a'": "a" * (1 << 20),
        "1 MiB of spaces": " " * (1 << 20),
        "1 MiB of base64": "".join(rng.choice(b64) for _ in range(1 << 20)),
        "100 KiB of CJK": cjk_text,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench/results/peers.md")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--encodings", nargs="*", default=ENCODINGS)
    ap.add_argument("--files", nargs="*", default=FILES)
    args = ap.parse_args()
    corpus = os.environ["TOKENMAXX_CORPUS_DIR"]
    expected_dir = os.environ["TOKENMAXX_EXPECTED_DIR"]
    import tokenmaxx

    lines: list[str] = []
    load = os.getloadavg()
    lines += [
        "# tokenmaxx against its exact peers (one run)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {platform.python_version()}; "
        f"tokenmaxx {tokenmaxx.__version__} (SIMD backend {getattr(tokenmaxx, 'simd_backend', lambda: 'unknown')()}), tiktoken {version('tiktoken')}, "
        f"quicktok-v1 {version('quicktok-v1')}, riptoken {version('riptoken')}, bpe-openai {version('bpe-openai')}, "
        f"tokenizers {version('tokenizers')}.",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Command: "
        "`python3 bench/token/compare_peers.py --out bench/results/peers.md` (see the script's docstring).",
        "Counts were checked equal to tiktoken's for every document before timing; single-thread figures are "
        f"best-of-{args.rounds} CPU time with the tools alternating; MB/s of UTF-8 input.",
        "",
    ]
    summary: list[str] = []
    for enc in args.encodings:
        tools, notes = make_tools(enc)
        lines += [f"## {enc}", ""]
        for name, note in notes.items():
            lines.append(f"- {name}: {note}")
        lines.append("")
        header = "| file | MB | " + " | ".join(t.name for t in tools) + " | tokenmaxx / tiktoken | tokenmaxx / best peer |"
        lines += ["### count, one thread (MB/s)", "", header, "|" + " --- |" * (len(tools) + 4)]
        for f in args.files:
            docs = documents(corpus, f)
            want = expected_counts(expected_dir, f, enc)
            mb = sum(len(d.encode()) for d in docs) / 1e6
            usable: dict[str, Tool] = {}
            cells: dict[str, str] = {}
            for t in tools:
                try:
                    got = [t.count(d) for d in docs]
                except Exception as e:  # noqa: BLE001
                    cells[t.name] = f"refuses ({type(e).__name__})"
                    continue
                wrong = sum(1 for a, b in zip(got, want) if a != b) + abs(len(got) - len(want))
                if wrong:
                    cells[t.name] = f"inexact ({wrong} docs)"
                    continue
                usable[t.name] = t
            if "tokenmaxx" not in usable:
                print(f"tokenmaxx is not exact on {f} {enc}", file=sys.stderr)
                return 1
            best = best_alternating({k: (lambda t=t: [t.count(d) for d in docs]) for k, t in usable.items()}, args.rounds)
            for k, s in best.items():
                cells[k] = f"{mb / s:.1f}"
            peers = [k for k in usable if k not in ("tokenmaxx", "tiktoken")]
            vs_tk = best["tiktoken"] / best["tokenmaxx"] if "tiktoken" in best else float("nan")
            best_peer = min(peers, key=lambda k: best[k]) if peers else None
            vs_peer = f"{best[best_peer] / best['tokenmaxx']:.2f}x ({best_peer})" if best_peer else "n/a"
            lines.append(f"| {f} | {mb:.2f} | " + " | ".join(cells.get(t.name, "") for t in tools) +
                         f" | {vs_tk:.1f}x | {vs_peer} |")
            summary.append(f"{enc} {f}: count {vs_tk:.1f}x tiktoken, {vs_peer} best peer")
        lines += ["", "### encode (token ids), one thread (MB/s)", "", "| file | tokenmaxx | tiktoken | ratio |",
                  "| --- | --- | --- | --- |"]
        import tiktoken

        tm, tk = tokenmaxx.get_encoding(enc), tiktoken.get_encoding(enc)
        for f in args.files:
            docs = documents(corpus, f)
            mb = sum(len(d.encode()) for d in docs) / 1e6
            assert [tm.encode_ordinary(d) for d in docs] == [tk.encode_ordinary(d) for d in docs]
            best = best_alternating({"tokenmaxx": lambda: [tm.encode_ordinary(d) for d in docs],
                                     "tiktoken": lambda: [tk.encode_ordinary(d) for d in docs]}, args.rounds)
            lines.append(f"| {f} | {mb / best['tokenmaxx']:.1f} | {mb / best['tiktoken']:.1f} | "
                         f"{best['tiktoken'] / best['tokenmaxx']:.1f}x |")
        lines += ["", "### worst cases, one call (ms: first call / best of 3)", "",
                  "| input | " + " | ".join(t.name for t in tools) + " |", "|" + " --- |" * (len(tools) + 1)]
        for label, text in worst_cases().items():
            want_n = tokenmaxx.get_encoding(enc).count(text)
            row = []
            for t in tools:
                try:
                    first = wall_time(lambda: t.count(text))
                    if t.count(text) != want_n:
                        row.append("inexact")
                        continue
                    best_ms = min(wall_time(lambda: t.count(text)) for _ in range(3))
                    row.append(f"{first * 1e3:.1f} / {best_ms * 1e3:.1f}")
                except BaseException as e:  # noqa: BLE001 (tiktoken panics on some inputs)
                    row.append(f"fails ({type(e).__name__})")
            lines.append(f"| {label} | " + " | ".join(row) + " |")
        lines += ["", "### batch: count of all UDHR documents (wall ms, 1 thread / 2 threads)", "",
                  "| tool | 1 thread | 2 threads | speed-up |", "| --- | --- | --- | --- |"]
        docs = documents(corpus, "udhr.jsonl")
        for t in tools:
            if t.batch is None:
                continue
            try:
                if t.batch(docs, 2) is None:
                    continue
                one = min(wall_time(lambda: t.batch(docs, 1)) for _ in range(3))
                two = min(wall_time(lambda: t.batch(docs, 2)) for _ in range(3))
                lines.append(f"| {t.name} | {one * 1e3:.0f} | {two * 1e3:.0f} | {one / two:.2f}x |")
            except Exception as e:  # noqa: BLE001
                lines.append(f"| {t.name} | fails ({type(e).__name__}) | | |")
        lines.append("")
    lines += ["## Summary", ""] + [f"- {s}" for s in summary] + [""]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
