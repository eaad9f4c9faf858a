#!/usr/bin/env python3
"""Tests of the tokenmaxx command-line tool (tools/tokenmaxx_cli.cpp) against Python tiktoken and
the expected answers in $TOKENMAXX_EXPECTED_DIR: `count` (files, stdin, --model, the total line),
`--lossy` (Python's errors="replace"), invalid UTF-8 without it (an error naming the file and the
byte offset), unknown encodings and models (errors listing the valid names), usage errors.

Usage: cli_test.py --cli PATH   (with scripts/env.sh's variables set)
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

import tiktoken
import tiktoken.model

CLI = None
TXT_CORPORA = ["prose_en.txt", "code_python.txt", "code_cpp.txt"]
BASE_ENCODINGS = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"]


def env_dir(name):
    d = os.environ.get(name)
    if not d or not os.path.isdir(d):
        raise RuntimeError(f"set {name} (scripts/env.sh does)")
    return d


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True)


def parse_count_output(stdout):
    """{label: count} and the total from count's "<tokens>\\t<label>" lines."""
    rows = [line.split("\t", 1) for line in stdout.decode("utf-8").splitlines()]
    counts = {label: int(n) for n, label in rows}
    total = counts.pop("total")
    return counts, total


def expected_counts(corpus_file, encoding):
    stem = corpus_file.rsplit(".", 1)[0]
    with open(os.path.join(env_dir("TOKENMAXX_EXPECTED_DIR"), f"{stem}.{encoding}.jsonl"), encoding="utf-8") as f:
        return {row["id"]: row["count"] for row in map(json.loads, f)}


def invalid_utf8_samples():
    """Byte strings that are not UTF-8: hand-picked edge cases and seeded random mixes."""
    curated = [b"ab\xff", b"\xe2\x82", b"\xe2\x82x", b"ok \xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
               b"caf\xc3\xa9\x80", b"a\x00\xfe", b"\xf0\x9f\x98 smile", b"\x80\x80\x80", b"<|endoftext|>\xff"]
    rng = random.Random(20240518)
    pool = [b"a", b" ", b"\n", b"'s", b"1", "\u00e9".encode(), "\u4e2d".encode(), "\U0001f600".encode(),
            b"\x80", b"\xc0", b"\xe2\x82", b"\xed\xa0", b"\xf0\x9f", b"\xf4\x90", b"\xff"]
    randoms = []
    while len(randoms) < 60:
        b = b"".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            randoms.append(b)
    return curated + randoms


class CountTest(unittest.TestCase):
    def test_counts_equal_the_expected_counts_of_each_corpus_file(self):
        corpus = env_dir("TOKENMAXX_CORPUS_DIR")
        paths = [os.path.join(corpus, name) for name in TXT_CORPORA]
        for enc in BASE_ENCODINGS:
            r = run("count", "--encoding", enc, *paths)
            self.assertEqual(r.returncode, 0, r.stderr)
            counts, total = parse_count_output(r.stdout)
            self.assertEqual(set(counts), set(paths))
            for name, path in zip(TXT_CORPORA, paths):
                self.assertEqual(counts[path], expected_counts(name, enc)[name], f"{enc} {name}")
            self.assertEqual(total, sum(counts.values()))

    def test_counts_equal_tiktoken_on_chat_documents_for_every_encoding(self):
        with open(os.path.join(env_dir("TOKENMAXX_CORPUS_DIR"), "chat.jsonl"), encoding="utf-8") as f:
            docs = [json.loads(line) for line in f if line.strip()][::40]
        self.assertGreater(len(docs), 20)
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for k, doc in enumerate(docs):
                paths.append(os.path.join(tmp, f"doc{k}.txt"))
                with open(paths[-1], "wb") as f:
                    f.write(doc["text"].encode("utf-8"))
            for enc_name in ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]:
                enc = tiktoken.get_encoding(enc_name)
                r = run("count", "--encoding", enc_name, *paths)
                self.assertEqual(r.returncode, 0, r.stderr)
                counts, total = parse_count_output(r.stdout)
                want = [len(enc.encode_ordinary(doc["text"])) for doc in docs]
                self.assertEqual([counts[p] for p in paths], want, enc_name)
                self.assertEqual(total, sum(want))

    def test_model_names_pick_tiktokens_encoding(self):
        text = "Hello world! <|endoftext|> I'm counting 12345 tokens.\n\n"
        for model in ["gpt-4o", "gpt-4", "gpt-3.5-turbo-0125", "text-davinci-003", "gpt-oss-120b", "davinci"]:
            enc = tiktoken.encoding_for_model(model)
            r = run("count", "--model", model, stdin=text.encode())
            self.assertEqual(r.returncode, 0, r.stderr)
            counts, total = parse_count_output(r.stdout)
            self.assertEqual(counts, {"-": len(enc.encode_ordinary(text))}, model)
            self.assertEqual(total, counts["-"])

    def test_stdin_and_dash(self):
        r = run("count", "--encoding", "cl100k_base", "-", stdin="héllo wörld".encode())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(parse_count_output(r.stdout)[0], {"-": len(tiktoken.get_encoding("cl100k_base").encode_ordinary("héllo wörld"))})


