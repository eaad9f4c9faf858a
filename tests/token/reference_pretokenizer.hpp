// The reference pretokenizer for tests and fuzzers: tiktoken's published patterns run by PCRE2, a
// backtracking regex engine with the semantics tiktoken's fancy-regex has (leftmost match, ordered
// alternatives, possessive quantifiers, lookahead), sharing nothing with tokenmaxx's scanners.
//
// Two differences between PCRE2 and tiktoken's Rust regex are removed or fenced off:
//  - `\s`: PCRE2 with UCP matches \p{Z}, \h and \v (U+180E included); Rust matches the White_Space
//    property. The patterns are compiled with \s and \S spelled out as White_Space, and `$` with
//    PCRE2_DOLLAR_ENDONLY (Rust's `$` does not match before a final newline).
//  - Unicode version: Debian 12's PCRE2 10.42 knows Unicode 14, tokenmaxx and tiktoken Unicode 15.
//    `unicode_gap` lists the code points whose class under PCRE2 differs from UnicodeData.txt (the
//    UCD that tokenmaxx's tables are generated from); texts containing one are not compared.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference_utf8.hpp"

namespace tokenmaxx_test {

// The White_Space property (PropList.txt; unchanged since Unicode 6.3), as a PCRE2 class body.
inline constexpr std::string_view white_space_class_body =
    R"(\x{09}-\x{0D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

// `pattern` with every \s and \S replaced by the White_Space property.
inline std::string spell_out_white_space(std::string_view pattern) {
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      if (e == 's') {
        out += in_class ? std::string(white_space_class_body) : "[" + std::string(white_space_class_body) + "]";
      } else if (e == 'S') {
        if (in_class) throw std::invalid_argument("\\S inside a character class is not supported");
        out += "[^" + std::string(white_space_class_body) + "]";
      } else {
        out += c;
        out += e;
      }
      continue;
    }
    if (c == '[' && !in_class) in_class = true;
    else if (c == ']' && in_class) in_class = false;
    out += c;
  }
  return out;
}

class pcre2_pattern {
 public:
  explicit pcre2_pattern(const std::string& pattern, std::uint32_t options = 0) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | options, &error, &offset, nullptr));
    if (!code_) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw std::invalid_argument("PCRE2 cannot compile " + pattern + " at " + std::to_string(offset) + ": " +
                                  reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(code_.get(), PCRE2_JIT_COMPLETE);  // optional: falls back to the interpreter
  }
  // The [begin, end) of the leftmost match at or after `from`, or {npos, npos}.
  std::pair<std::size_t, std::size_t> find(std::string_view subject, std::size_t from,
                                           std::uint32_t options = 0) const {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr), &pcre2_match_data_free);
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), from,
                               options, md.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) return {std::string_view::npos, std::string_view::npos};
    if (rc < 0) throw std::runtime_error("PCRE2 match failed with code " + std::to_string(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    return {ov[0], ov[1]};
  }
  // 1-based number of the first capture group that matched in an anchored match at 0, 0 if none.
  int matched_group(std::string_view subject) const {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr), &pcre2_match_data_free);
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                               PCRE2_ANCHORED, md.get(), nullptr);
    if (rc <= 1) return 0;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    for (int g = 1; g < rc; ++g)
      if (ov[2 * g] != PCRE2_UNSET) return g;
    return 0;
  }

 private:
  std::unique_ptr<pcre2_code, decltype(&pcre2_code_free)> code_{nullptr, &pcre2_code_free};
};

// tiktoken's `regex.find_iter(text)`: the [begin, end) byte ranges of successive matches. Bytes
// between matches are not covered (tiktoken would drop them), so a gap shows up as a mismatch.
class reference_splitter {
 public:
  explicit reference_splitter(std::string_view tiktoken_pattern) : re_(spell_out_white_space(tiktoken_pattern)) {}
  std::vector<std::pair<std::size_t, std::size_t>> split(std::string_view valid_utf8) const {
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    std::size_t at = 0;
    while (at < valid_utf8.size()) {
      auto [b, e] = re_.find(valid_utf8, at);
      if (b == std::string_view::npos) break;
      if (e == b) {  // an empty match: step over one character, as find_iter does
        at = b + 1;
        while (at < valid_utf8.size() && (static_cast<unsigned char>(valid_utf8[at]) & 0xC0) == 0x80) ++at;
        continue;
      }
      pieces.emplace_back(b, e);
      at = e;
    }
    return pieces;
  }

 private:
  pcre2_pattern re_;
};

// The classes the patterns distinguish, by UnicodeData.txt and by PCRE2; `unicode_gap[cp]` is true
// where they differ (code points new in the UCD after PCRE2's Unicode version, or reclassified).
class unicode_gap {
 public:
  // `ucd_dir` holds UnicodeData.txt (Debian's unicode-data package: /usr/share/unicode).
  explicit unicode_gap(const std::string& ucd_dir) : gap_(0x110000, false) {
    const std::vector<int> by_ucd = classes_from_unicode_data(ucd_dir + "/UnicodeData.txt");
    const pcre2_pattern by_pcre2(R"((\p{Lu})|(\p{Lt})|(\p{Ll})|(\p{Lm})|(\p{Lo})|(\p{M})|(\p{N}))");
    std::string utf8;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      utf8.clear();
      append_utf8(utf8, cp);
      if (by_pcre2.matched_group(utf8) != by_ucd[cp]) {
        gap_[cp] = true;
        ++count_;
      }
    }
  }
  bool contains(char32_t cp) const { return cp < gap_.size() && gap_[cp]; }
  bool any_in(const std::u32string& cps) const {
    for (char32_t cp : cps)
      if (contains(cp)) return true;
    return false;
  }
  std::size_t size() const { return count_; }

 private:
  // 1 Lu, 2 Lt, 3 Ll, 4 Lm, 5 Lo, 6 M, 7 N, 0 anything else (the group numbers above).
  static std::vector<int> classes_from_unicode_data(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path + " (Debian package unicode-data)");
    std::vector<int> cls(0x110000, 0);
    const auto class_of = [](const std::string& gc) {
      if (gc == "Lu") return 1;
      if (gc == "Lt") return 2;
      if (gc == "Ll") return 3;
      if (gc == "Lm") return 4;
      if (gc == "Lo") return 5;
      if (gc[0] == 'M') return 6;
      if (gc[0] == 'N') return 7;
      return 0;
    };
    std::string line;
    long range_first = -1;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string hex, name, gc;
      std::getline(fields, hex, ';');
      std::getline(fields, name, ';');
      std::getline(fields, gc, ';');
      const long cp = std::stol(hex, nullptr, 16);
      if (name.size() > 8 && name.compare(name.size() - 8, 8, ", First>") == 0) {
        range_first = cp;
        continue;
      }
      const long from = (name.size() > 7 && name.compare(name.size() - 7, 7, ", Last>") == 0) ? range_first : cp;
      for (long c = from; c <= cp; ++c) cls[static_cast<std::size_t>(c)] = class_of(gc);
    }
    return cls;
  }

  std::vector<bool> gap_;
  std::size_t count_ = 0;
};

}  // namespace tokenmaxx_test
