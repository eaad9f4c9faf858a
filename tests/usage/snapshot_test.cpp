// snapshot.hpp: merge laws with every field checked, saturation, subtract and the exporter-side
// delta tracker, time ranges.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace {

using namespace tokenmaxx;
using u128 = unsigned __int128;

usage_snapshot random_snapshot(std::mt19937_64& rng, snapshot_kind kind = snapshot_kind::delta) {
  usage_snapshot s;
  s.kind = kind;
  s.start_time = static_cast<std::int64_t>(rng() % 1000);
  s.end_time = s.start_time + static_cast<std::int64_t>(rng() % 1000);
  const int n = static_cast<int>(rng() % 6);
  for (int i = 0; i < n; ++i) {
    usage_row r;
    r.tenant = "t" + std::to_string(rng() % 4);
    r.model = "m" + std::to_string(rng() % 3);
    if (s.find(r.tenant, r.model)) continue;
    r.provider = (rng() % 2) ? "openai" : "";
    // Now and then a field near the top, so saturation is exercised too.
    auto value = [&](std::uint64_t small) { return rng() % 16 == 0 ? UINT64_MAX - rng() % 1000 : rng() % small; };
    for (auto& t : r.tokens) t = value(1'000'000);
    r.requests = value(100);
    r.errors = value(5);
    r.cost.micros = value(1'000'000'000);
    r.cost.remainder = static_cast<std::uint32_t>(rng() % 1'000'000);
    r.cost.unpriced_tokens = value(50);
    r.overflow = rng() % 32 == 0;
    s.rows.push_back(r);
    s.canonicalize();
  }
  return s;
}

// The expected sum of two rows, computed independently: 128-bit sums clamped at 2^64 - 1.
usage_row expected_sum(const usage_row* x, const usage_row* y) {
  usage_row out = x ? *x : *y;
  if (!x || !y) return out;
  bool o = x->overflow || y->overflow;
  auto add = [&](std::uint64_t a, std::uint64_t b) {
    const u128 s = u128(a) + b;
    if (s > UINT64_MAX) o = true;
    return s > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(s);
  };
  for (std::size_t i = 0; i < token_type_count; ++i) out.tokens[i] = add(x->tokens[i], y->tokens[i]);
  out.requests = add(x->requests, y->requests);
  out.errors = add(x->errors, y->errors);
  bool cost_o = x->cost.overflow || y->cost.overflow;
  const u128 pico = (u128(x->cost.micros) + y->cost.micros) * 1'000'000u + x->cost.remainder + y->cost.remainder;
  if (pico / 1'000'000u > UINT64_MAX) {
    out.cost.micros = UINT64_MAX;
    out.cost.remainder = 0;
    cost_o = true;
  } else {
    out.cost.micros = static_cast<std::uint64_t>(pico / 1'000'000u);
    out.cost.remainder = static_cast<std::uint32_t>(pico % 1'000'000u);
  }
  const u128 unpriced = u128(x->cost.unpriced_tokens) + y->cost.unpriced_tokens;
  if (unpriced > UINT64_MAX) cost_o = true;
  out.cost.unpriced_tokens = unpriced > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(unpriced);
  out.cost.overflow = cost_o;
  out.overflow = o || cost_o;
  if (out.provider.empty()) out.provider = y->provider;
  return out;
}

TEST(Merge, LawsHoldAndEveryFieldIsSummedExactly) {
  std::mt19937_64 rng(42);
  usage_snapshot empty;
  empty.kind = snapshot_kind::delta;
  std::size_t rows_checked = 0, saturated_rows = 0;
  for (int iter = 0; iter < 500; ++iter) {
    usage_snapshot a = random_snapshot(rng), b = random_snapshot(rng), c = random_snapshot(rng);
    // Providers of one key must agree to merge; make b and c follow a.
    for (usage_snapshot* other : {&b, &c})
      for (usage_row& r : other->rows)
        if (const usage_row* x = a.find(r.tenant, r.model)) r.provider = x->provider;
    for (usage_row& r : c.rows)
      if (const usage_row* y = b.find(r.tenant, r.model)) r.provider = y->provider;
    auto ab = merge(a, b), ba = merge(b, a);
    ASSERT_TRUE(ab.ok() && ba.ok()) << ab.status() << ba.status();
    EXPECT_EQ(*ab, *ba) << "commutativity";
    auto ab_c = merge(*ab, c);
    auto bc = merge(b, c);
    ASSERT_TRUE(bc.ok());
    auto a_bc = merge(a, *bc);
    ASSERT_TRUE(ab_c.ok() && a_bc.ok());
    // Saturation is not associative in general (clamping at different points); it is when no sum clamps.
    bool clamped = false;
    for (const usage_row& r : ab_c->rows) clamped = clamped || r.overflow;
    for (const usage_row& r : a_bc->rows) clamped = clamped || r.overflow;
    if (!clamped) {
      EXPECT_EQ(*ab_c, *a_bc) << "associativity";
    }
    EXPECT_EQ(merge(a, empty)->rows, a.rows) << "identity";
    EXPECT_TRUE(ab->is_canonical());
    // Every key of either input appears once, with every field equal to the independent sum.
    std::size_t keys = a.rows.size();
    for (const usage_row& r : b.rows) keys += a.find(r.tenant, r.model) ? 0 : 1;
    ASSERT_EQ(ab->rows.size(), keys);
    for (const usage_row& r : ab->rows) {
      const usage_row want = expected_sum(a.find(r.tenant, r.model), b.find(r.tenant, r.model));
      EXPECT_EQ(r, want) << r.tenant << "/" << r.model;
      ++rows_checked;
      saturated_rows += r.overflow;
    }
  }
  EXPECT_GT(rows_checked, 1000u);
  EXPECT_GT(saturated_rows, 50u);
}

TEST(Merge, KindMismatchAndProviderConflictAreErrors) {
  usage_snapshot a, b;
  a.kind = snapshot_kind::delta;
  b.kind = snapshot_kind::cumulative;
  EXPECT_EQ(merge(a, b).status().code(), absl::StatusCode::kInvalidArgument);
  b.kind = snapshot_kind::delta;
  a.rows.push_back(usage_row{.tenant = "t", .model = "m", .provider = "openai"});
  b.rows.push_back(usage_row{.tenant = "t", .model = "m", .provider = "azure"});
  EXPECT_EQ(merge(a, b).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Merge, SaturatesAndFlagsOverflow) {
  usage_snapshot a;
  a.kind = snapshot_kind::delta;
  a.rows.push_back(usage_row{.tenant = "t", .model = "m"});
  a.rows[0].tokens[3] = UINT64_MAX - 1;
  a.rows[0].cost.micros = UINT64_MAX;
  a.rows[0].cost.remainder = 999'999;
  auto m = merge(a, a);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rows[0].tokens[3], UINT64_MAX);
  EXPECT_TRUE(m->rows[0].overflow);
  EXPECT_EQ(m->rows[0].cost.micros, UINT64_MAX);
  EXPECT_TRUE(m->rows[0].cost.overflow);
}

TEST(Merge, TimeRangeIsTheHullOfKnownTimes) {
  usage_snapshot a, b, unknown;
  a.kind = b.kind = unknown.kind = snapshot_kind::delta;
  a.start_time = 100;
  a.end_time = 200;
  b.start_time = 150;
  b.end_time = 300;
  auto ab = merge(a, b);
  EXPECT_EQ(ab->start_time, 100);
  EXPECT_EQ(ab->end_time, 300);
  auto au = merge(unknown, a);  // an empty accumulator does not pull the start to 0
  EXPECT_EQ(au->start_time, 100);
  EXPECT_EQ(au->end_time, 200);
}

TEST(Subtract, CumulativeDifferencesAreDeltas) {
  ledger l({.start_time = 50});
  ASSERT_TRUE(l.record("a", "m", {.input = 3, .requests = 1}).ok());
  usage_snapshot s1 = l.snapshot(100);
  ASSERT_TRUE(l.record("a", "m", {.input = 4, .cache_creation_1h = 2, .requests = 1}).ok());
  ASSERT_TRUE(l.record("b", "m", {.output = 9}).ok());
  usage_snapshot s2 = l.snapshot(200);
  auto d = subtract(s2, s1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, snapshot_kind::delta);
  EXPECT_EQ(d->start_time, 100);
  EXPECT_EQ(d->end_time, 200);
  const usage_row* a = d->find("a", "m");
  EXPECT_EQ(a->tokens, (token_counts{4, 0, 0, 2, 0, 0}));
  EXPECT_EQ(a->requests, 1u);
  EXPECT_EQ(a->cost.unpriced_tokens, 6u);
  EXPECT_EQ(d->find("b", "m")->tokens_of(token_type::output), 9u);
  EXPECT_EQ(subtract(s1, s2).status().code(), absl::StatusCode::kFailedPrecondition);
  usage_snapshot lost = s2;
  lost.rows.clear();
  EXPECT_EQ(subtract(lost, s1).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(subtract(*d, s1).status().code(), absl::StatusCode::kInvalidArgument);
  delta_tracker tr;
  auto first = tr.next(s1);
  EXPECT_EQ(first->find("a", "m")->tokens_of(token_type::input), 3u);
  EXPECT_EQ(first->start_time, 50);  // the ledger's start, not 0
  EXPECT_EQ(first->end_time, 100);
  auto second = tr.next(s2);
  EXPECT_EQ(second->find("a", "m")->tokens_of(token_type::input), 4u);
  EXPECT_EQ(second->start_time, 100);
}

}  // namespace
