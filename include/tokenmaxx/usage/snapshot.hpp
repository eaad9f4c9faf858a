// tokenmaxx/usage/snapshot.hpp: a mergeable table of usage per (tenant, model).
//
// A `usage_snapshot` is a plain value: one `usage_row` per (tenant, model) with token counts per
// type, requests, errors and the exact cost (see pricing.hpp), tagged `cumulative` (totals since the
// ledger started) or `delta` (totals over an interval), with a [start_time, end_time) in nanoseconds
// since the Unix epoch (0 = unknown). The ledger (ledger.hpp) makes snapshots; snapshot_codec.hpp
// turns them into bytes and back; export.hpp renders them for Prometheus and OpenTelemetry.
//
// Guarantees:
//  - merge() is exact, associative and commutative: rows are summed by key, field by field, and the
//    time range is the hull of the known (non-zero) times. Merging snapshots of different kinds, or
//    rows whose providers differ, is an InvalidArgument error. Sums that would pass 2^64 - 1
//    saturate and set the row's `overflow` flag instead of wrapping (a ledger row whose counter
//    saturated carries the flag too).
//  - subtract() (later cumulative minus earlier cumulative) gives the delta; it refuses with
//    FailedPrecondition if any counter went backwards or a key disappeared.
//  - Row order: merge() and subtract() return rows in canonical (tenant, model) order; ledger
//    snapshots come in table order (canonicalize() sorts). operator== ignores row order.
//  - Thread safety: value types with no internal synchronisation; a delta_tracker is used by one
//    thread at a time.
//
// Example:
//   tokenmaxx::ledger a, b;                                      // two instances of one service
//   if (absl::Status st = a.record("acme", "gpt-4o", {.input = 10, .requests = 1}); !st.ok()) return st;
//   if (absl::Status st = b.record("acme", "gpt-4o", {.input = 5, .requests = 1}); !st.ok()) return st;
//   absl::StatusOr<tokenmaxx::usage_snapshot> fleet = tokenmaxx::merge(a.snapshot(), b.snapshot());
//   if (!fleet.ok()) return fleet.status();
//   const tokenmaxx::usage_row* r = fleet->find("acme", "gpt-4o");   // input 15, requests 2
//   if (r == nullptr || r->tokens_of(tokenmaxx::token_type::input) != 15) return absl::InternalError("merge");
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/usage/pricing.hpp"
#include "tokenmaxx/usage/usage.hpp"

namespace tokenmaxx {

enum class snapshot_kind : std::uint8_t { cumulative = 1, delta = 2 };

// Now, in nanoseconds since the Unix epoch (the system clock): the time base of snapshots.
inline std::int64_t unix_time_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct usage_row {
  std::string tenant;
  std::string model;
  std::string provider = {};  // from the price table; may be empty
  token_counts tokens{};
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  cost_amount cost = {};  // cost.unpriced_tokens > 0 means the cost covers only part of the tokens
  bool overflow = false;  // a counter reached 2^64 - 1 (saturated in the ledger or while merging)

  std::uint64_t tokens_of(token_type t) const noexcept { return tokens[static_cast<std::size_t>(t)]; }
  friend bool operator==(const usage_row&, const usage_row&) = default;
};

struct usage_snapshot {
  snapshot_kind kind = snapshot_kind::cumulative;
  std::int64_t start_time = 0;  // nanoseconds since the Unix epoch; 0 = unknown
  std::int64_t end_time = 0;
  std::vector<usage_row> rows;

  // Linear search (rows may be in any order).
  const usage_row* find(std::string_view tenant, std::string_view model) const noexcept {
    for (const usage_row& r : rows)
      if (r.tenant == tenant && r.model == model) return &r;
    return nullptr;
  }
  bool is_canonical() const noexcept {
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (!(std::tie(rows[i - 1].tenant, rows[i - 1].model) < std::tie(rows[i].tenant, rows[i].model))) return false;
    return true;
  }
  // Sorts rows by (tenant, model): merge(), subtract(), the decoders and the encoders' output use this
  // order. Sorts an index first so each row is moved once.
  void canonicalize() {
    if (is_canonical()) return;
    std::vector<std::uint32_t> idx(rows.size());
    for (std::uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::tie(rows[a].tenant, rows[a].model) < std::tie(rows[b].tenant, rows[b].model);
    });
    std::vector<usage_row> sorted;
    sorted.reserve(rows.size());
    for (std::uint32_t i : idx) sorted.push_back(std::move(rows[i]));
    rows = std::move(sorted);
  }
  // Equal when kind, time range and the set of rows are equal (row order does not matter).
  friend bool operator==(const usage_snapshot& a, const usage_snapshot& b) {
    if (a.kind != b.kind || a.start_time != b.start_time || a.end_time != b.end_time || a.rows.size() != b.rows.size()) return false;
    if (a.is_canonical() && b.is_canonical()) return a.rows == b.rows;
    usage_snapshot x = a, y = b;
    x.canonicalize();
    y.canonicalize();
    return x.rows == y.rows;
  }
};

namespace usage_detail {

inline absl::Status add_row(usage_row& a, const usage_row& b) {
  if (!a.provider.empty() && !b.provider.empty() && a.provider != b.provider)
    return absl::InvalidArgumentError("merge: provider differs for tenant '" + a.tenant + "' model '" + a.model + "'");
  if (a.provider.empty()) a.provider = b.provider;
  bool o = a.overflow || b.overflow;
  for (std::size_t i = 0; i < token_type_count; ++i) a.tokens[i] = base::saturating_add(a.tokens[i], b.tokens[i], o);
  a.requests = base::saturating_add(a.requests, b.requests, o);
  a.errors = base::saturating_add(a.errors, b.errors, o);
  a.cost = a.cost + b.cost;
  a.overflow = o || a.cost.overflow;
  return absl::OkStatus();
}

// The hull of two times where 0 means unknown: the known one wins.
inline std::int64_t earliest_known(std::int64_t a, std::int64_t b) noexcept { return a == 0 ? b : b == 0 ? a : std::min(a, b); }
inline std::int64_t latest_known(std::int64_t a, std::int64_t b) noexcept { return a == 0 ? b : b == 0 ? a : std::max(a, b); }

}  // namespace usage_detail

