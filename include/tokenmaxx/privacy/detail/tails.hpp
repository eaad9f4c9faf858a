// Internal to the privacy layer; include <tokenmaxx/privacy/aggregator.hpp> instead.
// Tail probabilities of the noise distributions, for confidence intervals and for the private
// partition-selection threshold.
//
// Discrete Laplace with scale b (q = exp(-1/b)): the tail is known in closed form,
//   P(X >= m) = q^m / (1 + q)            for m >= 0,
//   P(|X| >= m) = 2 q^m / (1 + q)        for m >= 1,
// so its intervals and thresholds are exact up to the floating-point evaluation of q^m, made
// conservative by checking the neighbouring integers.
// Discrete Gaussian with variance parameter sigma^2 (f(x) = exp(-x^2 / (2 sigma^2)), normaliser N):
//   * the selection threshold (which the privacy guarantee rests on) uses the sub-Gaussian bound of
//     Canonne, Kamath and Steinke 2020: P(X >= m) <= exp(-m^2 / (2 sigma^2));
//   * intervals use two-sided bounds on P(X >= m), m >= 1: f decreases on m.., so
//     I(m) <= sum_{x >= m} f(x) <= f(m) + I(m) with I(m) = sigma sqrt(2 pi) Q(m / sigma), and by the
//     Jacobi theta identity sigma sqrt(2 pi) <= N <= sigma sqrt(2 pi) (1 + 2e / (1 - e)),
//     e = exp(-2 pi^2 sigma^2). Intervals built from the upper bound are valid and within a unit or
//     two of the exact ones.
//
// These are post-processing computations in long double on public parameters and released values;
// none of them touches private data.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <utility>

