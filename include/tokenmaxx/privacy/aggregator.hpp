// tokenmaxx/privacy/aggregator.hpp: privacy-preserving AI adoption metrics per team and workflow, never per person.
//
// An `adoption_aggregator` collects raw usage events for one period (a week, say) and releases, per
// group of caller-defined dimensions (team, workflow, model, ...), the number of active people, the
// adoption share (active people / headcount), tokens, requests and cost. What leaves it is only an
// `adoption_report` (adoption_report.hpp) that passed the release gate:
//
//   1. Pseudonyms at ingestion: the person identifier of each event is replaced at once by a keyed
//      HMAC-SHA256 pseudonym rotated per period (pseudonym.hpp); raw identifiers are never stored.
//   2. Contribution bounding, in the library: per person and period, at most `max_groups_per_person`
//      groups (those where the person used the most tokens), and each of the person's totals in a
//      group clamped to `max_tokens` / `max_requests` / `max_cost_micros`. The noise sensitivity is
//      derived from these bounds, never supplied by the caller.
//   3. Minimum group size k (`min_group_size`, default 5): a group with fewer than k distinct active
//      people is never released.
//   4. Group selection: with a caller-supplied public group list (an org chart) exactly those groups
//      are reported, small ones marked suppressed; otherwise a group must also pass a noisy threshold
//      (private partition selection), which makes the set of reported groups itself private.
//   5. Integer-exact noise on every number: discrete Laplace (epsilon-DP) or discrete Gaussian
//      (zCDP, converted to (epsilon, delta)), drawn with OpenSSL's CSPRNG unless a test explicitly
//      passes `insecure_seeded_rng_for_tests`. Each value carries its noise scale and an interval.
//   6. Budget: every release spends its (epsilon, delta) from the period's budget in a shared
//      `privacy_accountant` (privacy_budget.hpp), atomically, with an audit-log line; a release that
//      would exceed the budget is refused with absl::ResourceExhaustedError.
//
// There is no function that returns anything about one person, not even true counts: the only
// outputs are `release()` and `events_ingested()`. The privacy unit is "a person in a period"; see
// docs/PRIVACY.md for the guarantees in plain words and how to choose epsilon and k.
//
// Errors: bad input (wrong number of dimension values, negative amounts, events outside the window,
// invalid UTF-8, empty ids, out-of-range parameters) returns absl::InvalidArgumentError or
// absl::OutOfRangeError naming the problem; nothing is silently dropped or zeroed.
//
// Thread safety: add() and release() may be called concurrently from any number of threads. A
// release sees every add() that completed before it started.
//
// Example:
//   auto key = tokenmaxx::master_key::generate();
//   auto accountant = tokenmaxx::privacy_accountant::create({.epsilon_per_period = 2.0});
//   auto agg = tokenmaxx::adoption_aggregator::create({.dimensions = {"team", "workflow"}, .period = "2025-W14",
//       .window_start = monday, .window_end = monday + std::chrono::weeks(1), .accountant = *accountant},
//       *tokenmaxx::pseudonymizer::create(*key, "2025-W14"));
//   std::array<std::string_view, 2> g{"search", "code review"};
//   (*agg)->add({.person_id = "alice@example.com", .group = g, .tokens = 5200, .requests = 3, .time = t});
//   std::cout << (*agg)->release({.epsilon = 1.0})->to_text();
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/privacy/report.hpp"
#include "tokenmaxx/privacy/detail/sampler.hpp"
#include "tokenmaxx/privacy/detail/tails.hpp"
#include "tokenmaxx/privacy/detail/bounding.hpp"
#include "tokenmaxx/privacy/detail/format.hpp"
#include "tokenmaxx/base/hmac.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/privacy/accountant.hpp"
#include "tokenmaxx/privacy/random.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"