class Utf8Test(unittest.TestCase):
    def test_lossy_counts_the_text_python_errors_replace_gives(self):
        samples = invalid_utf8_samples()
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for k, b in enumerate(samples):
                paths.append(os.path.join(tmp, f"bad{k}.bin"))
                with open(paths[-1], "wb") as f:
                    f.write(b)
            for enc_name in ["r50k_base", "cl100k_base", "o200k_base"]:
                enc = tiktoken.get_encoding(enc_name)
                r = run("count", "--encoding", enc_name, "--lossy", *paths)
                self.assertEqual(r.returncode, 0, r.stderr)
                counts, _ = parse_count_output(r.stdout)
                for b, p in zip(samples, paths):
                    self.assertEqual(counts[p], len(enc.encode_ordinary(b.decode("utf-8", errors="replace"))),
                                     f"{enc_name} {b!r}")

    def test_invalid_utf8_without_lossy_names_the_file_and_the_offset(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.txt")
            with open(good, "wb") as f:
                f.write(b"fine text")
            for k, b in enumerate(invalid_utf8_samples()):
                with self.subTest(bytes=b):
                    try:
                        b.decode("utf-8")
                    except UnicodeDecodeError as e:
                        offset = e.start
                    path = os.path.join(tmp, f"bad{k}.bin")
                    with open(path, "wb") as f:
                        f.write(b)
                    r = run("count", "--encoding", "r50k_base", good, path)
                    self.assertEqual(r.returncode, 1)
                    err = r.stderr.decode()
                    self.assertIn(f"{path}: invalid UTF-8 at byte offset {offset}", err)
                    self.assertIn("--lossy", err)
                    self.assertNotIn("total", r.stdout.decode(), "no total after a failed file")


class ErrorTest(unittest.TestCase):
    def test_unknown_model_lists_every_known_model_and_prefix(self):
        r = run("count", "--model", "no-such-model-7b", stdin=b"x")
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        self.assertIn("no-such-model-7b", err)
        for model in tiktoken.model.MODEL_TO_ENCODING:
            self.assertIn(model, err)
        for prefix in tiktoken.model.MODEL_PREFIX_TO_ENCODING:
            self.assertIn(prefix, err)

    def test_unknown_encoding_lists_every_valid_one(self):
        r = run("count", "--encoding", "cl100k", stdin=b"x")
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        for name in tiktoken.list_encoding_names():
            self.assertIn(name, err)

    def test_encodings_lists_tiktokens_encodings_then_the_open_models(self):
        r = run("encodings")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().split(), tiktoken.list_encoding_names() + ["llama3", "llama4", "tekken"])

    def test_open_model_without_its_package_names_the_package(self):
        env = {k: v for k, v in os.environ.items() if k not in ("TOKENMAXX_SITE_PACKAGES", "VIRTUAL_ENV")}
        with tempfile.TemporaryDirectory() as empty:
            env["TOKENMAXX_VOCAB_DIR"] = empty
            r = subprocess.run([CLI, "count", "--encoding", "tekken"], input=b"x", capture_output=True, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("pip install mistral-common", r.stderr.decode())

    def test_missing_file_and_usage_errors(self):
        r = run("count", "--encoding", "cl100k_base", "/nonexistent/file.txt")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot open /nonexistent/file.txt", r.stderr.decode())
        for args in [[], ["count"], ["count", "--encoding", "cl100k_base", "--model", "gpt-4"], ["count", "--bogus"],
                     ["frobnicate"], ["encode", "--encoding", "cl100k_base"]]:
            r = run(*args, stdin=b"")
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage:", r.stderr.decode())


def main():
    global CLI
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args, rest = ap.parse_known_args()
    CLI = os.path.abspath(args.cli)
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        sys.exit("set TIKTOKEN_CACHE_DIR (scripts/env.sh does)")
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    # A skipped test is a test that did not run: fail.
    sys.exit(0 if result.wasSuccessful() and not result.skipped and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
