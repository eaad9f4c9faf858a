#!/usr/bin/env bash
# Compile time of one user translation unit that counts tokens, in each way of using tokenmaxx:
# the umbrella header, the tokenizer header (header-only), and the tokenizer header against the
# compiled target (TOKENMAXX_TOKEN_COMPILED: the headers only declare). g++ -std=c++20 -O2 -c,
# wall time, best of 3. Writes bench/results/compile_time.md.
# Usage: bench/compile_time.sh   (from the repository root; scripts/setup.sh installs the compilers)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/compile_time.md
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cxx="${CXX:-g++}"

unit() {  # unit NAME HEADER
  cat >"$tmp/$1.cpp" <<CPP
#include <$2>
#include <cstdio>
int main() {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  std::printf("%zu\n", enc->count("hello world"));
}
CPP
}
best_of_3() {  # best_of_3 SOURCE [FLAGS...]: seconds
  python3 - "$cxx" "$tmp/out.o" "$@" <<'PY'
import subprocess, sys, time
cxx, out, src, *flags = sys.argv[1:]
times = []
for _ in range(3):
    t0 = time.monotonic()
    subprocess.run([cxx, "-std=c++20", "-O2", "-Iinclude", *flags, "-c", src, "-o", out], check=True)
    times.append(time.monotonic() - t0)
print(f"{min(times):.1f}")
PY
}
unit umbrella tokenmaxx/tokenmaxx.hpp
unit token tokenmaxx/token.hpp
load="$(cut -d' ' -f1-3 /proc/loadavg)"
umbrella="$(best_of_3 "$tmp/umbrella.cpp")"
token="$(best_of_3 "$tmp/token.cpp")"
compiled="$(best_of_3 "$tmp/token.cpp" -DTOKENMAXX_TOKEN_COMPILED=1)"
cat >"$out" <<MD
# Compile time of a user's translation unit

Produced by \`bench/compile_time.sh\` on $(date -u +%Y-%m-%d) ($("$cxx" --version | head -1); load average at
start $load on $(nproc) cores): one \`.cpp\` that includes a header and calls \`count\`,
\`$cxx -std=c++20 -O2 -c\`, wall time, best of 3.

| translation unit | seconds |
| --- | ---: |
| \`#include <tokenmaxx/tokenmaxx.hpp>\` (everything, header-only) | $umbrella |
| \`#include <tokenmaxx/token.hpp>\`, header-only | $token |
| \`#include <tokenmaxx/token.hpp>\` against \`tokenmaxx::token_compiled\` (\`TOKENMAXX_TOKEN_COMPILED\`) | $compiled |
MD
cat "$out"
