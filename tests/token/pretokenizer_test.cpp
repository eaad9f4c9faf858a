// The pretokenizers (pretokenizer.hpp and the scanners behind encoding::pieces): where each pattern
// family splits text, against the pieces tiktoken's own regex makes of the same strings
// (tiktoken_data/splits.inc: contractions in any case and the long s, digit groups, \s+(?!\S) and
// \s++$, White_Space beyond ASCII, o200k's case runs and marks, CJK, newlines, punctuation, emoji,
// random mixes). The same cases validate the PCRE2 reference that fuzz/token/tokenizer_fuzz uses.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference_pretokenizer.hpp"
#include "tiktoken_cases.hpp"
#include "tokenmaxx/token.hpp"

namespace {

using namespace std::literals;
using tokenmaxx::pretokenizer_family;

using tokenmaxx_test::encoding_cases;
using tokenmaxx_test::split_cases;

// The built-in encoding that uses each family.
std::string_view encoding_of(std::string_view family) {
  if (family == "gpt2") return "r50k_base";
  if (family == "cl100k") return "cl100k_base";
  return "o200k_base";
}

std::vector<std::string_view> as_strings(std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  std::vector<std::string_view> out;
  for (const auto& [b, e] : ranges) out.push_back(text.substr(b, e - b));
  return out;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

TEST(pretokenizer, pieces_equal_tiktokens_regex_on_every_case) {
  std::size_t checked[3] = {0, 0, 0};
  for (const auto& c : split_cases) {
    const auto enc = tokenmaxx::get_encoding(encoding_of(c.family));
    const auto family = tokenmaxx::family_from_name(c.family);
    ASSERT_TRUE(family.has_value()) << c.family;
    ASSERT_EQ(enc->family(), *family);
    EXPECT_EQ(as_strings(c.text, enc->pieces(c.text)), c.pieces) << c.family << ": \"" << printable(c.text) << "\"";
    ++checked[static_cast<int>(*family)];
  }
  for (std::size_t n : checked) EXPECT_GT(n, 150u) << "each family needs its cases";
}

TEST(pretokenizer, every_encoding_of_a_family_splits_alike) {
  for (const char* name : {"gpt2", "p50k_base", "p50k_edit", "o200k_harmony"}) {
    const auto enc = tokenmaxx::get_encoding(name);
    const auto family = tokenmaxx::family_name(enc->family());
    const auto& reference = *tokenmaxx::get_encoding(encoding_of(family));
    for (const auto& c : split_cases)
      if (c.family == family) {
        EXPECT_EQ(enc->pieces(c.text), reference.pieces(c.text)) << name << ": " << printable(c.text);
      }
  }
}

TEST(pretokenizer, the_pcre2_reference_agrees_with_tiktoken) {
  // The fuzzer's reference splitter, checked on the same cases: if this fails, the fuzzer's
  // verdicts on splitting mean nothing.
  std::map<std::string_view, tokenmaxx_test::reference_splitter> splitters;
  for (auto f : {pretokenizer_family::gpt2, pretokenizer_family::cl100k, pretokenizer_family::o200k})
    splitters.emplace(tokenmaxx::family_name(f), tokenmaxx_test::reference_splitter(tokenmaxx::canonical_pattern(f)));
  for (const auto& c : split_cases)
    EXPECT_EQ(as_strings(c.text, splitters.at(c.family).split(c.text)), c.pieces)
        << c.family << ": \"" << printable(c.text) << "\"";
}

TEST(pretokenizer, every_short_string_over_a_mixed_alphabet_splits_as_the_pcre2_reference_does) {
  // Exhaustive up to four symbols: ASCII letters of both cases, the contraction letters, prefix
  // candidates (space, apostrophe, punctuation, newline), a digit, and non-ASCII upper, lower,
  // modifier-letter and combining-mark code points: every branch of the scanners' ASCII fast
  // paths meets every way its word can end (text end, ASCII, non-ASCII of each class).
  const std::vector<std::string> alphabet = {" ", "a", "Z", "'", "s", "\n", "1", ".", "\u00C9", "\u00E9", "\u02B0", "\u0301"};
  std::vector<std::string> texts = {""};
  for (std::size_t length = 1, begin = 0; length <= 4; ++length) {
    const std::size_t end = texts.size();
    for (std::size_t k = begin; k < end; ++k)
      for (const auto& symbol : alphabet) texts.push_back(texts[k] + symbol);
    begin = end;
  }
  for (auto f : {pretokenizer_family::gpt2, pretokenizer_family::cl100k, pretokenizer_family::o200k}) {
    const auto family = tokenmaxx::family_name(f);
    const auto enc = tokenmaxx::get_encoding(encoding_of(family));
    const tokenmaxx_test::reference_splitter reference(tokenmaxx::canonical_pattern(f));
    std::size_t mismatches = 0;
    for (std::size_t k = 1; k < texts.size() && mismatches < 5; ++k) {
      const auto pieces = as_strings(texts[k], enc->pieces(texts[k]));
      const auto expected = as_strings(texts[k], reference.split(texts[k]));
      if (pieces != expected) {
        ++mismatches;
        ADD_FAILURE() << family << ": \"" << printable(texts[k]) << "\"";
      }
    }
  }
}

TEST(pretokenizer, the_original_gpt2_pattern_splits_like_r50k) {
  // tiktoken says the GPT-2 release's pattern is equivalent to its r50k one; family_for_pattern maps
  // both to the gpt2 scanner, so they must split alike.
  const auto original = R"('s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"sv;
  EXPECT_EQ(tokenmaxx::family_for_pattern(original), pretokenizer_family::gpt2);
  const tokenmaxx_test::reference_splitter splitter(original);
  for (const auto& c : split_cases)
    if (c.family == "gpt2") {
      EXPECT_EQ(as_strings(c.text, splitter.split(c.text)), c.pieces) << printable(c.text);
    }
}

TEST(pretokenizer, patterns_are_tiktokens_and_map_to_their_family) {
  for (const auto& e : encoding_cases) {
    const auto enc = tokenmaxx::get_encoding(e.name);
    EXPECT_EQ(tokenmaxx::family_for_pattern(e.pattern), enc->family()) << e.name;
    EXPECT_EQ(tokenmaxx::canonical_pattern(enc->family()), e.pattern) << e.name;
  }
  EXPECT_EQ(std::size(encoding_cases), 6u);
}

TEST(pretokenizer, unknown_patterns_and_names_are_refused_not_guessed) {
  EXPECT_FALSE(tokenmaxx::family_for_pattern(R"(\w+)"));
  EXPECT_FALSE(tokenmaxx::family_for_pattern(""));
  // One character off a real pattern is another pattern.
  std::string almost(tokenmaxx::canonical_pattern(pretokenizer_family::cl100k));
  almost.back() = 'S';
  EXPECT_FALSE(tokenmaxx::family_for_pattern(almost));
  for (auto f : {pretokenizer_family::gpt2, pretokenizer_family::cl100k, pretokenizer_family::o200k})
    EXPECT_EQ(tokenmaxx::family_from_name(tokenmaxx::family_name(f)), f);
  EXPECT_FALSE(tokenmaxx::family_from_name("r50k"));
  static_assert(tokenmaxx::family_for_pattern(tokenmaxx::canonical_pattern(pretokenizer_family::o200k)) ==
                pretokenizer_family::o200k);
}

TEST(pretokenizer, pieces_rejects_invalid_utf8) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  EXPECT_THROW(enc->pieces("ab\xff"), tokenmaxx::invalid_utf8_error);
  EXPECT_TRUE(enc->pieces("").empty());
}

}  // namespace
