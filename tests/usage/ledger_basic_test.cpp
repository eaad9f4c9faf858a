// Single-threaded behaviour of the ledger, pricing, windows, budgets and exporters.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenmaxx/usage/budget.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/export.hpp"
#include "tokenmaxx/usage/window.hpp"

namespace {

using namespace tokenmaxx;

std::shared_ptr<const price_table> load_prices() {
  auto t = price_table::load_litellm_file(std::string(TOKENMAXX_LEDGER_DATA) + "/prices.json");
  EXPECT_TRUE(t.ok()) << t.status();
  return std::make_shared<const price_table>(std::move(*t));
}

TEST(Ledger, RecordsEveryFieldSeparately) {
  ledger l;
  auto h = l.resolve("acme", "gpt-4o");
  ASSERT_TRUE(h.ok()) << h.status();
  l.record(*h, {.input = 1, .cached_input = 2, .cache_creation = 3, .output = 4, .reasoning = 5, .requests = 6, .errors = 7});
  l.record(*h, {.input = 10, .output = 40, .requests = 1});
  l.add(*h, token_type::reasoning, 100);
  usage_snapshot s = l.snapshot(123);
  ASSERT_EQ(s.rows.size(), 1u);
  const usage_row& r = s.rows[0];
  EXPECT_EQ(r.tenant, "acme");
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_EQ(r.tokens, (std::array<std::uint64_t, 5>{11, 2, 3, 44, 105}));
  EXPECT_EQ(r.requests, 7u);
  EXPECT_EQ(r.errors, 7u);
  EXPECT_EQ(s.kind, snapshot_kind::cumulative);
  EXPECT_EQ(s.end_time, 123);
  // No price table: every token is unpriced, never "free".
  EXPECT_EQ(r.cost.unpriced_tokens, 11u + 2 + 3 + 44 + 105);
  EXPECT_FALSE(r.cost.complete());
}

TEST(Ledger, HandlesAreStableAndKeysDistinct) {
  ledger l({.capacity = 64});
  auto a = l.resolve("t1", "m");
  auto b = l.resolve("t1", "m");
  auto c = l.resolve("t1m", "");
  auto d = l.resolve("t", "1m");
  ASSERT_TRUE(a.ok() && b.ok() && d.ok());
  EXPECT_FALSE(c.ok());  // empty model rejected
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *d);  // ("t1","m") vs ("t","1m") must not collide
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(l.resolve("tenant" + std::to_string(i), "m").ok());
  EXPECT_EQ(*l.resolve("t1", "m"), *a);  // still the same entry after inserts
  EXPECT_EQ(l.size(), 52u);
}

