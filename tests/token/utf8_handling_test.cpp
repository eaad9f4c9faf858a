// UTF-8 handling in the tokenizer: strict calls fail on exactly the inputs Python's decoder
// rejects, at the offset it reports (UnicodeDecodeError.start), with the same message from the
// try_ twins; utf8_policy::replace tokenizes exactly the text bytes.decode("utf-8", "replace")
// gives, token for token as tiktoken encodes it (tiktoken_data/utf8.inc). Exhaustive runs over
// short byte strings compare with the independent decoder in tests/base/reference_utf8.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference_utf8.hpp"
#include "tiktoken_cases.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace {

using tokenmaxx::rank_t;
using tokenmaxx::special_set;
using tokenmaxx::utf8_policy;

using tokenmaxx_test::utf8_cases;

// Every strict entry point, as a call that should throw.
std::vector<std::pair<const char*, std::function<void(const tokenmaxx::encoding&, std::string_view)>>> strict_calls() {
  return {
      {"encode_ordinary", [](const auto& e, std::string_view t) { (void)e.encode_ordinary(t); }},
      {"encode", [](const auto& e, std::string_view t) { (void)e.encode(t, special_set::all()); }},
      {"count", [](const auto& e, std::string_view t) { (void)e.count(t); }},
      {"count_until", [](const auto& e, std::string_view t) { (void)e.count_until(t, 1000); }},
      {"pieces", [](const auto& e, std::string_view t) { (void)e.pieces(t); }},
      {"encode_ordinary_into", [](const auto& e, std::string_view t) {
         std::vector<rank_t> out;
         e.encode_ordinary_into(t, out);
       }},
      {"encode_tracking_last_piece", [](const auto& e, std::string_view t) {
         std::size_t last = 0;
         (void)e.encode_tracking_last_piece(t, special_set::none(), special_set::none(), last);
       }},
  };
}

TEST(utf8_handling, the_reference_decoder_agrees_with_python) {
  for (const auto& c : utf8_cases) {
    const auto d = tokenmaxx_test::decode_utf8(c.bytes);
    EXPECT_EQ(d.first_invalid, c.offset);
    EXPECT_EQ(d.repaired, c.replaced);
  }
  EXPECT_GT(std::size(utf8_cases), 100u);
}

TEST(utf8_handling, strict_calls_fail_at_pythons_offset_and_the_try_twins_agree) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  for (const auto& c : utf8_cases) {
    std::string message;
    for (const auto& [name, call] : strict_calls()) {
      try {
        call(*enc, c.bytes);
        ADD_FAILURE() << name << " accepted invalid UTF-8";
      } catch (const tokenmaxx::invalid_utf8_error& e) {
        EXPECT_EQ(e.offset(), c.offset) << name;
        EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(c.offset)), std::string::npos) << e.what();
        message = e.what();
      }
    }
    for (const absl::Status& s : {tokenmaxx::try_encode_ordinary(*enc, c.bytes).status(),
                                  tokenmaxx::try_encode(*enc, c.bytes, special_set::all()).status(),
                                  tokenmaxx::try_count(*enc, c.bytes).status(),
                                  tokenmaxx::try_count_until(*enc, c.bytes, 5).status()}) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(s.message(), message);
    }
  }
}

TEST(utf8_handling, lossy_mode_tokenizes_pythons_replaced_text_as_tiktoken_does) {
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    const auto enc = tokenmaxx::get_encoding(name);
    for (const auto& c : utf8_cases) {
      const auto& want = std::string_view(name) == "cl100k_base" ? c.cl100k : c.o200k;
      const auto ids = enc->encode_ordinary(c.bytes, utf8_policy::replace);
      EXPECT_EQ(ids, want) << name;
      EXPECT_EQ(enc->decode(ids), c.replaced);
      EXPECT_EQ(enc->count(c.bytes, utf8_policy::replace), want.size());
      EXPECT_EQ(enc->count_until(c.bytes, 1, utf8_policy::replace), std::min<std::size_t>(want.size(), 2));
      EXPECT_EQ(enc->encode(c.bytes, special_set::none(), special_set::none(), utf8_policy::replace), want);
      EXPECT_EQ(*tokenmaxx::try_encode_ordinary(*enc, c.bytes, utf8_policy::replace), want);
      EXPECT_EQ(*tokenmaxx::try_count(*enc, c.bytes, utf8_policy::replace), want.size());
    }
  }
}

TEST(utf8_handling, lossy_mode_still_finds_special_tokens_in_the_replaced_text) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const std::string bytes = "\xff<|endoftext|>\xe2\x82";
  const std::vector<rank_t> fffd = enc->encode_ordinary("\xEF\xBF\xBD");
  std::vector<rank_t> want = fffd;
  want.push_back(100257);
  want.insert(want.end(), fffd.begin(), fffd.end());
  EXPECT_EQ(enc->encode(bytes, special_set::all(), special_set::all(), utf8_policy::replace), want);
  EXPECT_THROW(enc->encode(bytes, special_set::none(), special_set::all(), utf8_policy::replace),
               tokenmaxx::disallowed_special_error);
}

// Every byte string of length two inside "a..b", and three-byte strings over the bytes where
// UTF-8's rules change (twice, so the second error is not the first), through strict and lossy
// counting. tests/base/utf8_test.cpp runs longer strings through the validator alone.
TEST(utf8_handling, exhaustive_short_byte_strings_match_the_reference_decoder) {
  const auto enc = tokenmaxx::get_encoding("o200k_base");
  std::vector<std::string> inputs;
  for (int x = 0; x < 256; ++x)
    for (int y = 0; y < 256; ++y) inputs.push_back(std::string{'a', char(x), char(y), 'b'});
  const std::uint8_t edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (auto x : edges)
    for (auto y : edges)
      for (auto z : edges) inputs.push_back(std::string{char(x), char(y), char(z), ' ', char(x), char(y), char(z)});
  std::size_t invalid = 0;
  for (const auto& text : inputs) {
    const auto ref = tokenmaxx_test::decode_utf8(text);
    if (ref.first_invalid == std::string_view::npos) {
      ASSERT_EQ(enc->count(text), enc->encode_ordinary(text).size());
      ASSERT_EQ(enc->decode(enc->encode_ordinary(text)), text);
    } else {
      ++invalid;
      try {
        (void)enc->count(text);
        FAIL() << "accepted invalid UTF-8";
      } catch (const tokenmaxx::invalid_utf8_error& e) {
        ASSERT_EQ(e.offset(), ref.first_invalid);
      }
    }
    ASSERT_EQ(enc->encode_ordinary(text, utf8_policy::replace), enc->encode_ordinary(ref.repaired));
  }
  EXPECT_GT(invalid, 50000u);
}

}  // namespace
