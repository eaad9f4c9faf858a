#!/usr/bin/env bash
# Sets up the machine and runs every test stage, or the stages named on the command line:
#   release  Release build, the whole C++ suite (parity, direct tiktoken comparison, benchmarks build)
#   asan     ASan+UBSan build and suite
#   tsan     TSan build of the concurrency tests
#   fuzz     libFuzzer targets from their seed corpora (TOKENMAXX_FUZZ_SECONDS each, default 45)
#   install  installed-package and add_subdirectory consumers (components, strict warnings,
#            -fno-exceptions, compiled mode)
#   python   the Python package (sdist -> wheel -> pytest)
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/test.sh [stage ...]
set -euo pipefail
source "$(dirname "$0")/common.sh"
all_stages=(release asan tsan fuzz install python)
stages=("$@")
if ((${#stages[@]} == 0)); then stages=("${all_stages[@]}"); fi
for s in "${stages[@]}"; do
  [[ " ${all_stages[*]} " == *" $s "* ]] || { echo "unknown stage '$s'; stages: ${all_stages[*]}"; exit 2; }
done

bash scripts/setup.sh
tokenmaxx_require_shared_data
gen=(-G Ninja)
started=$SECONDS

# Fails the stage when a test that tests/required_tests.txt lists for it would not run: ctest's
# --no-tests=error only catches a stage that runs nothing. Usage: require_tests STAGE BUILD [filters]
require_tests() {
  python3 tests/check_required_tests.py --stage "$1" --ctest "$2" -- "${@:3}"
}

stage_release() {
  stage "release build + full test suite"
  cmake -S . -B build/release "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DTOKENMAXX_BUILD_BENCH=ON \
    -DTOKENMAXX_EMBED_VOCAB=ON -DTOKENMAXX_VOCAB_DIR="$TOKENMAXX_VOCAB_DIR" \
    -DTOKENMAXX_REQUIRE_TIKTOKEN_TEST=ON -DPython3_EXECUTABLE="$(command -v python3)" >/dev/null
  cmake --build build/release -j "$tokenmaxx_jobs"
  require_tests release build/release
  ctest --no-tests=error --test-dir build/release --output-on-failure -j "$tokenmaxx_jobs"
  stage_done
}

# The sanitizer builds: -O1 and line tables only (-g1) keep the reports' stack traces and compile in
# about 0.6x the time of -O2 -g (measured on usage's export_test under ASan+UBSan: 108 s against 182 s).
sanitizer_build=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")

stage_asan() {
  stage "ASan+UBSan build"
  cmake -S . -B build/asan "${gen[@]}" "${sanitizer_build[@]}" -DTOKENMAXX_SANITIZE=address \
    -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_INSTALL=OFF >/dev/null
  cmake --build build/asan -j "$tokenmaxx_jobs"
  require_tests asan build/asan -LE slow
  ctest --no-tests=error --test-dir build/asan --output-on-failure -j "$tokenmaxx_jobs" -LE slow
  stage_done
}

stage_tsan() {
  stage "TSan build of the concurrency tests"
  cmake -S . -B build/tsan "${gen[@]}" "${sanitizer_build[@]}" -DTOKENMAXX_SANITIZE=thread \
    -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_BUILD_CLI=OFF -DTOKENMAXX_INSTALL=OFF >/dev/null
  # Only the concurrency-labelled tests run under TSan, so only their executables are built (each
  # such test is a gtest executable named like its test).
  local targets
  mapfile -t targets < <(ctest --test-dir build/tsan -L concurrency --show-only=json-v1 |
    python3 -c 'import json, sys; [print(t["name"]) for t in json.load(sys.stdin)["tests"]]')
  cmake --build build/tsan -j "$tokenmaxx_jobs" --target "${targets[@]}"
  require_tests tsan build/tsan -L concurrency
  ctest --no-tests=error --test-dir build/tsan --output-on-failure -L concurrency
  stage_done
}

stage_fuzz() {
  stage "libFuzzer targets (clang, ASan+UBSan), ${TOKENMAXX_FUZZ_SECONDS:-45} s each from the seed corpus"
  CXX=clang++ cmake -S . -B build/fuzz "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENMAXX_BUILD_FUZZ=ON \
    -DTOKENMAXX_BUILD_TESTS=OFF -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_BUILD_CLI=OFF -DTOKENMAXX_INSTALL=OFF \
    -DTOKENMAXX_BUILD_COMPILED=OFF >/dev/null
  cmake --build build/fuzz -j "$tokenmaxx_jobs"
  (cd build/fuzz/fuzzers && ls) >build/fuzz/fuzzers.txt
  python3 tests/check_required_tests.py --stage fuzz --names build/fuzz/fuzzers.txt
  for f in build/fuzz/fuzzers/*_fuzz; do
    local name seeds work dict
    name="$(basename "$f" _fuzz)"
    seeds="$(ls -d fuzz/*/corpus/"$name")"
    work="build/fuzz/corpus-$name"
    dict=()
    if [ -f "$(dirname "$seeds")/../$name.dict" ]; then dict=(-dict="$(dirname "$seeds")/../$name.dict"); fi
    mkdir -p "$work"
    if ! "$f" -max_total_time="${TOKENMAXX_FUZZ_SECONDS:-45}" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 \
        "${dict[@]}" -artifact_prefix=build/fuzz/ "$work" "$seeds" >"$work.log" 2>&1; then
      tail -40 "$work.log"
      echo "fuzzer $name found a failure (reproducer in build/fuzz/)"
      exit 1
    fi
    grep -E "^(Done|stat::number_of_executed_units)" "$work.log"
  done
  stage_done
}

stage_install() {
  stage "installed package: components, strict warnings, -fno-exceptions, compiled mode, add_subdirectory"
  [ -f build/release/CMakeCache.txt ] || stage_release
  bash tests/install/run.sh "$tokenmaxx_root/build/release"
  stage_done
}

stage_python() {
  # scripts/test_python.sh checks pytest's collection against tests/required_python_tests.txt.
  stage "Python package"
  bash scripts/test_python.sh
  stage_done
}

for s in "${stages[@]}"; do "stage_$s"; done
printf '\nstages passed: %s (%d s)\n' "${stages[*]}" "$((SECONDS - started))"
