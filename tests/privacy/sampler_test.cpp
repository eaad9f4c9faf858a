// The exact samplers against their exact distributions: chi-square goodness of fit (fixed seeds,
// alpha = 1e-6), Kolmogorov-Smirnov for a large Gaussian, tail frequencies; the interval, threshold
// and selection-adjusted interval computations against their definitions; and a failing source of
// randomness, which must end every sampling loop with its error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "privacy_test_util.hpp"
#include "privacy_testing.hpp"
#include "tokenmaxx/privacy/detail/sampler.hpp"
#include "tokenmaxx/privacy/detail/tails.hpp"

namespace {

using tokenmaxx::privacy_detail::random_bits;
using tokenmaxx::privacy_testing::failing_source;
using seeded = tokenmaxx::privacy_testing::seeded_source;

// Chi-square statistic of `samples` against `pmf` on [-R, R] with bins of expected count >= 20 and
// the two tails lumped (tail mass = (1 - central mass) / 2 each, by symmetry). Returns {stat, df}.
std::pair<double, int> chi_square(const std::vector<std::int64_t>& samples, const std::function<long double(std::int64_t)>& pmf) {
  const long double n = static_cast<long double>(samples.size());
  std::int64_t r = 0;
  while (pmf(r + 1) * n >= 20) ++r;
  std::map<std::int64_t, long double> observed;
  long double left = 0, right = 0;
  for (std::int64_t x : samples) {
    if (x < -r) left += 1;
    else if (x > r) right += 1;
    else observed[x] += 1;
  }
  long double central = 0;
  long double stat = 0;
  int bins = 0;
  for (std::int64_t x = -r; x <= r; ++x) {
    const long double e = pmf(x) * n;
    central += pmf(x);
    const long double o = observed.count(x) ? observed[x] : 0;
    stat += (o - e) * (o - e) / e;
    ++bins;
  }
  const long double tail = (1.0L - central) / 2.0L * n;
  if (tail >= 5) {
    stat += (left - tail) * (left - tail) / tail + (right - tail) * (right - tail) / tail;
    bins += 2;
  } else {
    EXPECT_LE(left + right, std::max<long double>(20, tail * 40)) << "far too many tail samples";
  }
  return {static_cast<double>(stat), bins - 1};
}

long double laplace_pmf(std::uint64_t t, std::uint64_t s, std::int64_t x) {
  const long double q = std::exp(-static_cast<long double>(s) / static_cast<long double>(t));
  return (1 - q) / (1 + q) * std::pow(q, static_cast<long double>(std::llabs(x)));
}

struct gaussian_pmf {
  long double sigma2;
  long double z = 0;
  explicit gaussian_pmf(long double s2) : sigma2(s2) {
    const auto range = static_cast<std::int64_t>(std::sqrt(s2) * 40 + 10);
    for (std::int64_t x = -range; x <= range; ++x) z += std::exp(-static_cast<long double>(x) * x / (2 * sigma2));
  }
  long double operator()(std::int64_t x) const { return std::exp(-static_cast<long double>(x) * x / (2 * sigma2)) / z; }
};

TEST(PrivacySampler, UniformBelowMatchesUniform) {
  seeded rng(11);
  random_bits rb(rng);
  for (std::uint64_t n : {2ull, 3ull, 7ull, 10ull, 1000ull}) {
    std::vector<double> counts(n, 0);
    const int N = 200'000;
    for (int i = 0; i < N; ++i) {
      const absl::uint128 v = rb.uniform_below(n);
      ASSERT_LT(v, n);
      counts[absl::Uint128Low64(v)] += 1;
    }
    const double e = static_cast<double>(N) / n;
    double stat = 0;
    for (double o : counts) stat += (o - e) * (o - e) / e;
    EXPECT_LT(stat, privacy_test::chi2_critical(static_cast<int>(n) - 1, privacy_test::z_1e6)) << "n=" << n;
  }
  // 128-bit range: values stay below n and the top half is hit half the time.
  const absl::uint128 big = absl::MakeUint128(3, 12345);  // 3 * 2^64 + 12345
  int above_half = 0;
  for (int i = 0; i < 20'000; ++i) {
    const absl::uint128 v = rb.uniform_below(big);
    ASSERT_LT(v, big);
    if (v >= big / 2) ++above_half;
  }
  EXPECT_NEAR(above_half, 10'000, 5.3 * std::sqrt(5000.0));
  EXPECT_EQ(rb.uniform_below(1), 0u);
  EXPECT_TRUE(rb.status().ok());
}

TEST(PrivacySampler, BernoulliExpMatchesExp) {
  seeded rng(12);
  random_bits rb(rng);
  const int N = 200'000;
  for (auto [n, d] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 1}, {1, 3}, {1, 1}, {5, 2}, {7, 1}, {999'999, 1'000'000}}) {
    int hits = 0;
    for (int i = 0; i < N; ++i) hits += tokenmaxx::privacy_detail::bernoulli_exp(rb, n, d) ? 1 : 0;
    const double p = std::exp(-static_cast<double>(n) / static_cast<double>(d));
    const double sd = std::sqrt(N * p * (1 - p));
    EXPECT_NEAR(hits, N * p, 5.3 * sd + 1e-9) << n << "/" << d;
  }
}

TEST(PrivacySampler, DiscreteLaplaceChiSquare) {
  const int N = 200'000;
  std::uint64_t seed = 100;
  for (auto [t, s] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {1, 1}, {3, 1}, {5, 2}, {1, 4}, {10, 1}, {3'000'000'000'000ull, 1'000'000'000'000ull}}) {
    seeded rng(seed++);
    random_bits rb(rng);
    std::vector<std::int64_t> xs(N);
    for (auto& x : xs) x = tokenmaxx::privacy_detail::discrete_laplace(rb, t, s);
    auto [stat, df] = chi_square(xs, [t = t, s = s](std::int64_t x) { return laplace_pmf(t, s, x); });
    ASSERT_GE(df, 1);
    EXPECT_LT(stat, privacy_test::chi2_critical(df, privacy_test::z_1e6)) << "scale " << t << "/" << s << " df " << df;
  }
}

TEST(PrivacySampler, DiscreteLaplaceTailsMatchClosedForm) {
  seeded rng(21);
  random_bits rb(rng);
  const std::uint64_t t = 3, s = 1;
  const int N = 400'000;
  std::vector<std::int64_t> xs(N);
  for (auto& x : xs) x = tokenmaxx::privacy_detail::discrete_laplace(rb, t, s);
  const long double q = std::exp(-1.0L / 3.0L);
  for (std::int64_t m : {5, 10, 20, 30}) {
    const long double p = 2 * std::pow(q, static_cast<long double>(m)) / (1 + q);  // P(|X| >= m)
    const auto count = std::count_if(xs.begin(), xs.end(), [m](std::int64_t x) { return std::llabs(x) >= m; });
    const double sd = std::sqrt(static_cast<double>(N * p * (1 - p)));
    EXPECT_NEAR(static_cast<double>(count), static_cast<double>(N * p), 5.3 * sd + 3) << "m=" << m;
  }
  // Nothing absurd: P(|X| >= 120) = 2 q^120 / (1+q) ~ 5e-18.
  EXPECT_LT(std::llabs(*std::max_element(xs.begin(), xs.end(), [](auto a, auto b) { return std::llabs(a) < std::llabs(b); })), 120);
}

TEST(PrivacySampler, DiscreteGaussianChiSquare) {
  const int N = 200'000;
  std::uint64_t seed = 300;
  for (auto [a, b] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1, 1}, {2, 1}, {10, 3}, {1, 4}, {200, 1}, {45, 2}}) {
    seeded rng(seed++);
    random_bits rb(rng);
    auto g = *tokenmaxx::privacy_detail::discrete_gaussian_sampler::create(tokenmaxx::privacy_detail::bn_from_u64(a),
                                                                          tokenmaxx::privacy_detail::bn_from_u64(b));
    std::vector<std::int64_t> xs(N);
    for (auto& x : xs) x = g.sample(rb);
    gaussian_pmf pmf(static_cast<long double>(a) / b);
    auto [stat, df] = chi_square(xs, std::cref(pmf));
    ASSERT_GE(df, 1);
    EXPECT_LT(stat, privacy_test::chi2_critical(df, privacy_test::z_1e6)) << "sigma^2 " << a << "/" << b;
  }
}

