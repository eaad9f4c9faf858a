// tokenmaxx/privacy/report.hpp: the released adoption report, as JSON and as a text table.
//
// An `adoption_report` is what `adoption_aggregator::release()` returns: one row per group (a tuple
// of the caller's dimensions, e.g. team x workflow) for one period. It is the only way aggregated
// usage leaves tokenmaxx, and it holds, by construction, nothing about any one person:
//
//   * every number is a differentially private release: the true group total (computed from bounded
//     contributions) plus integer noise, with the noise scale and a confidence interval next to it;
//   * a group with fewer than k distinct active people is never released. With a public group list
//     it appears as a row marked `suppressed` with no values; with private selection it is absent;
//   * no row, field or string carries a person identifier or a pseudonym;
//   * `ranking()` orders only released groups, by their noisy values.
//
// Reading the numbers: released values are unbiased but noisy and may fall outside the natural range
// (a small group can show a negative token count); they are left as drawn so that sums and averages
// over many releases stay unbiased. The interval [ci_low, ci_high] contains the true value with at
// least the stated confidence (exact for Laplace noise, a sub-Gaussian bound for Gaussian noise).
// The adoption share (active / headcount) is clamped to [0, 1] for display.
//
// Thread safety: a report is a plain value; const member functions may be called concurrently.
//
// Example:
//   absl::StatusOr<tokenmaxx::adoption_report> report = aggregator->release({.epsilon = 1.0});
//   std::cout << report->to_text();                       // readable table
//   std::string json = report->to_json().dump(2);         // for dashboards
//   for (const tokenmaxx::report_row* row : report->ranking(tokenmaxx::adoption_metric::active_people))
//     std::cout << row->group[0] << '\n';
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenmaxx/privacy/detail/format.hpp"

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

// One released number.
struct noisy_value {
  std::int64_t value = 0;    // true total + noise
  std::int64_t ci_low = 0;   // confidence interval for the true total
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
  bool suppressed = false;         // fewer than k active people: no values
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
  std::int64_t max_tokens = 0;          // per person, group and period
  std::int64_t max_requests = 0;
  std::int64_t max_cost_micros = 0;
  bool public_groups = false;           // false: private partition selection
  std::int64_t selection_threshold = 0; // private selection: noisy active count needed (>= k)
  double confidence = 0.95;
  bool secure_randomness = true;        // false only with insecure_seeded_rng_for_tests
};

