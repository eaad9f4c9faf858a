// tokenmaxx demo: a seeded synthetic organisation (about 2,000 people in 20-30 teams, 5-8 workflows,
// 8 weeks, uneven and growing adoption, a few teams smaller than k), then ingest and report on it.
// Prompts are drawn from the texts shipped with the project (README.md, docs/*.md) and counted by
// tokenmaxx; the rest of the events carry API-style usage counts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cli.hpp"

#ifndef TOKENMAXX_SOURCE_DIR
#error "TOKENMAXX_SOURCE_DIR must name the source tree (the demo reads its texts and price file)"
#endif

namespace tokenmaxx_cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string source_dir() {
  const char* env = std::getenv("TOKENMAXX_SOURCE_DIR");
  return env && *env ? env : TOKENMAXX_SOURCE_DIR;
}

// Paragraphs of the project's own documentation: realistic prompt text, shipped with the repo.
std::vector<std::string> prompt_texts() {
  std::vector<std::string> files{source_dir() + "/README.md"};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(source_dir() + "/docs", ec))
    if (e.path().extension() == ".md") files.push_back(e.path().string());
  std::sort(files.begin() + 1, files.end());
  std::vector<std::string> out;
  for (const std::string& f : files) {
    const std::string text = read_file(f);
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t next = text.find("\n\n", at);
      if (next == std::string::npos) next = text.size();
      if (next - at > 80) out.push_back(text.substr(at, next - at));
      at = next + 2;
    }
  }
  if (out.empty()) throw cli_error(exit_error, "no prompt texts found under " + source_dir());
  return out;
}

}  // namespace

