// model_table.hpp: tiktoken's model table, entry for entry and in order, and
// encoding_name_for_model's answer on probe names (exact names, every prefix, fine-tuned names,
// near misses), all from tiktoken itself (tiktoken_data/models.inc).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tiktoken_cases.hpp"
#include "tokenmaxx/token.hpp"
#include "tokenmaxx/token/nothrow.hpp"

namespace {

using entry = tokenmaxx_test::name_pair;
const auto& tiktoken_exact = tokenmaxx_test::tiktoken_model_exact;
const auto& tiktoken_prefixes = tokenmaxx_test::tiktoken_model_prefixes;
const auto& tiktoken_probes = tokenmaxx_test::tiktoken_model_probes;

bool is_open_model_encoding(std::string_view name) { return name == "llama3" || name == "llama4" || name == "tekken"; }

// tiktoken's tables first, in order; the open models' names after them.
void expect_tiktokens_then_open_models(const std::vector<entry>& ours, const std::vector<entry>& tiktokens) {
  ASSERT_GE(ours.size(), tiktokens.size());
  EXPECT_EQ(std::vector<entry>(ours.begin(), ours.begin() + static_cast<std::ptrdiff_t>(tiktokens.size())), tiktokens);
  for (std::size_t k = tiktokens.size(); k < ours.size(); ++k)
    EXPECT_TRUE(is_open_model_encoding(ours[k].second)) << ours[k].first;
}

TEST(model_table, tables_are_tiktokens_in_order) {
  expect_tiktokens_then_open_models(
      std::vector<entry>(std::begin(tokenmaxx::model_to_encoding), std::end(tokenmaxx::model_to_encoding)), tiktoken_exact);
  // Order matters for prefixes: the first that matches wins (ft:gpt-4o before ft:gpt-4).
  expect_tiktokens_then_open_models(std::vector<entry>(std::begin(tokenmaxx::model_prefix_to_encoding),
                                                       std::end(tokenmaxx::model_prefix_to_encoding)),
                                    tiktoken_prefixes);
  ASSERT_GT(tiktoken_exact.size(), 40u);
  ASSERT_GT(tiktoken_prefixes.size(), 10u);
}

TEST(model_table, every_probe_maps_as_tiktoken_maps_it) {
  ASSERT_GT(tiktoken_probes.size(), 100u);
  for (const auto& [model, want] : tiktoken_probes) {
    const auto found = tokenmaxx::find_encoding_name_for_model(model);
    if (want.empty() && model == "llama-3") {  // unknown to tiktoken, an open model here
      EXPECT_EQ(found, "llama3");
      continue;
    }
    if (want.empty()) {
      EXPECT_FALSE(found) << "'" << model << "' should be unknown";
      EXPECT_THROW(tokenmaxx::encoding_name_for_model(model), tokenmaxx::unknown_name_error) << model;
      EXPECT_EQ(tokenmaxx::try_encoding_name_for_model(model).status().code(), absl::StatusCode::kNotFound);
      continue;
    }
    EXPECT_EQ(found, want) << model;
    EXPECT_EQ(tokenmaxx::encoding_name_for_model(model), want) << model;
    EXPECT_EQ(*tokenmaxx::try_encoding_name_for_model(model), want) << model;
  }
}

TEST(model_table, encoding_for_model_returns_the_shared_encoding) {
  for (const auto& [model, name] : tiktoken_exact) {
    EXPECT_EQ(tokenmaxx::encoding_for_model(model).get(), tokenmaxx::get_encoding(name).get()) << model;
    EXPECT_EQ(tokenmaxx::try_encoding_for_model(model)->get(), tokenmaxx::get_encoding(name).get()) << model;
  }
}

TEST(model_table, unknown_model_error_lists_every_name_and_prefix) {
  try {
    tokenmaxx::encoding_for_model("no-such-model-7b");
    FAIL();
  } catch (const tokenmaxx::unknown_name_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'no-such-model-7b'"), std::string::npos) << what;
    for (const auto& [model, enc] : tiktoken_exact) EXPECT_NE(what.find(model), std::string::npos) << model;
    for (const auto& [prefix, enc] : tiktoken_prefixes) EXPECT_NE(what.find(prefix), std::string::npos) << prefix;
    EXPECT_EQ(tokenmaxx::try_encoding_for_model("no-such-model-7b").status().message(), what);
  }
  static_assert(tokenmaxx::find_encoding_name_for_model("gpt-4o-mini") == std::string_view("o200k_base"));
}

}  // namespace
