// ledger.hpp, single-threaded: keys, capacity, bounded increments and saturation, price tiers per
// request, snapshots and their times. Multi-threaded behaviour is in ledger_concurrency_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include "tokenmaxx/usage/ledger.hpp"

namespace {

using namespace tokenmaxx;

std::shared_ptr<const price_table> load_prices(const std::string& name = "prices.json") {
  auto t = price_table::load_litellm_file(std::string(TOKENMAXX_USAGE_DATA) + "/" + name);
  EXPECT_TRUE(t.ok()) << t.status();
  return std::make_shared<const price_table>(t.ok() ? *std::move(t) : price_table{});
}

// Runs `f` on another thread and fails the whole binary if it has not returned after 10 s (a
// spinning collector cannot be joined, so the process ends).
template <class F>
auto within_10s(F f) {
  auto fut = std::async(std::launch::async, std::move(f));
  if (fut.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "did not finish within 10 s";
    std::fprintf(stderr, "a collector is spinning: exiting\n");
    std::_Exit(1);
  }
  return fut.get();
}

TEST(Ledger, RecordsEveryFieldSeparately) {
  ledger l;
  auto h = l.resolve("acme", "gpt-4o");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_TRUE(l.record(*h, {.input = 1, .cached_input = 2, .cache_creation = 3, .cache_creation_1h = 4, .output = 5,
                            .reasoning = 6, .requests = 7, .errors = 8})
                  .ok());
  ASSERT_TRUE(l.record(*h, {.input = 10, .output = 40, .requests = 1}).ok());
  ASSERT_TRUE(l.add(*h, token_type::reasoning, 100).ok());
  usage_snapshot s = l.snapshot(123);
  ASSERT_EQ(s.rows.size(), 1u);
  const usage_row& r = s.rows[0];
  EXPECT_EQ(r.tenant, "acme");
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_EQ(r.tokens, (token_counts{11, 2, 3, 4, 45, 106}));
  EXPECT_EQ(r.requests, 8u);
  EXPECT_EQ(r.errors, 8u);
  EXPECT_FALSE(r.overflow);
  EXPECT_EQ(s.kind, snapshot_kind::cumulative);
  EXPECT_EQ(s.end_time, 123);
  // No price table: every token is unpriced, never "free".
  EXPECT_EQ(r.cost.unpriced_tokens, 11u + 2 + 3 + 4 + 45 + 106);
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
  EXPECT_EQ(l.stats().keys, 52u);
}

TEST(Ledger, RejectsBadKeysAndHandles) {
  ledger l;
  EXPECT_EQ(l.resolve("", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve(std::string(257, 'a'), "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("a\nb", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("\xff\xfe", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.resolve("\xc0\xaf", "m").status().code(), absl::StatusCode::kInvalidArgument);  // overlong '/'
  EXPECT_EQ(l.resolve("__overflow__", "m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(l.resolve("équipe-日本", "m").ok());
  EXPECT_EQ(l.record("", "m", {.input = 1}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l.record(key_handle{}, {.input = 5}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.snapshot().rows.size(), 1u);
}

// Issue 10, defect 1: `prompt - cached` going negative reaches the ledger as ~2^64; it must be refused,
// not added (it used to wrap the counter, which then looked like a reset and hung the collector).
TEST(Ledger, RefusesIncrementsAboveTheLimitAndRecordsNothing) {
  ledger l;
  auto h = *l.resolve("a", "m");
  absl::Status s = l.record(h, {.input = UINT64_MAX - 5, .output = 3, .requests = 1});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("usage.input"), std::string_view::npos) << s;
  EXPECT_EQ(l.add(h, token_type::output, max_increment + 1).code(), absl::StatusCode::kInvalidArgument);
  // A token_type from a cast (a caller who lies): refused, not written past the six token cells.
  for (std::uint8_t bad : {std::uint8_t{6}, std::uint8_t{7}, std::uint8_t{200}}) {
    const absl::Status st = l.add(h, static_cast<token_type>(bad), 1);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << int(bad);
    EXPECT_NE(st.message().find("not one of the"), std::string_view::npos) << st;
  }
  EXPECT_EQ(l.record("a", "m", {.errors = UINT64_MAX}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.record("b", "m", {.input = UINT64_MAX}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(l.size(), 1u);  // the refused record did not create its key either
  ASSERT_TRUE(l.record(h, {.input = 10}).ok());
  ASSERT_TRUE(l.record(h, {.input = max_increment}).ok());
  usage_snapshot d = within_10s([&] { return l.snapshot_and_reset(1); });
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.rows[0].tokens_of(token_type::input), 10u + max_increment);
  EXPECT_EQ(d.rows[0].tokens_of(token_type::output), 0u);  // nothing of the refused record
  EXPECT_EQ(d.rows[0].requests, 0u);
  EXPECT_FALSE(d.rows[0].overflow);
}

// Issue 10, defect 1: a total that would pass 2^64 - 1 saturates and flags the row; every
// collector finishes.
TEST(Ledger, TotalsSaturateFlagTheRowAndCollectorsFinish) {
  ledger l;
  auto h = *l.resolve("a", "m");
  usage_snapshot first = within_10s([&] {
    for (int i = 0; i < 40'000; ++i) EXPECT_TRUE(l.record(h, {.input = max_increment, .requests = 1}).ok());
    return l.snapshot_and_reset(1);
  });
  ASSERT_EQ(first.rows.size(), 1u);
  EXPECT_EQ(first.rows[0].tokens_of(token_type::input), 40'000 * max_increment);
  EXPECT_FALSE(first.rows[0].overflow);
  usage_snapshot second = within_10s([&] {
    for (int i = 0; i < 40'000; ++i) EXPECT_TRUE(l.record(h, {.input = max_increment, .requests = 1}).ok());
    return l.snapshot_and_reset(2);
  });
  ASSERT_EQ(second.rows.size(), 1u);
  EXPECT_EQ(second.rows[0].tokens_of(token_type::input), UINT64_MAX - 40'000 * max_increment);  // up to the ceiling
  EXPECT_EQ(second.rows[0].requests, 40'000u);
  EXPECT_TRUE(second.rows[0].overflow);
  const usage_snapshot cumulative = l.snapshot(3);
  EXPECT_EQ(cumulative.rows[0].tokens_of(token_type::input), UINT64_MAX);
  EXPECT_TRUE(cumulative.rows[0].overflow);
  ASSERT_TRUE(l.record(h, {.input = 1, .requests = 1}).ok());
  usage_snapshot third = within_10s([&] { return l.snapshot_and_reset(4); });
  ASSERT_EQ(third.rows.size(), 1u);
  EXPECT_EQ(third.rows[0].tokens_of(token_type::input), 0u);  // saturated: nothing more to claim
  EXPECT_EQ(third.rows[0].requests, 1u);
  EXPECT_TRUE(third.rows[0].overflow);
  EXPECT_EQ(l.snapshot(5).rows[0].tokens_of(token_type::input), UINT64_MAX);  // never goes backwards
}

TEST(Ledger, FullTableIsAnError) {
  ledger l({.capacity = 3});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(l.record("t" + std::to_string(i), "m", {.input = 1}).ok());
  absl::Status s = l.record("t3", "m", {.input = 1});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("full"), std::string_view::npos);
  EXPECT_EQ(l.record("t3", "m", {.input = 1}).code(), absl::StatusCode::kResourceExhausted);  // again
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
  ledger l({.start_time = 5});
  auto h = *l.resolve("a", "m");
  ASSERT_TRUE(l.record(h, {.input = 5, .requests = 1}).ok());
  usage_snapshot d1 = l.snapshot_and_reset(10);
  EXPECT_EQ(d1.kind, snapshot_kind::delta);
  EXPECT_EQ(d1.start_time, 5);
  EXPECT_EQ(d1.end_time, 10);
  ASSERT_EQ(d1.rows.size(), 1u);
  EXPECT_EQ(d1.rows[0].tokens_of(token_type::input), 5u);
  usage_snapshot d2 = l.snapshot_and_reset(20);
  EXPECT_TRUE(d2.rows.empty());  // nothing new: no rows
  EXPECT_EQ(d2.start_time, 10);
  ASSERT_TRUE(l.record(h, {.input = 7}).ok());
  usage_snapshot d3 = l.snapshot_and_reset(30);
  ASSERT_EQ(d3.rows.size(), 1u);
  EXPECT_EQ(d3.rows[0].tokens_of(token_type::input), 7u);
  // Resets do not touch the cumulative view.
  EXPECT_EQ(l.snapshot().rows[0].tokens_of(token_type::input), 12u);
}

// Issue 10, defect 6: times are real. The first delta starts at construction, not at 0, and the
// calls without `now` read the system clock.
TEST(Ledger, SnapshotTimesComeFromTheClock) {
  const std::int64_t before = unix_time_ns();
  ledger l;
  EXPECT_GE(l.start_time(), before);
  EXPECT_LE(l.start_time(), unix_time_ns());
  EXPECT_GT(l.start_time(), 1'600'000'000'000'000'000);  // after 2020: nanoseconds since the epoch
  ASSERT_TRUE(l.record("a", "m", {.input = 1, .requests = 1}).ok());
  const usage_snapshot c = l.snapshot();
  EXPECT_EQ(c.start_time, l.start_time());
  EXPECT_GE(c.end_time, c.start_time);
  const usage_snapshot d = l.snapshot_and_reset();
  EXPECT_EQ(d.start_time, l.start_time());
  EXPECT_GE(d.end_time, d.start_time);
  const usage_snapshot d2 = l.snapshot_and_reset();
  EXPECT_EQ(d2.start_time, d.end_time);
  EXPECT_EQ(ledger({.start_time = 42}).snapshot(50).start_time, 42);
}

TEST(Ledger, CostsPerModel) {
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

// Issue 10, defect 5: the tier is chosen per request, when it is recorded.
TEST(Ledger, EachRequestIsPricedAtItsOwnTier) {
  ledger l({.capacity = 16, .prices = load_prices("litellm_prices.json")});
  auto h = *l.resolve("acme", "gemini-2.5-pro");
  ASSERT_TRUE(l.record(h, {.input = 300'000, .output = 2'000, .requests = 1}).ok());  // 780,000 micro-USD
  ASSERT_TRUE(l.record(h, {.input = 100'000, .output = 2'000, .requests = 1}).ok());  // 145,000
  // A streamed request recorded in two pieces: the output is priced at the request's tier.
  ASSERT_TRUE(l.record(h, {.input = 250'000, .requests = 1}).ok());                   // 625,000
  ASSERT_TRUE(l.record(h, {.output = 1'000}, /*request_prompt_tokens=*/250'000).ok()); // 15,000
  ASSERT_TRUE(l.add(h, token_type::output, 1'000, 250'000).ok());                       // 15,000
  ASSERT_TRUE(l.add(h, token_type::output, 1'000).ok());                                // base tier: 10,000
  const usage_snapshot s = l.snapshot();
  const usage_row* r = s.find("acme", "gemini-2.5-pro");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->tokens_of(token_type::input), 650'000u);
  EXPECT_EQ(r->tokens_of(token_type::output), 7'000u);
  EXPECT_EQ(r->requests, 3u);
  EXPECT_EQ(r->cost.micros, 780'000u + 145'000u + 625'000u + 15'000u + 15'000u + 10'000u);
  EXPECT_TRUE(r->cost.complete());
  EXPECT_EQ(r->provider, "vertex_ai-language-models");
  // Deltas add up to the same cost.
  const usage_snapshot d = l.snapshot_and_reset();
  EXPECT_EQ(d.rows.at(0).cost, r->cost);
}

TEST(Ledger, StatsCountKeysAndBytes) {
  ledger l({.capacity = 1000});
  const ledger_stats empty = l.stats();
  EXPECT_EQ(empty.keys, 0u);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(l.record(std::to_string(i), "m", {.input = 1}).ok());
  const ledger_stats s = l.stats();
  EXPECT_EQ(s.keys, 100u);
  EXPECT_EQ(s.contended_keys, 0u);
  EXPECT_GE(s.bytes - empty.bytes, 100u * sizeof(usage_detail::key_entry));
  EXPECT_LE(s.bytes - empty.bytes, 100u * 512);  // the documented ~490 bytes per key
}

}  // namespace
