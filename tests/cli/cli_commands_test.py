#!/usr/bin/env python3
"""Tests of the tokenmaxx subcommands beyond the tokenizer's own CLI test (tests/token/cli_test.py):
count over directories, --json and the progress bar (under a pseudo-terminal made by `script`, and
absent when stderr is not a terminal); chat against the OpenAI cookbook's num_tokens_from_messages
run with Python tiktoken; ingest (malformed lines reported with their numbers and counted, exit 3,
the exports parsed back); report (a second run over the same weeks is refused by the budget, exit 4).

Usage: cli_commands_test.py --cli PATH   (with scripts/env.sh's variables set)
"""
import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import unittest

import tiktoken
from prometheus_client.parser import text_string_to_metric_families

CLI = None
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, timeout=600)


class CountTest(unittest.TestCase):
    def test_a_directory_is_counted_recursively_per_file_and_in_json(self):
        enc = tiktoken.get_encoding("o200k_base")
        docs = os.path.join(SOURCE, "include", "tokenmaxx", "usage")  # has a detail/ subfolder
        expected = {}
        for root, _, files in os.walk(docs):
            for name in files:
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    expected[path] = len(enc.encode_ordinary(f.read()))
        r = run("count", "--model", "gpt-4o", "--json", docs)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["encoding"], "o200k_base")
        self.assertEqual({f["path"]: f["tokens"] for f in out["files"]}, expected)
        self.assertEqual(out["total"]["tokens"], sum(expected.values()))
        self.assertEqual(r.stderr, b"", "no progress output when stderr is not a terminal")

    def test_progress_bar_on_a_terminal_only_and_the_count_is_unchanged(self):
        rng = random.Random(7)
        words = ["token", "count", " ", "\n", "exact", "Grüße", "東京", "42", "!"]
        text = "".join(rng.choice(words) for _ in range(1_500_000))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "big.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            expected = len(tiktoken.get_encoding("cl100k_base").encode_ordinary(text))
            cmd = [CLI, "count", "--encoding", "cl100k_base", "--progress-min-bytes", "1000000", path]
            piped = subprocess.run(cmd, capture_output=True, timeout=300)
            self.assertEqual(piped.returncode, 0, piped.stderr)
            self.assertEqual(piped.stderr, b"")
            self.assertEqual(piped.stdout.decode().splitlines()[-1], f"{expected}\ttotal")
            # `script` runs the command on a pseudo-terminal: stdout and stderr are both that terminal.
            tty = subprocess.run(["script", "-qfec", shlex.join(cmd), "/dev/null"], capture_output=True, timeout=300)
            self.assertEqual(tty.returncode, 0, tty.stdout)
            screen = tty.stdout.decode("utf-8", "replace")
            self.assertRegex(screen, r"\[#{30}\] 100\.0% [\d.]+/[\d.]+ MB [\d.]+ MB/s ETA \d+s")
            self.assertIn(f"{expected}\ttotal", screen)
            small = subprocess.run(["script", "-qfec", shlex.join(cmd[:-3] + [path]), "/dev/null"], capture_output=True, timeout=300)
            self.assertNotIn("MB/s", small.stdout.decode("utf-8", "replace"), "below the size threshold: silent")


def cookbook_count(messages, model):
    """OpenAI cookbook, How_to_count_tokens_with_tiktoken.ipynb, num_tokens_from_messages."""
    encoding = tiktoken.encoding_for_model(model)
    tokens_per_message, tokens_per_name = 3, 1
    num_tokens = 0
    for message in messages:
        num_tokens += tokens_per_message
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += tokens_per_name
    return num_tokens + 3


