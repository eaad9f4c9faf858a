// Shared helpers for the privacy tests: audit logs in a scratch folder, a standard aggregator
// setup, seeded releases and statistics.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "privacy_testing.hpp"
#include "scratch_log.hpp"
#include "tokenmaxx/privacy.hpp"

namespace privacy_test {

using clock = std::chrono::system_clock;
using tokenmaxx::privacy_detail::test_access;
using scratch::scratch_log;

// Monday 2025-04-07 00:00:00 UTC, the start of ISO week 2025-W15.
inline clock::time_point week_start() {
  return clock::time_point(std::chrono::sys_days(std::chrono::year{2025} / 4 / 7));
}

inline tokenmaxx::master_key test_key(unsigned char seed = 1) {
  std::array<unsigned char, 32> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<unsigned char>(seed * 31 + i * 7 + 1);
  return *tokenmaxx::master_key::from_bytes(b);
}

inline std::shared_ptr<tokenmaxx::privacy_accountant> open_accountant(const scratch_log& log, double epsilon = 1000,
                                                                       double delta = 0.5) {
  auto acc = tokenmaxx::privacy_accountant::open(
      {.audit_log_path = log.path(), .epsilon_per_period = epsilon, .delta_per_period = delta});
  EXPECT_TRUE(acc.ok()) << acc.status();
  return acc.ok() ? *acc : nullptr;
}

struct setup {
  std::unique_ptr<scratch_log> log;
  std::shared_ptr<tokenmaxx::privacy_accountant> accountant;
  std::unique_ptr<tokenmaxx::adoption_aggregator> agg;
};

inline std::unique_ptr<tokenmaxx::adoption_aggregator> make_aggregator(std::shared_ptr<tokenmaxx::privacy_accountant> acc,
                                                                       tokenmaxx::contribution_bounds bounds = {},
                                                                       std::int64_t k = 5,
                                                                       const std::string& period = "2025-W15",
                                                                       clock::time_point start = week_start(),
                                                                       clock::time_point end = week_start() + std::chrono::days(7)) {
  auto ps = tokenmaxx::pseudonymizer::create(test_key(), period);
  EXPECT_TRUE(ps.ok()) << ps.status();
  auto agg = tokenmaxx::adoption_aggregator::create({.dimensions = {"team", "workflow"},
                                                     .period = period,
                                                     .window_start = start,
                                                     .window_end = end,
                                                     .bounds = bounds,
                                                     .min_group_size = k,
                                                     .accountant = std::move(acc)},
                                                    std::move(*ps));
  EXPECT_TRUE(agg.ok()) << agg.status();
  return agg.ok() ? std::move(*agg) : nullptr;
}

// An aggregator for ISO week 2025-W15 with its own accountant and scratch audit log.
inline setup make(double budget_epsilon = 1000, double budget_delta = 0.5, tokenmaxx::contribution_bounds bounds = {},
                  std::int64_t k = 5) {
  setup s;
  s.log = std::make_unique<scratch_log>();
  s.accountant = open_accountant(*s.log, budget_epsilon, budget_delta);
  s.agg = make_aggregator(s.accountant, bounds, k);
  return s;
}

// Adds one event for `person` in (team, workflow).
inline absl::Status add(tokenmaxx::adoption_aggregator& agg, std::string_view person, std::string_view team,
                        std::string_view workflow, std::int64_t tokens, std::int64_t requests = 1,
                        std::int64_t cost = 10, int hour = 10) {
  std::array<std::string_view, 2> g{team, workflow};
  return agg.add({.person_id = person,
                  .group = g,
                  .tokens = tokens,
                  .requests = requests,
                  .cost_micros = cost,
                  .time = week_start() + std::chrono::hours(hour)});
}

inline absl::StatusOr<tokenmaxx::adoption_report> release_seeded(tokenmaxx::adoption_aggregator& agg,
                                                                 const tokenmaxx::release_options& o, std::uint64_t seed) {
  return test_access::release_seeded(agg, o, seed);
}

inline tokenmaxx::release_options public_options(std::vector<std::vector<std::string>> groups, double epsilon = 1.0) {
  tokenmaxx::release_options o;
  o.epsilon = epsilon;
  o.public_groups = std::move(groups);
  return o;
}

inline const tokenmaxx::report_row* find_row(const tokenmaxx::adoption_report& r, const std::string& team,
                                             const std::string& workflow) {
  for (const auto& row : r.rows) {
    if (row.group == std::vector<std::string>{team, workflow}) return &row;
  }
  return nullptr;
}

// Chi-square critical value at upper-tail probability alpha for df degrees of freedom
// (Wilson-Hilferty; z is the standard normal quantile of 1 - alpha).
inline double chi2_critical(int df, double z) {
  const double d = df;
  const double c = 1.0 - 2.0 / (9.0 * d) + z * std::sqrt(2.0 / (9.0 * d));
  return d * c * c * c;
}
// Standard normal quantile for alpha = 1e-6 (one-sided).
inline constexpr double z_1e6 = 4.753424;

}  // namespace privacy_test
