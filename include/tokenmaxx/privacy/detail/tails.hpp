// Internal to the privacy layer; include <tokenmaxx/privacy.hpp> instead.
// Tail probabilities of the noise distributions, used for confidence
// intervals and for the private partition-selection threshold.
//
// Discrete Laplace with scale b (q = exp(-1/b)): the tail is known in closed form,
//   P(X >= m) = q^m / (1 + q)            for m >= 0,
//   P(|X| >= m) = 2 q^m / (1 + q)        for m >= 1,
// so intervals and thresholds are exact up to the floating-point evaluation of q^m, which is made
// conservative by checking the neighbouring integers.
// Discrete Gaussian with variance parameter sigma^2: CKS 2020 show it is sub-Gaussian,
//   P(X >= m) <= exp(-m^2 / (2 sigma^2)),
// so the Gaussian intervals and thresholds below are valid (slightly conservative) bounds.
//
// These are post-processing computations in long double; none of them touches private data except
// through the public parameters.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace tokenmaxx::privacy_detail {

// log q for the discrete Laplace of scale t/s, i.e. -s/t.
inline long double laplace_log_q(std::uint64_t t, std::uint64_t s) {
  return -static_cast<long double>(s) / static_cast<long double>(t);
}

// P(X >= m) for the discrete Laplace of scale t/s, m >= 0.
inline long double laplace_upper_tail(std::uint64_t t, std::uint64_t s, std::int64_t m) {
  const long double lq = laplace_log_q(t, s);
  const long double q = std::exp(lq);
  return std::exp(static_cast<long double>(m) * lq) / (1.0L + q);
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

// Smallest m >= 0 with exp(-m^2 / (2 sigma^2)) <= beta, a bound on P(X >= m) for the discrete
// Gaussian (and, with beta = alpha / 2, on each side of a two-sided interval).
inline std::int64_t gaussian_one_sided(long double sigma, long double beta) {
  const long double m = sigma * std::sqrt(2.0L * std::log(1.0L / beta));
  return static_cast<std::int64_t>(std::ceil(m));
}

inline std::int64_t gaussian_half_width(long double sigma, long double alpha) {
  // P(|X| > m) <= 2 exp(-(m+1)^2 / (2 sigma^2)) <= alpha when m + 1 >= sigma sqrt(2 ln(2/alpha)).
  const std::int64_t m = gaussian_one_sided(sigma, alpha / 2.0L) - 1;
  return m < 0 ? 0 : m;
}

}  // namespace tokenmaxx::privacy_detail
