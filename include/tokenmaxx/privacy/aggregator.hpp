// tokenmaxx/privacy/aggregator.hpp: AI adoption metrics per team and workflow, never per person.
//
// An `adoption_aggregator` collects raw usage events for one window (a week, say) and releases, per
// group of caller-defined dimensions (team, workflow, model, ...), the number of active people, the
// adoption share (active people / headcount), tokens, requests and cost. What leaves it is only an
// `adoption_report` (report.hpp) that passed the release gate:
//
//   1. Pseudonyms at ingestion: the person identifier of each event is replaced at once by a keyed
//      HMAC-SHA256 pseudonym rotated per period (pseudonym.hpp); raw identifiers are never stored.
//   2. Contribution bounding, in the library: per person, at most `max_groups_per_person` groups
//      (those where the person used the most tokens), each of the person's totals there clamped to
//      `max_tokens` / `max_requests` / `max_cost_micros`. The noise follows from these bounds.
//   3. Integer-exact noise on every number: discrete Laplace (epsilon-DP) or discrete Gaussian
//      (zCDP converted to (epsilon, delta)) from OpenSSL's CSPRNG (random.hpp), split evenly over
//      the released metrics. Released values are clamped to >= 0 and carry a noise scale and an
//      interval.
//   4. Minimum group size k on the noisy count: with a public group list (an org chart) every listed
//      group gets a row, marked suppressed when its noisy count of active people is below k, or when
//      its public headcount is below k; without a list, a group is reported only if its true count
//      is at least k and its noisy count clears a threshold well above k (private partition
//      selection), which hides which groups exist.
//   5. Budget: every release is charged to the shared `privacy_accountant` (accountant.hpp) for each
//      budget period its window overlaps, durably, before the report is returned; a release past
//      the budget is refused with ResourceExhausted and nothing leaves.
//
// The guarantee, precisely: each release is (epsilon, delta)-differentially private with respect to
// adding or removing one person (all of that person's events in the window); delta is 0 for Laplace
// noise with a public group list. Replacing one person's events by others (same person, different
// groups) can move up to 2 x max_groups_per_person groups and costs up to twice that. Releases
// compose: the accountant bounds their sum per budget period. docs/PRIVACY.md says it in plain words.
//
// Guarantees:
//  - No function returns anything about one person, not even a true total or an event count: the
//    only output is `release()`.
//  - Bad input (wrong number of dimension values, negative amounts, events outside the window,
//    invalid UTF-8, empty ids, out-of-range parameters) is InvalidArgument or OutOfRange naming the
//    problem; nothing is silently dropped or zeroed. Randomness or audit-log failures come back as
//    Internal or Unavailable, and then nothing is released or spent. Nothing throws.
//  - Thread safety: add() and release() may be called concurrently from any number of threads; a
//    release sees every add() that completed before it started.
//
// Example:
//   const auto monday = std::chrono::sys_days(std::chrono::year(2025) / 4 / 7);
//   auto key = tokenmaxx::master_key::generate();
//   if (!key.ok()) return key.status();
//   auto accountant = tokenmaxx::privacy_accountant::open({.audit_log_path = "privacy-audit.jsonl", .epsilon_per_period = 1.0});
//   if (!accountant.ok()) return accountant.status();
//   auto week = tokenmaxx::adoption_aggregator::create(
//       {.dimensions = {"team", "workflow"}, .period = "2025-W15", .window_start = monday,
//        .window_end = monday + std::chrono::weeks(1), .accountant = *accountant},
//       *tokenmaxx::pseudonymizer::create(*key, "2025-W15"));
//   if (!week.ok()) return week.status();
//   std::array<std::string_view, 2> group{"search", "code review"};
//   absl::Status added = (*week)->add({.person_id = "alice@example.com", .group = group, .tokens = 5200,
//                                      .requests = 3, .time = monday + std::chrono::hours(9)});
//   absl::StatusOr<tokenmaxx::adoption_report> report =
//       (*week)->release({.epsilon = 1.0, .public_groups = std::vector<std::vector<std::string>>{{"search", "code review"}}});
//   if (report.ok()) std::cout << tokenmaxx::to_text(*report);
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenmaxx/base/saturating.hpp"
#include "tokenmaxx/base/sha256.hpp"
#include "tokenmaxx/base/utf8.hpp"
#include "tokenmaxx/privacy/accountant.hpp"
#include "tokenmaxx/privacy/detail/bounding.hpp"
#include "tokenmaxx/privacy/detail/calibration.hpp"
#include "tokenmaxx/privacy/detail/format.hpp"
#include "tokenmaxx/privacy/detail/sampler.hpp"
#include "tokenmaxx/privacy/detail/tails.hpp"
#include "tokenmaxx/privacy/pseudonym.hpp"
#include "tokenmaxx/privacy/random.hpp"
#include "tokenmaxx/privacy/report.hpp"
#include "tokenmaxx/privacy/report_format.hpp"

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

