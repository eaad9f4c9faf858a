"""The release wheel (scripts/build_wheel.sh) installed into fresh virtual environments:

- it works offline on its own (no TOKENMAXX_VOCAB_DIR, an empty HOME, the checkout out of reach),
  so it carries its verified vocabulary files;
- it imports and counts with Debian's Abseil and OpenSSL hidden (bind mounts of /dev/null over the
  library files in a private mount namespace), while the plain wheel it was repaired from fails
  there, which shows the hiding is real;
- without its vocabulary it runs litellm's token counting offline from litellm's bundled
  tiktoken cache (TIKTOKEN_CACHE_DIR);
- it and the sdist carry the LICENSE.

scripts/test_python.sh builds the wheels once and passes them in TOKENMAXX_TEST_WHEEL (repaired)
and TOKENMAXX_TEST_PLAIN_WHEEL; without them the test runs scripts/build_wheel.sh itself."""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tarfile
import zipfile
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

# Run inside the namespace: the system libraries must really be gone, then tokenmaxx must load
# its own copies (from tokenmaxx.libs) and count.
HIDDEN_CHECK = r"""
import ctypes, json, sys
hidden = {}
for lib in ["libcrypto.so.3", "libssl.so.3", "libabsl_base.so.20220623", "libabsl_strings.so.20220623"]:
    try:
        ctypes.CDLL(lib)
        hidden[lib] = False
    except OSError:
        hidden[lib] = True
result = {"hidden": hidden}
try:
    import tokenmaxx
    result["count"] = tokenmaxx.get_encoding("cl100k_base").count("hello world")
    result["maps"] = sorted({line.split()[-1] for line in open("/proc/self/maps")
                             if "libabsl" in line or "libcrypto" in line})
except ImportError as e:
    result["error"] = str(e)
print(json.dumps(result))
"""


def system_libraries() -> list[str]:
    """Debian's Abseil and OpenSSL shared libraries (the real files behind the symlinks)."""
    patterns = ["libabsl_*.so*", "libcrypto.so*", "libssl.so*"]
    found = {os.path.realpath(p) for pattern in patterns for p in glob.glob(f"/usr/lib/*-linux-gnu/{pattern}")}
    return sorted(found)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> tuple[Path, Path]:
    """(repaired wheel, plain wheel)."""
    given, plain = os.environ.get("TOKENMAXX_TEST_WHEEL"), os.environ.get("TOKENMAXX_TEST_PLAIN_WHEEL")
    if given and plain:
        return Path(given), Path(plain)
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, TOKENMAXX_VOCAB_DIR=str(shared_dir("TOKENMAXX_VOCAB_DIR", "vocab")), PYTHON=sys.executable)
    subprocess.run([str(REPO / "scripts" / "build_wheel.sh"), str(out)], check=True, env=env, capture_output=True)
    (repaired,) = out.glob("tokenmaxx-*.whl")
    (plain_wheel,) = (out / "plain").glob("tokenmaxx-*.whl")
    return repaired, plain_wheel


def make_venv(path: Path, wheel: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], check=True)
    return python


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TOKENMAXX_", "TIKTOKEN_", "DATA_GYM_", "PYTHON", "XDG_")) and k != "VIRTUAL_ENV"}
    env["HOME"] = str(home)
    return env


@pytest.mark.slow
def test_installed_wheel_counts_offline(wheels, tmp_path):
    python = make_venv(tmp_path / "venv", wheels[0])
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)

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


def run_hidden(python: Path, cwd: Path) -> dict:
    """HIDDEN_CHECK in a private mount namespace where /dev/null covers every system Abseil and
    OpenSSL library file."""
    libraries = system_libraries()
    assert len(libraries) >= 20, f"expected Debian's Abseil and OpenSSL, found {libraries}"
    script = "set -e\nfor f in \"$@\"; do mount --bind /dev/null \"$f\"; done\nexec \"$PY\" -c \"$CHECK\"\n"
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *libraries],
                         capture_output=True, text=True, cwd=cwd, env=dict(os.environ, PY=str(python), CHECK=HIDDEN_CHECK))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
def test_repaired_wheel_imports_with_system_abseil_and_openssl_hidden(wheels, tmp_path):
    repaired, plain = wheels
    assert "-manylinux_2_" in repaired.name, repaired.name
    with zipfile.ZipFile(repaired) as z:
        bundled = [n for n in z.namelist() if n.startswith("tokenmaxx.libs/")]
    assert any("libabsl_" in n for n in bundled) and any("libcrypto" in n for n in bundled), bundled

    # The control: the plain wheel cannot load there, so the libraries really are hidden.
    plain_result = run_hidden(make_venv(tmp_path / "plain", plain), tmp_path)
    assert all(plain_result["hidden"].values()), plain_result
    assert "error" in plain_result and ("libabsl" in plain_result["error"] or "libcrypto" in plain_result["error"]), plain_result

    result = run_hidden(make_venv(tmp_path / "repaired", repaired), tmp_path)
    assert all(result["hidden"].values()), result
    assert result.get("count") == 2, result
    assert result["maps"] and all("/tokenmaxx.libs/" in path for path in result["maps"]), result["maps"]