namespace tokenmaxx::privacy_detail {

// Lower and upper bounds on log P(X >= m).
struct log_tail {
  long double lo = 0;
  long double hi = 0;
};

// log q for the discrete Laplace of scale t/s, i.e. -s/t.
inline long double laplace_log_q(std::uint64_t t, std::uint64_t s) {
  return -static_cast<long double>(s) / static_cast<long double>(t);
}

// log P(X >= m) for the discrete Laplace of scale t/s, any integer m (exact up to rounding).
inline long double laplace_log_upper(std::uint64_t t, std::uint64_t s, std::int64_t m) {
  const long double lq = laplace_log_q(t, s);
  const long double log_1pq = std::log1p(std::exp(lq));
  if (m >= 0) return static_cast<long double>(m) * lq - log_1pq;
  // P(X >= m) = 1 - P(X >= 1 - m) by symmetry.
  return std::log(-std::expm1(static_cast<long double>(1 - m) * lq - log_1pq));
}

// P(X >= m) for the discrete Laplace of scale t/s, m >= 0.
inline long double laplace_upper_tail(std::uint64_t t, std::uint64_t s, std::int64_t m) {
  return std::exp(laplace_log_upper(t, s, m));
}

// Smallest m >= 0 with P(|X| > m) <= alpha: the half-width of a (1 - alpha) interval.
inline std::int64_t laplace_half_width(std::uint64_t t, std::uint64_t s, long double alpha) {
  const long double lq = laplace_log_q(t, s);
  const long double q = std::exp(lq);
  auto tail_beyond = [&](std::int64_t m) {  // P(|X| > m) = P(|X| >= m + 1)
    return 2.0L * std::exp(static_cast<long double>(m + 1) * lq) / (1.0L + q);
  };
  const long double target = std::log(alpha * (1.0L + q) / 2.0L) / lq - 1.0L;
  std::int64_t m = target <= 0 ? 0 : static_cast<std::int64_t>(std::ceil(target));
  while (m > 0 && tail_beyond(m - 1) <= alpha) --m;
  while (tail_beyond(m) > alpha) ++m;
  return m;
}

// Smallest m >= 0 with P(X >= m) <= beta (one-sided), discrete Laplace of scale t/s.
inline std::int64_t laplace_one_sided(std::uint64_t t, std::uint64_t s, long double beta) {
  const long double lq = laplace_log_q(t, s);
  const long double q = std::exp(lq);
  const long double target = std::log(beta * (1.0L + q)) / lq;
  std::int64_t m = target <= 0 ? 0 : static_cast<std::int64_t>(std::ceil(target));
  while (m > 0 && laplace_upper_tail(t, s, m - 1) <= beta) --m;
  while (laplace_upper_tail(t, s, m) > beta) ++m;
  return m;
}

// Smallest m >= 0 with exp(-m^2 / (2 sigma^2)) <= beta: a sub-Gaussian bound on P(X >= m) for the
// discrete Gaussian, used for the selection threshold.
inline std::int64_t gaussian_one_sided(long double sigma, long double beta) {
  const long double m = sigma * std::sqrt(2.0L * std::log(1.0L / beta));
  return static_cast<std::int64_t>(std::ceil(m));
}

// log Q(x) = log P(N(0,1) >= x) for x >= 0, with Mills-ratio bounds where erfc underflows.
inline log_tail log_normal_upper(long double x) {
  if (x < 25) {
    const long double v = std::log(0.5L * std::erfc(x / std::numbers::sqrt2_v<long double>));
    return {v, v};
  }
  const long double log_phi = -x * x / 2 - 0.5L * std::log(2 * std::numbers::pi_v<long double>);
  return {log_phi + std::log(x / (x * x + 1)), log_phi - std::log(x)};
}

// Bounds on log P(X >= m) for the discrete Gaussian with parameter sigma (see the header comment).
inline log_tail gaussian_log_upper(long double sigma, std::int64_t m) {
  constexpr long double pi = std::numbers::pi_v<long double>;
  const long double root = sigma * std::sqrt(2 * pi);
  const long double e = std::exp(-2 * pi * pi * sigma * sigma);
  const long double log_n_lo = std::log(root);
  const long double log_n_hi = log_n_lo + std::log1p(2 * e / (1 - e));
  const auto tail_at = [&](std::int64_t k) {  // bounds on log P(X >= k) for k >= 1
    const long double mk = static_cast<long double>(k);
    const log_tail q = log_normal_upper(mk / sigma);
    const long double log_integral_lo = std::log(root) + q.lo, log_integral_hi = std::log(root) + q.hi;
    const long double log_f = -mk * mk / (2 * sigma * sigma);
    const long double big = std::max(log_f, log_integral_hi), small = std::min(log_f, log_integral_hi);
    return log_tail{log_integral_lo - log_n_hi, big + std::log1p(std::exp(small - big)) - log_n_lo};
  };
  if (m >= 1) {
    log_tail t = tail_at(m);
    t.hi = std::min(t.hi, 0.0L);
    return t;
  }
  // P(X >= m) = 1 - P(X >= 1 - m), 1 - m >= 1: the bounds swap.
  const log_tail other = tail_at(1 - m);
  return {std::log(-std::expm1(std::min(other.hi, 0.0L))), std::log(-std::expm1(other.lo))};
}

// Smallest m >= 0 whose bound on P(|X| > m) = 2 P(X >= m + 1) is <= alpha: a valid (1 - alpha)
// half-width for the discrete Gaussian, a unit or two above the exact one.
inline std::int64_t gaussian_half_width(long double sigma, long double alpha) {
  const long double log_alpha_half = std::log(alpha / 2);
  std::int64_t lo = 0, hi = gaussian_one_sided(sigma, alpha / 2);  // the sub-Gaussian bound holds at hi
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (gaussian_log_upper(sigma, mid + 1).hi <= log_alpha_half) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// A (1 - alpha) confidence interval for a count c >= min_truth that was released as y only because
// y >= threshold (private partition selection). Conditioning on that selection, the values of c a
// two-sided test at level alpha does not reject form an interval (the noise is log-concave, so the
// conditional law of y is stochastically increasing in c):
//   P(Y >= y | Y >= T; c) = P(X >= y - c) / P(X >= T - c)          > alpha / 2, and
//   P(Y <= y | Y >= T; c) = 1 - P(X >= y - c + 1) / P(X >= T - c)   > alpha / 2.
// `log_upper(m)` gives bounds on log P(X >= m); each test uses the bound that accepts more values
// of c, so the interval only widens. Requires y >= threshold > min_truth.
template <class LogUpper>
std::pair<std::int64_t, std::int64_t> selection_adjusted_interval(const LogUpper& log_upper, std::int64_t y,
                                                                  std::int64_t threshold, std::int64_t min_truth,
                                                                  long double alpha) {
  const long double log_half_alpha = std::log(alpha / 2);
  const auto upper_side_accepts = [&](std::int64_t c) {  // P(Y >= y | sel; c) > alpha / 2
    return log_upper(y - c).hi - log_upper(threshold - c).lo > log_half_alpha;
  };
  const auto lower_side_accepts = [&](std::int64_t c) {  // P(Y <= y | sel; c) > alpha / 2
    const long double log_ratio = log_upper(y - c + 1).lo - log_upper(threshold - c).hi;
    return std::log(-std::expm1(std::min(log_ratio, 0.0L))) > log_half_alpha;
  };
  // Lowest accepted c: upper_side_accepts is false below it and true from it up to y.
  std::int64_t lo = min_truth, hi = std::max(y, min_truth);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (upper_side_accepts(mid)) hi = mid;
    else lo = mid + 1;
  }
  const std::int64_t c_low = lo;
  // Highest accepted c: lower_side_accepts is true up to it and false above; find a rejected c first.
  std::int64_t accepted = std::max(y, min_truth), step = 1;
  if (!lower_side_accepts(min_truth)) return {c_low, std::max(c_low, min_truth)};
  if (!lower_side_accepts(accepted)) {
    lo = min_truth;
    hi = accepted;
  } else {
    std::int64_t rejected = accepted;
    while (lower_side_accepts(rejected)) {
      accepted = rejected;
      if (rejected > std::numeric_limits<std::int64_t>::max() - step) return {c_low, rejected};
      rejected += step;
      step *= 2;
    }
    lo = accepted;
    hi = rejected;
  }
  while (hi - lo > 1) {  // lower_side_accepts(lo), not lower_side_accepts(hi)
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (lower_side_accepts(mid)) lo = mid;
    else hi = mid;
  }
  return {c_low, std::max(lo, c_low)};
}

}  // namespace tokenmaxx::privacy_detail
