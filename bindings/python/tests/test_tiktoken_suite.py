"""tiktoken 0.14's own test suite (from its sdist on PyPI) passes with `import tiktoken` resolving
to tokenmaxx.tiktoken_compat, in the test process and in the subprocesses the suite starts
(tests/tiktoken_shim is first on PYTHONPATH). The sdist is fetched once with pip into build/python/."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from conftest import REPO

TIKTOKEN_VERSION = "0.14.0"
SHIM = Path(__file__).parent / "tiktoken_shim"


def tiktoken_sdist() -> Path:
    folder = REPO / "build" / "python" / "tiktoken-sdist"
    sdist = folder / f"tiktoken-{TIKTOKEN_VERSION}.tar.gz"
    if not sdist.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", "tiktoken",
                        f"tiktoken=={TIKTOKEN_VERSION}", "-d", str(folder)], check=True, capture_output=True)
    return sdist


def test_tiktoken_own_suite_passes_through_the_compat_module(tmp_path):
    with tarfile.open(tiktoken_sdist()) as t:
        members = [m for m in t.getmembers() if m.name.startswith(f"tiktoken-{TIKTOKEN_VERSION}/tests/")]
        t.extractall(tmp_path, members=members, filter="data")
    suite = tmp_path / f"tiktoken-{TIKTOKEN_VERSION}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SHIM), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               TOKENMAXX_OFFLINE="1")
    check = subprocess.run([sys.executable, "-c", "import tiktoken; print(tiktoken.__name__)"],
                           capture_output=True, text=True, env=env, cwd=suite)
    assert check.stdout.strip() == "tokenmaxx.tiktoken_compat", check.stderr
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "tests"],
                         capture_output=True, text=True, env=env, cwd=suite)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    summary = out.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 30 and "skipped" not in summary and "failed" not in summary, summary
