// Internal to the tokenizer; include <tokenmaxx/token/simd.hpp> instead.
//
// Which block classifier the pretokenizer uses. Header-only builds use the ISA the including
// translation unit is compiled for (xsimd's default architecture: SSE2 on plain x86-64, AVX2 with
// -mavx2, NEON on ARM). The compiled target (TOKENMAXX_TOKEN_COMPILED) carries one kernel per ISA
// and chooses at run time (src/token/simd_dispatch.cpp). In both, TOKENMAXX_SIMD=<name> in the
// environment forces a backend the build and the CPU support ("scalar" always works).
#pragma once

#include <string_view>

#include "tokenmaxx/token/detail/block_masks.hpp"

#include "tokenmaxx/token/detail/linkage.hpp"

namespace tokenmaxx::token_detail {

struct simd_backend_info {
  std::string_view name;       // "scalar", "sse2", "sse4.2", "avx2", "avx512bw", "neon", ...
  block_classifier classify;
};

// The backend chosen for this process (decided once, at first use; thread-safe).
const simd_backend_info& active_simd_backend();

}  // namespace tokenmaxx::token_detail

#ifndef TOKENMAXX_TOKEN_COMPILED
#include "tokenmaxx/token/detail/simd_backend_header_only.hpp"
#endif