// Per person, group and window. The defaults are set for a one-week window at the scale of everyday
// assistant use (about 10,000 tokens and 50 requests a working day, 0.50 currency units a week);
// heavier use is clamped, which biases totals down. The noise on a sum grows in proportion to its
// bound: docs/PRIVACY.md tabulates the relative error by group size and says how to choose them.
struct contribution_bounds {
  std::int64_t max_groups_per_person = 3;  // L0, 1..1000
  std::int64_t max_tokens = 50'000;        // 1..1e9
  std::int64_t max_requests = 250;         // 1..1e9
  std::int64_t max_cost_micros = 500'000;  // 1..1e9
};

struct aggregator_options {
  std::vector<std::string> dimensions;  // 1..8 distinct non-empty names, e.g. {"team", "workflow"}
  std::string period;                   // label of the window, e.g. "2025-W14"; keys the pseudonyms
  std::chrono::system_clock::time_point window_start;
  std::chrono::system_clock::time_point window_end;  // exclusive, after window_start
  contribution_bounds bounds;
  std::int64_t min_group_size = 5;      // k, >= 2
  std::shared_ptr<privacy_accountant> accountant;  // required; shared by every release it budgets
};

struct release_options {
  double epsilon = 1.0;  // spent by this release, split evenly over the released metrics
  double delta = 0.0;    // needed (> 0) for the Gaussian mechanism and for private group selection
  noise_mechanism mechanism = noise_mechanism::laplace;
  bool tokens = true;        // active people are always released; each metric added splits epsilon
  bool requests = false;
  bool cost = false;
  // The public list of groups to report (org chart x workflows). Unset: private partition selection.
  std::optional<std::vector<std::vector<std::string>>> public_groups;
  // Headcount per group (public knowledge, e.g. from the org chart), for the adoption share.
  std::map<std::vector<std::string>, std::int64_t> headcount;
  double confidence = 0.95;  // of the reported intervals, in [0.5, 0.999999]
};

class adoption_aggregator;

namespace privacy_detail {

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

inline bool valid_group_value(std::string_view v) { return !v.empty() && v.size() <= 256 && base::is_valid_utf8(v); }

#ifdef TOKENMAXX_PRIVACY_TESTING
struct test_access;  // tests/privacy/support/privacy_testing.hpp: seeded noise and true totals
#endif

}  // namespace privacy_detail

class adoption_aggregator {
 public:
  static absl::StatusOr<std::unique_ptr<adoption_aggregator>> create(aggregator_options opt, pseudonymizer pseudonyms) {
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
      return absl::InvalidArgumentError("adoption_aggregator: min_group_size (k) must be in 2..1e6, got " +
                                        std::to_string(opt.min_group_size));
    }
    if (!opt.accountant) return absl::InvalidArgumentError("adoption_aggregator: a privacy_accountant is required");
    absl::StatusOr<std::vector<budget_period>> periods = opt.accountant->periods_overlapping(opt.window_start, opt.window_end);
    if (!periods.ok()) return absl::InvalidArgumentError("adoption_aggregator: " + std::string(periods.status().message()));
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
      if (!privacy_detail::valid_group_value(v)) {
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
                                            " distinct groups in one window");
      }
      groups_.emplace_back(e.group.begin(), e.group.end());
      encoded_.push_back(it->first);
    }
    contributions_[contribution_key{*p, it->second}].add_saturating({e.tokens, e.requests, e.cost_micros});
    return absl::OkStatus();
  }

  // Releases a report with noise from OpenSSL's CSPRNG and charges its cost to the accountant
  // before returning it. InvalidArgument for bad options, ResourceExhausted past the budget,
  // Internal if the randomness fails, Unavailable if the audit log cannot be written; on any error
  // nothing is released and nothing is spent (beyond a logged refusal).
  absl::StatusOr<adoption_report> release(const release_options& r) {
    secure_random rng;
    return release_from(r, rng, /*secure=*/true);
  }

  const aggregator_options& options() const noexcept { return opt_; }

 private:
#ifdef TOKENMAXX_PRIVACY_TESTING
  friend struct privacy_detail::test_access;