def test_wheel_and_sdist_carry_the_license(wheels):
    license_text = (REPO / "LICENSE").read_text()
    assert "MIT License" in license_text and "tokenmaxx authors" in license_text
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            names = [n for n in z.namelist() if n.endswith("/LICENSE") and ".dist-info/" in n]
            assert names and z.read(names[0]).decode() == license_text, wheel.name
    sdists = list(wheels[1].parent.parent.glob("tokenmaxx-*.tar.gz"))
    if not sdists:
        pytest.fail(f"no sdist beside {wheels[1].parent}")
    with tarfile.open(sdists[0]) as t:
        member = next(m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/LICENSE"))
        assert t.extractfile(member).read().decode() == license_text


LITELLM_CHECK = r"""
import json, sys
if sys.argv[1] == "tokenmaxx":
    import tokenmaxx.tiktoken_compat
    tokenmaxx.tiktoken_compat.install()
import litellm
import tiktoken
texts = ["hello world", "The quick brown fox jumps over the lazy dog. " * 200, "naïve café 😀 — 日本語 <|endoftext|>"]
models = ["gpt-4o", "gpt-4", "gpt-3.5-turbo", "gpt-4.1-mini", "o3-mini"]
counts = {m: [litellm.token_counter(model=m, text=t) for t in texts] for m in models}
counts["encode"] = litellm.encode(model="gpt-4o", text=texts[2])
counts["messages"] = litellm.token_counter(model="gpt-4o", messages=[{"role": "user", "content": texts[1]}])
print(json.dumps({"tiktoken": tiktoken.__name__, "counts": counts}))
"""


@pytest.mark.slow
def test_litellm_counts_offline_with_a_wheel_without_vocabulary(wheels, tmp_path):
    """litellm points TIKTOKEN_CACHE_DIR at the rank files it bundles; with the wheel's own
    vocabulary removed and downloads forbidden, its counts through tokenmaxx equal its counts
    through tiktoken. The venv with litellm is kept in build/python/ between runs."""
    venv = REPO / "build" / "python" / "venv-litellm"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(python), "-c", "import litellm"], capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "litellm"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(wheels[0])], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    vocab = site / "tokenmaxx" / "_vocab"
    assert vocab.is_dir()
    for f in vocab.iterdir():
        f.unlink()
    vocab.rmdir()  # now as a wheel built without TOKENMAXX_VOCAB_DIR

    home = tmp_path / "home"
    home.mkdir()
    env = dict(clean_env(home), TOKENMAXX_OFFLINE="1", LITELLM_LOCAL_MODEL_COST_MAP="True")
    results = {}
    for mode in ["tokenmaxx", "tiktoken"]:
        out = subprocess.run([str(python), "-c", LITELLM_CHECK, mode], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-3000:]
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    assert results["tokenmaxx"]["tiktoken"] == "tokenmaxx.tiktoken_compat"
    assert results["tiktoken"]["tiktoken"] == "tiktoken"
    assert results["tokenmaxx"]["counts"] == results["tiktoken"]["counts"]
    assert list(home.iterdir()) == [], "nothing may be downloaded or cached"


def test_build_without_vocabulary_warns(tmp_path):
    """Configuring the extension without TOKENMAXX_VOCAB_DIR prints a CMake warning (shown by
    `python -m build`, `pip -v` and scripts/build_wheel.sh); with it, the files are verified and shipped."""
    import pybind11

    def configure(env: dict[str, str], build: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["cmake", "-S", str(REPO / "bindings" / "python"), "-B", str(build), "-G", "Ninja",
             f"-Dpybind11_DIR={pybind11.get_cmake_dir()}", f"-DPython_EXECUTABLE={sys.executable}"],
            capture_output=True, text=True, env=env,
        )

    env = {k: v for k, v in os.environ.items() if k != "TOKENMAXX_VOCAB_DIR"}
    out = configure(env, tmp_path / "without")
    assert out.returncode == 0, out.stderr
    assert "the wheel carries no vocabulary" in " ".join(out.stderr.split())
    out = configure(dict(env, TOKENMAXX_VOCAB_DIR=str(shared_dir("TOKENMAXX_VOCAB_DIR", "vocab"))), tmp_path / "with")
    assert out.returncode == 0, out.stderr
    assert "carries no vocabulary" not in " ".join(out.stderr.split())
    assert "shipping 4 verified rank files" in out.stdout
