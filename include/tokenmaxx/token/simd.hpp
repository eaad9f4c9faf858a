// tokenmaxx/token/simd.hpp: which SIMD backend the pretokenizer uses, and how to force one.
//
// The pretokenizer classifies text 64 bytes at a time (letters by case, digits, whitespace,
// non-ASCII) with SIMD, then finds piece boundaries from the class bitmasks. Header-only builds
// use the ISA their translation unit is compiled for; the compiled target
// (tokenmaxx::token_compiled, also used by the CLI and the Python wheel) carries SSE4.2, AVX2 and
// AVX-512BW kernels (NEON when built on ARM) and picks the best the CPU has at run time. Setting
// TOKENMAXX_SIMD=scalar|sse2|sse4.2|avx2|avx512bw|neon before the first tokenization forces one
// (an unavailable choice keeps the best one and says so on stderr).
//
// Guarantees:
//  - Every backend gives identical pieces and tokens (the differential fuzzer and the parity tests
//    run each one the machine supports).
//  - The choice is made once per process, at first use; thread-safe.
//
// Example:
//   std::string_view backend = tokenmaxx::simd_backend();        // e.g. "avx2"
//   std::vector<std::string_view> all = tokenmaxx::available_simd_backends();
#pragma once

#include <string_view>
#include <vector>

namespace tokenmaxx {

// The backend in use (choosing it if no tokenization has happened yet).
std::string_view simd_backend();

// The backends this build carries and this CPU can run, best last ("scalar" first).
std::vector<std::string_view> available_simd_backends();

}  // namespace tokenmaxx

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/simd_backend_header_only.hpp"

namespace tokenmaxx {
inline std::string_view simd_backend() { return token_detail::active_simd_backend().name; }
inline std::vector<std::string_view> available_simd_backends() {
  std::vector<std::string_view> out{"scalar"};
  const std::string_view best = token_detail::compile_time_simd_backend().name;
  if (best != "scalar") out.push_back(best);
  return out;
}
}  // namespace tokenmaxx
#endif