#endif

  struct contribution_key {
    pseudonym person;
    std::uint32_t group;
    friend bool operator==(const contribution_key&, const contribution_key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const contribution_key& k) {
      return H::combine(std::move(h), k.person, k.group);
    }
  };

  struct snapshot {
    std::vector<privacy_detail::contribution_entry> entries;
    std::vector<std::vector<std::string>> groups;
    std::vector<std::string> encoded;
    absl::flat_hash_map<std::string, std::uint32_t> ids;
  };

  adoption_aggregator(aggregator_options opt, pseudonymizer p) : opt_(std::move(opt)), pseudonyms_(std::move(p)) {}

  privacy_detail::bound_limits limits() const {
    return {opt_.bounds.max_groups_per_person,
            {opt_.bounds.max_tokens, opt_.bounds.max_requests, opt_.bounds.max_cost_micros}};
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

  absl::Status validate(const release_options& r) const {
    if (r.public_groups) {
      absl::flat_hash_map<std::string, int> seen;
      for (const auto& g : *r.public_groups) {
        if (g.size() != opt_.dimensions.size()) {
          return absl::InvalidArgumentError("release: every public group needs " + std::to_string(opt_.dimensions.size()) +
                                            " values, one per dimension");
        }
        const std::vector<std::string_view> views(g.begin(), g.end());
        if (!std::all_of(views.begin(), views.end(), privacy_detail::valid_group_value)) {
          return absl::InvalidArgumentError("release: public group values must be 1..256 bytes of valid UTF-8");
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
    return absl::OkStatus();
  }

  // truth + noise with its interval [value - half_width, value + half_width], all clamped to >= 0.
  static absl::StatusOr<noisy_value> noisy(const privacy_detail::metric_noise& mn, std::int64_t truth, std::int64_t noise) {
    noisy_value v;
    v.noise_scale = mn.scale;
    if (__builtin_add_overflow(truth, noise, &v.value) || __builtin_sub_overflow(v.value, mn.half_width, &v.ci_low) ||
        __builtin_add_overflow(v.value, mn.half_width, &v.ci_high)) {
      return absl::OutOfRangeError("adoption_aggregator: a released value overflows 64 bits");
    }
    v.value = std::max<std::int64_t>(v.value, 0);
    v.ci_low = std::max<std::int64_t>(v.ci_low, 0);
    v.ci_high = std::max<std::int64_t>(v.ci_high, 0);
    return v;
  }

  absl::StatusOr<adoption_report> release_from(const release_options& r, privacy_detail::byte_source& source, bool secure) {
    absl::Status valid = validate(r);
    if (!valid.ok()) return valid;
    absl::StatusOr<privacy_cost> cost = privacy_cost::from(r.epsilon, r.delta);
    if (!cost.ok()) return absl::InvalidArgumentError("release: " + std::string(cost.status().message()));
    const bool private_selection = !r.public_groups.has_value();
    privacy_detail::calibration_request cr;
    cr.mechanism = r.mechanism;
    cr.epsilon_millionths = cost->epsilon_millionths;
    cr.delta_atto = cost->delta_atto;
    cr.private_selection = private_selection;
    cr.max_groups_per_person = opt_.bounds.max_groups_per_person;
    cr.min_group_size = opt_.min_group_size;
    cr.metrics = {{adoption_metric::active_people, 1}};
    if (r.tokens) cr.metrics.emplace_back(adoption_metric::tokens, opt_.bounds.max_tokens);
    if (r.requests) cr.metrics.emplace_back(adoption_metric::requests, opt_.bounds.max_requests);
    if (r.cost) cr.metrics.emplace_back(adoption_metric::cost_micros, opt_.bounds.max_cost_micros);
    cr.confidence = r.confidence;
    absl::StatusOr<privacy_detail::noise_plan> plan = privacy_detail::calibrate(cr);
    if (!plan.ok()) return absl::InvalidArgumentError("release: " + std::string(plan.status().message()));

    // Candidate groups: the public list (present or not), or every group seen.
    snapshot snap = take_snapshot();
    std::vector<bool> eligible(snap.groups.size(), !r.public_groups);
    std::vector<std::pair<std::vector<std::string>, std::optional<std::uint32_t>>> candidates;
    if (r.public_groups) {
      for (const auto& g : *r.public_groups) {
        const std::vector<std::string_view> views(g.begin(), g.end());
        std::optional<std::uint32_t> id;
        if (auto it = snap.ids.find(privacy_detail::encode_group(views)); it != snap.ids.end()) {
          id = it->second;
          eligible[it->second] = true;
        }
        candidates.emplace_back(g, id);
      }
    } else {
      for (std::uint32_t id = 0; id < snap.groups.size(); ++id) candidates.emplace_back(snap.groups[id], id);
    }
    const std::vector<privacy_detail::bounded_totals> totals =
        privacy_detail::bound_contributions(snap.entries, snap.encoded, eligible, limits());

    adoption_report rep;
    rep.period = opt_.period;
    rep.window_start = opt_.window_start;
    rep.window_end = opt_.window_end;
    rep.dimensions = opt_.dimensions;
    report_privacy& p = rep.privacy;
    p.mechanism = r.mechanism;
    p.epsilon = static_cast<double>(plan->epsilon_millionths) / 1e6;
    p.delta = static_cast<double>(plan->delta_atto) / 1e18;
    p.min_group_size = opt_.min_group_size;
    p.max_groups_per_person = opt_.bounds.max_groups_per_person;
    p.max_tokens = opt_.bounds.max_tokens;
    p.max_requests = opt_.bounds.max_requests;
    p.max_cost_micros = opt_.bounds.max_cost_micros;
    p.public_groups = !private_selection;
    p.selection_threshold = plan->selection_threshold;
    p.confidence = r.confidence;
    p.secure_randomness = secure;

    const privacy_detail::metric_noise& active_noise = plan->metrics.front();
    const long double alpha = 1.0L - static_cast<long double>(r.confidence);
    privacy_detail::random_bits rb(source);
    for (auto& [values, id] : candidates) {
      const privacy_detail::bounded_totals t = id ? totals[*id] : privacy_detail::bounded_totals{};
      if (private_selection && t.active_people < opt_.min_group_size) continue;  // absent, whatever the noise
      const auto headcount = r.headcount.find(values);
      if (!private_selection && headcount != r.headcount.end() && headcount->second < opt_.min_group_size) {
        report_row small;  // fewer than k people in the public org chart: decided on public data alone
        small.group = values;
        small.suppressed = true;
        rep.rows.push_back(std::move(small));
        continue;
      }
      const std::int64_t active_draw = active_noise.sample(rb);
      if (rb.failed()) return rb.status();
      absl::StatusOr<noisy_value> active = noisy(active_noise, t.active_people, active_draw);
      if (!active.ok()) return active.status();
      const std::int64_t noisy_count = t.active_people + active_draw;  // no overflow: checked above
      report_row row;
      row.group = values;
      if (private_selection) {
        if (noisy_count < plan->selection_threshold) continue;
        const auto [low, high] = privacy_detail::selection_adjusted_interval(
            [&](std::int64_t m) { return active_noise.log_upper(m); }, noisy_count, plan->selection_threshold,
            opt_.min_group_size, alpha);
        active->ci_low = low;
        active->ci_high = high;
      } else if (noisy_count < opt_.min_group_size) {
        row.suppressed = true;  // decided on the noisy count: post-processing, no extra privacy loss
        rep.rows.push_back(std::move(row));
        continue;
      }
      row.active_people = *active;
      for (std::size_t i = 1; i < plan->metrics.size(); ++i) {
        const privacy_detail::metric_noise& mn = plan->metrics[i];
        const std::int64_t truth = mn.metric == adoption_metric::tokens     ? t.sums.tokens
                                   : mn.metric == adoption_metric::requests ? t.sums.requests
                                                                            : t.sums.cost_micros;
        const std::int64_t draw = mn.sample(rb);
        if (rb.failed()) return rb.status();
        absl::StatusOr<noisy_value> v = noisy(mn, truth, draw);
        if (!v.ok()) return v.status();
        (mn.metric == adoption_metric::tokens     ? row.tokens
         : mn.metric == adoption_metric::requests ? row.requests
                                                  : row.cost_micros) = *v;
      }
      if (headcount != r.headcount.end()) {
        const double h = static_cast<double>(headcount->second);
        const auto share = [h](std::int64_t x) { return std::clamp(static_cast<double>(x) / h, 0.0, 1.0); };
        row.adoption_share = noisy_share{share(active->value), share(active->ci_low), share(active->ci_high), headcount->second};
      }
      rep.rows.push_back(std::move(row));
    }
    std::sort(rep.rows.begin(), rep.rows.end(), [](const report_row& a, const report_row& b) { return a.group < b.group; });

    // Charge last, durably: a refused or failed charge discards the noise drawn, so nothing has left.
    release_summary summary;
    summary.mechanism = r.mechanism;
    for (const auto& mn : plan->metrics) summary.metrics.push_back(mn.metric);
    summary.public_groups = !private_selection;
    summary.min_group_size = opt_.min_group_size;
    for (const report_row& row : rep.rows) (row.suppressed ? summary.groups_suppressed : summary.groups_released) += 1;
    if (!base::try_sha256(to_json(rep).dump(), summary.report_sha256)) {
      return absl::InternalError("release: could not fingerprint the report (OpenSSL SHA-256 failed)");
    }
    summary.secure_randomness = secure;
    absl::Status st = opt_.accountant->spend(
        {opt_.window_start, opt_.window_end, {plan->epsilon_millionths, plan->delta_atto}, std::move(summary)});
    if (!st.ok()) return st;
    return rep;
  }

  const aggregator_options opt_;
  const pseudonymizer pseudonyms_;
  static constexpr std::size_t max_groups_ = std::size_t{1} << 24;

  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::uint32_t> group_ids_;
  std::vector<std::vector<std::string>> groups_;
  std::vector<std::string> encoded_;
  absl::flat_hash_map<contribution_key, privacy_detail::metric_sums> contributions_;
};

}  // namespace tokenmaxx