TEST(Ledger, RejectsBadKeys) {
  ledger l;
  EXPECT_EQ(l.resolve("", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve(std::string(257, 'a'), "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("a\nb", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("\xff\xfe", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("\xc0\xaf", "m").status().code(), absl::StatusCode::kInvalidArgument);  // overlong '/'
  EXPECT_EQ(l.resolve("__overflow__", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(l.resolve("équipe-日本", "m").ok());
  EXPECT_TRUE(l.record("", "m", {.input = 1}).code() == absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.size(), 1u);
  // A default handle is a documented no-op.
  l.record(key_handle{}, {.input = 5});
  EXPECT_EQ(l.snapshot().rows.size(), 1u);
}

TEST(Ledger, FullTableIsAnError) {
  ledger l({.capacity = 3});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(l.record("t" + std::to_string(i), "m", {.input = 1}).ok());
  absl::Status s = l.record("t3", "m", {.input = 1});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("full"), std::string_view::npos);
  EXPECT_TRUE(l.record("t1", "m", {.input = 1}).ok());  // existing keys still work
  EXPECT_EQ(l.size(), 3u);
  EXPECT_EQ(l.snapshot().rows.size(), 3u);
}

TEST(Ledger, FullTableOverflowBucketKeepsUsage) {
  ledger l({.capacity = 2, .when_full = full_policy::overflow_bucket});
  ASSERT_TRUE(l.record("a", "m", {.input = 1, .requests = 1}).ok());
  ASSERT_TRUE(l.record("b", "m", {.input = 2, .requests = 1}).ok());
  ASSERT_TRUE(l.record("c", "m", {.input = 4, .requests = 1}).ok());
  ASSERT_TRUE(l.record("d", "m2", {.output = 8, .requests = 1}).ok());
  EXPECT_EQ(l.overflowed_resolves(), 2u);
  usage_snapshot s = l.snapshot();
  ASSERT_EQ(s.rows.size(), 3u);
  const usage_row* o = s.find("__overflow__", "__overflow__");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->tokens_of(token_type::input), 4u);
  EXPECT_EQ(o->tokens_of(token_type::output), 8u);
  EXPECT_EQ(o->requests, 2u);
  EXPECT_EQ(o->cost.unpriced_tokens, 12u);
}

TEST(Ledger, SnapshotAndResetReturnsDeltas) {
  ledger l;
  auto h = *l.resolve("a", "m");
  l.record(h, {.input = 5, .requests = 1});
  usage_snapshot d1 = l.snapshot_and_reset(10);
  EXPECT_EQ(d1.kind, snapshot_kind::delta);
  EXPECT_EQ(d1.start_time, 0);
  EXPECT_EQ(d1.end_time, 10);
  ASSERT_EQ(d1.rows.size(), 1u);
  EXPECT_EQ(d1.rows[0].tokens_of(token_type::input), 5u);
  usage_snapshot d2 = l.snapshot_and_reset(20);
  EXPECT_TRUE(d2.rows.empty());  // nothing new: no rows
  EXPECT_EQ(d2.start_time, 10);
  l.record(h, {.input = 7});
  usage_snapshot d3 = l.snapshot_and_reset(30);
  ASSERT_EQ(d3.rows.size(), 1u);
  EXPECT_EQ(d3.rows[0].tokens_of(token_type::input), 7u);
  // Resets do not touch the cumulative view.
  EXPECT_EQ(l.snapshot().rows[0].tokens_of(token_type::input), 12u);
}

TEST(Pricing, LoadsLiteLLMSubsetAndConvertsExactly) {
  auto p = load_prices();
  EXPECT_EQ(p->size(), 6u);  // sample_spec skipped
  const model_price* g = p->find("gpt-4o");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->provider, "openai");
  EXPECT_EQ(g->micros_per_million[0], 2'500'000u);
  EXPECT_EQ(g->micros_per_million[1], 1'250'000u);
  EXPECT_FALSE(g->micros_per_million[2].has_value());  // no cache-write price: not invented
  EXPECT_EQ(g->micros_per_million[3], 10'000'000u);
  EXPECT_EQ(g->micros_per_million[4], 10'000'000u);  // reasoning falls back to output
  const model_price* c = p->find("claude-3-5-sonnet-20241022");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->micros_per_million[1], 300'000u);
  EXPECT_EQ(c->micros_per_million[2], 3'750'000u);
  EXPECT_EQ(p->find("gemini-2.5-flash")->micros_per_million[1], 75'000u);
  EXPECT_EQ(p->find("text-embedding-3-small")->micros_per_million[0], 20'000u);
  EXPECT_EQ(p->find("text-embedding-3-small")->micros_per_million[3], 0u);  // explicit 0 is a price
  const model_price* dalle = p->find("dall-e-3");
  ASSERT_NE(dalle, nullptr);
  for (const auto& v : dalle->micros_per_million) EXPECT_FALSE(v.has_value());
  EXPECT_EQ(p->find("unknown-model"), nullptr);
}

TEST(Pricing, RejectsBadInput) {
  EXPECT_FALSE(price_table::from_litellm_json("{").ok());
  EXPECT_FALSE(price_table::from_litellm_json("[1,2]").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"input_cost_per_token":"cheap"}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"input_cost_per_token":-1e-6}})").ok());
  EXPECT_FALSE(price_table::from_litellm_json(R"({"m":{"output_cost_per_token":5000}})").ok());
  EXPECT_EQ(price_table::load_litellm_file("/nonexistent/prices.json").status().code(), absl::StatusCode::kNotFound);
  auto ok = price_table::from_litellm_json(R"({"m":{"input_cost_per_token":1e-12}, "n": 3})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->find("m")->micros_per_million[0], 1u);
  EXPECT_EQ(ok->find("n"), nullptr);
  EXPECT_EQ(*price_table::litellm_to_micros_per_million(1.5e-12), 2u);  // round to nearest, ties away
  EXPECT_EQ(*price_table::litellm_to_micros_per_million(1.4e-12), 1u);
}

TEST(Pricing, CostIsExactWithRemainder) {
  model_price p;
  p.set(token_type::input, 2'500'000).set(token_type::output, 10'000'000);
  cost_amount c = compute_cost(&p, {1000, 0, 0, 500, 0});
  EXPECT_EQ(c.micros, 7500u);
  EXPECT_EQ(c.remainder, 0u);
  EXPECT_TRUE(c.complete());
  // 1 input token = 2.5 micro-units: 2 whole micros + 500000 millionths.
  c = compute_cost(&p, {1, 0, 0, 0, 0});
  EXPECT_EQ(c.micros, 2u);
  EXPECT_EQ(c.remainder, 500'000u);
  // Cached tokens without a price are unpriced, not free.
  c = compute_cost(&p, {1, 7, 0, 0, 0});
  EXPECT_EQ(c.unpriced_tokens, 7u);
  EXPECT_FALSE(c.complete());
  // Unknown model.
  c = compute_cost(nullptr, {1, 2, 3, 4, 5});
  EXPECT_EQ(c.micros, 0u);
  EXPECT_EQ(c.unpriced_tokens, 15u);
  // Overflow saturates and flags.
  model_price big;
  big.set(token_type::input, max_micros_per_million);
  c = compute_cost(&big, {UINT64_MAX, 0, 0, 0, 0});
  EXPECT_TRUE(c.overflow);
  EXPECT_EQ(c.micros, UINT64_MAX);
  // Large but representable: 2^63 tokens at 1e6 micros/M = 2^63 micros exactly.
  model_price one;
  one.set(token_type::output, 1'000'000);
  c = compute_cost(&one, {0, 0, 0, 1ull << 63, 0});
  EXPECT_FALSE(c.overflow);
  EXPECT_EQ(c.micros, 1ull << 63);
}

TEST(Pricing, LedgerCostsPerModel) {
  ledger l({.capacity = 16, .prices = load_prices()});
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 1000, .cached_input = 2000, .output = 500, .reasoning = 100, .requests = 1}).ok());
  ASSERT_TRUE(l.record("acme", "claude-3-5-sonnet-20241022", {.input = 1, .cache_creation = 1000, .requests = 1}).ok());
  ASSERT_TRUE(l.record("acme", "mystery-model", {.input = 42, .requests = 1}).ok());
  usage_snapshot s = l.snapshot();
  const usage_row* g = s.find("acme", "gpt-4o");
  ASSERT_NE(g, nullptr);
  // 1000*2.5 + 2000*1.25 + 500*10 + 100*10 = 2500 + 2500 + 5000 + 1000 micros.
  EXPECT_EQ(g->cost.micros, 11'000u);
  EXPECT_TRUE(g->cost.complete());
  EXPECT_EQ(g->provider, "openai");
  const usage_row* c = s.find("acme", "claude-3-5-sonnet-20241022");
  EXPECT_EQ(c->cost.micros, 3u + 3750u);
  const usage_row* m = s.find("acme", "mystery-model");
  EXPECT_EQ(m->cost.unpriced_tokens, 42u);
  EXPECT_FALSE(m->cost.complete());
  EXPECT_EQ(m->tokens_of(token_type::input), 42u);
}

TEST(Windows, ClosedWindowsAreExactAndFinal) {
  ledger l;
  std::int64_t now = 0;
  const std::int64_t minute = window_length_ns(window_unit::minute);
  now = 1'700'000'000LL * 1'000'000'000LL;  // 2023-11-14T22:13:20Z
  window_rollup w(l, [&] { return now; });
  auto h = *l.resolve("a", "m");
  std::uint64_t total = 0;
  for (int step = 0; step < 150; ++step) {  // 150 advances, 20 s apart: 50 minutes
    l.record(h, {.input = static_cast<std::uint64_t>(step + 1), .requests = 1});
    total += step + 1;
    now += 20'000'000'000LL;
    ASSERT_TRUE(w.advance().ok());
  }
  auto minutes = w.closed(window_unit::minute);
  ASSERT_GE(minutes.size(), 49u);
  std::uint64_t sum = 0;
  for (const auto& cw : minutes) {
    EXPECT_EQ(cw.end - cw.start, minute);
    EXPECT_EQ(cw.start % minute, 0);
    EXPECT_EQ(cw.usage.kind, snapshot_kind::delta);
    for (const auto& r : cw.usage.rows) sum += r.tokens_of(token_type::input);
  }
  for (const auto& r : w.open(window_unit::minute).rows) sum += r.tokens_of(token_type::input);
  EXPECT_EQ(sum, total);
  // Hour windows hold the same total.
  std::uint64_t hsum = 0;
  for (const auto& cw : w.closed(window_unit::hour))
    for (const auto& r : cw.usage.rows) hsum += r.tokens_of(token_type::input);
  for (const auto& r : w.open(window_unit::hour).rows) hsum += r.tokens_of(token_type::input);
  EXPECT_EQ(hsum, total);
  // A closed window is final: more usage does not change it.
  auto first = minutes.front();
  l.record(h, {.input = 1000});
  now += minute;
  ASSERT_TRUE(w.advance().ok());
  EXPECT_EQ(w.closed(window_unit::minute).front().usage, first.usage);
  // Clock going backwards is refused.
  now -= 1;
  EXPECT_EQ(w.advance().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Windows, BoundariesAreCalendarAligned) {
  const std::int64_t day = window_length_ns(window_unit::day);
  // 2024-01-01 was a Monday.
  const std::int64_t monday = 19723LL * day;
  EXPECT_EQ(window_start(window_unit::week, monday), monday);
  EXPECT_EQ(window_start(window_unit::week, monday + 6 * day + 5), monday);
  EXPECT_EQ(window_start(window_unit::week, monday - 1), monday - 7 * day);
  EXPECT_EQ(window_start(window_unit::day, -1), -day);
  EXPECT_EQ(window_start(window_unit::hour, 3 * window_length_ns(window_unit::hour) + 7),
            3 * window_length_ns(window_unit::hour));
}

TEST(Windows, SnapshotAndResetDoesNotDisturbRollup) {
  ledger l;
  std::int64_t now = 1;
  window_rollup w(l, [&] { return now; });
  ASSERT_TRUE(l.record("a", "m", {.input = 5}).ok());
  ASSERT_TRUE(w.advance().ok());
  EXPECT_EQ(l.snapshot_and_reset().rows.at(0).tokens_of(token_type::input), 5u);
  ASSERT_TRUE(l.record("a", "m", {.input = 7}).ok());
  ASSERT_TRUE(w.advance().ok());
  EXPECT_EQ(w.open(window_unit::minute).rows.at(0).tokens_of(token_type::input), 12u);
  EXPECT_EQ(l.snapshot_and_reset().rows.at(0).tokens_of(token_type::input), 7u);
}

TEST(Budget, ReserveCommitRelease) {
  budget_book b(8);
  ASSERT_TRUE(b.set_limit("acme", 100).ok());
  EXPECT_EQ(b.try_reserve("nobody", 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(b.try_reserve("acme", 0).status().code(), absl::StatusCode::kInvalidArgument);
  auto r1 = b.try_reserve("acme", 60);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(b.try_reserve("acme", 41).status().code(), absl::StatusCode::kResourceExhausted);
  {
    auto r2 = b.try_reserve("acme", 40);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(b.state("acme")->in_use, 100u);
  }  // destructor releases
  EXPECT_EQ(b.state("acme")->in_use, 60u);
  ASSERT_TRUE(b.commit(*r1, 25).ok());
  EXPECT_EQ(b.commit(*r1, 25).code(), absl::StatusCode::kFailedPrecondition);
  budget_state st = *b.state("acme");
  EXPECT_EQ(st.in_use, 25u);
  EXPECT_EQ(st.committed, 25u);
  // Commit beyond the reservation: absorbed while within the limit...
  auto r3 = b.try_reserve("acme", 10);
  ASSERT_TRUE(r3.ok());
  ASSERT_TRUE(b.commit(*r3, 70).ok());
  EXPECT_EQ(b.state("acme")->in_use, 95u);
  // ...and reported as overrun when not.
  auto r4 = b.try_reserve("acme", 5);
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(b.commit(*r4, 15).code(), absl::StatusCode::kResourceExhausted);
  st = *b.state("acme");
  EXPECT_EQ(st.committed, 110u);
  EXPECT_EQ(st.overrun, 10u);
  EXPECT_EQ(b.try_reserve("acme", 1).status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(b.reset_period("acme").ok());
  EXPECT_EQ(b.state("acme")->in_use, 0u);
  EXPECT_TRUE(b.try_reserve("acme", 100).ok());
  budget_book tiny(1);
  ASSERT_TRUE(tiny.set_limit("a", 1).ok());
  EXPECT_EQ(tiny.set_limit("b", 1).code(), absl::StatusCode::kResourceExhausted);
}

TEST(Export, PrometheusFormatEscapingAndCap) {
  ledger l({.capacity = 16, .prices = load_prices()});
  ASSERT_TRUE(l.record("a\"b\\c", "gpt-4o", {.input = 1000, .output = 10, .requests = 2, .errors = 1}).ok());
  ASSERT_TRUE(l.record("b", "mystery", {.input = 3, .requests = 1}).ok());
  ASSERT_TRUE(l.record("c", "gpt-4o", {.input = 5, .requests = 1}).ok());
  prometheus_exporter prom({.max_keys = 2});
  EXPECT_FALSE(prom.render(l.snapshot_and_reset()).ok());  // delta refused
  auto text = prom.render(l.snapshot());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("# TYPE tokenmaxx_tokens_total counter\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_tokens_total{tenant=\"a\\\"b\\\\c\",model=\"gpt-4o\",token_type=\"input\"} 1000\n"), std::string::npos)
      << *text;
  EXPECT_NE(text->find("tokenmaxx_requests_total{tenant=\"a\\\"b\\\\c\",model=\"gpt-4o\"} 2\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_errors_total{tenant=\"a\\\"b\\\\c\",model=\"gpt-4o\"} 1\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_cost_micros_total{tenant=\"a\\\"b\\\\c\",model=\"gpt-4o\"} 2600\n"), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_unpriced_tokens_total{tenant=\"b\",model=\"mystery\"} 3\n"), std::string::npos);
  // Third key is over the cap: summed into the overflow series.
  EXPECT_EQ(text->find("tenant=\"c\""), std::string::npos);
  EXPECT_NE(text->find("tokenmaxx_tokens_total{tenant=\"__overflow__\",model=\"__overflow__\",token_type=\"input\"} 5\n"),
            std::string::npos);
  EXPECT_EQ(prometheus_escape("x\ny\"z\\"), "x\\ny\\\"z\\\\");
  // Admission is sticky: the admitted keys keep their series on the next scrape.
  auto text2 = prom.render(l.snapshot());
  EXPECT_EQ(*text, *text2);
  EXPECT_EQ(prom.admitted_keys(), 2u);
}

TEST(Export, OtlpJsonGenAiNames) {
  ledger l({.capacity = 16, .prices = load_prices()});
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 100, .output = 7, .requests = 3}).ok());
  EXPECT_FALSE(to_otlp_json(l.snapshot()).ok());  // cumulative refused
  auto out = to_otlp_json(l.snapshot_and_reset(2'000));
  ASSERT_TRUE(out.ok());
  auto doc = nlohmann::json::parse(*out);
  const auto& metric = doc["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0];
  EXPECT_EQ(metric["name"], "gen_ai.client.token.usage");
  EXPECT_EQ(metric["unit"], "{token}");
  EXPECT_EQ(metric["histogram"]["aggregationTemporality"], 1);
  const auto& points = metric["histogram"]["dataPoints"];
  ASSERT_EQ(points.size(), 2u);
  std::map<std::string, double> by_type;
  for (const auto& p : points) {
    std::map<std::string, std::string> attrs;
    for (const auto& a : p["attributes"]) attrs[a["key"]] = a["value"]["stringValue"];
    EXPECT_EQ(attrs["gen_ai.request.model"], "gpt-4o");
    EXPECT_EQ(attrs["gen_ai.provider.name"], "openai");
    EXPECT_EQ(attrs["tokenmaxx.tenant"], "acme");
    EXPECT_EQ(p["count"], "3");
    EXPECT_EQ(p["timeUnixNano"], "2000");
    by_type[attrs["gen_ai.token.type"]] = p["sum"].get<double>();
  }
  EXPECT_EQ(by_type["input"], 100.0);
  EXPECT_EQ(by_type["output"], 7.0);
  // Tokens recorded without a request count still give a valid point (count >= 1).
  ASSERT_TRUE(l.record("acme", "gpt-4o", {.input = 5}).ok());
  auto doc2 = nlohmann::json::parse(*to_otlp_json(l.snapshot_and_reset(3'000)));
  const auto& p2 = doc2["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["histogram"]["dataPoints"];
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0]["count"], "1");
  EXPECT_EQ(p2[0]["startTimeUnixNano"], "2000");
}

}  // namespace
