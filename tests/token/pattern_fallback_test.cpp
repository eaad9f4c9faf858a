// The pretokenizer API: family recognition, the PCRE2 fallback's translation of fancy-regex
// constructs, its iteration rules and bounds, the Status twins, and the streaming counter with a
// compiled pattern. (Equality with tiktoken on the corpus and random input is checked from
// Python, bindings/python/tests/test_patterns.py, where tiktoken runs.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenmaxx/token.hpp"

namespace {

using tokenmaxx::pretokenizer;
using tokenmaxx::pretokenizer_family;

std::shared_ptr<const tokenmaxx::encoding> with_pattern(const pretokenizer& pre) {
  static const auto vocab = std::make_shared<const tokenmaxx::vocabulary>(
      tokenmaxx::vocabulary::load_known("cl100k_base.tiktoken"));
  return std::make_shared<const tokenmaxx::encoding>("t", pre, vocab, std::vector<std::pair<std::string, tokenmaxx::rank_t>>{});
}

std::vector<std::string> pieces(const pretokenizer& pre, std::string_view text) {
  std::vector<std::string> out;
  for (auto [b, e] : with_pattern(pre)->pieces(text)) out.emplace_back(text.substr(b, e - b));
  return out;
}

TEST(pattern_fallback, known_patterns_get_scanners) {
  for (const auto& fp : tokenmaxx::family_patterns) {
    const pretokenizer p = pretokenizer::from_pattern(fp.pattern);
    EXPECT_EQ(p.family(), fp.family) << fp.pattern;
    EXPECT_FALSE(p.is_regex());
  }
  EXPECT_TRUE(pretokenizer::from_pattern(R"(\p{L}+|\s+)").is_regex());
  EXPECT_TRUE(pretokenizer::compile_regex(tokenmaxx::canonical_pattern(pretokenizer_family::cl100k)).is_regex());
}

TEST(pattern_fallback, scanner_and_regex_agree_on_every_family_pattern) {
  const std::string text =
      "It's   a TEST of DON'T, don'ſ\n\n  x=1234567 // comment\r\n\tend.  \u00e9t\u00c9  \u65e5\u672c 123\n  ";
  for (const auto& fp : tokenmaxx::family_patterns)
    EXPECT_EQ(pieces(pretokenizer::from_pattern(fp.pattern), text), pieces(pretokenizer::compile_regex(fp.pattern), text))
        << fp.pattern;
}

TEST(pattern_fallback, translation_keeps_fancy_regex_meaning) {
  // \s is White_Space (U+0085 yes, U+180E no); \h is a hex digit; $ never matches before a final newline.
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(\s+)"), "a\u0085b\u180ec"), std::vector<std::string>{"\u0085"});
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(\h+)"), "xab12g"), std::vector<std::string>{"ab12"});
  EXPECT_TRUE(pieces(pretokenizer::from_pattern(R"(x$)"), "x\n").empty());
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?m)x$)"), "x\nx"), (std::vector<std::string>{"x", "x"}));
  // Class set operations, POSIX classes (ASCII in Rust), Rust's \w (marks yes, U+00B2 no).
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"([a-z&&[^aeiou]]+)"), "abcde"), (std::vector<std::string>{"bcd"}));
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"([[:alpha:]]+)"), "ab\u00e9c"), (std::vector<std::string>{"ab", "c"}));
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(\w+)"), "a\u0301\u00b2_"), (std::vector<std::string>{"a\u0301", "_"}));
  // Flags set in a capture group stay on after it, as fancy-regex parses them.
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(((?i)a)A)"), "aa"), std::vector<std::string>{"aa"});
  EXPECT_TRUE(pieces(pretokenizer::from_pattern(R"((?:(?i)a)A)"), "aa").empty());
  // ... also when the group is repeated: the flag applies after the quantifier (tiktoken: one piece "XK").
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(((?i)x)+k|.)"), "XK"), std::vector<std::string>{"XK"});
}

// Rust folds a class under (?i) before negating it or combining it; PCRE2 ignores the flag for
// \p{..}. The expected pieces are tiktoken 0.14's.
TEST(pattern_fallback, case_insensitive_classes_are_case_closed) {
  // U+0345 (a mark) folds to iota; U+01C5 (title case) is in the orbit of U+01C4 (upper case).
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?i)\p{M}+)"), "a\u0399b\u0345c"), (std::vector<std::string>{"\u0399", "\u0345"}));
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?i)\p{Lu}+)"), "a1\u01c5\u0345-"), (std::vector<std::string>{"a", "\u01c5\u0345"}));
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?i)\P{Ll})"), "aB1"), std::vector<std::string>{"1"});
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?i)\p{Greek}+)"), "x\u00b5y"), std::vector<std::string>{"\u00b5"});
  // Set operations fold each operand: the Kelvin sign folds into [a-z], so [^a-z] leaves it out.
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"((?i)[\p{L}&&[^a-z]]+)"), "abcXYZ\u212a\u00e9!"),
            std::vector<std::string>{"\u00e9"});
  EXPECT_TRUE(tokenmaxx::try_make_pretokenizer(R"((?i:[\p{Lu}--\p{Greek}])|\p{Han})").ok());
}

TEST(pattern_fallback, empty_matches_yield_no_piece_and_unmatched_text_is_skipped) {
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(\d*)"), "ab12c3"), (std::vector<std::string>{"12", "3"}));
  EXPECT_EQ(pieces(pretokenizer::from_pattern(R"(|a)"), "aa"), std::vector<std::string>{});
}

TEST(pattern_fallback, invalid_patterns_are_errors_with_status_twins) {
  EXPECT_THROW(pretokenizer::from_pattern("("), tokenmaxx::error);
  const auto st = tokenmaxx::try_make_pretokenizer("[a");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("unclosed character class"), std::string_view::npos);
  EXPECT_FALSE(tokenmaxx::try_make_pretokenizer("\xff").ok());
  // Ill-formed UTF-8 that a lead-byte check alone lets through: an overlong '/', a surrogate, a
  // code point past U+10FFFF.
  for (const char* bad : {"a\xe0\x80\xaf" "b", "a\xed\xa0\x80" "b", "a\xf4\x90\x80\x80" "b"}) {
    const auto r = tokenmaxx::try_make_pretokenizer(bad);
    ASSERT_FALSE(r.ok()) << testing::PrintToString(std::string(bad));
    EXPECT_NE(r.status().message().find("not valid UTF-8"), std::string_view::npos) << r.status().message();
  }
}

TEST(pattern_fallback, catastrophic_backtracking_is_bounded) {
  const auto enc = with_pattern(pretokenizer::from_pattern(R"((?:a+)+b|.)"));
  const std::string evil(5000, 'a');
  EXPECT_THROW(enc->count(evil), tokenmaxx::error);
  const auto st = tokenmaxx::try_count(*enc, evil);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(enc->count("ab"), 1u);  // the same encoding stays usable
}

TEST(pattern_fallback, streaming_counter_is_exact_with_a_compiled_pattern) {
  const auto enc = with_pattern(pretokenizer::from_pattern(R"(\p{L}+(?=\s*\d)|\p{L}+|\s+|.)"));
  std::string text;
  for (int i = 0; i < 40; ++i) text += "word   " + std::string(i % 3 ? "x" : "9") + " ";
  tokenmaxx::token_counter counter(enc);
  for (std::size_t k = 0; k < text.size(); k += 5) counter.append(std::string_view(text).substr(k, 5));
  EXPECT_EQ(counter.count(), enc->count(text));
}

}  // namespace
