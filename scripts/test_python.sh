#!/usr/bin/env bash
# The Python package stage of scripts/test.sh (also runnable on its own):
#  1. installs pytest, tiktoken and the build tools if missing;
#  2. builds the source distribution, then ONE wheel from it (an isolated build: scikit-build-core
#     and pybind11 come from PyPI; the sdist proves include/, cmake/ and the bindings are packaged),
#     shipping the verified rank files from TOKENMAXX_VOCAB_DIR;
#  3. installs that wheel and runs the pytest suite, whose smoke test installs the same wheel into a
#     fresh venv and counts tokens with no vocabulary folder and an empty HOME.
# TOKENMAXX_PY_BUILD_ISOLATION=0 builds with --no-build-isolation against the installed tools.
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/test_python.sh [extra pytest args]
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$tokenmaxx_root"
tokenmaxx_require_shared_data
py="${PYTHON:-python3}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

missing=()
for p in pytest tiktoken numpy build scikit-build-core pybind11 prometheus_client opentelemetry-proto; do
  "$py" -m pip show -q "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test_python: installing ${missing[*]}"
  "$py" -m pip install -q "${missing[@]}"
fi

dist="$root/build/python/dist"
rm -rf "$dist"
mkdir -p "$dist"
t0=$SECONDS
echo "test_python: building the sdist"
"$py" -m build --sdist --outdir "$dist" . >"$dist/sdist.log" 2>&1 || { tail -30 "$dist/sdist.log"; exit 1; }
sdist="$(ls "$dist"/tokenmaxx-*.tar.gz)"
contents="$(tar tzf "$sdist")"
for needed in CMakeLists.txt include/tokenmaxx/token/encoding.hpp include/tokenmaxx/token/vocab.hpp \
    include/tokenmaxx/base/version.hpp cmake/tokenmaxx_vocab_files.cmake data/vocab_files.tsv \
    bindings/python/CMakeLists.txt bindings/python/tokenmaxx/_core/token.pyi bindings/python/tokenmaxx/py.typed; do
  grep -qx "tokenmaxx-[^/]*/$needed" <<<"$contents" || { echo "sdist lacks $needed"; exit 1; }
done

isolation=()
if [ "${TOKENMAXX_PY_BUILD_ISOLATION:-1}" = 0 ]; then isolation=(--no-build-isolation); fi
echo "test_python: building the wheel from the sdist ${isolation[*]:-(isolated build)}"
"$py" -m pip wheel --no-deps "${isolation[@]}" --wheel-dir "$dist" "$sdist" >"$dist/wheel.log" 2>&1 ||
  { tail -40 "$dist/wheel.log"; exit 1; }
wheel="$(ls "$dist"/tokenmaxx-*.whl)"
grep -q "tokenmaxx/_vocab/o200k_base.tiktoken" <<<"$("$py" -m zipfile -l "$wheel")" || { echo "the wheel carries no vocabulary"; exit 1; }
echo "test_python: built $(basename "$wheel") in $((SECONDS - t0)) s"

"$py" -m pip install -q --force-reinstall --no-deps "$wheel"
TOKENMAXX_FORBID_SKIPS=1 TOKENMAXX_TEST_WHEEL="$wheel" "$py" -m pytest -p no:cacheprovider bindings/python/tests "$@"
