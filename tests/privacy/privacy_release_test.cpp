// The release gate end to end: k suppression (public and private selection), contribution bounding
// (a million-times heavier user moves a release by at most the bound), noise and intervals on every
// value, the report formats, rankings, and that no identifier or pseudonym ever leaves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy.hpp"

namespace {

using privacy_test::add;
using privacy_test::make;
using tokenmaxx::adoption_metric;
using tokenmaxx::adoption_report;
using tokenmaxx::insecure_seeded_rng_for_tests;
using tokenmaxx::release_options;
using tokenmaxx::privacy_detail::privacy_test_access;

std::string person(const std::string& team, int i) { return team + ".person" + std::to_string(i) + "@example.com"; }

// `n` people in (team, workflow), each with `tokens` tokens in one event.
void populate(tokenmaxx::adoption_aggregator& agg, const std::string& team, const std::string& workflow, int n,
              std::int64_t tokens = 1000) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(add(agg, person(team, i), team, workflow, tokens, 2, 500).ok());
}

const tokenmaxx::report_row* find(const adoption_report& r, const std::string& team, const std::string& workflow) {
  for (const auto& row : r.rows) {
    if (row.group == std::vector<std::string>{team, workflow}) return &row;
  }
  return nullptr;
}

release_options public_opts(std::vector<std::vector<std::string>> groups, double eps = 1.0) {
  release_options o;
  o.epsilon = eps;
  o.public_groups = std::move(groups);
  return o;
}

TEST(PrivacyRelease, GroupBelowKNeverAppearsWithPrivateSelection) {
  auto s = make();
  populate(*s.agg, "tiny", "chat", 4);        // below k = 5
  populate(*s.agg, "big", "review", 400);     // well above any threshold
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    insecure_seeded_rng_for_tests rng(seed);
    release_options o;
    o.epsilon = 1.0;
    o.delta = 1e-6;
    auto r = s.agg->release(o, rng);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(find(*r, "tiny", "chat"), nullptr);
    EXPECT_NE(find(*r, "big", "review"), nullptr);
    EXPECT_EQ(r->to_json().dump().find("tiny"), std::string::npos);
    EXPECT_EQ(r->to_text().find("tiny"), std::string::npos);
  }
}

TEST(PrivacyRelease, PrivateSelectionThresholdHidesGroupsNearK) {
  auto s = make();
  populate(*s.agg, "six", "chat", 6);  // >= k but far below the noisy threshold
  release_options o;
  o.epsilon = 1.0;
  o.delta = 1e-9;
  insecure_seeded_rng_for_tests rng(1);
  auto r = s.agg->release(o, rng);
  ASSERT_TRUE(r.ok());
  // threshold = k + smallest m with P(Lap >= m) <= delta / L0, + 1; scale L0 / (epsilon / 4) = 12.
  EXPECT_GT(r->privacy.selection_threshold, 5 + 12 * 18);
  int appeared = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    insecure_seeded_rng_for_tests g(seed);
    appeared += find(*s.agg->release(o, g), "six", "chat") != nullptr ? 1 : 0;
  }
  EXPECT_EQ(appeared, 0);
}

TEST(PrivacyRelease, PublicGroupsAreAllListedSmallOnesSuppressedWithoutValues) {
  auto s = make();
  populate(*s.agg, "tiny", "chat", 4);
  populate(*s.agg, "exact", "chat", 5);  // exactly k: released
  populate(*s.agg, "big", "review", 50);
  populate(*s.agg, "unlisted", "chat", 50);  // not in the public list: not reported
  auto o = public_opts({{"tiny", "chat"}, {"exact", "chat"}, {"big", "review"}, {"empty", "chat"}});
  insecure_seeded_rng_for_tests rng(2);
  auto r = s.agg->release(o, rng);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 4u);
  for (const char* team : {"tiny", "empty"}) {
    const auto* row = find(*r, team, "chat");
    ASSERT_NE(row, nullptr) << team;
    EXPECT_TRUE(row->suppressed);
    EXPECT_FALSE(row->active_people || row->tokens || row->requests || row->cost_micros || row->adoption_share);
  }
  EXPECT_FALSE(find(*r, "exact", "chat")->suppressed);
  EXPECT_TRUE(find(*r, "exact", "chat")->active_people.has_value());
  EXPECT_EQ(find(*r, "unlisted", "chat"), nullptr);
  const nlohmann::json j = r->to_json();
  for (const auto& g : j["groups"]) {
    if (g["group"]["team"] == "tiny") {
      EXPECT_TRUE(g["suppressed"].get<bool>());
      EXPECT_FALSE(g.contains("active_people") || g.contains("tokens") || g.contains("requests") || g.contains("cost_micros"));
    }
  }
  const std::string text = r->to_text();
  EXPECT_NE(text.find("suppressed (fewer than 5 people)"), std::string::npos) << text;
  // Ranking covers released groups only.
  auto ranking = r->ranking(adoption_metric::active_people);
  ASSERT_EQ(ranking.size(), 2u);
  EXPECT_EQ(ranking[0]->group[0], "big");
}

