// A failed property in a fuzz target: say which and why on stderr, then abort, so libFuzzer keeps
// the input as a crash and the seed replay (tests/CMakeLists.txt: tokenmaxx_add_fuzz_replay) fails
// with the reason instead of a bare trap.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tokenmaxx_fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

}  // namespace tokenmaxx_fuzz
