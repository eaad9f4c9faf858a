// A UTF-8 decoder for tests, written from the Unicode Standard's Table 3-7 (well-formed byte
// sequences) and its "maximal subpart" rule for U+FFFD substitution, sharing no code with
// tokenmaxx/base/utf8.hpp: the fuzzers and the UTF-8 tests check the library against it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tokenmaxx_test {

struct utf8_row {
  std::uint8_t lo[4], hi[4];  // allowed range of each byte of the sequence
  std::size_t length;
};

// Table 3-7 of the Unicode Standard, one row per line of the table.
inline constexpr utf8_row utf8_table[] = {
    {{0x00}, {0x7F}, 1},
    {{0xC2, 0x80}, {0xDF, 0xBF}, 2},
    {{0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}, 3},
    {{0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}, 3},
    {{0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}, 3},
    {{0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, 3},
    {{0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}, 4},
    {{0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}, 4},
    {{0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}, 4},
};

struct decoded_utf8 {
  std::u32string code_points;                 // of the repaired text
  std::vector<std::size_t> code_point_offsets;  // byte offset of each code point in `repaired`
  std::size_t first_invalid = std::string_view::npos;
  std::string repaired;  // every maximal ill-formed subpart replaced by U+FFFD
};

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline decoded_utf8 decode_utf8(std::string_view text) {
  decoded_utf8 d;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const utf8_row* row = nullptr;
    for (const utf8_row& r : utf8_table)
      if (byte(i) >= r.lo[0] && byte(i) <= r.hi[0]) row = &r;
    // How many bytes from i fit the row: all of them is a character; fewer is a maximal subpart.
    std::size_t fit = row ? 1 : 0;
    while (row && fit < row->length && i + fit < text.size() && byte(i + fit) >= row->lo[fit] &&
           byte(i + fit) <= row->hi[fit])
      ++fit;
    d.code_point_offsets.push_back(d.repaired.size());
    if (row && fit == row->length) {
      static constexpr std::uint8_t lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
      char32_t cp = byte(i) & lead_bits[row->length];
      for (std::size_t k = 1; k < row->length; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
      d.code_points.push_back(cp);
      d.repaired.append(text.substr(i, row->length));
      i += row->length;
    } else {
      if (d.first_invalid == std::string_view::npos) d.first_invalid = i;
      d.code_points.push_back(U'\uFFFD');
      append_utf8(d.repaired, U'\uFFFD');
      i += fit == 0 ? 1 : fit;
    }
  }
  return d;
}

}  // namespace tokenmaxx_test
