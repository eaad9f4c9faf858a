// Internal to the privacy layer; include <tokenmaxx/privacy/aggregator.hpp> instead.
// Contribution bounding, the step that makes the noise sufficient whatever one person did.
//
// Input: one entry per (pseudonym, group) with that person's raw totals in the group for the period.
// For each person:
//   * L0: keep at most `max_groups` groups: the ones with the most tokens, then requests, then cost;
//     remaining ties by a per-process keyed hash of (pseudonym, group values), then the values. The
//     choice depends only on that person's own entries (never on ingestion order or on other people),
//     which is what the sensitivity argument needs;
//   * L-infinity: clamp each kept total to its bound.
// Output: per group, the number of distinct people kept (each counted once) and the clamped sums.
// Adding or removing one person therefore changes at most `max_groups` groups, each active count by
// at most 1 and each sum by at most its bound.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"

namespace tokenmaxx::privacy_detail {

// A person's totals in one group (before bounding) or a group's clamped sums (after).
struct metric_sums {
  std::int64_t tokens = 0;
  std::int64_t requests = 0;
  std::int64_t cost_micros = 0;

  void add_saturating(const metric_sums& o) noexcept {
    tokens = base::saturating_add(tokens, o.tokens);
    requests = base::saturating_add(requests, o.requests);
    cost_micros = base::saturating_add(cost_micros, o.cost_micros);
  }
};

struct contribution_entry {
  pseudonym person;
  std::uint32_t group = 0;  // index into the aggregator's group table
  metric_sums amounts;
};

struct bounded_totals {
  std::int64_t active_people = 0;
  metric_sums sums;
};

struct bound_limits {
  std::int64_t max_groups = 1;
  metric_sums max;  // per person and group
};

// `encoded[g]` is group g's canonical encoding (for order-independent tie-breaks); `eligible[g]`
// says whether group g may receive contributions at all (public list filter). Entries are reordered.
inline std::vector<bounded_totals> bound_contributions(std::vector<contribution_entry>& entries,
                                                       const std::vector<std::string>& encoded,
                                                       const std::vector<bool>& eligible,
                                                       const bound_limits& lim) {
  std::vector<bounded_totals> out(encoded.size());
  std::erase_if(entries, [&](const contribution_entry& e) { return !eligible[e.group]; });
  auto accumulate = [&](const contribution_entry& e) {
    bounded_totals& g = out[e.group];
    g.active_people += 1;
    g.sums.add_saturating({std::min(e.amounts.tokens, lim.max.tokens), std::min(e.amounts.requests, lim.max.requests),
                           std::min(e.amounts.cost_micros, lim.max.cost_micros)});
  };
  // Most people are in few groups: count groups per person and keep everything for those within
  // the cap; only the people over it go through the (sorting) selection.
  absl::flat_hash_map<pseudonym, std::uint32_t> groups_of;
  groups_of.reserve(entries.size());
  for (const contribution_entry& e : entries) ++groups_of[e.person];
  std::vector<contribution_entry> over;
  for (const contribution_entry& e : entries) {
    if (groups_of[e.person] <= static_cast<std::uint64_t>(lim.max_groups)) {
      accumulate(e);
    } else {
      over.push_back(e);
    }
  }
  auto tie = [&](const contribution_entry& e) { return absl::HashOf(e.person, encoded[e.group]); };
  std::sort(over.begin(), over.end(), [&](const contribution_entry& a, const contribution_entry& b) {
    if (a.person != b.person) return a.person < b.person;
    if (a.amounts.tokens != b.amounts.tokens) return a.amounts.tokens > b.amounts.tokens;
    if (a.amounts.requests != b.amounts.requests) return a.amounts.requests > b.amounts.requests;
    if (a.amounts.cost_micros != b.amounts.cost_micros) return a.amounts.cost_micros > b.amounts.cost_micros;
    const std::size_t ta = tie(a), tb = tie(b);
    if (ta != tb) return ta < tb;
    return encoded[a.group] < encoded[b.group];
  });
  std::size_t i = 0;
  while (i < over.size()) {
    std::size_t j = i;
    std::int64_t kept = 0;
    while (j < over.size() && over[j].person == over[i].person) {
      if (kept < lim.max_groups) {
        accumulate(over[j]);
        ++kept;
      }
      ++j;
    }
    i = j;
  }
  return out;
}

}  // namespace tokenmaxx::privacy_detail
