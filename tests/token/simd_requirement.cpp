// Linked into the parity runs that force a SIMD backend: with TOKENMAXX_REQUIRE_SIMD=<name>, the
// process must really run on that backend. If this CPU cannot run it, the run exits with 77,
// which CTest reports as skipped (SKIP_RETURN_CODE); any other mismatch fails loudly.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tokenmaxx/token/simd.hpp"

namespace {

const bool checked = [] {
  const char* required = std::getenv("TOKENMAXX_REQUIRE_SIMD");
  if (required == nullptr || *required == '\0') return true;
  for (std::string_view b : tokenmaxx::available_simd_backends())
    if (b == required) {
      if (tokenmaxx::simd_backend() != required) {
        std::fprintf(stderr, "TOKENMAXX_REQUIRE_SIMD=%s but the active backend is %.*s\n", required,
                     static_cast<int>(tokenmaxx::simd_backend().size()), tokenmaxx::simd_backend().data());
        std::exit(1);
      }
      std::fprintf(stderr, "running on SIMD backend %s\n", required);
      return true;
    }
  std::fprintf(stderr, "this CPU or build cannot run SIMD backend %s: skipped\n", required);
  std::exit(77);
}();

}  // namespace
