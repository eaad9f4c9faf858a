// base/utf8.hpp against Python's own decoder decisions, written out byte by byte: what is valid,
// where the first error is, and exactly which U+FFFD replacements errors="replace" makes; and
// exhaustively over short byte strings against reference_utf8.hpp, a decoder written from the
// Unicode Standard's Table 3-7 (itself checked against Python in tests/token/utf8_handling_test).
#include "tokenmaxx/base/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reference_utf8.hpp"

namespace {

using tokenmaxx::base::first_invalid_utf8;
using tokenmaxx::base::is_valid_utf8;
using tokenmaxx::base::replace_invalid_utf8;
constexpr auto npos = std::string::npos;
const std::string fffd = "\xEF\xBF\xBD";

TEST(Utf8, AcceptsEveryWellFormedLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));              // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));              // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));          // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));          // U+E000, just above
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));      // U+10000
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last scalar value
}

TEST(Utf8, RejectsOverlongsSurrogatesAndOutOfRange) {
  EXPECT_EQ(first_invalid_utf8("ab\xC0\x80"), 2u);            // overlong NUL
  EXPECT_EQ(first_invalid_utf8("\xC1\xBF"), 0u);              // overlong 2-byte
  EXPECT_EQ(first_invalid_utf8("\xE0\x9F\xBF"), 0u);          // overlong 3-byte
  EXPECT_EQ(first_invalid_utf8("x\xED\xA0\x80"), 1u);         // U+D800, a surrogate
  EXPECT_EQ(first_invalid_utf8("\xF0\x8F\xBF\xBF"), 0u);      // overlong 4-byte
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);      // U+110000
  EXPECT_EQ(first_invalid_utf8("\xF5\x80\x80\x80"), 0u);      // lead byte F5
  EXPECT_EQ(first_invalid_utf8("12345678\x80"), 8u);          // stray continuation after the ASCII fast path
  EXPECT_EQ(first_invalid_utf8("\xE2\x82"), 0u);              // truncated at the end
  EXPECT_EQ(first_invalid_utf8("ok"), npos);
}

TEST(Utf8, ReplacesMaximalSubpartsLikePython) {
  // Each expectation is bytes.decode("utf-8", "replace").encode() in CPython 3.11.
  EXPECT_EQ(replace_invalid_utf8("a\xFFz"), "a" + fffd + "z");
  EXPECT_EQ(replace_invalid_utf8("\xE2\x82"), fffd);                      // one maximal subpart
  EXPECT_EQ(replace_invalid_utf8("\xE2\x82x"), fffd + "x");
  EXPECT_EQ(replace_invalid_utf8("\xF0\x9F\x98"), fffd);                  // truncated emoji: one U+FFFD
  EXPECT_EQ(replace_invalid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);    // surrogate: three
  EXPECT_EQ(replace_invalid_utf8("\xC0\x80"), fffd + fffd);               // overlong: two
  EXPECT_EQ(replace_invalid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);
  EXPECT_EQ(replace_invalid_utf8("h\xC3\xA9llo"), "h\xC3\xA9llo");        // valid text unchanged
}

// Every string of up to two bytes, three-byte strings starting with a non-ASCII byte, and four-byte
// strings over the bytes where UTF-8's rules change.
TEST(Utf8, ExhaustiveShortStringsMatchTheTable37Reference) {
  std::vector<std::string> inputs = {""};
  for (int x = 0; x < 256; ++x) {
    inputs.push_back(std::string{char(x)});
    for (int y = 0; y < 256; ++y) inputs.push_back(std::string{char(x), char(y)});
  }
  const std::uint8_t edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (int x = 0x80; x < 256; ++x)
    for (auto y : edges)
      for (auto z : edges) inputs.push_back(std::string{char(x), char(y), char(z)});
  for (auto x : edges)
    for (auto y : edges)
      for (auto z : edges)
        for (auto w : edges) inputs.push_back(std::string{char(x), char(y), char(z), char(w)});
  std::size_t invalid = 0;
  for (const auto& s : inputs) {
    const auto ref = tokenmaxx_test::decode_utf8(s);
    ASSERT_EQ(first_invalid_utf8(s), ref.first_invalid) << "input of " << s.size() << " bytes";
    ASSERT_EQ(is_valid_utf8(s), ref.first_invalid == npos);
    ASSERT_EQ(replace_invalid_utf8(s), ref.repaired);
    invalid += ref.first_invalid != npos;
  }
  EXPECT_GT(invalid, 300000u);
}

}  // namespace