namespace tokenmaxx {

// One raw usage record as the caller has it. Nothing here is stored as given: the person id is
// pseudonymized immediately and the group values are copied once per distinct group.
struct usage_event {
  std::string_view person_id;               // e-mail, employee number, ...; non-empty
  std::span<const std::string_view> group;  // one value per dimension, in the aggregator's order
  std::int64_t tokens = 0;                  // >= 0
  std::int64_t requests = 0;                // >= 0
  std::int64_t cost_micros = 0;             // >= 0, millionths of the currency unit
  std::chrono::system_clock::time_point time;  // inside [window_start, window_end)
};

// Per person, group and period. Defaults suit a weekly window; choose them from real usage: a bound
// below typical heavy use biases totals down, a bound far above it adds noise (see docs/PRIVACY.md).
struct contribution_bounds {
  std::int64_t max_groups_per_person = 3;        // L0, 1..1000
  std::int64_t max_tokens = 2'000'000;           // 1..1e9
  std::int64_t max_requests = 2'000;             // 1..1e9
  std::int64_t max_cost_micros = 50'000'000;     // 1..1e9 (50 currency units)
};

struct aggregator_options {
  std::vector<std::string> dimensions;  // 1..8 distinct non-empty names, e.g. {"team", "workflow"}
  std::string period;                   // the privacy period, e.g. "2025-W14"
  std::chrono::system_clock::time_point window_start;
  std::chrono::system_clock::time_point window_end;  // exclusive, after window_start
  contribution_bounds bounds;
  std::int64_t min_group_size = 5;      // k, >= 2
  std::shared_ptr<privacy_accountant> accountant;  // required; shared by all releases of the period
};

struct release_options {
  double epsilon = 1.0;  // spent by this release, split evenly over the released metrics
  double delta = 0.0;    // needed (> 0) for the Gaussian mechanism and for private group selection
  noise_mechanism mechanism = noise_mechanism::laplace;
  bool tokens = true;        // active people are always released; these three are optional
  bool requests = true;
  bool cost = true;
  // The public list of groups to report (org chart x workflows). Unset: private partition selection.
  std::optional<std::vector<std::vector<std::string>>> public_groups;
  // Headcount per group (public knowledge), for the adoption share.
  std::map<std::vector<std::string>, std::int64_t> headcount;
  double confidence = 0.95;  // of the reported intervals, in [0.5, 0.999999]
};

class adoption_aggregator;

namespace privacy_detail {
// Test-only access to true bounded totals (to check bounding without noise). Not for production use.
struct privacy_test_access;

inline std::string encode_group(std::span<const std::string_view> values) {
  std::string out;
  std::size_t n = 0;
  for (std::string_view v : values) n += v.size() + 4;
  out.reserve(n);
  for (std::string_view v : values) {
    const auto len = static_cast<std::uint32_t>(v.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
    out.append(v);
  }
  return out;
}

inline std::uint64_t gcd_u64(std::uint64_t a, std::uint64_t b) { return std::gcd(a, b); }

// Noise parameters of one metric for one release.
struct metric_noise {
  adoption_metric metric = adoption_metric::active_people;
  std::int64_t bound = 1;          // L-infinity per person and group
  // Laplace: scale t/s.
  std::uint64_t t = 1, s = 1;
  // Gaussian: sigma^2 = a/b, built lazily into a sampler.
  std::shared_ptr<discrete_gaussian_sampler> gaussian;
  double scale = 0;                // reported noise scale (Laplace b or Gaussian sigma)
  std::int64_t half_width = 0;     // confidence half-width
  std::int64_t one_sided_at = 0;   // selection: smallest m with P(noise >= m) <= beta

  std::int64_t sample(random_bits& rb) const {
    return gaussian ? gaussian->sample(rb) : discrete_laplace(rb, t, s);
  }
};
}  // namespace privacy_detail

class adoption_aggregator {
 public:
  static absl::StatusOr<std::unique_ptr<adoption_aggregator>> create(aggregator_options opt,
                                                                     pseudonymizer pseudonyms) {
    if (opt.dimensions.empty() || opt.dimensions.size() > 8) {
      return absl::InvalidArgumentError("adoption_aggregator: between 1 and 8 dimensions are needed, got " +
                                        std::to_string(opt.dimensions.size()));
    }
    for (std::size_t i = 0; i < opt.dimensions.size(); ++i) {
      const std::string& d = opt.dimensions[i];
      if (d.empty() || d.size() > 64 || !base::is_valid_utf8(d)) {
        return absl::InvalidArgumentError("adoption_aggregator: dimension names must be 1..64 bytes of UTF-8");
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (opt.dimensions[j] == d) return absl::InvalidArgumentError("adoption_aggregator: duplicate dimension '" + d + "'");
      }
    }
    if (opt.period.empty() || opt.period.size() > 64 || !base::is_valid_utf8(opt.period)) {
      return absl::InvalidArgumentError("adoption_aggregator: the period label must be 1..64 bytes of UTF-8");
    }
    if (pseudonyms.rotation() == key_rotation::per_period && pseudonyms.period() != opt.period) {
      return absl::InvalidArgumentError("adoption_aggregator: the pseudonymizer was keyed for period '" +
                                        pseudonyms.period() + "' but the aggregator is for period '" + opt.period + "'");
    }
    if (!(opt.window_start < opt.window_end)) {
      return absl::InvalidArgumentError("adoption_aggregator: window_end must be after window_start");
    }
    const contribution_bounds& b = opt.bounds;
    if (b.max_groups_per_person < 1 || b.max_groups_per_person > 1000) {
      return absl::InvalidArgumentError("adoption_aggregator: max_groups_per_person must be in 1..1000, got " +
                                        std::to_string(b.max_groups_per_person));
    }
    for (auto [name, v] : {std::pair<const char*, std::int64_t>{"max_tokens", b.max_tokens},
                           {"max_requests", b.max_requests}, {"max_cost_micros", b.max_cost_micros}}) {
      if (v < 1 || v > 1'000'000'000) {
        return absl::InvalidArgumentError(std::string("adoption_aggregator: ") + name + " must be in 1..1e9, got " +
                                          std::to_string(v));
      }
    }
    if (opt.min_group_size < 2 || opt.min_group_size > 1'000'000) {
      return absl::InvalidArgumentError("adoption_aggregator: min_group_size (k) must be at least 2, got " +
                                        std::to_string(opt.min_group_size));
    }
    if (!opt.accountant) return absl::InvalidArgumentError("adoption_aggregator: a privacy_accountant is required");
    return std::unique_ptr<adoption_aggregator>(new adoption_aggregator(std::move(opt), std::move(pseudonyms)));
  }