// For large sigma (exercising the BIGNUM acceptance test far beyond 64 bits) the discrete Gaussian
// is within 1e-300 of the continuous normal CDF at half-integers; compare with Kolmogorov-Smirnov.
TEST(PrivacySampler, DiscreteGaussianLargeSigmaKolmogorovSmirnov) {
  // sigma^2 = 1e30 / 7 (sigma ~ 3.8e14).
  BIGNUM* raw = nullptr;
  ASSERT_EQ(BN_dec2bn(&raw, "1000000000000000000000000000000"), 31);
  tokenmaxx::privacy_detail::bn_ptr a(raw);
  auto g = *tokenmaxx::privacy_detail::discrete_gaussian_sampler::create(std::move(a), tokenmaxx::privacy_detail::bn_from_u64(7));
  const long double sigma = std::sqrt(1e30L / 7);
  seeded rng(77);
  random_bits rb(rng);
  const int N = 50'000;
  std::vector<long double> xs(N);
  for (auto& x : xs) x = static_cast<long double>(g.sample(rb));
  std::sort(xs.begin(), xs.end());
  long double d = 0;
  for (int i = 0; i < N; ++i) {
    const long double cdf = 0.5L * std::erfc(-(xs[i] + 0.5L) / (sigma * std::sqrt(2.0L)));
    d = std::max({d, std::fabs(cdf - static_cast<long double>(i + 1) / N), std::fabs(cdf - static_cast<long double>(i) / N)});
  }
  const double critical = std::sqrt(-std::log(1e-6 / 2) / (2.0 * N));
  EXPECT_LT(static_cast<double>(d), critical);
}

