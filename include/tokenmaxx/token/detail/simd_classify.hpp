// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// The SIMD block classifier, written once with xsimd and compiled per ISA: for the compile-time
// ISA in header-only builds (simd_backend.hpp), and once per ISA in the compiled target's
// per-ISA translation units (src/token/kernel_*.cpp), each inside its own namespace so that no
// inline function compiled for one ISA can stand in for another.
//
// xsimd 8.1 (Debian 12) has no batch_bool::mask(), so the bitmask comes from the native register.
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstdint>

#include "tokenmaxx/token/detail/block_masks.hpp"

#ifndef TOKENMAXX_ISA_NAMESPACE
#define TOKENMAXX_ISA_NAMESPACE compile_time_isa
#endif

namespace tokenmaxx::token_detail::TOKENMAXX_ISA_NAMESPACE {

// One bit per byte lane of a comparison result. The generic version (any architecture xsimd
// supports, e.g. NEON) goes through memory; x86 reads the native movemask.
template <class Arch>
struct movemask {
  static std::uint64_t bits(xsimd::batch_bool<std::uint8_t, Arch> b) noexcept {
    using batch = xsimd::batch<std::uint8_t, Arch>;
    alignas(64) std::uint8_t lanes[batch::size];
    xsimd::select(b, batch(std::uint8_t{1}), batch(std::uint8_t{0})).store_unaligned(lanes);
    std::uint64_t out = 0;
    for (std::size_t k = 0; k < batch::size; ++k) out |= std::uint64_t{lanes[k]} << k;
    return out;
  }
};

#if XSIMD_WITH_SSE2
template <>
struct movemask<xsimd::sse2> {
  static std::uint64_t bits(xsimd::batch_bool<std::uint8_t, xsimd::sse2> b) noexcept {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(b));
  }
};
#endif
#if XSIMD_WITH_SSE4_2
template <>
struct movemask<xsimd::sse4_2> {
  static std::uint64_t bits(xsimd::batch_bool<std::uint8_t, xsimd::sse4_2> b) noexcept {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(b));
  }
};
#endif
#if XSIMD_WITH_AVX2
template <>
struct movemask<xsimd::avx2> {
  static std::uint64_t bits(xsimd::batch_bool<std::uint8_t, xsimd::avx2> b) noexcept {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(b));
  }
};
#endif
#if XSIMD_WITH_AVX512BW
template <>
struct movemask<xsimd::avx512bw> {
  static std::uint64_t bits(xsimd::batch_bool<std::uint8_t, xsimd::avx512bw> b) noexcept {
    return static_cast<std::uint64_t>(static_cast<__mmask64>(b));
  }
};
#endif

// True for bytes in [lo, hi]: one subtraction and one unsigned compare per byte.
template <class Arch>
xsimd::batch_bool<std::uint8_t, Arch> in_range(xsimd::batch<std::uint8_t, Arch> v, std::uint8_t lo,
                                                std::uint8_t hi) noexcept {
  using batch = xsimd::batch<std::uint8_t, Arch>;
  return (v - batch(lo)) <= batch(static_cast<std::uint8_t>(hi - lo));
}

template <class Arch>
void classify_block(const std::uint8_t* p, block_masks& m) noexcept {
  using batch = xsimd::batch<std::uint8_t, Arch>;
  constexpr std::size_t width = batch::size;
  static_assert(block_bytes % width == 0);
  m = block_masks{};
  for (std::size_t k = 0; k < block_bytes; k += width) {
    const batch v = batch::load_unaligned(p + k);
    m.upper |= movemask<Arch>::bits(in_range(v, 'A', 'Z')) << k;
    m.lower |= movemask<Arch>::bits(in_range(v, 'a', 'z')) << k;
    m.digit |= movemask<Arch>::bits(in_range(v, '0', '9')) << k;
    m.space |= movemask<Arch>::bits(in_range(v, '\t', '\r') || (v == batch(std::uint8_t{' '}))) << k;
    m.non_ascii |= movemask<Arch>::bits(v >= batch(std::uint8_t{0x80})) << k;
  }
}

}  // namespace tokenmaxx::token_detail::TOKENMAXX_ISA_NAMESPACE
