// tokenmaxx/usage/window.hpp: minute / hour / day / week usage windows over a ledger.
//
// A `window_rollup` turns a ledger's (ledger.hpp) cumulative counters into calendar windows (UTC;
// weeks start on Monday 00:00) using a caller-supplied clock (nanoseconds since the Unix epoch), so
// tests can drive time. Call `advance()` periodically from one collector thread: it takes a
// cumulative snapshot, computes the delta since the previous call (delta_tracker in snapshot.hpp;
// the ledger is never reset) and adds it to the open window of each unit; when the clock has passed
// a window's end, that window is closed.
//
// Guarantees:
//  - A closed window's totals are final (never changed again) and exact: every increment recorded
//    after the rollup was created lands in exactly one window of each unit, so the closed windows
//    plus the open one sum to the ledger's growth, to the token (as long as no closed window was
//    dropped by `keep`).
//  - Window membership is decided by the collector's cut, not by a per-call timestamp: a window
//    [start, end) holds the increments that became visible after the advance() that opened it and
//    up to the first advance() at or after `end`. Call advance() promptly after each boundary
//    (e.g. every second) to keep the skew small. Windows with no advance() inside them are skipped.
//  - advance() fails with FailedPrecondition (and changes nothing) if the clock went backwards.
//    Other consumers calling ledger.snapshot_and_reset() do not affect the rollup.
//  - At most `keep` closed windows are retained per unit (oldest dropped first).
//  - Thread safety: advance(), closed() and open() must not run concurrently with each other (one
//    collector); writers may record into the ledger concurrently with advance().
//
// Example:
//   tokenmaxx::ledger ledger;
//   std::int64_t now = 1'700'000'000'000'000'000;                  // a test clock, ns since the epoch
//   tokenmaxx::window_rollup windows(ledger, [&now] { return now; });
//   if (absl::Status st = ledger.record("acme", "gpt-4o", {.input = 7, .requests = 1}); !st.ok()) return st;
//   now += 61'000'000'000;                                          // a minute later
//   if (absl::Status st = windows.advance(); !st.ok()) return st;
//   for (const tokenmaxx::closed_window& w : windows.closed(tokenmaxx::window_unit::minute))
//     std::cout << w.start << " " << w.usage.rows.size() << "\n";  // usage.kind == delta, [w.start, w.end)
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/snapshot.hpp"

namespace tokenmaxx {

enum class window_unit : std::uint8_t { minute = 0, hour = 1, day = 2, week = 3 };
inline constexpr std::array<window_unit, 4> all_window_units = {window_unit::minute, window_unit::hour, window_unit::day,
                                                                window_unit::week};

constexpr std::int64_t window_length_ns(window_unit u) noexcept {
  constexpr std::int64_t minute = 60'000'000'000LL;
  switch (u) {
    case window_unit::minute: return minute;
    case window_unit::hour: return 60 * minute;
    case window_unit::day: return 24 * 60 * minute;
    case window_unit::week: return 7 * 24 * 60 * minute;
  }
  return minute;
}

// Start of the window of unit `u` containing `t` (floor division; weeks aligned to Monday).
constexpr std::int64_t window_start(window_unit u, std::int64_t t) noexcept {
  const std::int64_t len = window_length_ns(u);
  // 1970-01-01 was a Thursday; shift so that weeks start on Monday 1969-12-29.
  const std::int64_t shift = u == window_unit::week ? 3 * window_length_ns(window_unit::day) : 0;
  std::int64_t x = t + shift;
  std::int64_t q = x / len;
  if (x % len < 0) --q;
  return q * len - shift;
}

struct closed_window {
  window_unit unit;
  std::int64_t start;  // inclusive, ns
  std::int64_t end;    // exclusive, ns
  usage_snapshot usage;  // kind == delta
};

class window_rollup {
 public:
  using clock_fn = std::function<std::int64_t()>;

  window_rollup(const ledger& source, clock_fn clock, std::size_t keep = 64)
      : ledger_(source), clock_(std::move(clock)), keep_(keep) {
    last_now_ = clock_();
    (void)tracker_.next(ledger_.snapshot(last_now_));  // baseline; cannot fail on the first call
    for (window_unit u : all_window_units) {
      auto& o = open_[static_cast<std::size_t>(u)];
      o.kind = snapshot_kind::delta;
      o.start_time = window_start(u, last_now_);
      o.end_time = o.start_time + window_length_ns(u);
    }
  }

  absl::Status advance() {
    const std::int64_t now = clock_();
    if (now < last_now_) return absl::FailedPreconditionError("window_rollup: clock went backwards");
    auto delta = tracker_.next(ledger_.snapshot(now));
    if (!delta.ok()) return delta.status();
    last_now_ = now;
    for (window_unit u : all_window_units) {
      auto& o = open_[static_cast<std::size_t>(u)];
      delta->start_time = o.start_time;
      delta->end_time = o.end_time;
      auto merged = merge(o, *delta);
      if (!merged.ok()) return merged.status();  // cannot happen: same kind, providers from one table
      o = std::move(*merged);
      if (now >= o.end_time) {
        auto& list = closed_[static_cast<std::size_t>(u)];
        list.push_back(closed_window{u, o.start_time, o.end_time, std::move(o)});
        while (list.size() > keep_) list.pop_front();
        o = usage_snapshot{};
        o.kind = snapshot_kind::delta;
        o.start_time = window_start(u, now);
        o.end_time = o.start_time + window_length_ns(u);
      }
    }
    return absl::OkStatus();
  }

  // Closed windows of `u`, oldest first.
  std::vector<closed_window> closed(window_unit u) const {
    const auto& list = closed_[static_cast<std::size_t>(u)];
    return std::vector<closed_window>(list.begin(), list.end());
  }
  // The still-open window of `u` (totals so far, as of the last advance()).
  const usage_snapshot& open(window_unit u) const { return open_[static_cast<std::size_t>(u)]; }

 private:
  const ledger& ledger_;
  clock_fn clock_;
  std::size_t keep_;
  std::int64_t last_now_ = 0;
  delta_tracker tracker_;
  std::array<usage_snapshot, 4> open_;
  std::array<std::deque<closed_window>, 4> closed_;
};

}  // namespace tokenmaxx
