// tokenmaxx report: weekly AI adoption by team and by team x workflow, released through the
// privacy gate (include/tokenmaxx/privacy), with one accountant (audit log) across all weeks.
// Writes report.json (the released numbers and the Vega-Lite specs) and report.html (the same
// specs rendered by the inlined vega-embed; works offline) and prints a terminal table.
//
// Each week makes two releases, each spending half of --epsilon: per team (active people, adoption
// share, tokens) and per team x workflow (active people, tokens). Nothing derived from one person
// (identifier, pseudonym, true total, event count) is written anywhere.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "tokenmaxx/privacy.hpp"

namespace tokenmaxx_cli {

extern const std::string_view vega_versions;
extern const std::string_view vega_scripts;

namespace {

using clock_type = std::chrono::system_clock;
using json = nlohmann::json;

struct org_chart {
  std::map<std::string, std::int64_t> headcount;  // per team
  std::vector<std::string> workflows;
};

org_chart read_org(const std::string& path) {
  const json j = json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  const auto bad = [&](const std::string& why) { return cli_error(exit_error, path + ": " + why); };
  if (j.is_discarded() || !j.is_object() || !j.contains("teams") || !j["teams"].is_object() || !j.contains("workflows") ||
      !j["workflows"].is_array())
    throw bad("expected {\"teams\": {name: headcount, ...}, \"workflows\": [name, ...]}");
  org_chart org;
  for (const auto& [team, n] : j["teams"].items()) {
    if (!n.is_number_integer() || n.get<std::int64_t>() < 0) throw bad("the headcount of team '" + team + "' must be a non-negative integer");
    org.headcount[team] = n.get<std::int64_t>();
  }
  for (const json& w : j["workflows"]) {
    if (!w.is_string()) throw bad("workflow names must be strings");
    org.workflows.push_back(w.get<std::string>());
  }
  if (org.headcount.empty() || org.workflows.empty()) throw bad("needs at least one team and one workflow");
  return org;
}

// team,week,outcomes (a header line is allowed): public team-level figures per ISO week.
std::map<std::pair<std::string, std::string>, double> read_outcomes(const std::string& path) {
  std::map<std::pair<std::string, std::string>, double> out;
  std::istringstream in(read_file(path));
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (n == 1 && line.rfind("team,", 0) == 0)) continue;
    const auto c1 = line.find(','), c2 = line.find(',', c1 == std::string::npos ? c1 : c1 + 1);
    char* end = nullptr;
    const double v = c2 == std::string::npos ? -1 : std::strtod(line.c_str() + c2 + 1, &end);
    if (c2 == std::string::npos || end == line.c_str() + c2 + 1 || *end != '\0' || !(v >= 0) || !std::isfinite(v))
      throw cli_error(exit_error, path + ":" + std::to_string(n) + ": expected team,week,outcomes with outcomes >= 0");
    out[{line.substr(0, c1), line.substr(c1 + 1, c2 - c1 - 1)}] = v;
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fmt(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

// Vega-Lite specifications; the data is inline, so report.json alone can redraw them (Altair).
// Written as JSON text: nested json initializer lists cost minutes of compile time.
json spec_with(const char* text, const json& values) {
  json spec = json::parse(text);
  spec["data"] = {{"values", values}};
  return spec;
}

json adoption_spec(const json& values) {
  // Small multiples, one panel per released team: 20-30 overlaid lines would be unreadable.
  return spec_with(R"spec({
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "title": "Adoption share per team: active people / headcount, with its 95% interval",
    "facet": {"field": "team", "type": "nominal", "title": null},
    "columns": 6,
    "spec": {
      "width": 120, "height": 80,
      "encoding": {"x": {"field": "week", "type": "ordinal", "title": null, "axis": {"labels": false, "ticks": false}}},
      "layer": [
        {"mark": {"type": "area", "opacity": 0.25},
         "encoding": {"y": {"field": "low", "type": "quantitative", "title": "adoption", "axis": {"format": "%"},
                            "scale": {"domain": [0, 1]}},
                      "y2": {"field": "high"}}},
        {"mark": {"type": "line", "point": true},
         "encoding": {"y": {"field": "share", "type": "quantitative"},
                      "tooltip": [{"field": "team"}, {"field": "week"}, {"field": "share", "format": ".1%"},
                                  {"field": "low", "format": ".1%"}, {"field": "high", "format": ".1%"}]}}
      ]
    }
  })spec", values);
}

json workflow_spec(const json& values) {
  return spec_with(R"spec({
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "title": "Tokens by workflow (sum of released team x workflow groups)",
    "width": 720, "height": 280,
    "mark": "bar",
    "encoding": {
      "x": {"field": "week", "type": "ordinal", "title": "ISO week"},
      "y": {"field": "tokens", "type": "quantitative", "title": "tokens (noisy)"},
      "color": {"field": "workflow", "type": "nominal"},
      "tooltip": [{"field": "workflow"}, {"field": "week"}, {"field": "tokens", "format": ","}]
    }
  })spec", values);
}

json outcome_spec(const json& values, const std::string& week) {
  json spec = spec_with(R"spec({
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "width": 720, "height": 280,
    "encoding": {"x": {"field": "team", "type": "nominal",
                       "sort": {"field": "tokens_per_outcome", "op": "max", "order": "descending"}}},
    "layer": [
      {"mark": "bar",
       "encoding": {"y": {"field": "tokens_per_outcome", "type": "quantitative", "title": "tokens per outcome"},
                    "color": {"field": "team", "type": "nominal", "legend": null}}},
      {"mark": {"type": "rule", "color": "black"},
       "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}}
    ]
  })spec", values);
  spec["title"] = "Tokens per outcome, week " + week + " (noise carried into the 95% interval)";
  return spec;
}

std::string render_html(const json& report, const json& charts, const std::vector<std::string>& chart_names) {
  std::string specs = charts.dump();
  for (std::size_t at = 0; (at = specs.find("</", at)) != std::string::npos; at += 3) specs.replace(at, 2, "<\\/");
  const json& p = report["privacy"];
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AI adoption report</title>\n";
  h += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
       ".note{color:#555}.chart{margin:1.5em 0}</style>\n";
  h += std::string(vega_scripts) + "\n</head><body>\n";
  h += "<h1>AI adoption by team and workflow</h1>\n";
  h += "<p class=\"note\">Weeks " + html_escape(report["weeks"].front()["period"].get<std::string>()) + " to " +
       html_escape(report["weeks"].back()["period"].get<std::string>()) +
       ". Every number is a differentially private release: noisy, with its interval. No person is shown or ranked; "
       "groups with fewer than k people are suppressed.</p>\n";
  for (const std::string& name : chart_names) h += "<div class=\"chart\" id=\"chart-" + name + "\"></div>\n";
  h += "<h2>Privacy parameters and budget</h2>\n<table>";
  h += "<tr><th>mechanism</th><td>" + html_escape(p["mechanism"].get<std::string>()) + "</td></tr>";
  h += "<tr><th>epsilon per weekly release (split over its releases and metrics)</th><td>" + fmt(p["epsilon_per_week"].get<double>(), 3) + "</td></tr>";
  h += "<tr><th>budget per week (epsilon)</th><td>" + fmt(p["budget_per_week"].get<double>(), 3) + "</td></tr>";
  h += "<tr><th>minimum group size k</th><td>" + std::to_string(p["k"].get<std::int64_t>()) + "</td></tr>";
  h += "<tr><th>contribution bounds per person and week</th><td>" + std::to_string(p["max_teams_per_person"].get<std::int64_t>()) +
       " team, " + std::to_string(p["max_groups_per_person"].get<std::int64_t>()) + " team x workflow groups, " +
       std::to_string(p["max_tokens"].get<std::int64_t>()) + " tokens per group</td></tr>";
  h += "<tr><th>interval confidence</th><td>" + fmt(p["confidence"].get<double>(), 2) + "</td></tr></table>\n";
  h += "<table><tr><th>week</th><th>releases</th><th>epsilon spent</th><th>epsilon remaining</th></tr>";
  for (const json& w : report["weeks"]) {
    h += "<tr><td>" + html_escape(w["period"].get<std::string>()) + "</td><td>" + std::to_string(w["releases"].get<int>()) + "</td><td>" +
         fmt(w["budget_spent"].get<double>(), 3) + "</td><td>" + fmt(w["budget_remaining"].get<double>(), 3) + "</td></tr>";
  }
  h += "</table>\n<h2>Suppressed groups (fewer than k people)</h2>\n";
  const json& sup = report["suppressed"];
  if (sup.empty()) {
    h += "<p>None.</p>\n";
  } else {
    // One row per group, with the weeks it was suppressed in: a leader reads 30 rows, not 400.
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> weeks_of;
    for (const json& s : sup) weeks_of[{s["team"].get<std::string>(), s["workflow"].get<std::string>()}].push_back(s["week"].get<std::string>());
    h += "<table id=\"suppressed\"><tr><th>team</th><th>workflow</th><th>weeks suppressed</th></tr>";
    for (const auto& [group, weeks] : weeks_of) {
      std::string list;
      for (const std::string& w : weeks) list += (list.empty() ? "" : ", ") + w;
      if (weeks.size() == report["weeks"].size()) list = "all " + std::to_string(weeks.size()) + " weeks";
      h += "<tr><td>" + html_escape(group.first) + "</td><td>" + html_escape(group.second) + "</td><td>" + html_escape(list) + "</td></tr>";
    }
    h += "</table>\n";
  }
  h += "<p class=\"note\">Charts: Vega-Lite, rendered offline by " + html_escape(vega_versions) +
       " (inlined). The same specifications are in report.json.</p>\n";
  h += "<script type=\"application/json\" id=\"specs\">" + specs + "</script>\n";
  h += "<script>\nconst specs = JSON.parse(document.getElementById('specs').textContent);\n"
       "window.chartsDone = Promise.all(Object.keys(specs).map(name =>\n"
       "  vegaEmbed('#chart-' + name, specs[name], {renderer: 'svg', actions: false})))\n"
       "  .then(() => document.body.setAttribute('data-charts', 'rendered'))\n"
       "  .catch(e => { console.error('chart failed: ' + e); document.body.setAttribute('data-charts', 'failed'); });\n"
       "</script>\n</body></html>\n";
  return h;
}

}  // namespace

