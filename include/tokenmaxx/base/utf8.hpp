// tokenmaxx/base/utf8.hpp: strict UTF-8 validation and lossy repair, shared by every subsystem.
//
// One validator for the whole library: the tokenizer, the ledger's key checks and the privacy
// layer's group labels all accept exactly the same byte strings.
//
// Guarantees:
//  - Strict: overlong forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF are
//    invalid, exactly as Python's `bytes.decode("utf-8")` decides.
//  - `replace_invalid_utf8` replaces each maximal ill-formed subsequence by U+FFFD following the
//    Unicode "best practice for U+FFFD substitution", byte for byte what CPython's
//    `errors="replace"` produces.
//  - Linear time, no allocation except the repaired copy; pure functions, safe from any thread.
//
// Example:
//   std::size_t bad = tokenmaxx::base::first_invalid_utf8("ok\xff");   // 2
//   bool ok = tokenmaxx::base::is_valid_utf8("héllo");                  // true
//   std::string fixed = tokenmaxx::base::replace_invalid_utf8("a\xffz"); // "a\uFFFDz"
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tokenmaxx::base {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is ill-formed. On 0,
// `bad_len` receives the length of the maximal subpart to replace (at least 1), following the
// Unicode "best practice for U+FFFD substitution" that CPython implements.
inline std::size_t utf8_sequence_length(const std::uint8_t* s, std::size_t n, std::size_t i,
                                        std::size_t& bad_len) noexcept {
  const std::uint8_t b0 = s[i];
  bad_len = 1;
  if (b0 < 0x80) return 1;
  std::size_t need;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  std::size_t k = 1;
  for (; k < need; ++k) {
    if (i + k >= n) break;
    const std::uint8_t b = s[i + k];
    const std::uint8_t l = (k == 1) ? lo : std::uint8_t{0x80};
    const std::uint8_t h = (k == 1) ? hi : std::uint8_t{0xBF};
    if (b < l || b > h) break;
  }
  if (k == need) return need;
  bad_len = k;  // the lead byte plus the continuation bytes that were valid so far
  return 0;
}

// Offset of the first invalid byte, or npos when `text` is valid UTF-8.
inline std::size_t first_invalid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    std::size_t bad;
    const std::size_t len = utf8_sequence_length(s, n, i, bad);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

inline bool is_valid_utf8(std::string_view text) noexcept {
  return first_invalid_utf8(text) == std::string_view::npos;
}

// Copy of `text` with every maximal ill-formed subsequence replaced by U+FFFD.
inline std::string replace_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::string out;
  out.reserve(n + 16);
  std::size_t i = 0;
  while (i < n) {
    std::size_t bad;
    const std::size_t len = utf8_sequence_length(s, n, i, bad);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      i += bad;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace tokenmaxx::base
