// weekly_adoption_report: from raw per-person usage events to a weekly AI adoption report per team
// and workflow that never shows anyone individually.
//
//   weekly_adoption_report --audit-log audit.jsonl --org-chart org.json events.jsonl
//   weekly_adoption_report --audit-log audit.jsonl events.jsonl      # no org chart: private selection
//   weekly_adoption_report --audit-log audit.jsonl --demo            # a synthetic organisation, 3 weeks
//   add --json to print one JSON report per line instead of the text tables.
//
// events.jsonl, one JSON object per line (time: Unix seconds, UTC):
//   {"person":"alice@corp.example","team":"search","workflow":"code-review","tokens":5200,
//    "requests":3,"cost_micros":41000,"time":1744016400}
// org.json, the public org chart: team headcounts and the workflows to report:
//   {"teams": {"search": 420, "infra": 130}, "workflows": ["code-review", "chat", "docs"]}
//
// What it shows comes from public knowledge or passed the release gate, never from one person:
//  - the groups listed are the org chart's teams x workflows, with the org chart's headcounts; a
//    team or workflow that only the events name (a one-person "layoff-planning") is never listed.
//    Without an org chart, groups are chosen by private selection (a noisy threshold well above k);
//  - every number is noisy (discrete Laplace from the CSPRNG) and each ISO week is charged epsilon 1
//    to its budget in the audit log; running again with the same log is refused for weeks already
//    spent, so a re-run cannot average the noise away;
//  - an input line is never echoed: errors name the file, the line number and the field only.
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenmaxx/privacy.hpp"

namespace {

using clock_type = std::chrono::system_clock;

struct raw_event {  // as a usage log has it: with real identifiers
  std::string person, team, workflow;
  std::int64_t tokens = 0, requests = 0, cost_micros = 0;
  clock_type::time_point time;
};

struct org_chart {
  std::map<std::string, std::int64_t> headcount;  // per team
  std::vector<std::string> workflows;
};

// Monday 00:00 UTC of the ISO week containing `t`, and its label "2025-W15".
std::pair<clock_type::time_point, std::string> iso_week(clock_type::time_point t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const sys_days monday = day - (weekday(day) - Monday);
  const sys_days thursday = monday + days(3);
  const year y = year_month_day(thursday).year();
  const sys_days jan1 = sys_days(y / January / 1);
  const int week = static_cast<int>((thursday - jan1).count() / 7 + 1);
  char label[16];
  std::snprintf(label, sizeof label, "%d-W%02d", static_cast<int>(y), week);
  return {clock_type::time_point(monday), label};
}

// A synthetic organisation over three weeks (adoption grows week by week) and its org chart.
std::pair<std::vector<raw_event>, org_chart> synthetic() {
  org_chart org{{{"search", 400}, {"payments", 250}, {"infra", 120}, {"legal", 4}}, {"code-review", "chat", "docs"}};
  std::mt19937_64 gen(2025);  // synthetic data only; the noise comes from the CSPRNG
  std::vector<raw_event> out;
  const auto start = clock_type::time_point(std::chrono::sys_days(std::chrono::year{2025} / 4 / 7));
  for (int week = 0; week < 3; ++week) {
    for (const auto& [team, size] : org.headcount) {
      for (std::int64_t p = 0; p < size; ++p) {
        const std::string person = team + ".member" + std::to_string(p) + "@corp.example";
        const double adopt = 0.35 + 0.15 * week;
        for (std::size_t w = 0; w < org.workflows.size(); ++w) {
          if (std::uniform_real_distribution<>(0, 1)(gen) > adopt / static_cast<double>(w + 1)) continue;
          const int sessions = 1 + static_cast<int>(gen() % 8);
          for (int s = 0; s < sessions; ++s) {
            raw_event e{person, team, org.workflows[w], 0, 1, 0, {}};
            e.tokens = 500 + static_cast<std::int64_t>(gen() % 2000);
            e.cost_micros = e.tokens * 8;  // 8 per million tokens
            e.time = start + std::chrono::days(7 * week) + std::chrono::minutes(gen() % (5 * 24 * 60));
            out.push_back(std::move(e));
          }
        }
      }
    }
  }
  return {std::move(out), std::move(org)};
}

// Reads a JSON field without echoing anything of the input; false if absent or of the wrong type.
bool read_string(const nlohmann::json& j, const char* key, std::string& out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}
bool read_int(const nlohmann::json& j, const char* key, std::int64_t& out, std::optional<std::int64_t> fallback) {
  const auto it = j.find(key);
  if (it == j.end() && fallback) {
    out = *fallback;
    return true;
  }
  if (it == j.end() || !it->is_number_integer()) return false;
  out = it->get<std::int64_t>();
  return true;
}

// Events, one JSON object per line. Errors say where and which field, never what the line held.
std::optional<std::vector<raw_event>> read_events(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path;
    return std::nullopt;
  }
  std::vector<raw_event> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const auto where = path + ":" + std::to_string(n) + ": ";
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      error = where + "not a JSON object (the line is not shown: it may hold a person's identifier)";
      return std::nullopt;
    }
    raw_event e;
    std::int64_t seconds = 0;
    for (auto [key, field] : {std::pair<const char*, std::string*>{"person", &e.person}, {"team", &e.team}, {"workflow", &e.workflow}}) {
      if (!read_string(j, key, *field)) {
        error = where + "missing or non-string field '" + key + "'";
        return std::nullopt;
      }
    }
    if (!read_int(j, "tokens", e.tokens, 0) || !read_int(j, "requests", e.requests, 1) ||
        !read_int(j, "cost_micros", e.cost_micros, 0) || !read_int(j, "time", seconds, std::nullopt)) {
      error = where + "tokens, requests, cost_micros and time must be integers (time is required)";
      return std::nullopt;
    }
    e.time = clock_type::time_point(std::chrono::seconds(seconds));
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<org_chart> read_org_chart(const std::string& path, std::string& error) {
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  const auto teams = j.is_object() ? j.find("teams") : j.end();
  const auto workflows = j.is_object() ? j.find("workflows") : j.end();
  if (!in.is_open() || j.is_discarded() || teams == j.end() || !teams->is_object() || workflows == j.end() ||
      !workflows->is_array()) {
    error = path + ": expected {\"teams\": {name: headcount, ...}, \"workflows\": [name, ...]}";
    return std::nullopt;
  }
  org_chart org;
  for (const auto& [team, count] : teams->items()) {
    if (!count.is_number_integer()) {
      error = path + ": the headcount of team '" + team + "' must be an integer";
      return std::nullopt;
    }
    org.headcount[team] = count.get<std::int64_t>();
  }
  for (const auto& w : *workflows) {
    if (!w.is_string()) {
      error = path + ": workflow names must be strings";
      return std::nullopt;
    }
    org.workflows.push_back(w.get<std::string>());
  }
  return org;
}

int fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false, demo = false;
  std::string events_path, org_path, audit_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") json = true;
    else if (a == "--demo") demo = true;
    else if ((a == "--org-chart" || a == "--audit-log") && i + 1 < argc) (a == "--org-chart" ? org_path : audit_path) = argv[++i];
    else if (!a.empty() && a[0] != '-') events_path = a;
    else return fail("unknown argument " + a + "\nusage: weekly_adoption_report --audit-log FILE [--org-chart ORG.json] [--json] (EVENTS.jsonl | --demo)");
  }
  if (audit_path.empty()) return fail("--audit-log FILE is required: the privacy budget of every week is kept there");
  if (demo == !events_path.empty()) return fail("give either an events file or --demo");

  std::vector<raw_event> events;
  std::optional<org_chart> org;
  std::string error;
  if (demo) {
    std::tie(events, org) = synthetic();
  } else {
    std::optional<std::vector<raw_event>> read = read_events(events_path, error);
    if (!read) return fail(error);
    events = std::move(*read);
    if (!org_path.empty() && !(org = read_org_chart(org_path, error))) return fail(error);
  }

  // In production load the master key from secret storage (master_key::from_bytes): it is what keeps
  // pseudonyms from being recomputed from e-mail addresses.
  auto key = tokenmaxx::master_key::generate();
  if (!key.ok()) return fail(std::string(key.status().message()));
  auto accountant = tokenmaxx::privacy_accountant::open(
      {.audit_log_path = audit_path, .epsilon_per_period = 1.0, .delta_per_period = org ? 0.0 : 1e-6});
  if (!accountant.ok()) return fail(std::string(accountant.status().message()));

  tokenmaxx::release_options release;
  release.epsilon = 1.0;  // the whole weekly budget, split evenly over active people and tokens
  if (org) {
    release.public_groups.emplace();
    for (const auto& [team, headcount] : org->headcount) {
      for (const std::string& w : org->workflows) {
        release.public_groups->push_back({team, w});
        release.headcount[{team, w}] = headcount;  // public: from the org chart, not from the events
      }
    }
  } else {
    release.delta = 1e-6;  // private selection: which groups exist is itself protected
  }

  std::map<std::string, std::vector<const raw_event*>> by_week;
  std::map<std::string, clock_type::time_point> week_start;
  for (const raw_event& e : events) {
    auto [monday, label] = iso_week(e.time);
    by_week[label].push_back(&e);
    week_start[label] = monday;
  }
  for (const auto& [label, week_events] : by_week) {
    auto pseudonyms = tokenmaxx::pseudonymizer::create(*key, label);  // rotated every week
    if (!pseudonyms.ok()) return fail(std::string(pseudonyms.status().message()));
    auto agg = tokenmaxx::adoption_aggregator::create({.dimensions = {"team", "workflow"},
                                                       .period = label,
                                                       .window_start = week_start[label],
                                                       .window_end = week_start[label] + std::chrono::days(7),
                                                       .bounds = {},  // the documented defaults, set for one week
                                                       .min_group_size = 5,
                                                       .accountant = *accountant},
                                                      std::move(*pseudonyms));
    if (!agg.ok()) return fail(std::string(agg.status().message()));
    for (const raw_event* e : week_events) {
      const std::array<std::string_view, 2> group{e->team, e->workflow};
      absl::Status st = (*agg)->add({.person_id = e->person, .group = group, .tokens = e->tokens,
                                     .requests = e->requests, .cost_micros = e->cost_micros, .time = e->time});
      // The message names the problem (a negative amount, invalid UTF-8), never the event's values.
      if (!st.ok()) return fail("week " + label + ": an event was refused: " + std::string(st.message()));
    }
    absl::StatusOr<tokenmaxx::adoption_report> report = (*agg)->release(release);
    if (!report.ok()) return fail("week " + label + ": " + std::string(report.status().message()));
    if (json) {
      std::cout << tokenmaxx::to_json(*report).dump() << "\n";
      continue;
    }
    std::cout << tokenmaxx::to_text(*report) << "\nTop groups by active people (noisy; released groups only):";
    int shown = 0;
    for (const tokenmaxx::report_row* row : report->ranking(tokenmaxx::adoption_metric::active_people)) {
      if (shown++ == 3) break;
      std::cout << "  " << row->group[0] << "/" << row->group[1] << " ~" << row->active_people->value;
    }
    std::cout << "\n\n";
  }
  if (!json) std::cout << "Every release is recorded in " << audit_path << " (JSON lines, fixed fields, no identifiers).\n";
  return 0;
}
