// unstable.hpp: encode_with_unstable and encode_bytes give tiktoken's answers
// (tiktoken_data/unstable.inc: the stable tokens, and the completion set by size and SHA-256;
// tiktoken_data/encode_bytes.inc),
// sorted_token_bytes finds exactly the tokens with a prefix, in byte order. byte_pair_encode is
// covered with the merge in bpe_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tiktoken_cases.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/unstable.hpp"

namespace {

using namespace std::literals;
using tokenmaxx::rank_t;
using tokenmaxx::special_set;

using tokenmaxx_test::encode_bytes_cases;
using tokenmaxx_test::unstable_cases;

// The completions as the generator hashes them: sequences in lexicographic order, "1,2;3".
std::string completions_sha256(const std::set<std::vector<rank_t>>& completions) {
  std::string canonical;
  for (const auto& seq : completions) {
    if (!canonical.empty()) canonical.push_back(';');
    for (std::size_t k = 0; k < seq.size(); ++k) {
      if (k) canonical.push_back(',');
      canonical += std::to_string(seq[k]);
    }
  }
  return tokenmaxx::base::sha256_hex(canonical);
}

TEST(unstable, encode_with_unstable_equals_tiktoken) {
  ASSERT_GT(std::size(unstable_cases), 30u);
  for (const auto& c : unstable_cases) {
    const auto enc = tokenmaxx::get_encoding(c.encoding);
    const tokenmaxx::sorted_token_bytes sorted(enc->vocab());
    const auto u = tokenmaxx::encode_with_unstable(*enc, sorted, c.text, special_set::all(), special_set::all());
    EXPECT_EQ(u.stable, c.stable) << c.encoding << " \"" << c.text << "\"";
    EXPECT_EQ(u.completions.size(), c.completions) << c.encoding << " \"" << c.text << "\"";
    EXPECT_EQ(completions_sha256(u.completions), c.completions_sha256) << c.encoding << " \"" << c.text << "\"";
  }
}

TEST(unstable, encode_with_unstable_refuses_disallowed_specials) {
  const auto enc = tokenmaxx::get_encoding("cl100k_base");
  const tokenmaxx::sorted_token_bytes sorted(enc->vocab());
  EXPECT_THROW(tokenmaxx::encode_with_unstable(*enc, sorted, "x <|endoftext|>", special_set::none(), special_set::all()),
               tokenmaxx::disallowed_special_error);
}

TEST(unstable, encode_bytes_equals_tiktoken) {
  ASSERT_GT(std::size(encode_bytes_cases), 20u);
  for (const auto& c : encode_bytes_cases)
    EXPECT_EQ(tokenmaxx::encode_bytes(*tokenmaxx::get_encoding(c.encoding), c.bytes), c.tokens) << c.encoding;
}

TEST(unstable, sorted_token_bytes_finds_exactly_the_tokens_with_a_prefix_in_byte_order) {
  const auto enc = tokenmaxx::get_encoding("r50k_base");
  const auto& vocab = enc->vocab();
  const tokenmaxx::sorted_token_bytes sorted(vocab);
  EXPECT_EQ(sorted.all().size(), vocab.size());
  EXPECT_TRUE(std::is_sorted(sorted.all().begin(), sorted.all().end()));
  for (std::string_view prefix : {" fan"sv, "ing"sv, "\xe2\x80"sv, "zzzzzz"sv, ""sv}) {
    std::vector<std::string_view> want;
    for (rank_t r = 0; r <= vocab.max_rank(); ++r)
      if (auto b = vocab.bytes_of(r); b && b->starts_with(prefix)) want.push_back(*b);
    std::sort(want.begin(), want.end());
    std::vector<std::string_view> got;
    sorted.for_each_with_prefix(prefix, [&](std::string_view t) { got.push_back(t); });
    EXPECT_EQ(got, want) << "prefix \"" << prefix << "\"";
  }
}

}  // namespace
