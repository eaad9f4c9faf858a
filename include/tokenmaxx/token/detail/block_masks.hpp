// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
//
// Byte classes of a 64-byte block as bitmasks (bit k = byte k of the block): the pretokenizer's
// view of ASCII text. A classifier fills one `block_masks` per block; the per-ISA kernels
// (SSE4.2, AVX2, AVX-512BW through xsimd, see simd_classify.hpp) and the portable scalar one give
// the same bits for every byte, which the tests check on all 256 byte values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tokenmaxx::token_detail {

inline constexpr std::size_t block_bytes = 64;

// ASCII classes as the Unicode tables define them for U+0000..U+007F: `space` is \s (U+0009..U+000D
// and U+0020), `other` is every ASCII byte in none of the four. Bytes >= 0x80 are `non_ascii` only.
struct block_masks {
  std::uint64_t upper = 0;      // A-Z
  std::uint64_t lower = 0;      // a-z
  std::uint64_t digit = 0;      // 0-9
  std::uint64_t space = 0;      // \t \n \v \f \r and ' '
  std::uint64_t non_ascii = 0;  // 0x80-0xFF
  std::uint64_t other() const noexcept { return ~(upper | lower | digit | space | non_ascii); }
};

// Fills `m` for the 64 bytes at p (all readable).
using block_classifier = void (*)(const std::uint8_t* p, block_masks& m) noexcept;

inline void classify_block_scalar(const std::uint8_t* p, block_masks& m) noexcept {
  m = block_masks{};
  for (std::size_t k = 0; k < block_bytes; ++k) {
    const std::uint8_t b = p[k];
    const std::uint64_t bit = std::uint64_t{1} << k;
    if (b >= 0x80) m.non_ascii |= bit;
    else if (b >= 'A' && b <= 'Z') m.upper |= bit;
    else if (b >= 'a' && b <= 'z') m.lower |= bit;
    else if (b >= '0' && b <= '9') m.digit |= bit;
    else if (b == ' ' || (b >= '\t' && b <= '\r')) m.space |= bit;
  }
}

}  // namespace tokenmaxx::token_detail
