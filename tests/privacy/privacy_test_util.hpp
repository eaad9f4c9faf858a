// Shared helpers for the privacy tests: a standard aggregator setup and statistics.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenmaxx/privacy.hpp"

namespace privacy_test {

using clock = std::chrono::system_clock;

// Monday 2025-04-07 00:00:00 UTC, the start of ISO week 2025-W15.
inline clock::time_point week_start() {
  return clock::time_point(std::chrono::sys_days(std::chrono::year{2025} / 4 / 7));
}

inline tokenmaxx::master_key test_key(unsigned char seed = 1) {
  std::array<unsigned char, 32> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<unsigned char>(seed * 31 + i * 7 + 1);
  return *tokenmaxx::master_key::from_bytes(b);
}

struct setup {
  std::shared_ptr<tokenmaxx::privacy_accountant> accountant;
  std::unique_ptr<tokenmaxx::adoption_aggregator> agg;
};

inline setup make(double budget_epsilon = 1000, double budget_delta = 0.5,
                  tokenmaxx::contribution_bounds bounds = {}, std::int64_t k = 5,
                  tokenmaxx::audit_log* log = nullptr, const std::string& period = "2025-W15") {
  setup s;
  auto acc = tokenmaxx::privacy_accountant::create(
      {.epsilon_per_period = budget_epsilon, .delta_per_period = budget_delta, .log = log});
  EXPECT_TRUE(acc.ok()) << acc.status();
  s.accountant = *acc;
  auto ps = tokenmaxx::pseudonymizer::create(test_key(), period);
  EXPECT_TRUE(ps.ok()) << ps.status();
  auto agg = tokenmaxx::adoption_aggregator::create(
      {.dimensions = {"team", "workflow"},
       .period = period,
       .window_start = week_start(),
       .window_end = week_start() + std::chrono::days(7),
       .bounds = bounds,
       .min_group_size = k,
       .accountant = s.accountant},
      std::move(*ps));
  EXPECT_TRUE(agg.ok()) << agg.status();
  s.agg = std::move(*agg);
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
