// Internal to the tokenizer; include <tokenmaxx/token/encoding.hpp> instead.
// Code point classes for the pretokenizers, and UTF-8 decoding of already validated input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tokenmaxx/token/detail/unicode_tables.hpp"

namespace tokenmaxx::token_detail {

// One class per code point; the numbering is shared with tools/gen_unicode_tables.py.
enum cp_class : std::uint8_t {
  cls_other = 0,  // anything not below: punctuation, symbols, controls, unassigned
  cls_lu = 1,
  cls_lt = 2,
  cls_ll = 3,
  cls_lm = 4,
  cls_lo = 5,
  cls_mark = 6,   // \p{M}
  cls_number = 7, // \p{N}
  cls_space = 8,  // \s: the White_Space property, as Rust's regex crate uses it
};

// Class sets as bitmasks over cp_class, so membership is one shift and one AND.
inline constexpr std::uint16_t set_of(std::initializer_list<cp_class> cs) {
  std::uint16_t m = 0;
  for (auto c : cs) m |= std::uint16_t(1u << c);
  return m;
}
inline constexpr std::uint16_t letter_classes = set_of({cls_lu, cls_lt, cls_ll, cls_lm, cls_lo});
// o200k: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}]
inline constexpr std::uint16_t upperish_classes = set_of({cls_lu, cls_lt, cls_lm, cls_lo, cls_mark});
inline constexpr std::uint16_t lowerish_classes = set_of({cls_ll, cls_lm, cls_lo, cls_mark});
// [^\s\p{L}\p{N}]
inline constexpr std::uint16_t punctuation_classes = set_of({cls_other, cls_mark});

inline constexpr bool in_set(std::uint16_t set, std::uint8_t cls) { return (set >> cls) & 1u; }

inline std::uint8_t classify(char32_t cp) {
  if (cp >= 0x110000) return cls_other;
  const std::uint32_t block = unicode_stage1[cp >> unicode_block_bits];
  return unicode_stage2[(block << unicode_block_bits) | (cp & ((1u << unicode_block_bits) - 1))];
}

inline constexpr std::array<std::uint8_t, 128> make_ascii_classes() {
  std::array<std::uint8_t, 128> t{};
  for (unsigned c = 0; c < 128; ++c) {
    t[c] = unicode_stage2[(std::uint32_t(unicode_stage1[0]) << unicode_block_bits) | c];
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 128> ascii_class = make_ascii_classes();

// Decodes the code point at s[i] of input that is known to be valid UTF-8 and returns its class;
// `len` receives its length in bytes.
// The multi-byte part of class_at, kept out of line so the ASCII test inlines everywhere.
[[gnu::noinline]] inline std::uint8_t class_at_multibyte(const std::uint8_t* s, std::size_t i, std::size_t& len) {
  const std::uint8_t b0 = s[i];
  char32_t cp;
  if (b0 < 0xE0) {
    len = 2;
    cp = (char32_t(b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
  } else if (b0 < 0xF0) {
    len = 3;
    cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
  } else {
    len = 4;
    cp = (char32_t(b0 & 0x07) << 18) | (char32_t(s[i + 1] & 0x3F) << 12) |
         (char32_t(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
  }
  return classify(cp);
}

[[gnu::always_inline]] inline std::uint8_t class_at(const std::uint8_t* s, std::size_t i, std::size_t& len) {
  const std::uint8_t b0 = s[i];
  if (b0 < 0x80) [[likely]] {
    len = 1;
    return ascii_class[b0];
  }
  return class_at_multibyte(s, i, len);
}

}  // namespace tokenmaxx::token_detail
