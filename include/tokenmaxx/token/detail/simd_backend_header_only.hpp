// Internal to the tokenizer; include <tokenmaxx/token/simd.hpp> instead.
// The header-only backend choice: the compile-time ISA, or scalar when TOKENMAXX_SIMD=scalar.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tokenmaxx/token/detail/simd_backend.hpp"
#include "tokenmaxx/token/detail/simd_classify.hpp"

namespace tokenmaxx::token_detail {

inline simd_backend_info compile_time_simd_backend() {
#if XSIMD_WITH_SSE2 || XSIMD_WITH_NEON || XSIMD_WITH_NEON64
  return {xsimd::default_arch::name(), &compile_time_isa::classify_block<xsimd::default_arch>};
#else
  return {"scalar", &classify_block_scalar};
#endif
}

inline const simd_backend_info& active_simd_backend() {
  static const simd_backend_info info = [] {
    const simd_backend_info best = compile_time_simd_backend();
    const char* forced = std::getenv("TOKENMAXX_SIMD");
    if (forced == nullptr || *forced == '\0' || std::string_view(forced) == best.name) return best;
    if (std::string_view(forced) == "scalar") return simd_backend_info{"scalar", &classify_block_scalar};
    std::fprintf(stderr,
                 "tokenmaxx: TOKENMAXX_SIMD=%s is not available in this header-only build (it has %.*s and scalar); "
                 "using %.*s\n",
                 forced, static_cast<int>(best.name.size()), best.name.data(), static_cast<int>(best.name.size()),
                 best.name.data());
    return best;
  }();
  return info;
}

}  // namespace tokenmaxx::token_detail
