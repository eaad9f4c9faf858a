// Noise calibration (privacy/detail/calibration.hpp) on its own: exact Laplace scales from the
// bounds, the epsilon split, the zCDP conversion of the Gaussian, the delta split and charge, the
// private-selection threshold, its errors, and the relative-error table of docs/PRIVACY.md, which
// must be what the defaults give.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tokenmaxx/privacy/aggregator.hpp"
#include "tokenmaxx/privacy/detail/calibration.hpp"

namespace {

using tokenmaxx::adoption_metric;
using tokenmaxx::noise_mechanism;
using tokenmaxx::privacy_detail::calibrate;
using tokenmaxx::privacy_detail::calibration_request;

calibration_request laplace_public(double epsilon, std::int64_t l0, std::vector<std::pair<adoption_metric, std::int64_t>> metrics) {
  calibration_request r;
  r.epsilon_millionths = std::llround(epsilon * 1e6);
  r.max_groups_per_person = l0;
  r.metrics = std::move(metrics);
  return r;
}

TEST(PrivacyCalibration, LaplaceScaleIsTheExactRationalOfTheBounds) {
  auto plan = calibrate(laplace_public(1.0, 3, {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 50'000}}));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->metrics.size(), 2u);
  // epsilon 0.5 per metric: scale = L0 x bound / 0.5.
  EXPECT_EQ(plan->metrics[0].t, 6u);
  EXPECT_EQ(plan->metrics[0].s, 1u);
  EXPECT_EQ(plan->metrics[1].t, 300'000u);
  EXPECT_EQ(plan->metrics[1].s, 1u);
  EXPECT_DOUBLE_EQ(plan->metrics[1].scale, 300'000.0);
  EXPECT_EQ(plan->metrics[0].half_width, tokenmaxx::privacy_detail::laplace_half_width(6, 1, 0.05L));
  EXPECT_EQ(plan->metrics[0].half_width, 18);  // P(|X| > 18) = 2 q^19 / (1 + q) < 0.05 <= P(|X| > 17), q = e^(-1/6)
  // A scale that is not an integer stays an exact fraction: 3 x 7 / (1 / 3 rounded to 333333e-6).
  auto odd = calibrate(laplace_public(1.0, 3, {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 7}, {adoption_metric::requests, 1}}));
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->metrics[1].t * 333'333u, 21'000'000u * odd->metrics[1].s);
  EXPECT_EQ(std::gcd(odd->metrics[1].t, odd->metrics[1].s), 1u);
}

TEST(PrivacyCalibration, EpsilonIsSplitEvenlyAndChargedInFull) {
  auto plan = calibrate(laplace_public(2.0, 1, {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 10},
                                              {adoption_metric::requests, 10}, {adoption_metric::cost_micros, 10}}));
  ASSERT_TRUE(plan.ok());
  for (const auto& m : plan->metrics) EXPECT_DOUBLE_EQ(m.scale, static_cast<double>(m.bound) / 0.5);
  EXPECT_EQ(plan->epsilon_millionths, 2'000'000);
  EXPECT_EQ(plan->delta_atto, 0);  // public Laplace: pure epsilon
  EXPECT_EQ(plan->selection_threshold, 0);
}

TEST(PrivacyCalibration, DeltaIsChargedOnlyWhereUsed) {
  calibration_request r = laplace_public(1.0, 2, {{adoption_metric::active_people, 1}});
  r.delta_atto = 1'000'000'000;  // 1e-9 asked for, but public Laplace does not use it
  EXPECT_EQ(calibrate(r)->delta_atto, 0);
  r.private_selection = true;
  EXPECT_EQ(calibrate(r)->delta_atto, 1'000'000'000);
  r.private_selection = false;
  r.mechanism = noise_mechanism::gaussian;
  EXPECT_EQ(calibrate(r)->delta_atto, 1'000'000'000);
}

TEST(PrivacyCalibration, SelectionThresholdBoundsTheChanceOfAppearingByOnePerson) {
  for (std::int64_t l0 : {1, 3}) {
    for (double delta : {1e-3, 1e-6, 1e-9}) {
      calibration_request r = laplace_public(1.0, l0, {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 100}});
      r.private_selection = true;
      r.delta_atto = std::llround(delta * 1e18);
      r.min_group_size = 5;
      auto plan = calibrate(r);
      ASSERT_TRUE(plan.ok());
      const auto& a = plan->metrics[0];
      const std::int64_t m = plan->selection_threshold - 5 - 1;  // threshold = k + m + 1
      // A group of k - 1 people plus one: shown only if noise >= threshold - k = m + 1 <= m.
      EXPECT_LE(tokenmaxx::privacy_detail::laplace_upper_tail(a.t, a.s, m), delta / static_cast<double>(l0) * (1 + 1e-12));
      EXPECT_GT(tokenmaxx::privacy_detail::laplace_upper_tail(a.t, a.s, m - 1), delta / static_cast<double>(l0));
    }
  }
}

TEST(PrivacyCalibration, GaussianRhoMeetsTheZcdpConversionAndDeltaIsSplit) {
  for (bool private_selection : {false, true}) {
    calibration_request r;
    r.mechanism = noise_mechanism::gaussian;
    r.epsilon_millionths = 1'000'000;
    r.delta_atto = 1'000'000'000'000;  // 1e-6
    r.private_selection = private_selection;
    r.max_groups_per_person = 3;
    r.min_group_size = 5;
    r.metrics = {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 1000}};
    auto plan = calibrate(r);
    ASSERT_TRUE(plan.ok()) << plan.status();
    const double delta_gaussian = private_selection ? 5e-7 : 1e-6;
    double rho = 0;
    for (const auto& m : plan->metrics) {
      // sigma^2 = L0 bound^2 / (2 rho_metric)
      rho += 3.0 * static_cast<double>(m.bound) * static_cast<double>(m.bound) / (2 * m.scale * m.scale);
    }
    const double epsilon = rho + 2 * std::sqrt(rho * std::log(1 / delta_gaussian));
    EXPECT_LE(epsilon, 1.0 + 1e-9);
    EXPECT_GT(epsilon, 1.0 - 1e-5);  // rho is the largest that fits (rounded down to 1e-12)
    if (private_selection) {
      const double sigma = plan->metrics[0].scale;
      const std::int64_t m = plan->selection_threshold - 5 - 1;
      EXPECT_LE(std::exp(-static_cast<double>(m * m) / (2 * sigma * sigma)), 5e-7 / 3 * (1 + 1e-9));
    }
  }
}

TEST(PrivacyCalibration, RequestsThatCannotBeMetAreRefused) {
  const auto code = [](const calibration_request& r) { return calibrate(r).status().code(); };
  calibration_request r = laplace_public(1.0, 1, {{adoption_metric::active_people, 1}});
  EXPECT_EQ(code(r), absl::StatusCode::kOk);
  r.mechanism = noise_mechanism::gaussian;
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);  // Gaussian without delta
  r.mechanism = noise_mechanism::laplace;
  r.private_selection = true;
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);  // private selection without delta
  r.private_selection = false;
  r.epsilon_millionths = 3;  // 3e-6 over 4 metrics: nothing left per metric
  r.metrics = {{adoption_metric::active_people, 1}, {adoption_metric::tokens, 1}, {adoption_metric::requests, 1},
               {adoption_metric::cost_micros, 1}};
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r.epsilon_millionths = 1'000'000;
  r.metrics = {{adoption_metric::tokens, 10}};
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);  // active people must come first
  r.metrics = {{adoption_metric::active_people, 1}};
  r.confidence = 0.4;
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r.confidence = 0.95;
  r.mechanism = noise_mechanism::gaussian;
  r.delta_atto = 1;           // delta 1e-18 ...
  r.epsilon_millionths = 1;   // ... and epsilon 1e-6: rho below 1e-12
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
}

// The table "Relative error with the defaults" in docs/PRIVACY.md, recomputed from the defaults.
std::string expected_error_table() {
  const tokenmaxx::contribution_bounds defaults;
  const tokenmaxx::release_options release;
  std::vector<std::pair<adoption_metric, std::int64_t>> metrics = {{adoption_metric::active_people, 1}};
  if (release.tokens) metrics.emplace_back(adoption_metric::tokens, defaults.max_tokens);
  EXPECT_FALSE(release.requests || release.cost) << "the table assumes active people and tokens only";
  calibration_request r = laplace_public(release.epsilon, defaults.max_groups_per_person, metrics);
  r.confidence = release.confidence;
  auto plan = calibrate(r);
  EXPECT_TRUE(plan.ok());
  const std::int64_t ha = plan->metrics[0].half_width, ht = plan->metrics[1].half_width;
  const auto grouped = [](std::int64_t v) { return tokenmaxx::privacy_detail::format_grouped(v); };
  const auto pct = [](double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, fraction >= 0.1 ? "%.0f%%" : "%.1f%%", fraction * 100);
    return std::string(buf);
  };
  std::string out = "| people in the group | active people, 95% interval | tokens (10,000 per person), 95% interval |\n";
  out += "| --- | --- | --- |\n";
  for (std::int64_t n : {5, 10, 20, 50, 100, 200, 500, 1000, 5000}) {
    out += "| " + grouped(n) + " | " + grouped(n) + " ± " + grouped(ha) + " (± " + pct(static_cast<double>(ha) / n) + ") | " +
           grouped(n * 10'000) + " ± " + grouped(ht) + " (± " + pct(static_cast<double>(ht) / (n * 10'000.0)) + ") |\n";
  }
  return out;
}

TEST(PrivacyCalibration, DocumentedErrorTableIsWhatTheDefaultsGive) {
  std::ifstream in(std::string(TOKENMAXX_SOURCE_DIR) + "/docs/PRIVACY.md");
  ASSERT_TRUE(in) << "docs/PRIVACY.md";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string expected = expected_error_table();
  EXPECT_NE(ss.str().find(expected), std::string::npos) << "docs/PRIVACY.md should contain:\n" << expected;
}

}  // namespace