class adoption_report {
 public:
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
      return a->metric(m)->value > b->metric(m)->value;
    });
    return out;
  }

  nlohmann::json to_json() const {
    using nlohmann::json;
    json groups = json::array();
    for (const report_row& r : rows) {
      json g = json::object();
      json key = json::object();
      for (std::size_t i = 0; i < dimensions.size() && i < r.group.size(); ++i) key[dimensions[i]] = r.group[i];
      g["group"] = std::move(key);
      g["suppressed"] = r.suppressed;
      if (r.suppressed) {
        g["reason"] = "fewer than " + std::to_string(privacy.min_group_size) + " active people";
      }
      auto put = [&](const char* name, const std::optional<noisy_value>& v) {
        if (!v) return;
        g[name] = {{"value", v->value},
                   {"ci", {v->ci_low, v->ci_high}},
                   {"noise_scale", v->noise_scale}};
      };
      put("active_people", r.active_people);
      if (r.adoption_share) {
        g["adoption_share"] = {{"value", r.adoption_share->value},
                               {"ci", {r.adoption_share->ci_low, r.adoption_share->ci_high}},
                               {"headcount", r.adoption_share->headcount}};
      }
      put("tokens", r.tokens);
      put("requests", r.requests);
      put("cost_micros", r.cost_micros);
      groups.push_back(std::move(g));
    }
    return json{
        {"schema", "tokenmaxx.adoption_report.v1"},
        {"period", period},
        {"window", {{"start", privacy_detail::format_time(window_start)}, {"end", privacy_detail::format_time(window_end)}}},
        {"dimensions", dimensions},
        {"privacy",
         {{"unit", "a person in a period"},
          {"mechanism", privacy.mechanism == noise_mechanism::laplace ? "discrete_laplace" : "discrete_gaussian"},
          {"epsilon", privacy.epsilon},
          {"delta", privacy.delta},
          {"min_group_size", privacy.min_group_size},
          {"max_groups_per_person", privacy.max_groups_per_person},
          {"bounds_per_person_group_period",
           {{"tokens", privacy.max_tokens}, {"requests", privacy.max_requests}, {"cost_micros", privacy.max_cost_micros}}},
          {"group_selection", privacy.public_groups ? "public_list" : "private_threshold"},
          {"selection_threshold", privacy.selection_threshold},
          {"confidence", privacy.confidence},
          {"secure_randomness", privacy.secure_randomness}}},
        {"groups", std::move(groups)}};
  }

  // A fixed-width text table: one line per group, values with their confidence intervals.
  std::string to_text() const {
    std::vector<std::string> header = dimensions;
    const bool any_share = std::any_of(rows.begin(), rows.end(), [](const report_row& r) { return r.adoption_share.has_value(); });
    const auto has = [&](adoption_metric m) {
      return std::any_of(rows.begin(), rows.end(), [m](const report_row& r) { return r.metric(m).has_value(); });
    };
    const bool t = has(adoption_metric::tokens), q = has(adoption_metric::requests), c = has(adoption_metric::cost_micros);
    const int pct = static_cast<int>(privacy.confidence * 100 + 0.5);
    header.push_back("active people");
    if (any_share) header.push_back("adoption");
    if (t) header.push_back("tokens");
    if (q) header.push_back("requests");
    if (c) header.push_back("cost");  // cost_micros / 1e6, in the caller's currency
    const auto fmt_int = [](const noisy_value& v) {
      return privacy_detail::format_grouped(v.value) + " [" + privacy_detail::format_grouped(v.ci_low) + ", " +
             privacy_detail::format_grouped(v.ci_high) + "]";
    };
    const auto fmt_usd = [](std::int64_t micros) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(micros) / 1e6);
      return std::string(buf);
    };
    const auto fmt_pct = [](double v) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
      return std::string(buf);
    };
    std::vector<std::vector<std::string>> cells;
    for (const report_row& r : rows) {
      std::vector<std::string> line = r.group;
      if (r.suppressed) {
        line.push_back("suppressed (fewer than " + std::to_string(privacy.min_group_size) + " people)");
        cells.push_back(std::move(line));
        continue;
      }
      line.push_back(r.active_people ? fmt_int(*r.active_people) : "");
      if (any_share) {
        line.push_back(r.adoption_share ? fmt_pct(r.adoption_share->value) + " [" + fmt_pct(r.adoption_share->ci_low) +
                                              ", " + fmt_pct(r.adoption_share->ci_high) + "]"
                                        : "");
      }
      if (t) line.push_back(r.tokens ? fmt_int(*r.tokens) : "");
      if (q) line.push_back(r.requests ? fmt_int(*r.requests) : "");
      if (c) {
        line.push_back(r.cost_micros ? fmt_usd(r.cost_micros->value) + " [" + fmt_usd(r.cost_micros->ci_low) + ", " +
                                           fmt_usd(r.cost_micros->ci_high) + "]"
                                     : "");
      }
      cells.push_back(std::move(line));
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& line : cells) {
      for (std::size_t i = 0; i + 1 < line.size() && i < width.size(); ++i) width[i] = std::max(width[i], line[i].size());
      // A suppressed row's last cell spans the remaining columns; ordinary cells size their column.
      if (!line.empty() && line.size() == header.size()) width[line.size() - 1] = std::max(width[line.size() - 1], line.back().size());
    }
    std::string out;
    out += "AI adoption report, period " + period + " (" + privacy_detail::format_time(window_start) + " to " +
           privacy_detail::format_time(window_end) + ")\n";
    out += std::string(privacy.mechanism == noise_mechanism::laplace ? "discrete Laplace" : "discrete Gaussian") +
           " noise, epsilon " + privacy_detail::format_double(privacy.epsilon) +
           (privacy.delta > 0 ? ", delta " + privacy_detail::format_double(privacy.delta) : std::string()) +
           "; groups with fewer than " + std::to_string(privacy.min_group_size) +
           " active people are suppressed; [brackets]: " + std::to_string(pct) + "% intervals\n";
    const auto emit = [&](const std::vector<std::string>& line) {
      std::string s;
      for (std::size_t i = 0; i < line.size(); ++i) {
        s += line[i];
        if (i + 1 < line.size()) s += std::string(width[i] - std::min(width[i], line[i].size()) + 2, ' ');
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out += s + "\n";
    };
    emit(header);
    std::size_t total = 0;
    for (std::size_t w : width) total += w + 2;
    out += std::string(total > 2 ? total - 2 : total, '-') + "\n";
    for (const auto& line : cells) emit(line);
    if (rows.empty()) out += "(no group passed the release gate)\n";
    return out;
  }
};

}  // namespace tokenmaxx
