// Internal to the privacy layer; include <tokenmaxx/privacy/aggregator.hpp> instead.
// Noise calibration: from a release's (epsilon, delta), mechanism, contribution bounds and group
// selection to the noise of every metric, the charged cost and the selection threshold.
//
//   * epsilon is split evenly over the released metrics (active people first, then the others).
//   * Laplace: L1 sensitivity of a metric = L0 x bound (L0 = max_groups_per_person); the scale is
//     the exact rational (L0 bound 1e6) / epsilon_metric_millionths, so noise and charge use the
//     same rounded epsilon.
//   * Gaussian: L2 sensitivity^2 = L0 x bound^2; rho-zCDP converts to (epsilon, delta)-DP by
//     epsilon = rho + 2 sqrt(rho ln(1/delta)) (Bun and Steinke 2016, Prop. 1.3); the largest rho meeting
//     epsilon is split over the metrics and rounded down to a multiple of 1e-12 (more noise, never less).
//   * delta: private selection takes all of it (Laplace) or half (Gaussian), the Gaussian the rest;
//     public Laplace releases charge delta = 0.
//   * Private selection threshold = k + m + 1 with m the smallest integer such that P(noise >= m)
//     <= delta_selection / L0: a group with true count k - 1 (absent) that gains one person appears
//     with probability at most delta_selection / L0 per group it can reach. The + 1 absorbs rounding
//     in the tail computation.
// Everything here is a function of public parameters only.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/privacy/detail/bignum.hpp"
#include "tokenmaxx/privacy/detail/sampler.hpp"
#include "tokenmaxx/privacy/detail/tails.hpp"
#include "tokenmaxx/privacy/report.hpp"

namespace tokenmaxx::privacy_detail {

// The noise of one metric in one release.
struct metric_noise {
  adoption_metric metric = adoption_metric::active_people;
  std::int64_t bound = 1;         // L-infinity per person and group
  std::uint64_t t = 1, s = 1;     // Laplace: scale t/s
  std::shared_ptr<discrete_gaussian_sampler> gaussian;  // Gaussian: sigma^2 exact, sigma below
  double scale = 0;               // reported noise scale (Laplace b or Gaussian sigma)
  std::int64_t half_width = 0;    // of the (confidence) interval

  // One noise draw; 0 once `rb` has failed (check rb.status()).
  std::int64_t sample(random_bits& rb) const { return gaussian ? gaussian->sample(rb) : discrete_laplace(rb, t, s); }

