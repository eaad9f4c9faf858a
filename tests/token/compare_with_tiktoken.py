#!/usr/bin/env python3
"""Compares the tokenmaxx CLI with Python tiktoken, id for id, on the corpus documents.

Runs `tokenmaxx encode --encoding E --jsonl` over each corpus file for the six encodings tiktoken
can load offline (TIKTOKEN_CACHE_DIR) and checks that every row's tokens equal tiktoken's
`encode_ordinary`. Every file of tests/token/corpus_files.txt must exist and hold documents: a
missing or empty corpus is a failure, never a pass over nothing.

--sample K keeps every K-th row of each .jsonl file and the first 64 Ki characters of each .txt
document (the sanitizer builds run this shortened comparison; every encoding is still checked).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import tiktoken

ENCODINGS = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_TXT_CHARS = 64 * 1024


def required_corpus_files(list_path):
    with open(list_path, encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    if not names:
        sys.exit(f"no corpus files listed in {list_path}")
    return names


def corpus_rows(corpus_dir, names, sample):
    for name in names:
        path = os.path.join(corpus_dir, name)
        if not os.path.isfile(path):
            sys.exit(f"FAIL: corpus file {path} is missing")
        with open(path, encoding="utf-8") as f:
            if name.endswith(".txt"):
                text = f.read()
                rows = [{"id": name, "text": text[:SAMPLE_TXT_CHARS] if sample else text}]
            else:
                rows = [json.loads(line) for line in f if line.strip()]
                rows = rows[::sample] if sample else rows
        if not rows or not any(r["text"] for r in rows):
            sys.exit(f"FAIL: corpus file {path} holds no text")
        yield name, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--corpus", default=os.environ.get("TOKENMAXX_CORPUS_DIR"))
    ap.add_argument("--corpus-list", default=os.path.join(HERE, "corpus_files.txt"))
    ap.add_argument("--sample", type=int, default=0, metavar="K", help="every K-th row, 64 Ki chars of .txt files")
    args = ap.parse_args()
    if not args.corpus or not os.environ.get("TIKTOKEN_CACHE_DIR"):
        sys.exit("set TOKENMAXX_CORPUS_DIR and TIKTOKEN_CACHE_DIR (scripts/test.sh does)")
    if not os.path.isdir(args.corpus):
        sys.exit(f"FAIL: corpus folder {args.corpus} does not exist")

    failures = 0
    checked_docs = checked_bytes = 0
    corpora = list(corpus_rows(args.corpus, required_corpus_files(args.corpus_list), args.sample))
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
    if checked_docs == 0:
        sys.exit("FAIL: no documents compared")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