TEST(PrivacySampler, LaplaceHalfWidthMatchesDefinition) {
  for (auto [t, s] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1, 1}, {3, 1}, {7, 2}, {1'000'000, 3}, {4, 9}}) {
    for (long double alpha : {0.05L, 0.01L, 1e-6L}) {
      const std::int64_t m = tokenmaxx::privacy_detail::laplace_half_width(t, s, alpha);
      const long double q = std::exp(-static_cast<long double>(s) / t);
      auto beyond = [&](std::int64_t w) { return 2 * std::pow(q, static_cast<long double>(w + 1)) / (1 + q); };
      EXPECT_LE(beyond(m), alpha);
      if (m > 0) {
        EXPECT_GT(beyond(m - 1), alpha);
      }
    }
  }
}

TEST(PrivacySampler, LaplaceIntervalCoverageEmpirical) {
  seeded rng(5);
  random_bits rb(rng);
  const std::uint64_t t = 9, s = 2;
  const std::int64_t m = tokenmaxx::privacy_detail::laplace_half_width(t, s, 0.05L);
  const int N = 100'000;
  int inside = 0;
  for (int i = 0; i < N; ++i) inside += std::llabs(tokenmaxx::privacy_detail::discrete_laplace(rb, t, s)) <= m ? 1 : 0;
  const double p = static_cast<double>(inside) / N;
  EXPECT_GE(p, 0.95 - 5.3 * std::sqrt(0.05 * 0.95 / N));
  // And not grossly conservative: the next smaller interval must miss more than 5% in theory.
  const long double q = std::exp(-2.0L / 9);
  EXPECT_GT(2 * std::pow(q, static_cast<long double>(m)) / (1 + q), 0.05L);
}

// Exact tail P(X >= m) of the discrete Gaussian by summation (sigma^2 small enough to sum).
long double gaussian_exact_upper(const gaussian_pmf& pmf, std::int64_t m) {
  const auto range = std::max<std::int64_t>(static_cast<std::int64_t>(std::sqrt(pmf.sigma2) * 40 + 10), std::abs(m) + 60);
  long double tail = 0;
  for (std::int64_t x = std::max(m, -range); x <= range; ++x) tail += pmf(x);
  return tail;
}