  adoption_aggregator(const adoption_aggregator&) = delete;
  adoption_aggregator& operator=(const adoption_aggregator&) = delete;

  // Ingests one event: validates it, pseudonymizes the person and adds the amounts to the person's
  // running totals for the group (saturating at 2^63-1; bounds are applied at release).
  absl::Status add(const usage_event& e) {
    if (e.group.size() != opt_.dimensions.size()) {
      return absl::InvalidArgumentError("usage_event: expected " + std::to_string(opt_.dimensions.size()) +
                                        " group values (one per dimension), got " + std::to_string(e.group.size()));
    }
    for (std::string_view v : e.group) {
      if (v.empty() || v.size() > 256 || !base::is_valid_utf8(v)) {
        return absl::InvalidArgumentError("usage_event: group values must be 1..256 bytes of valid UTF-8");
      }
    }
    if (e.tokens < 0 || e.requests < 0 || e.cost_micros < 0) {
      return absl::InvalidArgumentError("usage_event: tokens, requests and cost_micros must be non-negative");
    }
    if (e.time < opt_.window_start || !(e.time < opt_.window_end)) {
      return absl::OutOfRangeError("usage_event: time " + privacy_detail::format_time(e.time) + " is outside the window [" +
                                   privacy_detail::format_time(opt_.window_start) + ", " +
                                   privacy_detail::format_time(opt_.window_end) + ") of period " + opt_.period);
    }
    absl::StatusOr<pseudonym> p = pseudonyms_.pseudonymize(e.person_id);
    if (!p.ok()) return p.status();
    std::string key = privacy_detail::encode_group(e.group);
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = group_ids_.try_emplace(std::move(key), static_cast<std::uint32_t>(groups_.size()));
    if (inserted) {
      if (groups_.size() >= max_groups_) {
        group_ids_.erase(it);
        return absl::ResourceExhaustedError("adoption_aggregator: more than " + std::to_string(max_groups_) +
                                            " distinct groups in one period");
      }
      groups_.emplace_back(e.group.begin(), e.group.end());
      encoded_.push_back(it->first);
    }
    privacy_detail::raw_amounts& a = contributions_[contribution_key{*p, it->second}];
    a.tokens = base::saturating_add(a.tokens, e.tokens);
    a.requests = base::saturating_add(a.requests, e.requests);
    a.cost_micros = base::saturating_add(a.cost_micros, e.cost_micros);
    a.events += 1;
    events_.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }

