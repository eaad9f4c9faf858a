// window.hpp: calendar alignment, exact and final closed windows, clock going backwards.
#include <gtest/gtest.h>

#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/window.hpp"

namespace {

using namespace tokenmaxx;

std::uint64_t input_of(const usage_snapshot& s) {
  std::uint64_t sum = 0;
  for (const auto& r : s.rows) sum += r.tokens_of(token_type::input);
  return sum;
}

TEST(Windows, ClosedWindowsAreExactAndFinal) {
  ledger l;
  const std::int64_t minute = window_length_ns(window_unit::minute);
  std::int64_t now = 1'700'000'000LL * 1'000'000'000LL;  // 2023-11-14T22:13:20Z
  window_rollup w(l, [&] { return now; });
  auto h = *l.resolve("a", "m");
  std::uint64_t total = 0;
  for (int step = 0; step < 150; ++step) {  // 150 advances, 20 s apart: 50 minutes
    ASSERT_TRUE(l.record(h, {.input = static_cast<std::uint64_t>(step + 1), .requests = 1}).ok());
    total += static_cast<std::uint64_t>(step + 1);
    now += 20'000'000'000LL;
    ASSERT_TRUE(w.advance().ok());
  }
  auto minutes = w.closed(window_unit::minute);
  ASSERT_GE(minutes.size(), 49u);
  std::uint64_t sum = input_of(w.open(window_unit::minute));
  for (const auto& cw : minutes) {
    EXPECT_EQ(cw.end - cw.start, minute);
    EXPECT_EQ(cw.start % minute, 0);
    EXPECT_EQ(cw.usage.kind, snapshot_kind::delta);
    EXPECT_EQ(cw.usage.start_time, cw.start);
    EXPECT_EQ(cw.usage.end_time, cw.end);
    sum += input_of(cw.usage);
  }
  EXPECT_EQ(sum, total);
  // Hour windows hold the same total.
  std::uint64_t hsum = input_of(w.open(window_unit::hour));
  for (const auto& cw : w.closed(window_unit::hour)) hsum += input_of(cw.usage);
  EXPECT_EQ(hsum, total);
  // A closed window is final: more usage does not change it.
  auto first = minutes.front();
  ASSERT_TRUE(l.record(h, {.input = 1000}).ok());
  now += minute;
  ASSERT_TRUE(w.advance().ok());
  EXPECT_EQ(w.closed(window_unit::minute).front().usage, first.usage);
  // Clock going backwards is refused and changes nothing.
  const usage_snapshot open_before = w.open(window_unit::minute);
  now -= 1;
  EXPECT_EQ(w.advance().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.open(window_unit::minute), open_before);
}

TEST(Windows, KeepBoundsTheClosedWindows) {
  ledger l;
  std::int64_t now = 0;
  window_rollup w(l, [&] { return now; }, /*keep=*/3);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(l.record("a", "m", {.input = 1}).ok());
    now += window_length_ns(window_unit::minute);
    ASSERT_TRUE(w.advance().ok());
  }
  const auto closed = w.closed(window_unit::minute);
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_EQ(closed.back().start, 9 * window_length_ns(window_unit::minute));  // the newest are kept
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

}  // namespace
