"""Shared fixtures: the corpus, the expected answers and Python tiktoken (when importable).

Paths come from TOKENMAXX_CORPUS_DIR / TOKENMAXX_EXPECTED_DIR / TIKTOKEN_CACHE_DIR (scripts/test.sh
exports them); for a developer run they default to the shared folder beside the checkout.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS_FILES = ["prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl", "edge_cases.jsonl"]
BASE_ENCODINGS = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"]
TIKTOKEN_ENCODINGS = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


def shared_dir(var: str, default: str) -> Path:
    value = os.environ.get(var)
    path = Path(value) if value else REPO.parent / "shared" / default
    if not path.is_dir():
        pytest.fail(f"{path} does not exist: set {var}")
    return path


# tiktoken reads its rank files from its own cache; point it at the shared copy before any import.
if "TIKTOKEN_CACHE_DIR" not in os.environ:
    _cache = REPO.parent / "shared" / "vocab" / "tiktoken_cache"
    if _cache.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(_cache)


def load_corpus(name: str) -> list[tuple[str, str]]:
    path = shared_dir("TOKENMAXX_CORPUS_DIR", "corpus") / name
    with open(path, encoding="utf-8") as f:
        if name.endswith(".txt"):
            return [(name, f.read())]
        return [(row["id"], row["text"]) for row in map(json.loads, filter(str.strip, f))]


def load_expected(name: str, encoding: str) -> dict[str, dict]:
    stem = name.rsplit(".", 1)[0]
    path = shared_dir("TOKENMAXX_EXPECTED_DIR", "expected") / f"{stem}.{encoding}.jsonl"
    with open(path, encoding="utf-8") as f:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, f))}


def ids_sha256(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


@pytest.fixture(scope="session")
def corpus() -> dict[str, list[tuple[str, str]]]:
    return {name: load_corpus(name) for name in CORPUS_FILES}


@pytest.fixture(scope="session")
def all_docs(corpus) -> list[str]:
    return [text for docs in corpus.values() for _, text in docs]


@pytest.fixture(scope="session")
def tiktoken():
    """Python tiktoken, or a clean skip when it is not installed."""
    return pytest.importorskip("tiktoken")


def _forbid_skip(report) -> None:
    """With TOKENMAXX_FORBID_SKIPS=1 (scripts/test_python.sh sets it) a skip is a failure, so a
    missing tiktoken or numpy cannot turn the comparison tests into silent passes."""
    if report.skipped and os.environ.get("TOKENMAXX_FORBID_SKIPS") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped, but TOKENMAXX_FORBID_SKIPS=1 forbids skips: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Skips inside a test (pytest.skip, a fixture's importorskip)."""
    outcome = yield
    _forbid_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Skips while collecting a module (a module-level importorskip)."""
    outcome = yield
    _forbid_skip(outcome.get_result())


def pytest_terminal_summary(terminalreporter):
    """Lists the documentation code blocks marked `<!-- not-run: reason -->` (test_examples.py)."""
    not_run = [value for report in terminalreporter.stats.get("passed", [])
               for key, value in report.user_properties if key == "not_run"]
    if not_run:
        terminalreporter.write_sep("-", "code blocks not run")
        for line in not_run:
            terminalreporter.write_line(line)
