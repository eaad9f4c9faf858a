// pricing.hpp: LiteLLM's table (tiers, one-hour cache writes, units other than tokens), exact cost
// arithmetic, and costs equal to LiteLLM's own cost_per_token() on a checked-in fixture.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenmaxx/usage/pricing.hpp"

namespace {

using namespace tokenmaxx;

std::string data_file(const std::string& name) { return std::string(TOKENMAXX_USAGE_DATA) + "/" + name; }

price_table load(const std::string& name, litellm_options options = {}) {
  auto t = price_table::load_litellm_file(data_file(name), options);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : price_table{};
}

std::uint64_t price(const model_price* p, token_type t, std::size_t tier = 0) {
  const auto& v = p->prices_of_tier(tier)[static_cast<std::size_t>(t)];
  return v ? *v : 999'999'999'999;  // a value no test expects: "no price"
}

TEST(Pricing, LoadsLiteLLMSubsetAndConvertsExactly) {
  price_table p = load("prices.json");
  EXPECT_EQ(p.size(), 6u);  // sample_spec skipped
  const model_price* g = p.find("gpt-4o");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->provider, "openai");
  EXPECT_EQ(price(g, token_type::input), 2'500'000u);
  EXPECT_EQ(price(g, token_type::cached_input), 1'250'000u);
  EXPECT_FALSE(g->micros_per_million[static_cast<std::size_t>(token_type::cache_creation)].has_value());  // not invented
  EXPECT_FALSE(g->micros_per_million[static_cast<std::size_t>(token_type::cache_creation_1h)].has_value());
  EXPECT_EQ(price(g, token_type::output), 10'000'000u);
  EXPECT_EQ(price(g, token_type::reasoning), 10'000'000u);  // reasoning is billed as output
  EXPECT_TRUE(g->tiers.empty());
  const model_price* c = p.find("claude-3-5-sonnet-20241022");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(price(c, token_type::cached_input), 300'000u);
  EXPECT_EQ(price(c, token_type::cache_creation), 3'750'000u);
  EXPECT_EQ(price(p.find("gemini-2.5-flash"), token_type::cached_input), 75'000u);
  EXPECT_EQ(price(p.find("text-embedding-3-small"), token_type::input), 20'000u);
  EXPECT_EQ(price(p.find("text-embedding-3-small"), token_type::output), 0u);  // explicit 0 is a price
  const model_price* dalle = p.find("dall-e-3");
  ASSERT_NE(dalle, nullptr);
  for (const auto& v : dalle->micros_per_million) EXPECT_FALSE(v.has_value());
  EXPECT_EQ(p.find("unknown-model"), nullptr);
}

TEST(Pricing, RejectsBadInput) {
  EXPECT_FALSE(price_table::from_litellm_json("{").ok());
  EXPECT_FALSE(price_table::from_litellm_json("[1,2]").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"input_cost_per_token":"cheap"}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"input_cost_per_token":-1e-6}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"output_cost_per_token":5000}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"input_cost_per_token_above_200k_tokens":"x"}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"cache_creation_input_token_cost_above_1hr":-1}})").ok());
  EXPECT_EQ(price_table::load_litellm_file("/nonexistent/prices.json").status().code(), absl::StatusCode::kNotFound);
  auto ok = price_table::from_litellm_json(R"({"m":{"input_cost_per_token":1e-12}, "n": 3})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(price(ok->find("m"), token_type::input), 1u);
  EXPECT_EQ(ok->find("n"), nullptr);
  EXPECT_EQ(*price_table::litellm_to_micros_per_million(1.5e-12), 2u);  // round to nearest, ties away
  EXPECT_EQ(*price_table::litellm_to_micros_per_million(1.4e-12), 1u);
  // Tiers given to set() must ascend.
  model_price m;
  m.tiers = {{200, {}}, {100, {}}};
  EXPECT_EQ(price_table().set("m", m).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Pricing, TierKeysParseOnlyTheirOwnShape) {
  using usage_detail::parse_litellm_tier_key;
  auto k = parse_litellm_tier_key("input_cost_per_token_above_200k_tokens");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->first, "input_cost_per_token");
  EXPECT_EQ(k->second, 200'000u);
  k = parse_litellm_tier_key("cache_creation_input_token_cost_above_1hr_above_128_tokens");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->first, "cache_creation_input_token_cost_above_1hr");
  EXPECT_EQ(k->second, 128u);
  for (const char* other : {"input_cost_per_token_above_200k_tokens_priority", "cache_creation_input_token_cost_above_1hr",
                            "input_cost_per_token_above_k_tokens", "input_cost_per_token_above_2x_tokens",
                            "input_cost_per_token_above_99999999999999999999k_tokens", "input_cost_per_token"})
    EXPECT_FALSE(parse_litellm_tier_key(other).has_value()) << other;
}

