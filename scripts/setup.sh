#!/usr/bin/env bash
# Installs everything tokenmaxx needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail

debian_packages=(
  build-essential cmake ninja-build pkg-config git
  libabsl-dev libxsimd-dev xtl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev unicode-data
  clang libclang-rt-14-dev
  python3-dev pybind11-dev
)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Python side: the reference tokenizer and the build backend for the package.
python_packages=(pytest tiktoken scikit-build-core pybind11 build)
need_pip=0
for p in "${python_packages[@]}"; do
  python3 -m pip show -q "$p" >/dev/null 2>&1 || need_pip=1
done
if ((need_pip)); then
  echo "setup: installing Python packages: ${python_packages[*]}"
  python3 -m pip install -q "${python_packages[@]}"
fi
