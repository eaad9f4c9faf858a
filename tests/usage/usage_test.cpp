// usage.hpp: token types, the usage record, its limits and the prompt size that selects a price tier.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include "tokenmaxx/usage/usage.hpp"

namespace {

using namespace tokenmaxx;

TEST(TokenTypes, NamesAreStableDistinctAndInIndexOrder) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < token_type_count; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all_token_types[i]), i);
    names.insert(token_type_name(all_token_types[i]));
  }
  EXPECT_EQ(names.size(), token_type_count);
  EXPECT_EQ(token_type_name(token_type::input), "input");
  EXPECT_EQ(token_type_name(token_type::cached_input), "cached_input");
  EXPECT_EQ(token_type_name(token_type::cache_creation), "cache_creation");
  EXPECT_EQ(token_type_name(token_type::cache_creation_1h), "cache_creation_1h");
  EXPECT_EQ(token_type_name(token_type::output), "output");
  EXPECT_EQ(token_type_name(token_type::reasoning), "reasoning");
}

TEST(Usage, TokensUsageOfAndTokenArrayAgree) {
  const usage u{.input = 1, .cached_input = 2, .cache_creation = 3, .cache_creation_1h = 4, .output = 5, .reasoning = 6,
                .requests = 7, .errors = 8};
  const token_counts a = u.token_array();
  for (token_type t : all_token_types) {
    EXPECT_EQ(u.tokens(t), a[static_cast<std::size_t>(t)]);
    EXPECT_EQ(u.tokens(t), static_cast<std::uint64_t>(t) + 1);
    const usage one = usage_of(t, 42);
    for (token_type s : all_token_types) EXPECT_EQ(one.tokens(s), s == t ? 42u : 0u);
    EXPECT_EQ(one.requests + one.errors, 0u);
  }
}

TEST(Usage, PromptTokensCountEveryPromptTypeAndSaturate) {
  EXPECT_EQ((usage{.input = 100, .cached_input = 20, .cache_creation = 3, .cache_creation_1h = 4, .output = 1000, .reasoning = 7}
                 .prompt_tokens()),
            127u);
  EXPECT_EQ((usage{.input = UINT64_MAX - 1, .cached_input = 5}.prompt_tokens()), UINT64_MAX);
}

TEST(Usage, LimitIsTwoToThe48MinusOnePerField) {
  EXPECT_EQ(max_increment, (std::uint64_t{1} << 48) - 1);
  const usage at_limit{.input = max_increment, .cached_input = max_increment, .cache_creation = max_increment,
                       .cache_creation_1h = max_increment, .output = max_increment, .reasoning = max_increment,
                       .requests = max_increment, .errors = max_increment};
  EXPECT_TRUE(at_limit.within_limits());
  EXPECT_TRUE(validate(at_limit).ok());
  // Each field alone, one above the limit, and the value a negative count turns into.
  for (std::uint64_t bad : {max_increment + 1, UINT64_MAX - 5, std::uint64_t{1} << 63}) {
    for (int field = 0; field < 8; ++field) {
      usage u;
      std::uint64_t* f[] = {&u.input, &u.cached_input, &u.cache_creation, &u.cache_creation_1h,
                            &u.output, &u.reasoning,   &u.requests,       &u.errors};
      *f[field] = bad;
      EXPECT_FALSE(u.within_limits()) << field;
      absl::Status s = validate(u);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
      EXPECT_NE(s.message().find(std::to_string(bad)), std::string_view::npos) << s;
      EXPECT_NE(s.message().find("nothing was recorded"), std::string_view::npos) << s;
    }
  }
  EXPECT_NE(validate(usage{.errors = UINT64_MAX}).message().find("usage.errors"), std::string_view::npos);
}

}  // namespace
