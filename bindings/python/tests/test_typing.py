"""`mypy --strict` accepts a sample of typed user code (tests/typing/user_code.py) against the
installed package, its annotations and its stubs; and a deliberate type error is reported, so
the check is not passing on nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "typing" / "user_code.py"


def mypy(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    cache = Path(__file__).resolve().parents[3] / "build" / "python" / "mypy-cache"
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), str(path)],
                          capture_output=True, text=True, cwd=cwd)


def test_mypy_strict_accepts_typed_user_code(tmp_path):
    out = mypy(SAMPLE, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_reports_a_type_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import tokenmaxx\nn: str = tokenmaxx.get_encoding('cl100k_base').count('x')\n")
    out = mypy(bad, tmp_path)
    assert out.returncode == 1 and 'incompatible types in assignment (expression has type "int"' in out.stdout.lower()


def test_mypy_strict_accepts_the_tokenizer_modules(tmp_path):
    """The tokenizer side of the package itself (the usage and privacy modules have their own owners)."""
    package = Path(__file__).resolve().parents[1] / "tokenmaxx"
    files = [package / f for f in ["__init__.py", "token.py", "core.py", "registry.py", "model.py", "load.py",
                                   "_openai_public.py"]] + [package / "tiktoken_compat"]
    cache = Path(__file__).resolve().parents[3] / "build" / "python" / "mypy-cache"
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *map(str, files)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