  // Releases the report with noise from OpenSSL's CSPRNG.
  absl::StatusOr<adoption_report> release(const release_options& r) {
    secure_random rng;
    return release(r, rng);
  }

  // Releases the report with noise from `rng` (pass insecure_seeded_rng_for_tests only in tests).
  absl::StatusOr<adoption_report> release(const release_options& r, random_source& rng) {
    absl::StatusOr<plan> pl = make_plan(r);
    if (!pl.ok()) return pl.status();
    snapshot snap = take_snapshot();

    // Which groups may receive contributions, and which rows the report has.
    std::vector<bool> eligible(snap.groups.size(), !r.public_groups.has_value());
    std::vector<std::pair<std::vector<std::string>, std::optional<std::uint32_t>>> candidates;
    if (r.public_groups) {
      for (const std::vector<std::string>& g : *r.public_groups) {
        std::vector<std::string_view> views(g.begin(), g.end());
        auto it = snap.ids.find(privacy_detail::encode_group(views));
        std::optional<std::uint32_t> id;
        if (it != snap.ids.end()) {
          id = it->second;
          eligible[it->second] = true;
        }
        candidates.emplace_back(g, id);
      }
    } else {
      for (std::uint32_t id = 0; id < snap.groups.size(); ++id) candidates.emplace_back(snap.groups[id], id);
    }
    std::vector<privacy_detail::bounded_totals> totals =
        privacy_detail::bound_contributions(snap.entries, snap.encoded, eligible, limits());

    adoption_report rep;
    rep.period = opt_.period;
    rep.window_start = opt_.window_start;
    rep.window_end = opt_.window_end;
    rep.dimensions = opt_.dimensions;
    rep.privacy = pl->privacy;
    rep.privacy.secure_randomness = rng.is_secure();

    privacy_detail::random_bits rb(rng);
    for (auto& [values, id] : candidates) {
      report_row row;
      row.group = values;
      const privacy_detail::bounded_totals t = id ? totals[*id] : privacy_detail::bounded_totals{};
      if (t.active_people < opt_.min_group_size) {
        if (r.public_groups) {
          row.suppressed = true;
          rep.rows.push_back(std::move(row));
        }
        continue;  // private selection: small groups are simply absent
      }
      absl::StatusOr<noisy_value> active = noisy(pl->noise[0], t.active_people, rb);
      if (!active.ok()) return active.status();
      if (!r.public_groups && active->value < pl->privacy.selection_threshold) continue;
      row.active_people = *active;
      for (std::size_t i = 1; i < pl->noise.size(); ++i) {
        const privacy_detail::metric_noise& mn = pl->noise[i];
        const std::int64_t truth = mn.metric == adoption_metric::tokens     ? t.tokens
                                   : mn.metric == adoption_metric::requests ? t.requests
                                                                            : t.cost_micros;
        absl::StatusOr<noisy_value> v = noisy(mn, truth, rb);
        if (!v.ok()) return v.status();
        (mn.metric == adoption_metric::tokens     ? row.tokens
         : mn.metric == adoption_metric::requests ? row.requests
                                                  : row.cost_micros) = *v;
      }
      if (auto hc = r.headcount.find(values); hc != r.headcount.end()) {
        const double h = static_cast<double>(hc->second);
        const auto clamp01 = [](double x) { return std::clamp(x, 0.0, 1.0); };
        row.adoption_share = noisy_share{clamp01(static_cast<double>(active->value) / h),
                                         clamp01(static_cast<double>(active->ci_low) / h),
                                         clamp01(static_cast<double>(active->ci_high) / h), hc->second};
      }
      rep.rows.push_back(std::move(row));
    }
    std::sort(rep.rows.begin(), rep.rows.end(),
              [](const report_row& a, const report_row& b) { return a.group < b.group; });

    // Spend last: a refused release discards the noise it drew, so nothing has left.
    std::int64_t released = 0, suppressed = 0;
    for (const report_row& row : rep.rows) (row.suppressed ? suppressed : released) += 1;
    nlohmann::json what = {
        {"kind", "adoption_report"},
        {"dimensions", opt_.dimensions},
        {"metrics", pl->metric_names},
        {"mechanism", r.mechanism == noise_mechanism::laplace ? "discrete_laplace" : "discrete_gaussian"},
        {"group_selection", r.public_groups ? "public_list" : "private_threshold"},
        {"min_group_size", opt_.min_group_size},
        {"groups_released", released},
        {"groups_suppressed", suppressed},
        {"secure_randomness", rng.is_secure()},
    };
    const std::string fingerprint = base::sha256_hex(rep.to_json().dump());
    if (fingerprint.empty()) return absl::InternalError("release: could not fingerprint the report (OpenSSL SHA-256 failed)");
    what["report_sha256"] = fingerprint;
    absl::Status st = opt_.accountant->spend(opt_.period, pl->cost, what);
    if (!st.ok()) return st;
    return rep;
  }