TEST(Pricing, TiersOneHourWritesAndOtherUnits) {
  price_table p = load("litellm_prices.json");
  // gemini-2.5-pro: the whole request moves to the 200k tier; a cache-write price exists only there.
  const model_price* g = p.find("gemini-2.5-pro");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->tiers.size(), 1u);
  EXPECT_EQ(g->tiers[0].above_prompt_tokens, 200'000u);
  EXPECT_EQ(g->tier_for(200'000), 0u);
  EXPECT_EQ(g->tier_for(200'001), 1u);
  EXPECT_EQ(price(g, token_type::input, 1), 2'500'000u);
  EXPECT_EQ(price(g, token_type::output, 1), 15'000'000u);
  EXPECT_EQ(price(g, token_type::reasoning, 1), 15'000'000u);  // reasoning follows the tier's output price
  EXPECT_EQ(price(g, token_type::cache_creation, 1), 250'000u);
  EXPECT_FALSE(g->micros_per_million[static_cast<std::size_t>(token_type::cache_creation)].has_value());
  // The issue's request: 300k prompt tokens + 2k output = 780,000 micro-USD, as LiteLLM says.
  const usage big{.input = 300'000, .output = 2'000};
  cost_amount c = compute_cost(g, big.token_array(), g->tier_for(big.prompt_tokens()));
  EXPECT_EQ(c.micros, 780'000u);
  EXPECT_TRUE(c.complete());
  // Two thresholds; the highest one passed wins.
  const model_price* q = p.find("kyma/qwen3.7-flash");
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(q->tiers.size(), 2u);
  EXPECT_EQ(q->tier_for(32'000), 0u);
  EXPECT_EQ(q->tier_for(32'001), 1u);
  EXPECT_EQ(q->tier_for(256'001), 2u);
  EXPECT_EQ(price(q, token_type::cached_input, 2), price(q, token_type::cached_input, 0));  // unlisted: kept
  // xAI: the tier applies from the threshold on.
  const model_price* x = p.find("xai/grok-4.20-multi-agent-beta-0309");
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->inclusive_thresholds);
  ASSERT_FALSE(x->tiers.empty());
  EXPECT_EQ(x->tier_for(x->tiers[0].above_prompt_tokens), 1u);
  EXPECT_EQ(x->tier_for(x->tiers[0].above_prompt_tokens - 1), 0u);
  // One-hour cache writes have their own price.
  const model_price* s = p.find("claude-sonnet-4-5");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(price(s, token_type::cache_creation), 3'750'000u);
  EXPECT_EQ(price(s, token_type::cache_creation_1h), 6'000'000u);
  // Billed per query or per pixel, with zero token prices: its tokens are unpriced, never "$0, complete".
  for (const char* per_unit : {"amazon.rerank-v1:0", "azure/standard/1024-x-1024/dall-e-3"}) {
    const model_price* r = p.find(per_unit);
    ASSERT_NE(r, nullptr) << per_unit;
    cost_amount rc = compute_cost(r, token_counts{1000, 0, 0, 0, 500, 0});
    EXPECT_EQ(rc.unpriced_tokens, 1500u) << per_unit;
    EXPECT_FALSE(rc.complete()) << per_unit;
  }
  // ...but a zero price beside a positive one is a real price.
  const model_price* e = p.find("text-embedding-3-small");
  EXPECT_TRUE(compute_cost(e, token_counts{1000, 0, 0, 0, 5, 0}).complete());
}

TEST(Pricing, MissingCachePricesAreUnpricedUnlessLiteLLMFallbackIsAsked) {
  price_table strict = load("litellm_prices.json");
  price_table litellm = load("litellm_prices.json", {.missing_cache_price_is_input_price = true});
  const token_counts mix{1000, 0, 100, 10, 0, 0};  // gpt-4o has no cache-write price at all
  cost_amount s = compute_cost(strict.find("gpt-4o"), mix);
  EXPECT_EQ(s.unpriced_tokens, 110u);
  EXPECT_EQ(s.micros, 2'500u);
  cost_amount l = compute_cost(litellm.find("gpt-4o"), mix);
  EXPECT_TRUE(l.complete());
  EXPECT_EQ(l.micros, 2'775u);  // 1110 tokens at the input price
  // The one-hour write falls back to the cache-write price, which falls back to input.
  EXPECT_EQ(price(litellm.find("gemini-2.5-pro"), token_type::cache_creation_1h, 1), 250'000u);
  EXPECT_EQ(price(litellm.find("gemini-2.5-pro"), token_type::cache_creation_1h, 0), 1'250'000u);
}

// Every case of litellm_costs.json (costs from LiteLLM's cost_per_token; make_litellm_fixture.py).
TEST(Pricing, CostsEqualLiteLLMsOnTheFixture) {
  std::ifstream in(data_file("litellm_costs.json"));
  ASSERT_TRUE(in) << "missing litellm_costs.json";
  const nlohmann::json doc = nlohmann::json::parse(in);
  price_table table = load("litellm_prices.json", {.missing_cache_price_is_input_price = true});
  const std::set<std::string> other_unit = {"amazon.rerank-v1:0", "azure/standard/1024-x-1024/dall-e-3"};
  std::size_t compared = 0, tiered = 0;
  for (const auto& c : doc.at("cases")) {
    const std::string model = c.at("model");
    const model_price* p = table.find(model);
    ASSERT_NE(p, nullptr) << model;
    token_counts tokens{};
    for (std::size_t i = 0; i < token_type_count; ++i) tokens[i] = c.at("tokens").at(i).get<std::uint64_t>();
    const usage u{tokens[0], tokens[1], tokens[2], tokens[3], tokens[4], tokens[5], 1, 0};
    const std::size_t tier = p->tier_for(u.prompt_tokens());
    tiered += tier > 0;
    const cost_amount got = compute_cost(p, tokens, tier);
    if (other_unit.contains(model)) {  // LiteLLM says 0.0 here; tokenmaxx says "not priced by tokens"
      EXPECT_EQ(got.micros, 0u);
      EXPECT_EQ(got.unpriced_tokens, tokens[0] + tokens[1] + tokens[2] + tokens[3] + tokens[4] + tokens[5]);
      continue;
    }
    ASSERT_TRUE(got.complete()) << model << " " << c.dump();
    const long double ours = static_cast<long double>(got.micros) * 1e-6L + static_cast<long double>(got.remainder) * 1e-12L;
    const long double theirs = c.at("litellm_usd").get<double>();
    EXPECT_LE(std::fabs(ours - theirs), 1e-9L * std::max(1e-6L, theirs)) << model << " " << c.dump() << " ours " << static_cast<double>(ours);
    ++compared;
  }
  EXPECT_EQ(compared, 112u);
  EXPECT_GT(tiered, 20u);
}

TEST(Pricing, CostIsExactWithRemainder) {
  model_price p;
  p.set(token_type::input, 2'500'000).set(token_type::output, 10'000'000);
  cost_amount c = compute_cost(&p, token_counts{1000, 0, 0, 0, 500, 0});
  EXPECT_EQ(c.micros, 7500u);
  EXPECT_EQ(c.remainder, 0u);
  EXPECT_TRUE(c.complete());
  // 1 input token = 2.5 micro-units: 2 whole micros + 500000 millionths.
  c = compute_cost(&p, token_counts{1, 0, 0, 0, 0, 0});
  EXPECT_EQ(c.micros, 2u);
  EXPECT_EQ(c.remainder, 500'000u);
  // Cached tokens without a price are unpriced, not free.
  c = compute_cost(&p, token_counts{1, 7, 0, 0, 0, 0});
  EXPECT_EQ(c.unpriced_tokens, 7u);
  EXPECT_FALSE(c.complete());
  // Unknown model.
  c = compute_cost(nullptr, token_counts{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(c.micros, 0u);
  EXPECT_EQ(c.unpriced_tokens, 21u);
  // Overflow saturates and flags.
  model_price big;
  big.set(token_type::input, max_micros_per_million);
  c = compute_cost(&big, token_counts{UINT64_MAX, 0, 0, 0, 0, 0});
  EXPECT_TRUE(c.overflow);
  EXPECT_EQ(c.micros, UINT64_MAX);
  c = compute_cost(nullptr, token_counts{UINT64_MAX, 1, 0, 0, 0, 0});
  EXPECT_TRUE(c.overflow);
  EXPECT_EQ(c.unpriced_tokens, UINT64_MAX);
  // Large but representable: 2^63 tokens at 1e6 micros/M = 2^63 micros exactly.
  model_price one;
  one.set(token_type::output, 1'000'000);
  c = compute_cost(&one, token_counts{0, 0, 0, 0, 1ull << 63, 0});
  EXPECT_FALSE(c.overflow);
  EXPECT_EQ(c.micros, 1ull << 63);
}

TEST(Pricing, CostSumsAreExactAndSaturate) {
  const cost_amount a{.micros = 1, .remainder = 600'000, .unpriced_tokens = 3};
  const cost_amount b{.micros = 2, .remainder = 500'000, .unpriced_tokens = 4};
  EXPECT_EQ(a + b, (cost_amount{.micros = 4, .remainder = 100'000, .unpriced_tokens = 7}));
  const cost_amount top{.micros = UINT64_MAX, .remainder = 999'999};
  const cost_amount s = top + top;
  EXPECT_EQ(s.micros, UINT64_MAX);
  EXPECT_TRUE(s.overflow);
  EXPECT_FALSE((a + b).overflow);
  EXPECT_TRUE((a + cost_amount{.overflow = true}).overflow);
}

}  // namespace