TEST(PrivacySampler, GaussianThresholdBoundIsValid) {
  // The selection threshold rests on the sub-Gaussian bound: the exact tail at it is below beta.
  for (long double s2 : {0.3L, 1.0L, 10.0L, 250.0L}) {
    const gaussian_pmf pmf(s2);
    for (long double beta : {1e-2L, 1e-4L, 1e-9L}) {
      const std::int64_t m = tokenmaxx::privacy_detail::gaussian_one_sided(std::sqrt(s2), beta);
      EXPECT_LE(gaussian_exact_upper(pmf, m), beta) << "sigma^2 " << static_cast<double>(s2);
    }
  }
}

TEST(PrivacySampler, GaussianHalfWidthIsValidAndTight) {
  // Both sides: the interval covers at least 1 - alpha (exact tail by summation), and it is no more
  // than one unit wider than the narrowest interval that does.
  for (long double s2 : {0.3L, 1.0L, 2.0L, 10.0L, 250.0L, 4000.0L}) {
    const gaussian_pmf pmf(s2);
    for (long double alpha : {0.2L, 0.05L, 0.01L, 1e-4L}) {
      const std::int64_t h = tokenmaxx::privacy_detail::gaussian_half_width(std::sqrt(s2), alpha);
      const auto outside = [&](std::int64_t w) { return 2 * gaussian_exact_upper(pmf, w + 1); };  // P(|X| > w)
      std::int64_t narrowest = 0;
      while (outside(narrowest) > alpha) ++narrowest;
      EXPECT_LE(outside(h), alpha) << "sigma^2 " << static_cast<double>(s2) << " alpha " << static_cast<double>(alpha);
      EXPECT_GE(h, narrowest);
      EXPECT_LE(h, narrowest + 1) << "sigma^2 " << static_cast<double>(s2) << " alpha " << static_cast<double>(alpha);
    }
  }
}

TEST(PrivacySampler, GaussianTailBoundsBracketTheExactTail) {
  for (long double s2 : {0.3L, 1.0L, 10.0L, 250.0L}) {
    const gaussian_pmf pmf(s2);
    for (std::int64_t m : {-40, -5, -1, 0, 1, 2, 5, 17, 60}) {
      const long double exact = std::log(gaussian_exact_upper(pmf, m));
      const auto b = tokenmaxx::privacy_detail::gaussian_log_upper(std::sqrt(s2), m);
      EXPECT_LE(b.lo, exact + 1e-12L) << "sigma^2 " << static_cast<double>(s2) << " m " << m;
      EXPECT_GE(b.hi, exact - 1e-12L) << "sigma^2 " << static_cast<double>(s2) << " m " << m;
    }
  }
}

// Draws c + noise until `selected` releases pass y >= threshold; returns how many adjusted intervals
// contain c, and the widths seen far above the threshold.
template <class Draw, class LogUpper>
int selected_coverage(Draw draw, const LogUpper& log_upper, std::int64_t c, std::int64_t threshold, std::int64_t k,
                      long double alpha, int selected) {
  int covered = 0;
  for (int n = 0; n < selected;) {
    const std::int64_t y = c + draw();
    if (y < threshold) continue;
    ++n;
    const auto [lo, hi] = tokenmaxx::privacy_detail::selection_adjusted_interval(log_upper, y, threshold, k, alpha);
    EXPECT_LE(lo, hi);
    EXPECT_GE(lo, k);
    covered += lo <= c && c <= hi;
  }
  return covered;
}

