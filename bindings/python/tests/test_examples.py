"""Every Python example a reader can see runs as printed, each in a fresh interpreter:

- every ```python (or ```py) block of README.md and docs/*.md, from the repository root, with the
  environment of scripts/env.sh (TOKENMAXX_CORPUS_DIR and friends name the shared data);
- every example in a docstring of the package (modules, classes, functions, methods, properties,
  the native classes included): doctest ``>>>`` examples, and indented code blocks. The convention:
  in a docstring, a block indented past the text and preceded by a blank line is Python code.

A Markdown block may be left out only with a visible marker on the line before its fence,
``<!-- not-run: the reason -->``; such blocks are listed with their reasons in the test summary
("code blocks not run"), never silently skipped."""
from __future__ import annotations

import doctest
import importlib
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

MODULES = [
    "tokenmaxx", "tokenmaxx.token", "tokenmaxx.core", "tokenmaxx.registry", "tokenmaxx.model", "tokenmaxx.load",
    "tokenmaxx._openai_public", "tokenmaxx.tiktoken_compat", "tokenmaxx.tiktoken_compat._educational",
    "tokenmaxx.usage", "tokenmaxx.ledger", "tokenmaxx.privacy", "tokenmaxx.report", "tokenmaxx.dask", "tokenmaxx.spark",
]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->\s*$")


def markdown_blocks(path: Path) -> list[tuple[str, str, str | None]]:
    """(id, code, reason it is not run) of each Python block of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang, indent = i, m["lang"].lower(), len(m["indent"])
        i += 1
        body = []
        while i < len(lines) and not re.match(rf"^ {{0,{indent + 3}}}```\s*$", lines[i]):
            body.append(lines[i][indent:])
            i += 1
        i += 1
        if lang not in ("python", "py"):
            continue
        previous = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        marker = NOT_RUN.match(previous)
        blocks.append((f"{path.relative_to(REPO)}:{start + 1}", "\n".join(body) + "\n", marker["reason"] if marker else None))
    return blocks


def docstring_examples(doc: str) -> list[str]:
    """The examples of one docstring: its doctest session (if any) and its indented code blocks."""
    text = inspect.cleandoc(doc)
    examples = []
    if doctest.DocTestParser().get_examples(text):
        examples.append(">>>" + text)  # marked for the doctest runner
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        starts_block = lines[i].startswith(" ") and lines[i].strip() and (i == 0 or not lines[i - 1].strip())
        if not starts_block or lines[i].lstrip().startswith(">>>"):
            i += 1
            continue
        block = []
        while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
            block.append(lines[i])
            i += 1
        examples.append(textwrap.dedent("\n".join(block)).strip() + "\n")
    return examples


def documented_objects():
    """(name, docstring) of every module, class and callable the package documents."""
    seen: set[int] = set()
    for mod_name in MODULES:
        module = importlib.import_module(mod_name)
        yield mod_name, module.__doc__
        for name, obj in sorted(vars(module).items()):
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("tokenmaxx") or name.startswith("_"):
                continue
            seen.add(id(obj))
            yield f"{mod_name}.{name}", obj.__doc__
            if inspect.isclass(obj):
                for member_name, member in sorted(vars(obj).items()):
                    if member_name.startswith("_") and member_name != "__init__":
                        continue
                    target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                    yield f"{mod_name}.{name}.{member_name}", getattr(target, "__doc__", None)


def collect_markdown():
    files = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return [block for path in files for block in markdown_blocks(path)]


def collect_docstrings():
    out = []
    for name, doc in documented_objects():
        for n, example in enumerate(docstring_examples(doc or "")):
            out.append((f"{name}#{n + 1}", example))
    return out


MARKDOWN = collect_markdown()
DOCSTRINGS = collect_docstrings()


def run_python(code: str, cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=dict(os.environ, PYTHONWARNINGS="error"))


@pytest.mark.parametrize("block_id,code,not_run", MARKDOWN, ids=[b[0] for b in MARKDOWN])
def test_markdown_python_block_runs_as_printed(block_id, code, not_run, tmp_path, request):
    if not_run is not None:
        request.node.user_properties.append(("not_run", f"{block_id}: {not_run}"))
        return
    out = run_python(code, REPO, tmp_path)
    assert out.returncode == 0, f"{block_id} failed:\n{code}\n--- stderr:\n{out.stderr[-4000:]}"


@pytest.mark.parametrize("example_id,code", DOCSTRINGS, ids=[d[0] for d in DOCSTRINGS])
def test_docstring_example_runs_as_printed(example_id, code, tmp_path):
    if code.startswith(">>>"):
        runner = (
            "import doctest, sys\n"
            f"test = doctest.DocTestParser().get_doctest({code[3:]!r}, {{}}, {example_id!r}, None, 0)\n"
            "result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)\n"
            "sys.exit(1 if result.failed else 0)\n"
        )
        out = run_python(runner, tmp_path, tmp_path)
    else:
        out = run_python(code, tmp_path, tmp_path)
    assert out.returncode == 0, f"{example_id} failed:\n{code}\n--- output:\n{out.stdout[-2000:]}{out.stderr[-4000:]}"


def test_the_checker_finds_the_examples():
    """The extraction itself: the README's Python block and the examples of the main modules are found."""
    assert any(block_id.startswith("README.md:") for block_id, _, _ in MARKDOWN)
    found = {example_id.split("#")[0] for example_id, _ in DOCSTRINGS}
    for name in ["tokenmaxx", "tokenmaxx.token", "tokenmaxx.tiktoken_compat", "tokenmaxx.usage", "tokenmaxx.privacy",
                 "tokenmaxx.get_encoding"]:
        assert name in found, name
    sample = '"""Summary.\n\n    x = 1\n    assert x == 1\n\nArgs:\n    text: not code\n\n>>> 1 + 1\n2\n"""'
    assert docstring_examples(sample) == [">>>" + inspect.cleandoc(sample), "x = 1\nassert x == 1\n"]
    md = "text\n<!-- not-run: needs a GPU -->\n```python\nboom()\n```\n```py\nok = 1\n```\n```sh\nls\n```\n"
    path = REPO / "build" / "example_checker_sample.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(md)
    try:
        assert [(code, reason) for _, code, reason in markdown_blocks(path)] == [("boom()\n", "needs a GPU"), ("ok = 1\n", None)]
    finally:
        path.unlink()
