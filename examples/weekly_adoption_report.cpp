// weekly_adoption_report: from raw per-person usage events to a weekly AI adoption report per team
// and workflow that never shows anyone individually.
//
//   weekly_adoption_report                 # a synthetic organisation, three weeks
//   weekly_adoption_report events.jsonl    # your events, one JSON object per line:
//     {"person":"alice@corp.example","team":"search","workflow":"code-review",
//      "tokens":5200,"requests":3,"cost_micros":41000,"time":1744016400}      (time: Unix seconds, UTC)
//   add --json to print the JSON reports instead of the text tables.
//
// Each ISO week is its own privacy period: its own pseudonym key (derived from one master key), its
// own aggregator and its own budget. The released groups are the public org chart (team x workflow)
// with headcounts, so the adoption share is shown; teams with fewer than k = 5 active people are
// marked suppressed.
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
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

// A synthetic organisation over three weeks; adoption grows week by week.
std::vector<raw_event> synthetic_events() {
  const std::map<std::string, int> teams = {{"search", 400}, {"payments", 250}, {"infra", 120}, {"legal", 4}};
  const std::array<std::string, 3> workflows = {"code-review", "chat", "docs"};
  std::mt19937_64 gen(2025);  // synthetic data only; the noise comes from the CSPRNG
  std::vector<raw_event> out;
  const auto start = clock_type::time_point(std::chrono::sys_days(std::chrono::year{2025} / 4 / 7));
  for (int week = 0; week < 3; ++week) {
    for (const auto& [team, size] : teams) {
      for (int p = 0; p < size; ++p) {
        const std::string person = team + ".member" + std::to_string(p) + "@corp.example";
        const double adopt = 0.35 + 0.15 * week;
        for (std::size_t w = 0; w < workflows.size(); ++w) {
          if (std::uniform_real_distribution<>(0, 1)(gen) > adopt / static_cast<double>(w + 1)) continue;
          const int sessions = 1 + static_cast<int>(gen() % 8);
          for (int s = 0; s < sessions; ++s) {
            raw_event e{person, team, workflows[w], 0, 1, 0, {}};
            e.tokens = 500 + static_cast<std::int64_t>(gen() % 6000);
            e.cost_micros = e.tokens * 8;  // $8 per million tokens
            e.time = start + std::chrono::days(7 * week) + std::chrono::minutes(gen() % (5 * 24 * 60));
            out.push_back(std::move(e));
          }
        }
      }
    }
  }
  return out;
}

std::vector<raw_event> read_events(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<raw_event> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      out.push_back({j.at("person").get<std::string>(), j.at("team").get<std::string>(),
                     j.at("workflow").get<std::string>(), j.value("tokens", std::int64_t{0}),
                     j.value("requests", std::int64_t{1}), j.value("cost_micros", std::int64_t{0}),
                     clock_type::time_point(std::chrono::seconds(j.at("time").get<std::int64_t>()))});
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") json = true;
    else path = a;
  }
  std::vector<raw_event> events;
  try {
    events = path.empty() ? synthetic_events() : read_events(path);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }

  // In production load the master key from secret storage (master_key::from_bytes); it is what keeps
  // pseudonyms from being recomputed from e-mail addresses.
  auto key = tokenmaxx::master_key::generate();
  std::ostringstream audit_lines;
  tokenmaxx::audit_log audit(audit_lines);
  auto accountant = tokenmaxx::privacy_accountant::create({.epsilon_per_period = 1.0, .log = &audit});
  if (!key.ok() || !accountant.ok()) {
    std::cerr << "error: " << (key.ok() ? accountant.status() : key.status()) << "\n";
    return 1;
  }

  // Split the events by ISO week and build the public org chart with headcounts.
  std::map<std::string, std::vector<const raw_event*>> by_week;
  std::map<std::string, clock_type::time_point> week_start;
  std::map<std::vector<std::string>, std::int64_t> headcount;
  std::map<std::string, std::set<std::string>> team_members;
  std::set<std::string> workflows;
  for (const raw_event& e : events) {
    auto [monday, label] = iso_week(e.time);
    by_week[label].push_back(&e);
    week_start[label] = monday;
    team_members[e.team].insert(e.person);
    workflows.insert(e.workflow);
  }
  tokenmaxx::release_options release;
  release.epsilon = 1.0;  // the whole weekly budget, split evenly over active people and tokens
  release.requests = false;
  release.cost = false;
  release.public_groups.emplace();
  for (const auto& [team, members] : team_members) {
    for (const std::string& w : workflows) {
      release.public_groups->push_back({team, w});
      // Headcount is public (the org chart); here it is the team size seen in the events.
      release.headcount[{team, w}] = static_cast<std::int64_t>(members.size());
    }
  }

  for (const auto& [label, week_events] : by_week) {
    auto pseudonyms = tokenmaxx::pseudonymizer::create(*key, label);  // rotated every week
    if (!pseudonyms.ok()) {
      std::cerr << "error: " << pseudonyms.status() << "\n";
      return 1;
    }
    auto agg = tokenmaxx::adoption_aggregator::create(
        {.dimensions = {"team", "workflow"},
         .period = label,
         .window_start = week_start[label],
         .window_end = week_start[label] + std::chrono::days(7),
         .bounds = {.max_groups_per_person = 3, .max_tokens = 50'000, .max_requests = 200, .max_cost_micros = 500'000},
         .min_group_size = 5,
         .accountant = *accountant},
        std::move(*pseudonyms));
    if (!agg.ok()) {
      std::cerr << "error: " << agg.status() << "\n";
      return 1;
    }
    for (const raw_event* e : week_events) {
      const std::array<std::string_view, 2> group{e->team, e->workflow};
      absl::Status st = (*agg)->add({.person_id = e->person, .group = group, .tokens = e->tokens,
                                     .requests = e->requests, .cost_micros = e->cost_micros, .time = e->time});
      if (!st.ok()) {
        std::cerr << "error: " << st << "\n";
        return 1;
      }
    }
    absl::StatusOr<tokenmaxx::adoption_report> report = (*agg)->release(release);
    if (!report.ok()) {
      std::cerr << "error: " << report.status() << "\n";
      return 1;
    }
    if (json) {
      std::cout << report->to_json().dump() << "\n";
    } else {
      std::cout << report->to_text() << "\n";
      std::cout << "Top groups by active people (noisy; released groups only):";
      int shown = 0;
      for (const tokenmaxx::report_row* row : report->ranking(tokenmaxx::adoption_metric::active_people)) {
        if (shown++ == 3) break;
        std::cout << "  " << row->group[0] << "/" << row->group[1] << " ~" << row->active_people->value;
      }
      std::cout << "\n\n";
    }
  }
  if (!json) std::cout << "Audit log (JSON lines):\n" << audit_lines.str();
  return 0;
}
