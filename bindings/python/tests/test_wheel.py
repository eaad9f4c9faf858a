"""The installed wheel works offline on its own: it is installed into a fresh virtual environment
and imported with no TOKENMAXX_VOCAB_DIR, HOME pointing at an empty folder (so no cache), and the
checkout out of reach. This proves the wheel carries its verified vocabulary files.

scripts/test_python.sh builds the wheel once and passes it in TOKENMAXX_TEST_WHEEL; without it the
test builds one with `pip wheel --no-build-isolation` (incremental in build/python/)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, shared_dir

CHECK = r"""
import os, sys, tokenmaxx
from pathlib import Path
from tokenmaxx import load
package = Path(tokenmaxx.__file__).resolve().parent
assert str(package).startswith(sys.prefix), (package, sys.prefix)
for name in ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony", "gpt2"]:
    enc = tokenmaxx.get_encoding(name)
    assert enc.count("hello world") == 2, name
for file_name in load.KNOWN_VOCAB_FILES:
    source = Path(load.load_vocabulary(file_name).source)
    assert source.parent == package / "_vocab", source
import tokenmaxx.tiktoken_compat as tiktoken
print(tiktoken.encoding_for_model("gpt-4o").encode("hello world"))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    given = os.environ.get("TOKENMAXX_TEST_WHEEL")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, TOKENMAXX_VOCAB_DIR=str(shared_dir("TOKENMAXX_VOCAB_DIR", "vocab")))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        check=True, env=env, capture_output=True,
    )
    (built,) = out.glob("tokenmaxx-*.whl")
    return built


@pytest.mark.slow
def test_installed_wheel_counts_offline(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], check=True)

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TOKENMAXX_", "TIKTOKEN_", "PYTHON", "XDG_")) and k != "VIRTUAL_ENV"}
    env["HOME"] = str(home)

    # The command from the issue, verbatim.
    out = subprocess.run(
        [str(python), "-c", "import tokenmaxx; print(tokenmaxx.get_encoding('cl100k_base').encode('hello'))"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[15339]"

    # Every encoding, offline by rule, with the vocabulary read from the installed package.
    out = subprocess.run([str(python), "-c", CHECK], capture_output=True, text=True,
                         env=dict(env, TOKENMAXX_OFFLINE="1"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[24912, 2375]"
    assert list(home.iterdir()) == [], "nothing may be downloaded or cached"
