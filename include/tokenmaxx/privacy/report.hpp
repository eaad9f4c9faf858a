// tokenmaxx/privacy/report.hpp: the released adoption report: noisy totals per group, never per person.
//
// An `adoption_report` is what `adoption_aggregator::release()` returns (aggregator.hpp): one row
// per group (a tuple of the caller's dimensions, e.g. team x workflow) for one period, and the
// parameters it was released under. It is a plain value; report_format.hpp renders it as JSON or as
// a text table. Every number in it already passed the release gate:
//
//   * each value is the true group total (from bounded contributions) plus integer noise, then
//     clamped to >= 0; the noise scale and a confidence interval stand next to it;
//   * with a public group list, a row whose noisy count of active people is below k is marked
//     `suppressed` and carries no values; with private selection, a group appears only if its noisy
//     count clears `selection_threshold`;
//   * no row, field or string carries a person identifier or a pseudonym.
//
// Guarantees:
//  - `ranking()` orders only released rows, by their noisy values (ties by group), so it reveals
//    nothing beyond the rows themselves.
//  - The interval [ci_low, ci_high] contains the true bounded total with at least the stated
//    confidence: exactly computed for Laplace noise, from proven tail bounds for Gaussian noise; under
//    private selection the active-people interval is conditional on the group having been selected.
//  - Thread safety: a report is a plain value; const member functions may be called concurrently.
//
// Example:
//   tokenmaxx::adoption_report report;  // normally from adoption_aggregator::release()
//   report.rows.push_back({.group = {"search", "chat"}, .active_people = tokenmaxx::noisy_value{.value = 42}});
//   report.rows.push_back({.group = {"legal", "chat"}, .suppressed = true});
//   for (const tokenmaxx::report_row* row : report.ranking(tokenmaxx::adoption_metric::active_people))
//     std::cout << row->group[0] << ": " << row->active_people->value << '\n';  // search: 42
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokenmaxx {

enum class adoption_metric { active_people, tokens, requests, cost_micros };

inline std::string_view metric_name(adoption_metric m) {
  switch (m) {
    case adoption_metric::active_people: return "active_people";
    case adoption_metric::tokens: return "tokens";
    case adoption_metric::requests: return "requests";
    case adoption_metric::cost_micros: return "cost_micros";
  }
  return "unknown";
}

enum class noise_mechanism {
  laplace,   // discrete Laplace, pure epsilon-DP
  gaussian,  // discrete Gaussian, rho-zCDP converted to (epsilon, delta)
};

inline std::string_view mechanism_name(noise_mechanism m) {
  return m == noise_mechanism::laplace ? "discrete_laplace" : "discrete_gaussian";
}

// One released number.
struct noisy_value {
  std::int64_t value = 0;    // max(0, true total + noise)
  std::int64_t ci_low = 0;   // confidence interval for the true total, clamped to >= 0
  std::int64_t ci_high = 0;
  double noise_scale = 0;    // Laplace: scale b (P(x) ~ exp(-|x|/b)); Gaussian: sigma
};

// Active people / headcount, derived from the released active count (post-processing).
struct noisy_share {
  double value = 0;
  double ci_low = 0;
  double ci_high = 0;
  std::int64_t headcount = 0;
};

struct report_row {
  std::vector<std::string> group;  // one value per dimension
  bool suppressed = false;         // noisy active count below k: no values
  std::optional<noisy_value> active_people;
  std::optional<noisy_share> adoption_share;  // when the caller supplied a headcount
  std::optional<noisy_value> tokens;
  std::optional<noisy_value> requests;
  std::optional<noisy_value> cost_micros;

  const std::optional<noisy_value>& metric(adoption_metric m) const {
    switch (m) {
      case adoption_metric::tokens: return tokens;
      case adoption_metric::requests: return requests;
      case adoption_metric::cost_micros: return cost_micros;
      case adoption_metric::active_people: break;
    }
    return active_people;
  }
};

// The parameters a report was released under, stated in the report itself.
struct report_privacy {
  noise_mechanism mechanism = noise_mechanism::laplace;
  double epsilon = 0;                   // spent by this release (all metrics together)
  double delta = 0;
  std::int64_t min_group_size = 5;      // k
  std::int64_t max_groups_per_person = 0;
  std::int64_t max_tokens = 0;          // per person, group and window
  std::int64_t max_requests = 0;
  std::int64_t max_cost_micros = 0;
  bool public_groups = false;           // false: private partition selection
  std::int64_t selection_threshold = 0; // private selection: noisy active count needed (> k)
  double confidence = 0.95;
  bool secure_randomness = true;        // false only for releases made by the test build
};

struct adoption_report {
  std::string period;
  std::chrono::system_clock::time_point window_start;
  std::chrono::system_clock::time_point window_end;
  std::vector<std::string> dimensions;
  report_privacy privacy;
  std::vector<report_row> rows;  // sorted by group values

  // Released (not suppressed) rows with a value for `m`, highest noisy value first; ties by group.
  std::vector<const report_row*> ranking(adoption_metric m) const {
    std::vector<const report_row*> out;
    for (const report_row& r : rows) {
      if (!r.suppressed && r.metric(m).has_value()) out.push_back(&r);
    }
    std::stable_sort(out.begin(), out.end(), [m](const report_row* a, const report_row* b) {
      if (a->metric(m)->value != b->metric(m)->value) return a->metric(m)->value > b->metric(m)->value;
      return a->group < b->group;
    });
    return out;
  }
};

}  // namespace tokenmaxx