int run_report(const report_options& o) {
  const org_chart org = read_org(o.org);
  const auto outcomes = o.outcomes.empty() ? std::map<std::pair<std::string, std::string>, double>{} : read_outcomes(o.outcomes);
  std::vector<std::string> errors;
  std::vector<usage_event_row> events;
  std::vector<std::string> event_file;  // per event, for error messages
  for (const std::string& path : o.files) {
    event_read_result r = read_events(path);
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    for (auto& e : r.events) {
      events.push_back(std::move(e));
      event_file.push_back(path);
    }
  }
  if (events.empty()) throw cli_error(exit_error, "no usage events to report on");

  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) throw cli_error(exit_error, "cannot create " + o.out + ": " + ec.message());
  const std::string audit_log = o.audit_log.empty() ? o.out + "/privacy-audit.jsonl" : o.audit_log;
  const double budget = o.budget > 0 ? o.budget : o.epsilon;
  auto accountant = tokenmaxx::privacy_accountant::open({.audit_log_path = audit_log, .epsilon_per_period = budget});
  if (!accountant.ok()) throw cli_error(exit_error, audit_log + ": " + std::string(accountant.status().message()));
  // Pseudonyms only need to be stable within one run (they are rotated per week anyway); a service
  // that reports continuously loads its key from a secret store (master_key::from_bytes).
  auto key = tokenmaxx::master_key::generate();
  if (!key.ok()) throw cli_error(exit_error, std::string(key.status().message()));

  std::map<std::string, std::vector<std::size_t>> by_week;
  std::map<std::string, clock_type::time_point> week_start;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto [monday, label] = iso_week(events[i].time_seconds);
    by_week[label].push_back(i);
    week_start[label] = clock_type::time_point(std::chrono::seconds(monday));
  }

  tokenmaxx::contribution_bounds bounds;  // the documented one-week defaults, for team x workflow
  // A person belongs to one team: the per-team release keeps each person's top team only (the
  // library enforces it), which makes its noise three times smaller than with the default of 3.
  tokenmaxx::contribution_bounds team_bounds = bounds;
  team_bounds.max_groups_per_person = 1;
  json weeks = json::array(), suppressed = json::array(), adoption = json::array(), by_workflow = json::array(), per_outcome = json::array();
  std::vector<std::string> lines;
  std::int64_t dropped = 0;
  for (const auto& [label, idx] : by_week) {
    const clock_type::time_point start = week_start[label], end = start + std::chrono::days(7);
    struct level {
      std::vector<std::string> dims;
      std::unique_ptr<tokenmaxx::adoption_aggregator> agg;
    };
    std::array<level, 2> levels{level{{"team"}, nullptr}, level{{"team", "workflow"}, nullptr}};
    for (level& l : levels) {
      auto p = tokenmaxx::pseudonymizer::create(*key, label);
      if (!p.ok()) throw cli_error(exit_error, std::string(p.status().message()));
      auto agg = tokenmaxx::adoption_aggregator::create(
          {.dimensions = l.dims, .period = label, .window_start = start, .window_end = end, .bounds = l.dims.size() == 1 ? team_bounds : bounds,
           .min_group_size = o.k, .accountant = *accountant},
          std::move(*p));
      if (!agg.ok()) throw cli_error(exit_error, "week " + label + ": " + std::string(agg.status().message()));
      l.agg = std::move(*agg);
    }
    for (std::size_t i : idx) {
      const usage_event_row& e = events[i];
      if (!org.headcount.count(e.team)) {
        // Counted and reported: a team outside the public org chart is never listed, so its usage
        // cannot be released; saying so keeps the loss visible.
        ++dropped;
        continue;
      }
      const auto tokens = static_cast<std::int64_t>(std::min<std::uint64_t>(e.total_tokens(), INT64_MAX));
      const std::array<std::string_view, 1> g1{e.team};
      const std::array<std::string_view, 2> g2{e.team, e.workflow};
      const auto t = clock_type::time_point(std::chrono::seconds(e.time_seconds));
      // Team x workflow first: it checks everything the team level checks (same person, time and
      // amounts, a superset of the group values, at least as many groups), so an event is added to
      // both levels or to neither, never counted for the team while reported as malformed.
      absl::Status st = levels[1].agg->add({.person_id = e.person, .group = g2, .tokens = tokens, .requests = 1, .time = t});
      if (st.ok()) st = levels[0].agg->add({.person_id = e.person, .group = g1, .tokens = tokens, .requests = 1, .time = t});
      if (!st.ok()) errors.push_back(event_file[i] + ":" + std::to_string(e.line) + ": " + std::string(st.message()));
    }
    std::array<tokenmaxx::adoption_report, 2> released;
    for (std::size_t li = 0; li < 2; ++li) {
      tokenmaxx::release_options r;
      r.epsilon = o.epsilon / 2;
      r.public_groups.emplace();
      for (const auto& [team, n] : org.headcount) {
        if (li == 0) {
          r.public_groups->push_back({team});
          r.headcount[{team}] = n;
        } else {
          for (const std::string& w : org.workflows) r.public_groups->push_back({team, w});
        }
      }
      absl::StatusOr<tokenmaxx::adoption_report> rep = levels[li].agg->release(r);
      if (!rep.ok()) {
        const int code = rep.status().code() == absl::StatusCode::kResourceExhausted ? exit_budget : exit_error;
        throw cli_error(code, "week " + label + ": " + std::string(rep.status().message()) +
                                  (code == exit_budget ? " (this audit log already spent that week's budget; nothing was written)" : ""));
      }
      released[li] = *std::move(rep);
    }
    const tokenmaxx::privacy_cost spent = (*accountant)->spent(start);
    const tokenmaxx::privacy_cost left = (*accountant)->remaining(start);
    std::int64_t people = 0, tokens = 0, teams_released = 0, teams_suppressed = 0;
    for (const tokenmaxx::report_row& row : released[0].rows) {
      if (row.suppressed) {
        ++teams_suppressed;
        suppressed.push_back({{"week", label}, {"team", row.group[0]}, {"workflow", "(all)"}});
        continue;
      }
      ++teams_released;
      people += row.active_people->value;
      tokens += row.tokens->value;
      if (row.adoption_share)
        adoption.push_back({{"week", label}, {"team", row.group[0]}, {"share", row.adoption_share->value},
                            {"low", row.adoption_share->ci_low}, {"high", row.adoption_share->ci_high}});
    }
    std::map<std::string, std::int64_t> wf_tokens;
    std::int64_t pairs_released = 0;
    for (const tokenmaxx::report_row& row : released[1].rows) {
      pairs_released += row.suppressed ? 0 : 1;
      if (row.suppressed) {
        suppressed.push_back({{"week", label}, {"team", row.group[0]}, {"workflow", row.group[1]}});
        continue;
      }
      wf_tokens[row.group[1]] += row.tokens->value;
    }
    for (const auto& [w, t] : wf_tokens) by_workflow.push_back({{"week", label}, {"workflow", w}, {"tokens", t}});
    if (!outcomes.empty() && label == by_week.rbegin()->first) {
      for (const tokenmaxx::report_row& row : released[0].rows) {
        const auto it = outcomes.find({row.group[0], label});
        if (row.suppressed || it == outcomes.end() || it->second <= 0) continue;
        per_outcome.push_back({{"team", row.group[0]}, {"outcomes", it->second},
                               {"tokens_per_outcome", static_cast<double>(row.tokens->value) / it->second},
                               {"low", static_cast<double>(row.tokens->ci_low) / it->second},
                               {"high", static_cast<double>(row.tokens->ci_high) / it->second}});
      }
    }
    weeks.push_back({{"period", label}, {"releases", 2}, {"budget_spent", spent.epsilon()}, {"budget_remaining", left.epsilon()},
                     {"teams", tokenmaxx::to_json(released[0])}, {"team_workflows", tokenmaxx::to_json(released[1])}});
    char line[256];
    std::snprintf(line, sizeof line, "%-9s %6lld %10lld %14lld %8lld %10lld %8.3f %8.3f", label.c_str(),
                  static_cast<long long>(teams_released), static_cast<long long>(teams_suppressed), static_cast<long long>(tokens),
                  static_cast<long long>(people), static_cast<long long>(pairs_released), spent.epsilon(), left.epsilon());
    lines.push_back(line);
  }

  json charts = {{"adoption", adoption_spec(adoption)}, {"workflows", workflow_spec(by_workflow)}};
  std::vector<std::string> chart_names{"adoption", "workflows"};
  if (!per_outcome.empty()) {
    charts["outcomes"] = outcome_spec(per_outcome, by_week.rbegin()->first);
    chart_names.push_back("outcomes");
  }
  json report = {
      {"schema", "tokenmaxx.cli_report.v1"},
      {"privacy", {{"mechanism", "discrete_laplace"}, {"epsilon_per_week", o.epsilon}, {"budget_per_week", budget}, {"k", o.k},
                   {"max_groups_per_person", bounds.max_groups_per_person}, {"max_teams_per_person", team_bounds.max_groups_per_person},
                   {"max_tokens", bounds.max_tokens}, {"confidence", 0.95},
                   {"releases_per_week", "per team (epsilon/2) and per team x workflow (epsilon/2)"},
                   {"audit_log", audit_log}}},
      {"weeks", weeks},
      {"suppressed", suppressed},
      {"events_outside_org_chart", dropped},
      {"malformed_lines", errors.size()},
      {"charts", charts}};
  write_file(o.out + "/report.json", report.dump(2) + "\n");
  write_file(o.out + "/report.html", render_html(report, charts, chart_names));

  std::printf("%-9s %6s %10s %14s %8s %10s %8s %8s\n", "week", "teams", "suppressed", "tokens", "active", "team x wf", "eps", "eps left");
  for (const std::string& l : lines) std::printf("%s\n", l.c_str());
  std::printf("(noisy sums over released teams; %zu team or team x workflow groups suppressed below k = %lld)\n", suppressed.size(),
              static_cast<long long>(o.k));
  if (dropped) std::printf("%lld events name a team outside the org chart and were not released\n", static_cast<long long>(dropped));
  std::printf("wrote %s/report.html and %s/report.json; privacy budget log: %s\n", o.out.c_str(), o.out.c_str(), audit_log.c_str());
  return report_malformed(errors, "reported on");
}

}  // namespace tokenmaxx_cli