// Sums two snapshots of the same kind. Errors: InvalidArgument on kind or provider mismatch.
inline absl::StatusOr<usage_snapshot> merge(const usage_snapshot& a, const usage_snapshot& b) {
  if (a.kind != b.kind) return absl::InvalidArgumentError("merge: cannot merge a cumulative and a delta snapshot");
  usage_snapshot out;
  out.kind = a.kind;
  out.start_time = usage_detail::earliest_known(a.start_time, b.start_time);
  out.end_time = usage_detail::latest_known(a.end_time, b.end_time);
  out.rows.reserve(a.rows.size() + b.rows.size());
  // Both inputs may be non-canonical (hand-built); index b by key.
  absl::flat_hash_map<std::pair<std::string_view, std::string_view>, std::size_t> index;
  for (const usage_row& r : a.rows) {
    auto [it, fresh] = index.try_emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), out.rows.size());
    if (fresh) {
      out.rows.push_back(r);
    } else if (auto s = usage_detail::add_row(out.rows[it->second], r); !s.ok()) {
      return s;
    }
  }
  for (const usage_row& r : b.rows) {
    auto it = index.find(std::pair<std::string_view, std::string_view>(r.tenant, r.model));
    if (it == index.end()) {
      index.emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), out.rows.size());
      out.rows.push_back(r);
    } else if (auto s = usage_detail::add_row(out.rows[it->second], r); !s.ok()) {
      return s;
    }
  }
  out.canonicalize();
  return out;
}

// later - earlier, for two cumulative snapshots of the same source: a delta over [earlier.end_time,
// later.end_time) (from later.start_time when earlier's end is unknown). Rows absent from `earlier`
// count from zero. Errors: FailedPrecondition if a counter decreased (snapshots out of order or from
// different ledgers) or a key disappeared; InvalidArgument if either is not cumulative.
inline absl::StatusOr<usage_snapshot> subtract(const usage_snapshot& later, const usage_snapshot& earlier) {
  if (later.kind != snapshot_kind::cumulative || earlier.kind != snapshot_kind::cumulative)
    return absl::InvalidArgumentError("subtract: both snapshots must be cumulative");
  absl::flat_hash_map<std::pair<std::string_view, std::string_view>, const usage_row*> prev;
  prev.reserve(earlier.rows.size());
  for (const usage_row& r : earlier.rows) prev.emplace(std::pair<std::string_view, std::string_view>(r.tenant, r.model), &r);
  usage_snapshot out;
  out.kind = snapshot_kind::delta;
  out.start_time = earlier.end_time != 0 ? earlier.end_time : later.start_time;
  out.end_time = later.end_time;
  out.rows.reserve(later.rows.size());
  std::size_t matched = 0;
  for (const usage_row& r : later.rows) {
    usage_row d = r;
    auto it = prev.find(std::pair<std::string_view, std::string_view>(r.tenant, r.model));
    if (it != prev.end()) {
      ++matched;
      const usage_row& p = *it->second;
      auto back = [&](std::uint64_t now, std::uint64_t before) { return now < before; };
      bool bad = back(r.requests, p.requests) || back(r.errors, p.errors) || back(r.cost.unpriced_tokens, p.cost.unpriced_tokens) ||
                 std::tie(r.cost.micros, r.cost.remainder) < std::tie(p.cost.micros, p.cost.remainder);
      for (std::size_t i = 0; i < token_type_count; ++i) bad = bad || back(r.tokens[i], p.tokens[i]);
      if (bad)
        return absl::FailedPreconditionError("subtract: counters of '" + r.tenant + "'/'" + r.model + "' went backwards (snapshots out of order or from different ledgers?)");
      for (std::size_t i = 0; i < token_type_count; ++i) d.tokens[i] -= p.tokens[i];
      d.requests -= p.requests;
      d.errors -= p.errors;
      d.cost.unpriced_tokens -= p.cost.unpriced_tokens;
      if (d.cost.remainder < p.cost.remainder) {
        d.cost.remainder += 1'000'000u;
        d.cost.micros -= 1;
      }
      d.cost.remainder -= p.cost.remainder;
      d.cost.micros -= p.cost.micros;
      d.overflow = r.overflow || p.overflow;
      d.cost.overflow = r.cost.overflow || p.cost.overflow;
    }
    out.rows.push_back(std::move(d));
  }
  if (matched != earlier.rows.size())
    return absl::FailedPreconditionError("subtract: a key of the earlier snapshot is missing from the later one");
  out.canonicalize();
  return out;
}

// Remembers the last cumulative snapshot and returns the delta since it: the "exporter-side delta"
// that never resets the ledger, so any number of exporters can coexist. The first delta starts at
// the cumulative snapshot's start (the ledger's construction).
class delta_tracker {
 public:
  absl::StatusOr<usage_snapshot> next(usage_snapshot cumulative) {
    auto d = subtract(cumulative, last_);
    if (!d.ok()) return d.status();
    last_ = std::move(cumulative);
    return d;
  }
  const usage_snapshot& last() const noexcept { return last_; }

 private:
  usage_snapshot last_;
};

}  // namespace tokenmaxx
