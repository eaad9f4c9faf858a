# The Python package stage of scripts/test.sh (also runnable on its own):
#  1. runs scripts/setup.sh, which installs what is missing: pytest, tiktoken, the build and repair
#     tools, mypy, hypothesis, the open-model references and the pinned Dask and PySpark;
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

# The packages the tests use (scripts/setup.sh has the one list; it installs only what is missing).
bash "$root/scripts/setup.sh"

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