TEST(PrivacySampler, SelectionAdjustedIntervalsCoverAtTheStatedRate) {
  const int n = 4000;
  const double floor = 0.95 - 5.3 * std::sqrt(0.95 * 0.05 / n);
  seeded rng(31);
  random_bits rb(rng);
  // Laplace scale 2, threshold 28, k 5: a count of 20 is released only on large noise (the case
  // where unconditional intervals never cover), counts near and above the threshold too.
  const auto laplace_upper = [](std::int64_t m) {
    const long double v = tokenmaxx::privacy_detail::laplace_log_upper(2, 1, m);
    return tokenmaxx::privacy_detail::log_tail{v, v};
  };
  for (std::int64_t c : {20, 26, 30, 60}) {
    const int covered = selected_coverage([&] { return tokenmaxx::privacy_detail::discrete_laplace(rb, 2, 1); },
                                          laplace_upper, c, 28, 5, 0.05L, n);
    EXPECT_GE(covered / double(n), floor) << "Laplace, true count " << c;
  }
  // Far above the threshold selection hardly matters: the interval is the unconditional one.
  const std::int64_t h = tokenmaxx::privacy_detail::laplace_half_width(2, 1, 0.05L);
  const auto far = tokenmaxx::privacy_detail::selection_adjusted_interval(laplace_upper, 200, 28, 5, 0.05L);
  EXPECT_NEAR(far.first, 200 - h, 1);
  EXPECT_NEAR(far.second, 200 + h, 1);
  // Discrete Gaussian, sigma^2 = 10.
  auto g = *tokenmaxx::privacy_detail::discrete_gaussian_sampler::create(tokenmaxx::privacy_detail::bn_from_u64(10),
                                                                        tokenmaxx::privacy_detail::bn_from_u64(1));
  const long double sigma = std::sqrt(10.0L);
  const auto gaussian_upper = [&](std::int64_t m) { return tokenmaxx::privacy_detail::gaussian_log_upper(sigma, m); };
  for (std::int64_t c : {12, 20, 40}) {
    const int covered = selected_coverage([&] { return g.sample(rb); }, gaussian_upper, c, 22, 5, 0.05L, n);
    EXPECT_GE(covered / double(n), floor) << "Gaussian, true count " << c;
  }
  ASSERT_TRUE(rb.status().ok());
}

TEST(PrivacySampler, FailingRandomnessEndsEverySamplerWithItsError) {
  // Fail at every refill from the first to the 40th, in each sampler, with scales that exercise
  // every loop (large Laplace scales, small and huge Gaussians); each call must return promptly and
  // the error must be reported.
  BIGNUM* raw = nullptr;
  ASSERT_GT(BN_dec2bn(&raw, "1000000000000000000000000000000"), 0);
  auto huge = *tokenmaxx::privacy_detail::discrete_gaussian_sampler::create(tokenmaxx::privacy_detail::bn_ptr(raw),
                                                                           tokenmaxx::privacy_detail::bn_from_u64(7));
  auto small = *tokenmaxx::privacy_detail::discrete_gaussian_sampler::create(tokenmaxx::privacy_detail::bn_from_u64(1),
                                                                            tokenmaxx::privacy_detail::bn_from_u64(3));
  for (std::size_t refills = 0; refills < 40; ++refills) {
    for (int sampler = 0; sampler < 4; ++sampler) {
      failing_source src(refills * 512);
      random_bits rb(src);
      for (int i = 0; i < 100'000 && !rb.failed(); ++i) {
        switch (sampler) {
          case 0: tokenmaxx::privacy_detail::discrete_laplace(rb, 3'000'000'000'000ull, 7); break;
          case 1: tokenmaxx::privacy_detail::discrete_laplace(rb, 1, 5); break;
          case 2: small.sample(rb); break;
          default: huge.sample(rb); break;
        }
      }
      ASSERT_TRUE(rb.failed()) << "sampler " << sampler << " after " << refills << " refills";
      EXPECT_EQ(rb.status().code(), absl::StatusCode::kInternal);
      EXPECT_NE(rb.status().message().find("RAND_bytes"), std::string_view::npos);
      // Once failed, draws end at once and yield nothing.
      EXPECT_EQ(tokenmaxx::privacy_detail::discrete_laplace(rb, 5, 1), 0);
      EXPECT_EQ(huge.sample(rb), 0);
      EXPECT_EQ(src.calls(), static_cast<int>(refills) + 1);  // the failed source is not asked again
    }
  }
}

}  // namespace