int run_demo(const demo_options& o) {
  std::mt19937_64 gen(o.seed);  // synthetic data only; the privacy noise comes from the CSPRNG
  auto uniform = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(gen); };
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(gen() % n); };

  static const char* const team_names[] = {
      "search", "payments", "infra", "mobile", "web", "data-platform", "ml-research", "security", "identity", "billing",
      "growth", "support-tools", "sre", "checkout", "ads", "maps", "messaging", "storage", "compliance", "legal",
      "finance", "design", "hr-systems", "developer-experience", "quality", "localization", "partnerships", "docs"};
  static const char* const workflow_names[] = {"code-review", "chat", "docs", "testing", "incident-response", "data-analysis",
                                               "migration", "onboarding"};
  static const char* const tenants[] = {"internal-dev", "internal-ops", "customer-support"};
  static const char* const models[] = {"gpt-4o", "o3-mini", "claude-3-5-sonnet-20241022", "gemini-2.5-flash"};

  const std::size_t team_count = 20 + pick(11);      // 20..30
  const std::size_t workflow_count = 5 + pick(4);    // 5..8
  // Team sizes: a few tiny teams (below k), the rest proportional to random weights.
  std::vector<std::int64_t> sizes(team_count);
  const std::size_t tiny = 3;
  std::vector<double> weights(team_count);
  double weight_sum = 0;
  for (std::size_t t = tiny; t < team_count; ++t) weight_sum += weights[t] = uniform(0.3, 3.0);
  std::int64_t assigned = 0;
  for (std::size_t t = 0; t < tiny; ++t) assigned += sizes[t] = 2 + static_cast<std::int64_t>(pick(3));  // 2..4
  for (std::size_t t = tiny; t < team_count; ++t)
    assigned += sizes[t] = std::max<std::int64_t>(6, static_cast<std::int64_t>(static_cast<double>(o.people - 3 * 3) * weights[t] / weight_sum));
  std::shuffle(sizes.begin(), sizes.end(), gen);

  json org = {{"teams", json::object()}, {"workflows", json::array()}};
  for (std::size_t w = 0; w < workflow_count; ++w) org["workflows"].push_back(workflow_names[w]);
  for (std::size_t t = 0; t < team_count; ++t) org["teams"][team_names[t]] = sizes[t];

  const std::vector<std::string> texts = prompt_texts();
  const auto first_monday = std::chrono::sys_days(std::chrono::year(2026) / 9 / 7);  // a Monday
  const std::int64_t start_seconds = first_monday.time_since_epoch().count() * 86400;
  constexpr int weeks = 8;

  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw cli_error(exit_error, "cannot create " + o.out + ": " + ec.message());
  const std::string events_path = o.out + "/events.jsonl", org_path = o.out + "/org.json", outcomes_path = o.out + "/team_outcomes.csv";
  std::ofstream events(events_path, std::ios::binary | std::ios::trunc);
  if (!events) throw cli_error(exit_error, "cannot create " + events_path);
  std::string outcomes = "team,week,outcomes\n";
  std::size_t event_count = 0;
  std::int64_t person = 0;
  for (std::size_t t = 0; t < team_count; ++t) {
    const double base = uniform(0.05, 0.6), growth = uniform(0.0, 0.06);  // uneven adoption, growing
    std::vector<double> wf_weight(workflow_count);
    for (double& w : wf_weight) w = uniform(0.1, 1.0) * (uniform(0, 1) < 0.3 ? 0.1 : 1.0);
    std::discrete_distribution<std::size_t> wf_pick(wf_weight.begin(), wf_weight.end());
    const std::string tenant = tenants[t % 3];
    const std::string primary_model = models[pick(4)];
    std::vector<std::int64_t> active(weeks, 0);
    for (std::int64_t p = 0; p < sizes[t]; ++p, ++person) {
      char id[48];
      std::snprintf(id, sizeof id, "emp%05lld@corp.example", static_cast<long long>(person));
      const double affinity = uniform(0.3, 1.7);
      for (int week = 0; week < weeks; ++week) {
        if (uniform(0, 1) > std::min(0.95, (base + growth * week) * affinity)) continue;
        ++active[static_cast<std::size_t>(week)];
        const int sessions = 1 + static_cast<int>(pick(8));
        for (int s = 0; s < sessions; ++s) {
          json e = {{"time", start_seconds + week * 7 * 86400 + static_cast<std::int64_t>(pick(5 * 86400))},
                    {"person", id}, {"team", team_names[t]}, {"workflow", workflow_names[wf_pick(gen)]},
                    {"tenant", tenant}, {"model", uniform(0, 1) < 0.7 ? primary_model : std::string(models[pick(4)])}};
          if (pick(8) == 0 && e["model"] != "claude-3-5-sonnet-20241022" && e["model"] != "gemini-2.5-flash") {
            // Raw text that tokenmaxx counts (OpenAI models: their encodings are known).
            e["messages"] = json::array({{{"role", "system"}, {"content", "You are a helpful engineering assistant."}},
                                         {{"role", "user"}, {"content", texts[pick(texts.size())]}}});
            e["response"] = texts[pick(texts.size())];
          } else {
            const std::uint64_t prompt = 200 + pick(4000), completion = 50 + pick(1500);
            const std::uint64_t cached = pick(3) == 0 ? pick(prompt) : 0;
            json usage = {{"prompt_tokens", prompt}, {"completion_tokens", completion},
                          {"prompt_tokens_details", {{"cached_tokens", cached}}}};
            if (e["model"] == "o3-mini") usage["completion_tokens_details"] = {{"reasoning_tokens", pick(completion)}};
            e["usage"] = usage;
          }
          events << e.dump() << '\n';
          ++event_count;
        }
      }
    }
    for (int week = 0; week < weeks; ++week) {
      // Public team-level outcomes (merged changes): driven by headcount, a little by adoption.
      const double merged = static_cast<double>(sizes[t]) * uniform(1.5, 3.0) + static_cast<double>(active[static_cast<std::size_t>(week)]) * 0.5;
      const std::string label = iso_week(start_seconds + week * 7 * 86400).second;
      outcomes += std::string(team_names[t]) + "," + label + "," + std::to_string(static_cast<long long>(merged)) + "\n";
    }
  }
  events.close();
  if (!events) throw cli_error(exit_error, "cannot write " + events_path);
  write_file(org_path, org.dump(2) + "\n");
  write_file(outcomes_path, outcomes);
  std::printf("demo: %lld people in %zu teams (%zu of them smaller than k = 5), %zu workflows, %d weeks: %zu events in %s\n\n",
              static_cast<long long>(person), team_count, tiny, workflow_count, weeks, event_count, events_path.c_str());

  std::printf("== tokenmaxx ingest %s --prices data/litellm_prices_demo.json --out %s/usage\n", events_path.c_str(), o.out.c_str());
  std::fflush(stdout);
  const int ingest_rc = run_ingest({.files = {events_path}, .prices = source_dir() + "/data/litellm_prices_demo.json", .out = o.out + "/usage"});
  if (ingest_rc != exit_ok) return ingest_rc;

  // The demo's data is synthetic, so each run starts a fresh privacy budget; a real deployment keeps
  // its audit log, and a second report over the same weeks is refused.
  fs::remove(o.out + "/privacy-audit.jsonl", ec);
  std::printf("\n== tokenmaxx report %s --org %s --outcomes %s --k 5 --epsilon %g --out %s\n", events_path.c_str(), org_path.c_str(),
              outcomes_path.c_str(), o.epsilon, o.out.c_str());
  std::fflush(stdout);
  const int report_rc = run_report({.files = {events_path}, .period = "week", .org = org_path, .outcomes = outcomes_path,
                                    .audit_log = "", .out = o.out, .k = 5, .epsilon = o.epsilon, .budget = 0});
  if (report_rc != exit_ok) return report_rc;
  std::printf("\nOpen %s/report.html in a browser (works offline).\n", fs::absolute(o.out).string().c_str());
  return exit_ok;
}

}  // namespace tokenmaxx_cli
