// tokenmaxx/privacy/report_format.hpp: an adoption report as JSON for dashboards, or as a text table.
//
// Rendering lives beside the report type (report.hpp), not in it: each format is a free function
// over the released values, so adding one (an HTML page, say) touches neither the report nor the
// release path. The formats print only what the report holds: group values, noisy values with their
// intervals and noise scales, and the release parameters; nothing about any person.
//
// Guarantees:
//  - `to_json` follows schema "tokenmaxx.adoption_report.v2": period, window (UTC, RFC 3339),
//    dimensions, privacy (unit, neighbour relation, mechanism, epsilon, delta, k, bounds, group
//    selection, threshold, confidence, interval kind, randomness) and one object per row; the
//    aggregator fingerprints exactly this document (SHA-256 of `dump()`) in the audit log.
//  - `to_text` gives one aligned line per row, suppressed rows spelled out, intervals in brackets.
//  - Both are deterministic functions of the report; neither fails nor throws (beyond allocation).
//  - Thread safety: pure functions of a const report; call them concurrently at will.
//
// Example:
//   tokenmaxx::adoption_report report;  // normally from adoption_aggregator::release()
//   report.dimensions = {"team"};
//   report.rows.push_back({.group = {"search"}, .active_people = tokenmaxx::noisy_value{.value = 42, .ci_low = 30, .ci_high = 54}});
//   std::cout << tokenmaxx::to_text(report);           // readable table
//   std::string json = tokenmaxx::to_json(report).dump(2);  // for dashboards
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenmaxx/privacy/detail/format.hpp"
#include "tokenmaxx/privacy/report.hpp"

namespace tokenmaxx {

inline nlohmann::json to_json(const adoption_report& report) {
  using nlohmann::json;
  const report_privacy& p = report.privacy;
  json groups = json::array();
  for (const report_row& r : report.rows) {
    json g = json::object();
    json key = json::object();
    for (std::size_t i = 0; i < report.dimensions.size() && i < r.group.size(); ++i) key[report.dimensions[i]] = r.group[i];
    g["group"] = std::move(key);
    g["suppressed"] = r.suppressed;
    if (r.suppressed) g["reason"] = "noisy count of active people below " + std::to_string(p.min_group_size);
    const auto put = [&](const char* name, const std::optional<noisy_value>& v) {
      if (v) g[name] = {{"value", v->value}, {"ci", {v->ci_low, v->ci_high}}, {"noise_scale", v->noise_scale}};
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
      {"schema", "tokenmaxx.adoption_report.v2"},
      {"period", report.period},
      {"window",
       {{"start", privacy_detail::format_time(report.window_start)}, {"end", privacy_detail::format_time(report.window_end)}}},
      {"dimensions", report.dimensions},
      {"privacy",
       {{"unit", "a person's events in the window"},
        {"neighbours", "add or remove one person"},
        {"mechanism", mechanism_name(p.mechanism)},
        {"epsilon", p.epsilon},
        {"delta", p.delta},
        {"min_group_size", p.min_group_size},
        {"max_groups_per_person", p.max_groups_per_person},
        {"bounds_per_person_and_group",
         {{"tokens", p.max_tokens}, {"requests", p.max_requests}, {"cost_micros", p.max_cost_micros}}},
        {"group_selection", p.public_groups ? "public_list" : "private_threshold"},
        {"suppression", p.public_groups ? "noisy active count below min_group_size" : "not selected"},
        {"selection_threshold", p.selection_threshold},
        {"confidence", p.confidence},
        {"active_people_interval", p.public_groups ? "unconditional" : "conditional on selection"},
        {"secure_randomness", p.secure_randomness}}},
      {"groups", std::move(groups)}};
}

inline std::string to_text(const adoption_report& report) {
  const report_privacy& p = report.privacy;
  const auto& rows = report.rows;
  std::vector<std::string> header = report.dimensions;
  const bool any_share = std::any_of(rows.begin(), rows.end(), [](const report_row& r) { return r.adoption_share.has_value(); });
  const auto has = [&](adoption_metric m) {
    return std::any_of(rows.begin(), rows.end(), [m](const report_row& r) { return r.metric(m).has_value(); });
  };
  const bool t = has(adoption_metric::tokens), q = has(adoption_metric::requests), c = has(adoption_metric::cost_micros);
  const int pct = static_cast<int>(p.confidence * 100 + 0.5);
  header.push_back("active people");
  if (any_share) header.push_back("adoption");
  if (t) header.push_back("tokens");
  if (q) header.push_back("requests");
  if (c) header.push_back("cost");  // cost_micros / 1e6, in the caller's currency
  const auto bracketed = [](const std::string& v, const std::string& lo, const std::string& hi) {
    return v + " [" + lo + ", " + hi + "]";
  };
  const auto fmt_int = [&](const noisy_value& v) {
    return bracketed(privacy_detail::format_grouped(v.value), privacy_detail::format_grouped(v.ci_low),
                     privacy_detail::format_grouped(v.ci_high));
  };
  const auto fmt_money = [](std::int64_t micros) {
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
      line.push_back("suppressed (fewer than " + std::to_string(p.min_group_size) + " people, after noise)");
      cells.push_back(std::move(line));
      continue;
    }
    line.push_back(r.active_people ? fmt_int(*r.active_people) : "");
    if (any_share) {
      const auto& s = r.adoption_share;
      line.push_back(s ? bracketed(fmt_pct(s->value), fmt_pct(s->ci_low), fmt_pct(s->ci_high)) : "");
    }
    if (t) line.push_back(r.tokens ? fmt_int(*r.tokens) : "");
    if (q) line.push_back(r.requests ? fmt_int(*r.requests) : "");
    if (c) {
      const auto& v = r.cost_micros;
      line.push_back(v ? bracketed(fmt_money(v->value), fmt_money(v->ci_low), fmt_money(v->ci_high)) : "");
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
  std::string out = "AI adoption report, period " + report.period + " (" + privacy_detail::format_time(report.window_start) +
                    " to " + privacy_detail::format_time(report.window_end) + ")\n";
  out += std::string(p.mechanism == noise_mechanism::laplace ? "discrete Laplace" : "discrete Gaussian") + " noise, epsilon " +
         privacy_detail::format_double(p.epsilon) +
         (p.delta > 0 ? ", delta " + privacy_detail::format_double(p.delta) : std::string()) + "; " +
         (p.public_groups ? "groups whose noisy count is below " + std::to_string(p.min_group_size) + " are suppressed"
                          : "groups shown only if their noisy count reaches " + std::to_string(p.selection_threshold)) +
         "; [brackets]: " + std::to_string(pct) + "% intervals\n";
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

}  // namespace tokenmaxx