  // Number of events accepted by add() so far (the caller's own input count; nothing per person).
  std::uint64_t events_ingested() const noexcept { return events_.load(std::memory_order_relaxed); }

  const aggregator_options& options() const noexcept { return opt_; }

 private:
  friend struct privacy_detail::privacy_test_access;

  struct contribution_key {
    pseudonym person;
    std::uint32_t group;
    friend bool operator==(const contribution_key&, const contribution_key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const contribution_key& k) {
      return H::combine(std::move(h), k.person, k.group);
    }
  };

  struct plan {
    privacy_cost cost;
    report_privacy privacy;
    std::vector<privacy_detail::metric_noise> noise;  // [0] is active_people
    std::vector<std::string> metric_names;
  };

  struct snapshot {
    std::vector<privacy_detail::contribution_entry> entries;
    std::vector<std::vector<std::string>> groups;
    std::vector<std::string> encoded;
    absl::flat_hash_map<std::string, std::uint32_t> ids;
  };

  adoption_aggregator(aggregator_options opt, pseudonymizer p) : opt_(std::move(opt)), pseudonyms_(std::move(p)) {}

  privacy_detail::bound_limits limits() const {
    return {opt_.bounds.max_groups_per_person, opt_.bounds.max_tokens, opt_.bounds.max_requests,
            opt_.bounds.max_cost_micros};
  }

  snapshot take_snapshot() const {
    snapshot s;
    std::lock_guard<std::mutex> lock(mu_);
    s.entries.reserve(contributions_.size());
    for (const auto& [k, a] : contributions_) s.entries.push_back({k.person, k.group, a});
    s.groups = groups_;
    s.encoded = encoded_;
    s.ids = group_ids_;
    return s;
  }

  static absl::StatusOr<noisy_value> noisy(const privacy_detail::metric_noise& mn, std::int64_t truth, privacy_detail::random_bits& rb) {
    const std::int64_t noise = mn.sample(rb);
    noisy_value v;
    v.noise_scale = mn.scale;
    if (__builtin_add_overflow(truth, noise, &v.value) ||
        __builtin_sub_overflow(v.value, mn.half_width, &v.ci_low) ||
        __builtin_add_overflow(v.value, mn.half_width, &v.ci_high)) {
      return absl::OutOfRangeError("adoption_aggregator: a released value overflows 64 bits");
    }
    return v;
  }