class ChatTest(unittest.TestCase):
    MESSAGES = [
        {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
        {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
        {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
        {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable. Grüße 東京"},
    ]

    def test_counts_equal_the_cookbook_function_with_tiktoken(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "req.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"model": "x", "messages": self.MESSAGES}, f)
            for model in ["gpt-4o", "gpt-4", "gpt-3.5-turbo", "gpt-4.1-mini"]:
                r = run("chat", "--model", model, "--json", path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(json.loads(r.stdout)["prompt_tokens"], cookbook_count(self.MESSAGES, model), model)

    def test_text_parts_are_counted_and_other_parts_are_refused(self):
        parts = [{"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}]}]
        r = run("chat", "--model", "gpt-4o", "--json", "-", stdin=json.dumps(parts).encode())
        self.assertEqual(r.returncode, 0, r.stderr)
        enc = tiktoken.get_encoding("o200k_base")
        self.assertEqual(json.loads(r.stdout)["prompt_tokens"], 3 + 1 + len(enc.encode("Hello ")) + len(enc.encode("world")) + 3)
        image = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]
        r = run("chat", "--model", "gpt-4o", "-", stdin=json.dumps(image).encode())
        self.assertEqual(r.returncode, 1)
        self.assertIn("message 0", r.stderr.decode())

    def test_gpt_oss_requests_are_rendered_in_harmony_as_openai_harmony_does(self):
        os.environ.setdefault("TIKTOKEN_ENCODINGS_BASE", os.environ["TOKENMAXX_VOCAB_DIR"])
        import openai_harmony as oh
        enc = oh.load_harmony_encoding(oh.HarmonyEncodingName.HARMONY_GPT_OSS)
        conversation = oh.Conversation.from_messages([
            oh.Message.from_author_and_content(oh.Author.new(oh.Role(m["role"]), m.get("name")), m["content"])
            for m in self.MESSAGES])
        want = len(enc.render_conversation_for_completion(conversation, oh.Role.ASSISTANT))
        r = run("chat", "--model", "gpt-oss-20b", "--json", "-", stdin=json.dumps(self.MESSAGES).encode())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["prompt_tokens"], want)
        self.assertTrue(json.loads(r.stdout)["method"].startswith("harmony"))


EVENTS = [
    {"time": "2026-09-07T09:00:00Z", "person": "a@x", "team": "t", "workflow": "w", "tenant": "acme", "model": "gpt-4o",
     "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "prompt_tokens_details": {"cached_tokens": 400}}},
    "this line is not JSON",
    {"time": 1788771600, "person": "b@x", "team": "t", "workflow": "w", "tenant": "acme", "model": "gpt-4o",
     "messages": [{"role": "user", "content": "count me"}], "response": "counted"},
    {"time": "2026-09-07T10:00:00Z", "person": "c@x", "team": "t", "workflow": "w", "tenant": "acme", "model": "gpt-4o",
     "usage": {"prompt_tokens": 10, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 11}}},
    {"time": "2026-09-07T11:00:00Z", "person": "d@x", "team": "t", "workflow": "w", "tenant": "beta", "model": "o3-mini",
     "usage": {"prompt_tokens": 50, "completion_tokens": 30, "completion_tokens_details": {"reasoning_tokens": 20}}},
    {"time": "2026-09-07T11:00:00Z", "team": "t", "workflow": "w", "tenant": "beta", "model": "o3-mini", "usage": {}},
]


def write_events(d, events):
    path = os.path.join(d, "events.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write((e if isinstance(e, str) else json.dumps(e)) + "\n")
    return path


class IngestTest(unittest.TestCase):
    def test_malformed_lines_are_named_and_counted_and_the_rest_is_exported(self):
        with tempfile.TemporaryDirectory() as d:
            events = write_events(d, EVENTS)
            out = os.path.join(d, "out")
            r = run("ingest", events, "--prices", os.path.join(SOURCE, "data", "litellm_prices_demo.json"), "--out", out)
            self.assertEqual(r.returncode, 3, r.stderr)
            err = r.stderr.decode()
            for line, why in [(2, "not a JSON object"), (4, "cached_tokens above"), (6, "missing, empty or non-string field \"person\"")]:
                self.assertIn(f"{events}:{line}: {why}", err)
            self.assertIn("3 malformed line(s)", err)
            self.assertIn("ingested 3 events from 6 lines", r.stdout.decode())
            self.assertNotIn("a@x", err + r.stdout.decode())
            enc = tiktoken.get_encoding("o200k_base")
            chat_in = cookbook_count([{"role": "user", "content": "count me"}], "gpt-4o")
            families = {f.name: f for f in text_string_to_metric_families(open(os.path.join(out, "metrics.prom")).read())}
            tokens = {(s.labels["tenant"], s.labels["model"], s.labels["token_type"]): s.value
                      for s in families["tokenmaxx_tokens"].samples if s.name == "tokenmaxx_tokens_total"}
            self.assertEqual(tokens[("acme", "gpt-4o", "input")], 600 + chat_in)
            self.assertEqual(tokens[("acme", "gpt-4o", "cached_input")], 400)
            self.assertEqual(tokens[("acme", "gpt-4o", "output")], 200 + len(enc.encode("counted")))
            self.assertEqual(tokens[("beta", "o3-mini", "output")], 10)
            self.assertEqual(tokens[("beta", "o3-mini", "reasoning")], 20)
            for name in ["ledger.bin", "ledger.json", "otlp.json"]:
                self.assertGreater(os.path.getsize(os.path.join(out, name)), 100, name)
            otlp = json.load(open(os.path.join(out, "otlp.json")))
            self.assertIn("resourceMetrics", otlp)


    def test_ingest_on_several_threads_gives_the_one_thread_result(self):
        # Enough lines for 2 threads (2,048 per thread at least), malformed ones scattered among them.
        rng = random.Random(5)
        events = []
        for i in range(9000):
            e = dict(EVENTS[rng.choice([0, 2, 4])], person=f"p{i}")
            events.append("not json" if i % 997 == 0 else e)
        with tempfile.TemporaryDirectory() as d:
            path = write_events(d, events)
            results = {}
            for threads in ["1", "2", "3"]:
                out = os.path.join(d, "out" + threads)
                r = run("ingest", path, "--prices", os.path.join(SOURCE, "data", "litellm_prices_demo.json"), "--out", out,
                        "--threads", threads)
                self.assertEqual(r.returncode, 3, r.stderr)
                rows = json.load(open(os.path.join(out, "ledger.json")))["rows"]
                results[threads] = (rows, r.stderr.decode())
                self.assertIn(f"events/s, {threads} thread", r.stdout.decode())
            self.assertEqual(results["1"], results["2"])  # the same rows, the same errors in line order
            self.assertEqual(results["1"], results["3"])
            self.assertIn(f"{path}:998: not a JSON object", results["1"][1])
            self.assertEqual(sum(row["requests"] for row in results["1"][0]), 9000 - len(range(0, 9000, 997)))

    def test_absurd_times_and_counts_are_malformed_lines_in_ingest_and_report(self):
        base = dict(EVENTS[0])
        bad = [dict(base, time=9_223_372_036_854_775_807), dict(base, time=-5), dict(base, time="99999-01-01T00:00:00Z"),
               dict(base, usage={"prompt_tokens": 2**48, "completion_tokens": 1}),
               dict(base, usage={"prompt_tokens": 1, "completion_tokens": 2**64 - 1})]
        with tempfile.TemporaryDirectory() as d:
            events = write_events(d, [base] + bad)
            org = os.path.join(d, "org.json")
            with open(org, "w") as f:
                json.dump({"teams": {"t": 40}, "workflows": ["w"]}, f)
            for args in [["ingest", events, "--prices", os.path.join(SOURCE, "data", "litellm_prices_demo.json"), "--out", os.path.join(d, "i")],
                         ["report", events, "--org", org, "--out", os.path.join(d, "r")]]:
                r = run(*args)
                self.assertEqual(r.returncode, 3, (args[0], r.stderr))
                for line in range(2, 7):
                    self.assertIn(f"{events}:{line}: ", r.stderr.decode(), (args[0], line))
                self.assertIn("5 malformed line(s)", r.stderr.decode())


class ReportTest(unittest.TestCase):
    def test_a_second_report_over_the_same_weeks_is_refused_by_the_budget(self):
        with tempfile.TemporaryDirectory() as d:
            events = write_events(d, [e for e in EVENTS if isinstance(e, dict) and "person" in e][:1] * 3)
            org = os.path.join(d, "org.json")
            with open(org, "w") as f:
                json.dump({"teams": {"t": 40}, "workflows": ["w"]}, f)
            args = ["report", events, "--org", org, "--k", "5", "--epsilon", "1", "--out", os.path.join(d, "r")]
            first = run(*args)
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertIn("2026-W37", first.stdout.decode())
            second = run(*args)
            self.assertEqual(second.returncode, 4, second.stderr)
            self.assertIn("budget", second.stderr.decode())


class ReadmeTest(unittest.TestCase):
    def test_every_command_of_the_readme_runs_as_printed(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        block = re.search(r"## Command line\n.*?```sh\n(.*?)```", readme, re.S).group(1)
        commands = [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
        self.assertGreaterEqual(len(commands), 8)
        with tempfile.TemporaryDirectory() as d:
            for cmd in commands:
                self.assertTrue(cmd.startswith("tokenmaxx "), cmd)
                line = shlex.quote(CLI) + cmd[len("tokenmaxx"):].replace("build/demo", os.path.join(d, "demo"))
                r = subprocess.run(line, shell=True, cwd=SOURCE, capture_output=True, timeout=600)
                self.assertEqual(r.returncode, 0, f"{cmd}: {r.stderr.decode()}")
                self.assertTrue(r.stdout, cmd)


def main():
    global CLI
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args, rest = ap.parse_known_args()
    CLI = os.path.abspath(args.cli)
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    sys.exit(0 if result.wasSuccessful() and not result.skipped and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