TEST(PrivacyRelease, EveryValueCarriesNoiseScaleAndInterval) {
  auto s = make();
  populate(*s.agg, "big", "review", 50);
  auto o = public_opts({{"big", "review"}}, 2.0);
  o.headcount[{"big", "review"}] = 100;
  insecure_seeded_rng_for_tests rng(3);
  auto r = s.agg->release(o, rng);
  ASSERT_TRUE(r.ok());
  const auto* row = find(*r, "big", "review");
  ASSERT_NE(row, nullptr);
  const tokenmaxx::contribution_bounds b;
  // Laplace, epsilon split over 4 metrics: scale = L0 * bound / (epsilon / 4).
  EXPECT_DOUBLE_EQ(row->active_people->noise_scale, 3.0 * 1 / 0.5);
  EXPECT_DOUBLE_EQ(row->tokens->noise_scale, 3.0 * static_cast<double>(b.max_tokens) / 0.5);
  EXPECT_DOUBLE_EQ(row->requests->noise_scale, 3.0 * static_cast<double>(b.max_requests) / 0.5);
  EXPECT_DOUBLE_EQ(row->cost_micros->noise_scale, 3.0 * static_cast<double>(b.max_cost_micros) / 0.5);
  for (const auto* v : {&*row->active_people, &*row->tokens, &*row->requests, &*row->cost_micros}) {
    EXPECT_LT(v->ci_low, v->value);
    EXPECT_GT(v->ci_high, v->value);
    EXPECT_EQ(v->value - v->ci_low, v->ci_high - v->value);
  }
  ASSERT_TRUE(row->adoption_share.has_value());
  EXPECT_EQ(row->adoption_share->headcount, 100);
  EXPECT_DOUBLE_EQ(row->adoption_share->value, std::clamp(static_cast<double>(row->active_people->value) / 100, 0.0, 1.0));
  EXPECT_LE(row->adoption_share->ci_low, row->adoption_share->value);
  EXPECT_GE(row->adoption_share->ci_high, row->adoption_share->value);
  EXPECT_TRUE(r->privacy.public_groups);
  EXPECT_FALSE(r->privacy.secure_randomness);
}

TEST(PrivacyRelease, NoiseIsActuallyAddedWithTheSecureDefault) {
  auto s = make();
  populate(*s.agg, "big", "review", 50);
  auto o = public_opts({{"big", "review"}}, 1.0);
  std::set<std::int64_t> tokens_seen;
  for (int i = 0; i < 20; ++i) {
    auto r = s.agg->release(o);  // secure_random
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->privacy.secure_randomness);
    tokens_seen.insert(find(*r, "big", "review")->tokens->value);
  }
  EXPECT_GT(tokens_seen.size(), 10u);  // scale 1.2e7: repeats are astronomically unlikely
}

TEST(PrivacyRelease, IntervalsCoverTheTrueValueAtTheStatedRate) {
  for (auto mech : {tokenmaxx::noise_mechanism::laplace, tokenmaxx::noise_mechanism::gaussian}) {
    auto s = make();
    populate(*s.agg, "big", "review", 60, 700);
    const auto truth = privacy_test_access::true_bounded_totals(*s.agg).at({"big", "review"});
    auto o = public_opts({{"big", "review"}}, 0.5);
    o.mechanism = mech;
    o.delta = mech == tokenmaxx::noise_mechanism::gaussian ? 1e-6 : 0;
    const int n = 1000;
    int covered_active = 0, covered_tokens = 0;
    for (int i = 0; i < n; ++i) {
      insecure_seeded_rng_for_tests rng(5000 + i);
      auto r = s.agg->release(o, rng);
      ASSERT_TRUE(r.ok()) << r.status();
      const auto* row = find(*r, "big", "review");
      covered_active += row->active_people->ci_low <= truth.active_people && truth.active_people <= row->active_people->ci_high;
      covered_tokens += row->tokens->ci_low <= truth.tokens && truth.tokens <= row->tokens->ci_high;
    }
    const double floor = 0.95 - 5.3 * std::sqrt(0.95 * 0.05 / n);
    EXPECT_GE(covered_active / double(n), floor);
    EXPECT_GE(covered_tokens / double(n), floor);
  }
}

