// A stochastic differential-privacy check of the whole release path (in the spirit of Google's
// stochastic tester): for two neighbouring datasets (D, and D plus one extra person with a million
// times the usual usage) the released values must satisfy P_D(S) <= e^epsilon P_D'(S) and vice versa
// for every outcome bin S. With max_groups_per_person = 1 the bound is tight in the tails, so noise
// calibrated too small (a wrong sensitivity, an unbounded contribution) makes this test fail.
// TOKENMAXX_DP_TEST_RELEASES sets the releases per dataset (default 30,000); the short variant
// (6,000, for sanitizer builds) runs the same checks with wider sampling slack.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy.hpp"

namespace {

using privacy_test::add;
using privacy_test::make;

#ifndef TOKENMAXX_DP_TEST_RELEASES
#define TOKENMAXX_DP_TEST_RELEASES 30000
#endif
constexpr int releases_per_dataset = TOKENMAXX_DP_TEST_RELEASES;

struct histograms {
  std::map<std::int64_t, double> active;
  std::map<std::int64_t, double> tokens;  // binned by max_tokens
};

constexpr std::int64_t kBound = 10'000;

// `n` releases of one public group with 20 ordinary people (+ the whale if `whale`).
histograms run(bool whale, int n, double epsilon, bool with_tokens) {
  tokenmaxx::contribution_bounds b;
  b.max_groups_per_person = 1;
  b.max_tokens = kBound;
  histograms h;
  tokenmaxx::release_options o;
  o.epsilon = epsilon;
  o.tokens = with_tokens;
  o.requests = false;
  o.cost = false;
  o.public_groups = std::vector<std::vector<std::string>>{{"t", "w"}};
  std::unique_ptr<privacy_test::setup> s;
  const int per_aggregator = static_cast<int>(900 / epsilon);  // budget 1000 per period
  for (int i = 0; i < n; ++i) {
    if (i % per_aggregator == 0) {
      s = std::make_unique<privacy_test::setup>(make(1000, 0.5, b));
      for (int p = 0; p < 20; ++p) EXPECT_TRUE(add(*s->agg, absl::StrCat("p", p), "t", "w", 3'000 + p).ok());
      if (whale) {
        EXPECT_TRUE(add(*s->agg, "whale", "t", "w", 3'000'000'000LL, 1'000'000, 1'000'000'000).ok());
      }
    }
    // Independent, fixed seeds for D and D' (the slack below assumes independent histograms).
    auto r = privacy_test::release_seeded(*s->agg, o, 2 * static_cast<std::uint64_t>(i) + (whale ? 1 : 0));
    EXPECT_TRUE(r.ok()) << r.status();
    const auto& row = r->rows.at(0);
    if (row.suppressed) {  // post-processing of the noisy count: an outcome of its own
      h.active[std::numeric_limits<std::int64_t>::min()] += 1;
      continue;
    }
    h.active[row.active_people->value] += 1;
    if (with_tokens) h.tokens[static_cast<std::int64_t>(std::floor(static_cast<double>(row.tokens->value) / kBound))] += 1;
  }
  return h;
}

// Max over bins (with enough mass for a 5-sigma estimate) of |ln(P_D / P_D')|, minus the sampling
// slack of that bin; must not exceed epsilon_metric.
void expect_bounded_ratio(const std::map<std::int64_t, double>& a, const std::map<std::int64_t, double>& b,
                          double epsilon_metric, const char* what) {
  double worst_excess = -1e9, largest_log_ratio = 0;
  int bins = 0;
  for (const auto& [x, ca] : a) {
    auto it = b.find(x);
    if (it == b.end() || ca < 300 || it->second < 300) continue;
    ++bins;
    const double log_ratio = std::fabs(std::log(ca / it->second));
    const double slack = 5.3 * std::sqrt(1 / ca + 1 / it->second);
    worst_excess = std::max(worst_excess, log_ratio - slack - epsilon_metric);
    largest_log_ratio = std::max(largest_log_ratio, log_ratio);
  }
  EXPECT_GE(bins, 5) << what;
  EXPECT_LE(worst_excess, 0) << what << ": some outcome is more than e^epsilon likelier on one side";
  // The test has power: the datasets are distinguishable at close to the allowed degree.
  EXPECT_GT(largest_log_ratio, 0.5 * epsilon_metric) << what;
}

TEST(PrivacyDifferentialPrivacy, ActiveCountNeighboursWithinEpsilon) {
  const int n = releases_per_dataset;
  const double eps = 0.5;  // one metric: all of it on active people; scale 1 / 0.5 = 2
  const histograms d = run(false, n, eps, false), d1 = run(true, n, eps, false);
  expect_bounded_ratio(d.active, d1.active, eps, "active people");
}

TEST(PrivacyDifferentialPrivacy, TokenSumWithHugeUserWithinEpsilon) {
  const int n = releases_per_dataset;
  const double eps = 1.0;  // split over active people and tokens: 0.5 each
  const histograms d = run(false, n, eps, true), d1 = run(true, n, eps, true);
  expect_bounded_ratio(d.active, d1.active, eps / 2, "active people");
  expect_bounded_ratio(d.tokens, d1.tokens, eps / 2, "tokens (binned by the bound)");
}

}  // namespace