  absl::StatusOr<plan> make_plan(const release_options& r) const {
    plan pl;
    if (!(r.confidence >= 0.5 && r.confidence <= 0.999999)) {
      return absl::InvalidArgumentError("release: confidence must be in [0.5, 0.999999], got " +
                                        privacy_detail::format_double(r.confidence));
    }
    absl::StatusOr<privacy_cost> cost = privacy_cost::from(r.epsilon, r.delta);
    if (!cost.ok()) return absl::InvalidArgumentError("release: " + std::string(cost.status().message()));
    const bool gaussian = r.mechanism == noise_mechanism::gaussian;
    const bool private_selection = !r.public_groups.has_value();
    if ((gaussian || private_selection) && cost->delta_atto <= 0) {
      return absl::InvalidArgumentError(
          std::string("release: ") + (gaussian ? "the Gaussian mechanism" : "private group selection (no public_groups)") +
          " needs delta > 0 (e.g. 1e-8, well below 1 / number of people)");
    }
    if (r.public_groups) {
      absl::flat_hash_map<std::string, int> seen;
      for (const auto& g : *r.public_groups) {
        if (g.size() != opt_.dimensions.size()) {
          return absl::InvalidArgumentError("release: every public group needs " + std::to_string(opt_.dimensions.size()) +
                                            " values, one per dimension");
        }
        std::vector<std::string_view> views(g.begin(), g.end());
        for (std::string_view v : views) {
          if (v.empty() || v.size() > 256 || !base::is_valid_utf8(v)) {
            return absl::InvalidArgumentError("release: public group values must be 1..256 bytes of valid UTF-8");
          }
        }
        if (!seen.emplace(privacy_detail::encode_group(views), 0).second) {
          return absl::InvalidArgumentError("release: duplicate group in public_groups");
        }
      }
    }
    for (const auto& [g, h] : r.headcount) {
      if (g.size() != opt_.dimensions.size()) {
        return absl::InvalidArgumentError("release: headcount keys need one value per dimension");
      }
      if (h < 1 || h > 1'000'000'000) {
        return absl::InvalidArgumentError("release: headcount must be in 1..1e9, got " + std::to_string(h));
      }
    }

    const std::int64_t l0 = opt_.bounds.max_groups_per_person;
    std::vector<std::pair<adoption_metric, std::int64_t>> metrics = {{adoption_metric::active_people, 1}};
    if (r.tokens) metrics.emplace_back(adoption_metric::tokens, opt_.bounds.max_tokens);
    if (r.requests) metrics.emplace_back(adoption_metric::requests, opt_.bounds.max_requests);
    if (r.cost) metrics.emplace_back(adoption_metric::cost_micros, opt_.bounds.max_cost_micros);
    const auto m = static_cast<std::int64_t>(metrics.size());
    const long double alpha = 1.0L - static_cast<long double>(r.confidence);

    // delta: private selection gets all of it (Laplace) or half (Gaussian); the Gaussian the rest.
    const double delta = cost->delta();  // the value charged, so calibration and charge agree
    const double delta_selection = private_selection ? (gaussian ? delta / 2 : delta) : 0.0;
    const double delta_gaussian = gaussian ? (private_selection ? delta / 2 : delta) : 0.0;
    pl.cost.epsilon_millionths = cost->epsilon_millionths;
    pl.cost.delta_atto = (gaussian || private_selection) ? cost->delta_atto : 0;

    double rho_per_metric = 0;
    if (gaussian) {
      // zCDP -> (epsilon, delta) (Bun and Steinke 2016, Prop. 1.3): rho-zCDP implies
      // (rho + 2 sqrt(rho ln(1/delta)), delta)-DP; solve for the largest rho meeting epsilon.
      const long double L = std::log(1.0L / static_cast<long double>(delta_gaussian));
      const long double eps = static_cast<long double>(cost->epsilon_millionths) / 1e6L;
      const long double root = std::sqrt(L + eps) - std::sqrt(L);
      rho_per_metric = static_cast<double>(root * root / static_cast<long double>(m));
    }

    for (auto [metric, bound] : metrics) {
      privacy_detail::metric_noise mn;
      mn.metric = metric;
      mn.bound = bound;
      pl.metric_names.emplace_back(metric_name(metric));
      if (!gaussian) {
        // L1 sensitivity = L0 * bound; scale = sensitivity / epsilon_metric, as the exact rational
        // (sensitivity * 1e6) / epsilon_metric_millionths.
        const std::int64_t eps_metric = cost->epsilon_millionths / m;
        if (eps_metric < 1) return absl::InvalidArgumentError("release: epsilon too small to split over the metrics");
        std::uint64_t t = static_cast<std::uint64_t>(l0 * bound) * 1'000'000u;
        std::uint64_t s = static_cast<std::uint64_t>(eps_metric);
        const std::uint64_t g = privacy_detail::gcd_u64(t, s);
        t /= g;
        s /= g;
        if (t >= (std::uint64_t{1} << 62)) return absl::InvalidArgumentError("release: noise scale too large");
        mn.t = t;
        mn.s = s;
        mn.scale = static_cast<double>(static_cast<long double>(t) / static_cast<long double>(s));
        mn.half_width = privacy_detail::laplace_half_width(t, s, alpha);
        if (metric == adoption_metric::active_people && private_selection) {
          mn.one_sided_at = privacy_detail::laplace_one_sided(t, s, static_cast<long double>(delta_selection) / l0);
        }
      } else {
        // L2 sensitivity^2 = L0 * bound^2; sigma^2 = L0 bound^2 / (2 rho), with rho rounded down to
        // a multiple of 1e-12 (more noise, never less): sigma^2 = L0 bound^2 1e12 / (2 r).
        const auto r_pico = static_cast<std::uint64_t>(std::floor(rho_per_metric * 1e12));
        if (r_pico < 1) return absl::InvalidArgumentError("release: epsilon too small for the Gaussian mechanism");
        privacy_detail::bn_ctx_ptr ctx(BN_CTX_new());
        privacy_detail::bn_ptr a = privacy_detail::bn_from_u64(static_cast<std::uint64_t>(l0));
        privacy_detail::bn_ptr bb = privacy_detail::bn_from_u64(static_cast<std::uint64_t>(bound));
        BN_mul(a.get(), a.get(), bb.get(), ctx.get());
        BN_mul(a.get(), a.get(), bb.get(), ctx.get());
        privacy_detail::bn_ptr tera = privacy_detail::bn_from_u64(1'000'000'000'000ull);
        BN_mul(a.get(), a.get(), tera.get(), ctx.get());
        privacy_detail::bn_ptr b = privacy_detail::bn_from_u64(2 * r_pico);
        const long double sigma2 = static_cast<long double>(l0) * static_cast<long double>(bound) *
                                   static_cast<long double>(bound) * 1e12L / (2.0L * static_cast<long double>(r_pico));
        if (sigma2 > 1e35L) return absl::InvalidArgumentError("release: noise scale too large for the Gaussian mechanism");
        mn.gaussian = std::make_shared<privacy_detail::discrete_gaussian_sampler>(std::move(a), std::move(b));
        const long double sigma = std::sqrt(sigma2);
        mn.scale = static_cast<double>(sigma);
        mn.half_width = privacy_detail::gaussian_half_width(sigma, alpha);
        if (metric == adoption_metric::active_people && private_selection) {
          mn.one_sided_at = privacy_detail::gaussian_one_sided(sigma, static_cast<long double>(delta_selection) / l0);
        }
      }
      pl.noise.push_back(std::move(mn));
    }

    report_privacy& p = pl.privacy;
    p.mechanism = r.mechanism;
    p.epsilon = pl.cost.epsilon();
    p.delta = pl.cost.delta();
    p.min_group_size = opt_.min_group_size;
    p.max_groups_per_person = l0;
    p.max_tokens = opt_.bounds.max_tokens;
    p.max_requests = opt_.bounds.max_requests;
    p.max_cost_micros = opt_.bounds.max_cost_micros;
    p.public_groups = !private_selection;
    // A group with true count k - 1 (treated as absent) gains one person and reaches k: it may appear
    // only if noise >= threshold - k, which has probability <= delta_selection / L0 per group. The +1
    // absorbs floating-point rounding in the tail computation.
    p.selection_threshold = private_selection ? opt_.min_group_size + pl.noise[0].one_sided_at + 1 : 0;
    p.confidence = r.confidence;
    return pl;
  }

  const aggregator_options opt_;
  const pseudonymizer pseudonyms_;
  static constexpr std::size_t max_groups_ = std::size_t{1} << 24;

  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::uint32_t> group_ids_;
  std::vector<std::vector<std::string>> groups_;
  std::vector<std::string> encoded_;
  absl::flat_hash_map<contribution_key, privacy_detail::raw_amounts> contributions_;
  std::atomic<std::uint64_t> events_{0};
};

namespace privacy_detail {
struct privacy_test_access {
  // True (noise-free) bounded totals per group, keyed by group values. Tests only.
  static std::map<std::vector<std::string>, bounded_totals> true_bounded_totals(const adoption_aggregator& a) {
    adoption_aggregator::snapshot s = a.take_snapshot();
    std::vector<bool> eligible(s.groups.size(), true);
    std::vector<bounded_totals> t = bound_contributions(s.entries, s.encoded, eligible, a.limits());
    std::map<std::vector<std::string>, bounded_totals> out;
    for (std::size_t i = 0; i < t.size(); ++i) out[s.groups[i]] = t[i];
    return out;
  }
};
}  // namespace privacy_detail

}  // namespace tokenmaxx