TEST(PrivacyRelease, BoundingCapsAHugeUsersEffect) {
  tokenmaxx::contribution_bounds bounds;
  bounds.max_tokens = 10'000;
  bounds.max_requests = 100;
  bounds.max_cost_micros = 1'000'000;
  auto base = make(1000, 0.5, bounds);
  auto with_whale = make(1000, 0.5, bounds);
  for (auto* agg : {base.agg.get(), with_whale.agg.get()}) populate(*agg, "big", "review", 20, 5'000);
  // One person with a million times the usage of everyone else (5e9 tokens, spread over 100 events).
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(add(*with_whale.agg, "whale@example.com", "big", "review", 50'000'000, 1'000'000, 1'000'000'000).ok());
  }
  const auto t0 = privacy_test_access::true_bounded_totals(*base.agg).at({"big", "review"});
  const auto t1 = privacy_test_access::true_bounded_totals(*with_whale.agg).at({"big", "review"});
  EXPECT_EQ(t1.tokens - t0.tokens, bounds.max_tokens);
  EXPECT_EQ(t1.requests - t0.requests, bounds.max_requests);
  EXPECT_EQ(t1.cost_micros - t0.cost_micros, bounds.max_cost_micros);
  EXPECT_EQ(t1.active_people - t0.active_people, 1);
  // Through the public API with the same noise draws (same seed, same single group): the released
  // values differ by exactly the bounded contribution, so the whale moves the release by <= bound.
  auto o = public_opts({{"big", "review"}});
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    insecure_seeded_rng_for_tests g0(seed), g1(seed);
    auto r0 = base.agg->release(o, g0);
    auto r1 = with_whale.agg->release(o, g1);
    ASSERT_TRUE(r0.ok() && r1.ok());
    const auto* a = find(*r0, "big", "review");
    const auto* b = find(*r1, "big", "review");
    EXPECT_EQ(b->tokens->value - a->tokens->value, bounds.max_tokens);
    EXPECT_EQ(b->requests->value - a->requests->value, bounds.max_requests);
    EXPECT_EQ(b->cost_micros->value - a->cost_micros->value, bounds.max_cost_micros);
    EXPECT_EQ(b->active_people->value - a->active_people->value, 1);
  }
}

TEST(PrivacyRelease, GroupsPerPersonAreCappedIndependentOfOrder) {
  tokenmaxx::contribution_bounds bounds;
  bounds.max_groups_per_person = 2;
  auto a = make(1000, 0.5, bounds);
  auto b = make(1000, 0.5, bounds);
  // One person active in 5 workflows with distinct usage; the two heaviest must be kept.
  std::vector<std::pair<std::string, std::int64_t>> usage = {{"w1", 10}, {"w2", 500}, {"w3", 30}, {"w4", 900}, {"w5", 20}};
  for (const auto& [w, tok] : usage) ASSERT_TRUE(add(*a.agg, "dana", "t", w, tok).ok());
  std::reverse(usage.begin(), usage.end());
  for (const auto& [w, tok] : usage) ASSERT_TRUE(add(*b.agg, "dana", "t", w, tok).ok());
  const auto ta = privacy_test_access::true_bounded_totals(*a.agg);
  const auto tb = privacy_test_access::true_bounded_totals(*b.agg);
  std::int64_t groups_counted = 0;
  for (const auto& [g, t] : ta) {
    groups_counted += t.active_people;
    EXPECT_EQ(t.active_people, tb.at(g).active_people);
    EXPECT_EQ(t.tokens, tb.at(g).tokens);
  }
  EXPECT_EQ(groups_counted, 2);
  EXPECT_EQ(ta.at({"t", "w4"}).active_people, 1);
  EXPECT_EQ(ta.at({"t", "w2"}).active_people, 1);
  EXPECT_EQ(ta.at({"t", "w1"}).active_people, 0);
}

TEST(PrivacyRelease, RepeatedEventsOfOnePersonCountOnce) {
  auto s = make();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(add(*s.agg, "erin", "t", "w", 10).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(add(*s.agg, "other" + std::to_string(i), "t", "w", 10).ok());
  const auto t = privacy_test_access::true_bounded_totals(*s.agg).at({"t", "w"});
  EXPECT_EQ(t.active_people, 5);
  EXPECT_EQ(t.tokens, 540);
  EXPECT_EQ(s.agg->events_ingested(), 54u);
}

TEST(PrivacyRelease, NoIdentifierOrPseudonymInAnyOutput) {
  std::ostringstream audit_stream;
  tokenmaxx::audit_log audit(audit_stream);
  auto s = make(1000, 0.5, {}, 5, &audit);
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back("secret.person" + std::to_string(i) + "@corp.example");
  for (const auto& id : ids) ASSERT_TRUE(add(*s.agg, id, "search", "review", 1234).ok());
  auto o = public_opts({{"search", "review"}, {"ghost", "chat"}});
  o.headcount[{"search", "review"}] = 40;
  auto r1 = s.agg->release(o);
  release_options priv;
  priv.delta = 1e-6;
  auto r2 = s.agg->release(priv);
  ASSERT_TRUE(r1.ok() && r2.ok());
  std::vector<std::string> outputs = {r1->to_json().dump(), r1->to_text(), r2->to_json().dump(), r2->to_text(), audit_stream.str()};
  auto ps = tokenmaxx::pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  static constexpr char hex[] = "0123456789abcdef";
  for (const auto& id : ids) {
    const auto p = ps->pseudonymize(id)->bytes();
    std::string lower_hex, raw(p.begin(), p.end());
    for (unsigned char c : p) {
      lower_hex.push_back(hex[c >> 4]);
      lower_hex.push_back(hex[c & 15]);
    }
    std::string upper_hex = lower_hex;
    std::transform(upper_hex.begin(), upper_hex.end(), upper_hex.begin(), ::toupper);
    for (const auto& out : outputs) {
      EXPECT_EQ(out.find(id), std::string::npos);
      EXPECT_EQ(out.find("secret.person"), std::string::npos);
      EXPECT_EQ(out.find(lower_hex.substr(0, 12)), std::string::npos);
      EXPECT_EQ(out.find(upper_hex.substr(0, 12)), std::string::npos);
      EXPECT_EQ(out.find(raw.substr(0, 6)), std::string::npos);
    }
  }
  EXPECT_NE(audit_stream.str().find("\"report_sha256\""), std::string::npos);
}

TEST(PrivacyRelease, GaussianMechanismReleasesWithDelta) {
  auto s = make();
  populate(*s.agg, "big", "review", 500);
  release_options o;
  o.mechanism = tokenmaxx::noise_mechanism::gaussian;
  o.epsilon = 1.0;
  o.delta = 1e-6;
  insecure_seeded_rng_for_tests rng(9);
  auto r = s.agg->release(o, rng);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto* row = find(*r, "big", "review");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(r->to_json()["privacy"]["mechanism"], "discrete_gaussian");
  // rho from (1, 5e-7) split over 4 metrics; sigma_active = sqrt(L0 / (2 rho_metric)).
  const double L = std::log(1 / 5e-7);
  const double rho = std::pow(std::sqrt(L + 1) - std::sqrt(L), 2) / 4;
  EXPECT_NEAR(row->active_people->noise_scale, std::sqrt(3 / (2 * rho)), 1e-3);
  EXPECT_NEAR(r->privacy.delta, 1e-6, 1e-18);
  EXPECT_EQ(s.accountant->spent("2025-W15").delta_atto, 1'000'000'000'000);
}

TEST(PrivacyRelease, ReleaseRefusedPastTheBudgetSpendsNothing) {
  auto s = make(1.0, 0.0);
  populate(*s.agg, "big", "review", 20);
  auto o = public_opts({{"big", "review"}}, 0.6);
  ASSERT_TRUE(s.agg->release(o).ok());
  auto second = s.agg->release(o);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(second.status().message().find("budget exhausted"), std::string_view::npos) << second.status();
  EXPECT_EQ(s.accountant->spent("2025-W15").epsilon_millionths, 600'000);
  o.epsilon = 0.4;
  EXPECT_TRUE(s.agg->release(o).ok());
  EXPECT_EQ(s.accountant->remaining("2025-W15").epsilon_millionths, 0);
}

TEST(PrivacyRelease, BadInputGetsClearErrors) {
  auto s = make();
  auto& agg = *s.agg;
  std::array<std::string_view, 1> one{"x"};
  EXPECT_EQ(agg.add({.person_id = "p", .group = one, .time = privacy_test::week_start()}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(add(agg, "p", "t", "w", -1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(add(agg, "", "t", "w", 1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(add(agg, "p", "", "w", 1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(add(agg, "p", "t\xff", "w", 1).code(), absl::StatusCode::kInvalidArgument);
  auto late = add(agg, "p", "t", "w", 1, 1, 1, 24 * 7);
  EXPECT_EQ(late.code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(late.message().find("outside the window"), std::string_view::npos);
  EXPECT_EQ(agg.events_ingested(), 0u);

  auto code = [&](release_options o) { return agg.release(o).status().code(); };
  release_options o;
  o.public_groups = std::vector<std::vector<std::string>>{{"t", "w"}};
  for (double bad : {0.0, -1.0, std::nan(""), 1e9}) {
    o.epsilon = bad;
    EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument) << bad;
  }
  o.epsilon = 1;
  o.confidence = 1.5;
  EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument);
  o.confidence = 0.95;
  o.mechanism = tokenmaxx::noise_mechanism::gaussian;
  EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument);  // gaussian needs delta
  o.mechanism = tokenmaxx::noise_mechanism::laplace;
  release_options priv;  // private selection, delta = 0
  EXPECT_EQ(code(priv), absl::StatusCode::kInvalidArgument);
  o.public_groups = std::vector<std::vector<std::string>>{{"t"}};
  EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument);
  o.public_groups = std::vector<std::vector<std::string>>{{"t", "w"}, {"t", "w"}};
  EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument);
  o.public_groups = std::vector<std::vector<std::string>>{{"t", "w"}};
  o.headcount[{"t", "w"}] = 0;
  EXPECT_EQ(code(o), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.accountant->spent("2025-W15").epsilon_millionths, 0);  // refused before spending

  // Aggregator construction.
  auto acc = *tokenmaxx::privacy_accountant::create({.epsilon_per_period = 1});
  const auto ws = privacy_test::week_start(), we = ws + std::chrono::days(7);
  // Each case changes one field of a valid configuration.
  auto mk = [&](auto change, std::string period = "2025-W15") {
    tokenmaxx::aggregator_options opt;
    opt.dimensions = {"team"};
    opt.period = "2025-W15";
    opt.window_start = ws;
    opt.window_end = we;
    opt.accountant = acc;
    change(opt);
    return tokenmaxx::adoption_aggregator::create(std::move(opt), *tokenmaxx::pseudonymizer::create(privacy_test::test_key(), period))
        .status()
        .code();
  };
  using opts = tokenmaxx::aggregator_options;
  EXPECT_EQ(mk([](opts& o) { o.min_group_size = 1; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.dimensions.clear(); }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.dimensions = {"a", "a"}; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([&](opts& o) { std::swap(o.window_start, o.window_end); }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.accountant = nullptr; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.bounds.max_tokens = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.bounds.max_groups_per_person = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts&) {}, "2025-W16"), absl::StatusCode::kInvalidArgument);  // pseudonymizer keyed for another period
  EXPECT_EQ(mk([](opts&) {}), absl::StatusCode::kOk);
}

TEST(PrivacyRelease, ReportFormats) {
  auto s = make();
  populate(*s.agg, "search", "review", 30);
  populate(*s.agg, "infra", "chat", 12);
  populate(*s.agg, "legal", "chat", 2);
  auto o = public_opts({{"search", "review"}, {"infra", "chat"}, {"legal", "chat"}});
  o.headcount[{"search", "review"}] = 40;
  insecure_seeded_rng_for_tests rng(4);
  auto r = s.agg->release(o, rng);
  ASSERT_TRUE(r.ok());
  const nlohmann::json j = nlohmann::json::parse(r->to_json().dump());
  EXPECT_EQ(j["schema"], "tokenmaxx.adoption_report.v1");
  EXPECT_EQ(j["period"], "2025-W15");
  EXPECT_EQ(j["window"]["start"], "2025-04-07T00:00:00Z");
  EXPECT_EQ(j["window"]["end"], "2025-04-14T00:00:00Z");
  EXPECT_EQ(j["privacy"]["unit"], "a person in a period");
  EXPECT_EQ(j["groups"].size(), 3u);
  const auto& search = *std::find_if(j["groups"].begin(), j["groups"].end(), [](const auto& g) { return g["group"]["team"] == "search"; });
  EXPECT_EQ(search["adoption_share"]["headcount"], 40);
  EXPECT_EQ(search["tokens"]["ci"].size(), 2u);
  const std::string text = r->to_text();
  EXPECT_NE(text.find("team"), std::string::npos);
  EXPECT_NE(text.find("active people"), std::string::npos);
  EXPECT_NE(text.find("adoption"), std::string::npos);
  EXPECT_NE(text.find("legal"), std::string::npos);
  EXPECT_NE(text.find("95% intervals"), std::string::npos);
}

}  // namespace
