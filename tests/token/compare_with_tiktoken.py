#!/usr/bin/env python3
"""Compares the tokenmaxx CLI with Python tiktoken, id for id, on every corpus document.

Runs `tokenmaxx encode --encoding E --jsonl` over each corpus file for the six encodings tiktoken
can load offline (TIKTOKEN_CACHE_DIR) and checks that every row's tokens equal
tiktoken's `encode_ordinary`. Exits non-zero on the first encoding with a mismatch.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import tiktoken

ENCODINGS = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


def corpus_rows(corpus_dir):
    for name in sorted(os.listdir(corpus_dir)):
        path = os.path.join(corpus_dir, name)
        if name.endswith(".txt"):
            with open(path, encoding="utf-8") as f:
                yield name, [{"id": name, "text": f.read()}]
        elif name.endswith(".jsonl"):
            with open(path, encoding="utf-8") as f:
                yield name, [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--corpus", default=os.environ.get("TOKENMAXX_CORPUS_DIR"))
    args = ap.parse_args()
    if not args.corpus or not os.environ.get("TIKTOKEN_CACHE_DIR"):
        sys.exit("set TOKENMAXX_CORPUS_DIR and TIKTOKEN_CACHE_DIR (scripts/test.sh does)")

    failures = 0
    checked_docs = checked_bytes = 0
    corpora = list(corpus_rows(args.corpus))
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {}
        for name, rows in corpora:
            p = os.path.join(tmp, name + ".jsonl")
            with open(p, "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
            inputs[name] = p
        for enc_name in ENCODINGS:
            enc = tiktoken.get_encoding(enc_name)
            for name, rows in corpora:
                out = subprocess.run([args.cli, "encode", "--encoding", enc_name, "--jsonl", inputs[name]],
                                     check=True, capture_output=True).stdout.decode("utf-8").splitlines()
                if len(out) != len(rows):
                    print(f"FAIL {enc_name} {name}: {len(out)} output rows for {len(rows)} inputs")
                    failures += 1
                    continue
                for row, line in zip(rows, out):
                    got = json.loads(line)
                    want = enc.encode_ordinary(row["text"])
                    if got["id"] != row["id"] or got["tokens"] != want or got["count"] != len(want):
                        failures += 1
                        if failures <= 10:
                            print(f"FAIL {enc_name} {name} {row['id']}: {got['count']} tokens, tiktoken {len(want)}")
                    checked_docs += 1
                    checked_bytes += len(row["text"].encode("utf-8"))
            print(f"{enc_name}: compared with tiktoken {tiktoken.__version__}", flush=True)
    print(f"{checked_docs} documents, {checked_bytes} bytes checked; {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
