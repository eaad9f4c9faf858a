// export.hpp: Prometheus text (escaping, series cap, currency-named cost) and OTLP/JSON that follows
// the GenAI semantic conventions (token types, provider names, real times, honest histogram counts).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenmaxx/usage/export.hpp"
#include "tokenmaxx/usage/ledger.hpp"

namespace {

using namespace tokenmaxx;
using nlohmann::json;

std::shared_ptr<const price_table> load_prices(const std::string& name = "prices.json") {
  auto t = price_table::load_litellm_file(std::string(TOKENMAXX_USAGE_DATA) + "/" + name);
  EXPECT_TRUE(t.ok()) << t.status();
  return std::make_shared<const price_table>(t.ok() ? *std::move(t) : price_table{});
}

std::map<std::string, std::string> attributes(const json& point) {
  std::map<std::string, std::string> out;
  for (const auto& a : point["attributes"]) {
    const auto& v = a["value"];
    out[a["key"]] = v.contains("stringValue") ? v["stringValue"].get<std::string>() : v.begin()->dump();
  }
  return out;
}

const json& metric(const json& doc, std::string_view name) {
  for (const auto& m : doc["resourceMetrics"][0]["scopeMetrics"][0]["metrics"])
    if (m["name"] == name) return m;
  static const json none;
  ADD_FAILURE() << "no metric " << name;
  return none;
}

TEST(Prometheus, FormatEscapingCapAndCost) {
  ledger l({.capacity = 16, .prices = load_prices()});
  ASSERT_TRUE(l.record("a\"b\\c", "gpt-4o", {.input = 1000, .output = 10, .requests = 2, .errors = 1}).ok());
  ASSERT_TRUE(l.record("b", "mystery", {.input = 3, .requests = 1}).ok());
  ASSERT_TRUE(l.record("c", "gpt-4o", {.input = 5, .requests = 1}).ok());
  prometheus_exporter prom({.max_keys = 2});
  EXPECT_FALSE(prom.render(l.snapshot_and_reset()).ok());  // delta refused
  auto text = prom.render(l.snapshot());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("# TYPE tokenmaxx_tokens_total counter\n"), std::string::npos);
  const std::string acme = "{tenant=\"a\\\"b\\\\c\",model=\"gpt-4o\"";
  EXPECT_NE(text->find("tokenmaxx_tokens_total" + acme + ",token_type=\"input\"} 1000\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("tokenmaxx_tokens_total" + acme + ",token_type=\"cache_creation_1h\"} 0\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_requests_total" + acme + "} 2\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_errors_total" + acme + "} 1\n"), std::string::npos);
  // Issue 10, defect 7: the cost names its currency and is in currency units, exactly: 2600 micro-USD.
  EXPECT_NE(text->find("# TYPE tokenmaxx_cost_usd_total counter\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_cost_usd_total" + acme + "} 0.0026\n"), std::string::npos) << *text;
  EXPECT_EQ(text->find("micros"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_unpriced_tokens_total{tenant=\"b\",model=\"mystery\"} 3\n"), std::string::npos);
  EXPECT_EQ(text->find("tokenmaxx_saturated"), std::string::npos);  // nothing saturated
  // Third key is over the cap: summed into the overflow series.
  EXPECT_EQ(text->find("tenant=\"c\""), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_tokens_total{tenant=\"__overflow__\",model=\"__overflow__\",token_type=\"input\"} 5\n"),
            std::string::npos);
  EXPECT_EQ(prometheus_escape("x\ny\"z\\"), "x\\ny\\\"z\\\\");
  // Admission is sticky: the admitted keys keep their series on the next scrape.
  auto text2 = prom.render(l.snapshot());
  EXPECT_EQ(*text, *text2);
  EXPECT_EQ(prom.admitted_keys(), 2u);
  EXPECT_EQ(prometheus_exporter({.currency = "US$"}).render(l.snapshot()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(prometheus_exporter({.currency = "eur"}).render(l.snapshot())->find("tokenmaxx_cost_eur_total"), std::string::npos);
}

TEST(Prometheus, CostDecimalsAreExactAndSaturatedRowsAreMarked) {
  EXPECT_EQ(currency_decimal({.micros = 7002, .remainder = 500'000}), "0.0070025");
  EXPECT_EQ(currency_decimal({.micros = 0, .remainder = 1}), "0.000000000001");
  EXPECT_EQ(currency_decimal({.micros = 3'000'000}), "3");
  EXPECT_EQ(currency_decimal({.micros = UINT64_MAX, .remainder = 999'999}), "18446744073709.551615999999");
  usage_snapshot s;
  s.rows.push_back({.tenant = "t", .model = "m", .tokens = {UINT64_MAX, 0, 0, 0, 0, 0}, .overflow = true});
  auto text = prometheus_exporter().render(s);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("tokenmaxx_saturated{tenant=\"t\",model=\"m\"} 1\n"), std::string::npos) << *text;
}

TEST(Otlp, ProviderNamesFollowTheSemanticConventions) {
  EXPECT_EQ(semconv_provider_name("openai"), "openai");
  EXPECT_EQ(semconv_provider_name("vertex_ai-language-models"), "gcp.vertex_ai");
  EXPECT_EQ(semconv_provider_name("vertex_ai-anthropic_models"), "gcp.vertex_ai");
  EXPECT_EQ(semconv_provider_name("gemini"), "gcp.gemini");
  EXPECT_EQ(semconv_provider_name("bedrock_converse"), "aws.bedrock");
  EXPECT_EQ(semconv_provider_name("azure"), "azure.ai.openai");
  EXPECT_EQ(semconv_provider_name("azure_ai"), "azure.ai.inference");
  EXPECT_EQ(semconv_provider_name("mistral"), "mistral_ai");
  EXPECT_EQ(semconv_provider_name("xai"), "x_ai");
  EXPECT_EQ(semconv_provider_name("watsonx"), "ibm.watsonx.ai");
  EXPECT_EQ(semconv_provider_name("fireworks_ai"), "fireworks_ai");  // no convention value: kept
}

// Issue 10, defect 6.
TEST(Otlp, GenAiMetricHasInputAndOutputOnlyAndAllPromptTokens) {
  ledger l({.capacity = 16, .prices = load_prices("litellm_prices.json"), .start_time = 1'000});
  ASSERT_TRUE(l.record("acme", "gemini-2.5-pro", {.input = 100, .cached_input = 50, .cache_creation = 5, .cache_creation_1h = 1,
                                                  .output = 7, .reasoning = 30, .requests = 3})
                  .ok());
  ASSERT_TRUE(l.record("acme", "mystery", {.input = 4, .requests = 1}).ok());
  EXPECT_FALSE(to_otlp_json(l.snapshot()).ok());  // cumulative refused
  auto out = to_otlp_json(l.snapshot_and_reset(2'000));
  ASSERT_TRUE(out.ok()) << out.status();
  const json doc = json::parse(*out);
  const json& usage_metric = metric(doc, "gen_ai.client.token.usage");
  EXPECT_EQ(usage_metric["unit"], "{token}");
  EXPECT_EQ(usage_metric["histogram"]["aggregationTemporality"], 1);
  std::map<std::pair<std::string, std::string>, double> sums;
  for (const auto& p : usage_metric["histogram"]["dataPoints"]) {
    auto a = attributes(p);
    EXPECT_TRUE(a["gen_ai.token.type"] == "input" || a["gen_ai.token.type"] == "output") << a["gen_ai.token.type"];
    EXPECT_EQ(a["gen_ai.operation.name"], "chat");
    EXPECT_EQ(a["tokenmaxx.tenant"], "acme");
    EXPECT_EQ(p["startTimeUnixNano"], "1000");
    EXPECT_EQ(p["timeUnixNano"], "2000");
    EXPECT_EQ(p["bucketCounts"].size(), 1u);
    EXPECT_EQ(p["bucketCounts"][0], p["count"]);
    EXPECT_EQ(a["gen_ai.provider.name"], a["gen_ai.request.model"] == "mystery" ? "unknown" : "gcp.vertex_ai");
    EXPECT_EQ(p["count"], a["gen_ai.request.model"] == "mystery" ? "1" : "3");
    sums[{a["gen_ai.request.model"], a["gen_ai.token.type"]}] = p["sum"].get<double>();
  }
  EXPECT_EQ(sums.size(), 4u);
  EXPECT_EQ((sums[{"gemini-2.5-pro", "input"}]), 156.0);  // cached and cache writes are input tokens
  EXPECT_EQ((sums[{"gemini-2.5-pro", "output"}]), 37.0);  // reasoning tokens are output tokens
  EXPECT_EQ((sums[{"mystery", "input"}]), 4.0);
  EXPECT_EQ((sums[{"mystery", "output"}]), 0.0);
  // tokenmaxx's own split is a separate sum.
  const json& split = metric(doc, "tokenmaxx.client.token.usage");
  EXPECT_TRUE(split["sum"]["isMonotonic"].get<bool>());
  std::map<std::string, std::string> by_type;
  for (const auto& p : split["sum"]["dataPoints"]) {
    auto a = attributes(p);
    EXPECT_EQ(a.count("gen_ai.token.type"), 0u);
    if (a["gen_ai.request.model"] == "gemini-2.5-pro") by_type[a["tokenmaxx.token.type"]] = p["asInt"];
  }
  EXPECT_EQ(by_type, (std::map<std::string, std::string>{{"input", "100"}, {"cached_input", "50"}, {"cache_creation", "5"},
                                                          {"cache_creation_1h", "1"}, {"output", "7"}, {"reasoning", "30"}}));
}

TEST(Otlp, TokensWithoutARequestGetNoHistogramPointButStayInTheSum) {
  ledger l({.start_time = 1'000});
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.output = 5}).ok());  // a streamed tail, no new request
  const json doc = json::parse(*to_otlp_json(l.snapshot_and_reset(3'000)));
  EXPECT_TRUE(metric(doc, "gen_ai.client.token.usage")["histogram"]["dataPoints"].empty());
  const json& points = metric(doc, "tokenmaxx.client.token.usage")["sum"]["dataPoints"];
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0]["asInt"], "5");
}

TEST(Otlp, TimesMustBeKnownAndCountsFitInt64) {
  usage_snapshot d;
  d.kind = snapshot_kind::delta;
  EXPECT_EQ(to_otlp_json(d).status().code(), absl::StatusCode::kInvalidArgument);  // times 0: unknown
  d.start_time = 5;
  d.end_time = 4;
  EXPECT_EQ(to_otlp_json(d).status().code(), absl::StatusCode::kInvalidArgument);  // reversed
  d.end_time = 6;
  d.rows.push_back({.tenant = "t", .model = "m", .tokens = {UINT64_MAX, 0, 0, 0, 0, 0}, .requests = 1, .overflow = true});
  const json doc = json::parse(*to_otlp_json(d));
  const json& p = metric(doc, "tokenmaxx.client.token.usage")["sum"]["dataPoints"][0];
  EXPECT_EQ(p["asInt"], "9223372036854775807");
  EXPECT_EQ(attributes(p)["tokenmaxx.saturated"], "true");
}

}  // namespace
