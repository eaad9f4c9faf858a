// report_format.hpp: the JSON document (schema v2, the privacy block stating unit, neighbours,
// suppression rule and interval kind, one object per row, suppressed rows without values) and the
// text table (aligned columns, suppressed rows spelled out, intervals, shares, money), on a report
// built by hand and on a real release.
#include <gtest/gtest.h>

#include <string>

#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy/report_format.hpp"

namespace {

using tokenmaxx::noisy_value;

tokenmaxx::adoption_report sample() {
  tokenmaxx::adoption_report r;
  r.period = "2025-W15";
  r.window_start = privacy_test::week_start();
  r.window_end = privacy_test::week_start() + std::chrono::days(7);
  r.dimensions = {"team", "workflow"};
  r.privacy.epsilon = 1;
  r.privacy.public_groups = true;
  r.privacy.max_groups_per_person = 3;
  tokenmaxx::report_row infra, legal;
  infra.group = {"infra", "chat"};
  infra.active_people = noisy_value{42, 24, 60, 6};
  infra.adoption_share = tokenmaxx::noisy_share{0.35, 0.2, 0.5, 120};
  infra.tokens = noisy_value{1234567, 0, 2500000, 300000};
  infra.cost_micros = noisy_value{2'500'000, 1'000'000, 4'000'000, 1e5};
  legal.group = {"legal", "chat"};
  legal.suppressed = true;
  r.rows = {infra, legal};
  return r;
}

TEST(PrivacyReportFormat, JsonDocument) {
  const nlohmann::json j = nlohmann::json::parse(tokenmaxx::to_json(sample()).dump());
  EXPECT_EQ(j["schema"], "tokenmaxx.adoption_report.v2");
  EXPECT_EQ(j["period"], "2025-W15");
  EXPECT_EQ(j["window"]["start"], "2025-04-07T00:00:00Z");
  EXPECT_EQ(j["window"]["end"], "2025-04-14T00:00:00Z");
  const auto& p = j["privacy"];
  EXPECT_EQ(p["unit"], "a person's events in the window");
  EXPECT_EQ(p["neighbours"], "add or remove one person");
  EXPECT_EQ(p["group_selection"], "public_list");
  EXPECT_EQ(p["suppression"], "noisy active count below min_group_size");
  EXPECT_EQ(p["active_people_interval"], "unconditional");
  EXPECT_EQ(p["mechanism"], "discrete_laplace");
  ASSERT_EQ(j["groups"].size(), 2u);
  const auto& infra = j["groups"][0];
  EXPECT_EQ(infra["group"]["team"], "infra");
  EXPECT_EQ(infra["active_people"]["value"], 42);
  EXPECT_EQ(infra["active_people"]["ci"], nlohmann::json({24, 60}));
  EXPECT_EQ(infra["adoption_share"]["headcount"], 120);
  EXPECT_FALSE(infra.contains("requests"));
  const auto& legal = j["groups"][1];
  EXPECT_TRUE(legal["suppressed"].get<bool>());
  EXPECT_FALSE(legal.contains("active_people") || legal.contains("tokens") || legal.contains("adoption_share"));
  EXPECT_EQ(legal["reason"], "noisy count of active people below 5");
}

TEST(PrivacyReportFormat, TextTable) {
  const std::string text = tokenmaxx::to_text(sample());
  EXPECT_NE(text.find("AI adoption report, period 2025-W15 (2025-04-07T00:00:00Z to 2025-04-14T00:00:00Z)"), std::string::npos) << text;
  EXPECT_NE(text.find("groups whose noisy count is below 5 are suppressed; [brackets]: 95% intervals"), std::string::npos) << text;
  EXPECT_NE(text.find("team   workflow  active people  adoption        tokens                    cost"), std::string::npos) << text;
  EXPECT_NE(text.find("infra  chat      42 [24, 60]    35% [20%, 50%]  1,234,567 [0, 2,500,000]  2.50 [1.00, 4.00]"),
            std::string::npos) << text;
  EXPECT_NE(text.find("legal  chat      suppressed (fewer than 5 people, after noise)"), std::string::npos) << text;
  tokenmaxx::adoption_report empty = sample();
  empty.rows.clear();
  empty.privacy.public_groups = false;
  empty.privacy.selection_threshold = 60;
  const std::string none = tokenmaxx::to_text(empty);
  EXPECT_NE(none.find("(no group passed the release gate)"), std::string::npos);
  EXPECT_NE(none.find("groups shown only if their noisy count reaches 60"), std::string::npos) << none;
  EXPECT_EQ(tokenmaxx::to_json(empty)["privacy"]["active_people_interval"], "conditional on selection");
}

TEST(PrivacyReportFormat, FromARealRelease) {
  auto s = privacy_test::make();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(privacy_test::add(*s.agg, "s" + std::to_string(i), "search", "review", 900).ok());
  auto o = privacy_test::public_options({{"search", "review"}, {"legal", "chat"}});
  o.headcount[{"search", "review"}] = 40;
  o.requests = o.cost = true;
  auto r = privacy_test::release_seeded(*s.agg, o, 4);
  ASSERT_TRUE(r.ok());
  const nlohmann::json j = tokenmaxx::to_json(*r);
  EXPECT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["privacy"]["secure_randomness"], false);
  EXPECT_EQ(j["privacy"]["bounds_per_person_and_group"]["tokens"], 50'000);
  const std::string text = tokenmaxx::to_text(*r);
  for (const char* needed : {"search", "legal", "active people", "adoption", "tokens", "requests", "cost"}) {
    EXPECT_NE(text.find(needed), std::string::npos) << needed << "\n" << text;
  }
  EXPECT_EQ(tokenmaxx::to_json(*r).dump(), j.dump());  // deterministic
}

}  // namespace