  // Bounds on log P(noise >= m), for selection-adjusted intervals.
  log_tail log_upper(std::int64_t m) const {
    if (gaussian) return gaussian_log_upper(static_cast<long double>(scale), m);
    const long double v = laplace_log_upper(t, s, m);
    return {v, v};
  }
};

struct calibration_request {
  noise_mechanism mechanism = noise_mechanism::laplace;
  std::int64_t epsilon_millionths = 0;  // > 0
  std::int64_t delta_atto = 0;          // >= 0
  bool private_selection = false;
  std::int64_t max_groups_per_person = 1;  // L0
  std::int64_t min_group_size = 2;         // k
  // The metrics to release with their L-infinity bounds; active people (bound 1) comes first.
  std::vector<std::pair<adoption_metric, std::int64_t>> metrics;
  double confidence = 0.95;
};

struct noise_plan {
  std::int64_t epsilon_millionths = 0;  // what the release is charged
  std::int64_t delta_atto = 0;
  std::vector<metric_noise> metrics;    // in the request's order
  std::int64_t selection_threshold = 0; // private selection only
};

// InvalidArgument when the request cannot be met (delta missing where needed, epsilon too small to
// split, a noise scale beyond the samplers' range).
inline absl::StatusOr<noise_plan> calibrate(const calibration_request& r) {
  const bool gaussian = r.mechanism == noise_mechanism::gaussian;
  if (r.metrics.empty() || r.metrics.front().first != adoption_metric::active_people || r.metrics.front().second != 1) {
    return absl::InvalidArgumentError("calibrate: active people (bound 1) must be the first metric");
  }
  if (r.epsilon_millionths < 1) return absl::InvalidArgumentError("calibrate: epsilon must be positive");
  if ((gaussian || r.private_selection) && r.delta_atto <= 0) {
    return absl::InvalidArgumentError(
        std::string(gaussian ? "the Gaussian mechanism" : "private group selection (no public_groups)") +
        " needs delta > 0 (e.g. 1e-8, well below 1 / number of people)");
  }
  if (!(r.confidence >= 0.5 && r.confidence <= 0.999999)) {
    return absl::InvalidArgumentError("calibrate: confidence must be in [0.5, 0.999999]");
  }
  noise_plan plan;
  plan.epsilon_millionths = r.epsilon_millionths;
  plan.delta_atto = (gaussian || r.private_selection) ? r.delta_atto : 0;
  const std::int64_t l0 = r.max_groups_per_person;
  const auto m = static_cast<std::int64_t>(r.metrics.size());
  const long double alpha = 1.0L - static_cast<long double>(r.confidence);
  const long double delta = static_cast<long double>(plan.delta_atto) / 1e18L;
  const long double delta_selection = r.private_selection ? (gaussian ? delta / 2 : delta) : 0;
  const long double delta_gaussian = gaussian ? (r.private_selection ? delta / 2 : delta) : 0;

  long double rho_per_metric = 0;
  if (gaussian) {
    const long double L = std::log(1.0L / delta_gaussian);
    const long double eps = static_cast<long double>(r.epsilon_millionths) / 1e6L;
    const long double root = std::sqrt(L + eps) - std::sqrt(L);
    rho_per_metric = root * root / static_cast<long double>(m);
  }
  std::int64_t one_sided_at = 0;  // active people: smallest m with P(noise >= m) <= delta_selection / L0
  for (auto [metric, bound] : r.metrics) {
    metric_noise mn;
    mn.metric = metric;
    mn.bound = bound;
    if (!gaussian) {
      const std::int64_t eps_metric = r.epsilon_millionths / m;
      if (eps_metric < 1) return absl::InvalidArgumentError("epsilon too small to split over the metrics");
      std::uint64_t t = static_cast<std::uint64_t>(l0) * static_cast<std::uint64_t>(bound) * 1'000'000u;
      std::uint64_t s = static_cast<std::uint64_t>(eps_metric);
      const std::uint64_t g = std::gcd(t, s);
      t /= g;
      s /= g;
      if (t >= (std::uint64_t{1} << 62)) return absl::InvalidArgumentError("noise scale too large");
      mn.t = t;
      mn.s = s;
      mn.scale = static_cast<double>(static_cast<long double>(t) / static_cast<long double>(s));
      mn.half_width = laplace_half_width(t, s, alpha);
      if (metric == adoption_metric::active_people && r.private_selection) {
        one_sided_at = laplace_one_sided(t, s, delta_selection / static_cast<long double>(l0));
      }
    } else {
      // sigma^2 = L0 bound^2 / (2 rho) with rho = r_pico 1e-12: sigma^2 = L0 bound^2 1e12 / (2 r_pico).
      const auto r_pico = static_cast<std::uint64_t>(std::floor(rho_per_metric * 1e12L));
      if (r_pico < 1) return absl::InvalidArgumentError("epsilon too small for the Gaussian mechanism");
      const long double sigma2 = static_cast<long double>(l0) * static_cast<long double>(bound) *
                                 static_cast<long double>(bound) * 1e12L / (2.0L * static_cast<long double>(r_pico));
      if (sigma2 > 1e35L) return absl::InvalidArgumentError("noise scale too large for the Gaussian mechanism");
      bn_ctx_ptr ctx(BN_CTX_new());
      bn_ptr a = bn_from_u64(static_cast<std::uint64_t>(l0));
      const bn_ptr b = bn_from_u64(static_cast<std::uint64_t>(bound));
      const bn_ptr tera = bn_from_u64(1'000'000'000'000ull);
      BN_mul(a.get(), a.get(), b.get(), ctx.get());
      BN_mul(a.get(), a.get(), b.get(), ctx.get());
      BN_mul(a.get(), a.get(), tera.get(), ctx.get());
      absl::StatusOr<discrete_gaussian_sampler> sampler =
          discrete_gaussian_sampler::create(std::move(a), bn_from_u64(2 * r_pico));
      if (!sampler.ok()) return sampler.status();
      mn.gaussian = std::make_shared<discrete_gaussian_sampler>(std::move(*sampler));
      const long double sigma = std::sqrt(sigma2);
      mn.scale = static_cast<double>(sigma);
      mn.half_width = gaussian_half_width(sigma, alpha);
      if (metric == adoption_metric::active_people && r.private_selection) {
        one_sided_at = gaussian_one_sided(sigma, delta_selection / static_cast<long double>(l0));
      }
    }
    plan.metrics.push_back(std::move(mn));
  }
  plan.selection_threshold = r.private_selection ? r.min_group_size + one_sided_at + 1 : 0;
  return plan;
}

}  // namespace tokenmaxx::privacy_detail
