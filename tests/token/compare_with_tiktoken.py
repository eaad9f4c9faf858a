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


def compare_cli(cli, corpora, references, reference_name, env=None):
    """Runs `cli encode --encoding E --jsonl` on every corpus file for each encoding E of
    `references` (name -> function text -> ids) and compares row by row; returns the number of
    mismatches. Fails the run when nothing was compared."""
    failures = checked_docs = checked_bytes = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {}
        for name, rows in corpora:
            p = os.path.join(tmp, name + ".jsonl")
            with open(p, "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
            inputs[name] = p
        for enc_name, reference in references.items():
            for name, rows in corpora:
                run = subprocess.run([cli, "encode", "--encoding", enc_name, "--jsonl", inputs[name]],
                                     capture_output=True, env=env)
                if run.returncode != 0:
                    sys.exit(f"FAIL {enc_name} {name}: the CLI failed: {run.stderr.decode(errors='replace')}")
                out = run.stdout.decode("utf-8").splitlines()
                if len(out) != len(rows):
                    print(f"FAIL {enc_name} {name}: {len(out)} output rows for {len(rows)} inputs")
                    failures += 1
                    continue
                for row, line in zip(rows, out):
                    got = json.loads(line)
                    want = reference(row["text"])
                    if got["id"] != row["id"] or got["tokens"] != want or got["count"] != len(want):
                        failures += 1
                        if failures <= 10:
                            print(f"FAIL {enc_name} {name} {row['id']}: {got['count']} tokens, {reference_name} {len(want)}")
                    checked_docs += 1
                    checked_bytes += len(row["text"].encode("utf-8"))
            print(f"{enc_name}: compared with {reference_name}", flush=True)
    print(f"{checked_docs} documents, {checked_bytes} bytes checked; {failures} mismatches")
    if checked_docs == 0:
        sys.exit("FAIL: no documents compared")
    return failures


def parse_compare_args():
    """The command line both comparison scripts take: --cli, --corpus, --corpus-list, --sample."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--corpus", default=os.environ.get("TOKENMAXX_CORPUS_DIR"))
    ap.add_argument("--corpus-list", default=os.path.join(HERE, "corpus_files.txt"))
    ap.add_argument("--sample", type=int, default=0, metavar="K", help="every K-th row, 64 Ki chars of .txt files")
    return ap.parse_args()


def main():
    args = parse_compare_args()
    if not args.corpus or not os.environ.get("TIKTOKEN_CACHE_DIR"):
        sys.exit("set TOKENMAXX_CORPUS_DIR and TIKTOKEN_CACHE_DIR (scripts/test.sh does)")
    if not os.path.isdir(args.corpus):
        sys.exit(f"FAIL: corpus folder {args.corpus} does not exist")
    corpora = list(corpus_rows(args.corpus, required_corpus_files(args.corpus_list), args.sample))
    references = {e: tiktoken.get_encoding(e).encode_ordinary for e in ENCODINGS}
    sys.exit(1 if compare_cli(args.cli, corpora, references, f"tiktoken {tiktoken.__version__}") else 0)


if __name__ == "__main__":
    main()
