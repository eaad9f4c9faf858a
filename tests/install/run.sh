#!/usr/bin/env bash
# The installed-package stage of scripts/test.sh: installs the Release build tree into build/prefix
# and builds and runs each consumer project against it the way a service would.
#   find_package     every component (find_package(tokenmaxx)), the umbrella target
#   token_component  COMPONENTS token: a tokenizer-only service loads no usage or privacy target
#   compiled         COMPONENTS token_compiled: the compiled mode (headers declare, the library defines)
#   strict           every public header in one TU with -Wall -Wextra -Wpedantic -Wconversion
#                    -Wsign-conversion -Wshadow -Werror (include paths not marked SYSTEM), and a
#                    -fno-exceptions program that uses the try_ API
#   add_subdirectory the source tree as a subproject
# Usage: tests/install/run.sh BUILD_DIR   (a configured and built Release tree)
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="$root/build/prefix"
rm -rf "$prefix" "$root"/build/consumer-*
cmake --install "$build" --prefix "$prefix" >/dev/null
gen=(-G Ninja)
for project in find_package token_component compiled strict; do
  echo "-- consumer: $project"
  cmake -S "$here/$project" -B "$root/build/consumer-$project" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" >"$root/build/consumer-$project.log" 2>&1 || { cat "$root/build/consumer-$project.log"; exit 1; }
  cmake --build "$root/build/consumer-$project"
  for exe in "$root/build/consumer-$project"/consumer*; do
    [ -x "$exe" ] && [ -f "$exe" ] && "$exe"
  done
done
echo "-- consumer: add_subdirectory"
cmake -S "$here/add_subdirectory" -B "$root/build/consumer-add_subdirectory" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DTOKENMAXX_SOURCE_DIR="$root" >/dev/null
cmake --build "$root/build/consumer-add_subdirectory"
"$root/build/consumer-add_subdirectory/consumer"
