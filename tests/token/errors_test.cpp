// errors.hpp: every tokenizer exception is a tokenmaxx::error (so one catch suffices), carries its
// detail (offset, token, id) beside a message that names it, and is what the API throws.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "tokenmaxx/token.hpp"

namespace {

static_assert(std::is_base_of_v<std::runtime_error, tokenmaxx::error>);
static_assert(std::is_base_of_v<tokenmaxx::error, tokenmaxx::invalid_utf8_error>);
static_assert(std::is_base_of_v<tokenmaxx::error, tokenmaxx::disallowed_special_error>);
static_assert(std::is_base_of_v<tokenmaxx::error, tokenmaxx::vocab_error>);
static_assert(std::is_base_of_v<tokenmaxx::error, tokenmaxx::unknown_name_error>);
static_assert(std::is_base_of_v<tokenmaxx::error, tokenmaxx::invalid_token_error>);

TEST(errors, each_carries_its_detail_and_names_it) {
  const tokenmaxx::invalid_utf8_error utf8(123456);
  EXPECT_EQ(utf8.offset(), 123456u);
  EXPECT_EQ(std::string(utf8.what()), "invalid UTF-8 at byte offset 123456");

  const tokenmaxx::invalid_token_error token(std::uint64_t{1} << 40);
  EXPECT_EQ(token.token(), std::uint64_t{1} << 40);
  EXPECT_EQ(std::string(token.what()), "invalid token id 1099511627776");

  const tokenmaxx::disallowed_special_error special("<|endoftext|>");
  EXPECT_EQ(special.token(), "<|endoftext|>");
  EXPECT_NE(std::string(special.what()).find("'<|endoftext|>'"), std::string::npos);
  EXPECT_NE(std::string(special.what()).find("allowed_special"), std::string::npos);

  const auto copy = special;  // immutable values: a copy is the same error
  EXPECT_EQ(copy.token(), special.token());
  EXPECT_STREQ(copy.what(), special.what());
}

TEST(errors, the_api_throws_them_with_their_details) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  try {
    enc->decode(std::vector<tokenmaxx::rank_t>{15339, 100256});
    FAIL();
  } catch (const tokenmaxx::invalid_token_error& e) {
    EXPECT_EQ(e.token(), 100256u);
  }
  try {
    enc->encode("x<|endofprompt|>");
    FAIL();
  } catch (const tokenmaxx::disallowed_special_error& e) {
    EXPECT_EQ(e.token(), "<|endofprompt|>");
  }
  try {
    enc->count("abc\xc3");
    FAIL();
  } catch (const tokenmaxx::error& e) {  // one catch for every tokenizer error
    EXPECT_NE(dynamic_cast<const tokenmaxx::invalid_utf8_error*>(&e), nullptr);
  }
  EXPECT_THROW(tokenmaxx::vocabulary::parse("not a rank file"), tokenmaxx::vocab_error);
  EXPECT_THROW(tokenmaxx::get_encoding("nope"), tokenmaxx::unknown_name_error);
}

}  // namespace
