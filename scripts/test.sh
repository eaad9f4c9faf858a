#!/usr/bin/env bash
# Sets up the machine and runs every test: the C++ suite (release, ASan+UBSan, TSan), the installed
# CMake package consumers, and the Python package tests.
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/test.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# A relative TOKENMAXX_VOCAB_DIR means relative to where the command was typed.
if [ -n "${TOKENMAXX_VOCAB_DIR:-}" ] && [ -d "$TOKENMAXX_VOCAB_DIR" ]; then
  TOKENMAXX_VOCAB_DIR="$(cd "$TOKENMAXX_VOCAB_DIR" && pwd)"
fi
cd "$root"
bash scripts/setup.sh

source scripts/env.sh
jobs="$(nproc)"
gen=(-G Ninja)

step() { printf '\n==== %s\n' "$*"; }

step "release build + full test suite"
cmake -S . -B build/release "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DTOKENMAXX_BUILD_BENCH=ON \
  -DTOKENMAXX_EMBED_VOCAB=ON -DTOKENMAXX_VOCAB_DIR="$TOKENMAXX_VOCAB_DIR" \
  -DTOKENMAXX_REQUIRE_TIKTOKEN_TEST=ON -DPython3_EXECUTABLE="$(command -v python3)" >/dev/null
cmake --build build/release -j "$jobs"
ctest --no-tests=error --test-dir build/release --output-on-failure -j "$jobs"

step "ASan+UBSan build"
cmake -S . -B build/asan "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENMAXX_SANITIZE=address \
  -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_INSTALL=OFF >/dev/null
cmake --build build/asan -j "$jobs"
ctest --no-tests=error --test-dir build/asan --output-on-failure -j "$jobs" -LE slow

step "TSan build of the concurrency tests"
cmake -S . -B build/tsan "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENMAXX_SANITIZE=thread \
  -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_BUILD_CLI=OFF -DTOKENMAXX_INSTALL=OFF >/dev/null
cmake --build build/tsan -j "$jobs"
ctest --no-tests=error --test-dir build/tsan --output-on-failure -L concurrency

step "libFuzzer targets (clang, ASan+UBSan), ${TOKENMAXX_FUZZ_SECONDS:-45} s each from the seed corpus"
CXX=clang++ cmake -S . -B build/fuzz "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENMAXX_BUILD_FUZZ=ON \
  -DTOKENMAXX_BUILD_TESTS=OFF -DTOKENMAXX_BUILD_BENCH=OFF -DTOKENMAXX_BUILD_CLI=OFF -DTOKENMAXX_INSTALL=OFF >/dev/null
cmake --build build/fuzz -j "$jobs"
for f in build/fuzz/fuzz/*_fuzz; do
  name="$(basename "$f" _fuzz)"
  work="build/fuzz/corpus-$name"
  mkdir -p "$work"
  if ! "$f" -max_total_time="${TOKENMAXX_FUZZ_SECONDS:-45}" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=build/fuzz/ "$work" "fuzz/corpus/$name" >"$work.log" 2>&1; then
    tail -40 "$work.log"
    echo "fuzzer $name found a failure (reproducer in build/fuzz/)"
    exit 1
  fi
  grep -E "^(Done|stat::number_of_executed_units)" "$work.log"
done

step "installed package: find_package and add_subdirectory consumers"
rm -rf build/prefix build/consumer-fp build/consumer-as
cmake --install build/release --prefix build/prefix >/dev/null
cmake -S tests/install/find_package -B build/consumer-fp "${gen[@]}" -DCMAKE_PREFIX_PATH="$root/build/prefix" >/dev/null
cmake --build build/consumer-fp
./build/consumer-fp/consumer
cmake -S tests/install/add_subdirectory -B build/consumer-as "${gen[@]}" -DTOKENMAXX_SOURCE_DIR="$root" >/dev/null
cmake --build build/consumer-as
./build/consumer-as/consumer

step "Python package"
bash scripts/test_python.sh
printf '\nall test stages passed\n'
