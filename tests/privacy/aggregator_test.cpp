// aggregator.hpp, the release gate end to end: k on the noisy count (public list) and private
// selection, contribution bounding (a million-times heavier user moves a release by at most the
// bound), noise and intervals on every value, values clamped to >= 0, selection-adjusted intervals,
// usable accuracy with the default bounds, and that no identifier or pseudonym ever leaves. Also the
// attacks of issue 11 on this header: membership from suppression, budgets by label (see
// accountant_test for restarts).
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
using privacy_test::release_seeded;
using privacy_test::test_access;
using tokenmaxx::adoption_metric;
using tokenmaxx::adoption_report;
using tokenmaxx::release_options;

std::string person(const std::string& team, int i) { return team + ".person" + std::to_string(i) + "@example.com"; }

// `n` people in (team, workflow), each with `tokens` tokens in one event.
void populate(tokenmaxx::adoption_aggregator& agg, const std::string& team, const std::string& workflow, int n,
              std::int64_t tokens = 1000, std::int64_t requests = 2, std::int64_t cost = 500) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(add(agg, person(team, i), team, workflow, tokens, requests, cost).ok());
}

const tokenmaxx::report_row* find(const adoption_report& r, const std::string& team, const std::string& workflow) {
  return privacy_test::find_row(r, team, workflow);
}

release_options public_opts(std::vector<std::vector<std::string>> groups, double eps = 1.0) {
  return privacy_test::public_options(std::move(groups), eps);
}

TEST(PrivacyRelease, GroupBelowKNeverAppearsWithPrivateSelection) {
  auto s = make();
  populate(*s.agg, "tiny", "chat", 4);        // below k = 5
  populate(*s.agg, "big", "review", 400);     // well above any threshold
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    release_options o;
    o.epsilon = 1.0;
    o.delta = 1e-6;
    auto r = release_seeded(*s.agg, o, seed);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(find(*r, "tiny", "chat"), nullptr);
    EXPECT_NE(find(*r, "big", "review"), nullptr);
    EXPECT_EQ(tokenmaxx::to_json(*r).dump().find("tiny"), std::string::npos);
    EXPECT_EQ(tokenmaxx::to_text(*r).find("tiny"), std::string::npos);
  }
}

TEST(PrivacyRelease, PrivateSelectionThresholdHidesGroupsNearK) {
  auto s = make();
  populate(*s.agg, "six", "chat", 6);  // >= k but far below the noisy threshold
  release_options o;
  o.epsilon = 1.0;
  o.delta = 1e-9;
  auto r = release_seeded(*s.agg, o, 1);
  ASSERT_TRUE(r.ok());
  // threshold = k + smallest m with P(Lap >= m) <= delta / L0, + 1; scale L0 / (epsilon / 2) = 6.
  EXPECT_GT(r->privacy.selection_threshold, 5 + 6 * 18);
  int appeared = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) appeared += find(*release_seeded(*s.agg, o, seed), "six", "chat") != nullptr;
  EXPECT_EQ(appeared, 0);
}

TEST(PrivacyRelease, PublicGroupsAreAllListedSmallOnesSuppressedWithoutValues) {
  tokenmaxx::contribution_bounds b;
  b.max_groups_per_person = 1;
  auto s = make(1000, 0.5, b);
  populate(*s.agg, "single", "chat", 1);
  populate(*s.agg, "exact", "chat", 5);    // exactly k: released whenever the noise is >= 0
  populate(*s.agg, "big", "review", 50);
  populate(*s.agg, "unlisted", "chat", 50);  // not in the public list: not reported
  // Active people only at epsilon 10: scale 0.1, so the noise is almost always 0.
  auto o = public_opts({{"single", "chat"}, {"exact", "chat"}, {"big", "review"}, {"empty", "chat"}}, 10);
  o.tokens = false;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto r = release_seeded(*s.agg, o, seed);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->rows.size(), 4u);
    for (const char* team : {"single", "empty"}) {
      const auto* row = find(*r, team, "chat");
      ASSERT_NE(row, nullptr) << team;
      EXPECT_TRUE(row->suppressed);
      EXPECT_FALSE(row->active_people || row->tokens || row->requests || row->cost_micros || row->adoption_share);
    }
    EXPECT_FALSE(find(*r, "big", "review")->suppressed);
    EXPECT_EQ(find(*r, "unlisted", "chat"), nullptr);
    // Ranking covers released groups only.
    for (const auto* row : r->ranking(adoption_metric::active_people)) EXPECT_FALSE(row->suppressed);
  }
}

// Attack 1 of issue 11. Someone who knows that the other k - 1 people of a listed group were active
// watches whether the group is suppressed. With suppression decided on the true count they learned
// the target's activity every time; decided on the noisy count it is post-processing of an
// epsilon-DP count, so no test can tell the two worlds apart with an accuracy above e^eps / (1 + e^eps).
TEST(PrivacyRelease, PublicGroupSuppressionDoesNotRevealMembership) {
  tokenmaxx::contribution_bounds b;
  b.max_groups_per_person = 1;  // scale 1 / epsilon: the bound below is tight
  const int n = 2000;
  int shown[2] = {0, 0};
  for (int target_active = 0; target_active < 2; ++target_active) {
    auto s = make(1000, 0.5, b);
    populate(*s.agg, "t", "w", 4);  // the k - 1 colleagues
    if (target_active) {
      ASSERT_TRUE(add(*s.agg, "target@example.com", "t", "w", 1000).ok());
    }
    release_options o = public_opts({{"t", "w"}}, 0.5);
    o.tokens = false;  // all of epsilon on the active count
    for (int i = 0; i < n; ++i) {
      auto r = release_seeded(*s.agg, o, 7'000'000 + 2 * static_cast<std::uint64_t>(i) + target_active);
      ASSERT_TRUE(r.ok()) << r.status();
      shown[target_active] += !r->rows.at(0).suppressed;
    }
  }
  // The attacker's best rule: "active iff shown". Its accuracy, and the likelihood ratio of each
  // outcome, are bounded by epsilon = 0.5 (plus 5.3 standard errors of sampling slack).
  const double accuracy = (shown[1] + (n - shown[0])) / (2.0 * n);
  const double bound = std::exp(0.5) / (1 + std::exp(0.5));
  EXPECT_LE(accuracy, bound + 5.3 * std::sqrt(0.25 / (2 * n))) << shown[0] << " vs " << shown[1] << " of " << n;
  const double p0 = shown[0] / double(n), p1 = shown[1] / double(n);
  EXPECT_LE(std::log(p1 / p0), 0.5 + 5.3 * std::sqrt((1 - p0) / shown[0] + (1 - p1) / shown[1]));
  EXPECT_LE(std::log((1 - p0) / (1 - p1)), 0.5 + 5.3 * std::sqrt(p0 / (n - shown[0]) + p1 / (n - shown[1])));
  // And the test has power: the target does change the odds.
  EXPECT_GT(shown[1], shown[0]);
}

TEST(PrivacyRelease, GroupsWithAPublicHeadcountBelowKAreAlwaysSuppressed) {
  // A team of 4 in the org chart could show "14 active people, 100%" by noise alone; its headcount
  // is public, so it is suppressed without looking at the data.
  auto s = make();
  populate(*s.agg, "legal", "chat", 4);
  populate(*s.agg, "search", "chat", 40);
  auto o = public_opts({{"legal", "chat"}, {"search", "chat"}});
  o.headcount[{"legal", "chat"}] = 4;
  o.headcount[{"search", "chat"}] = 60;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto r = release_seeded(*s.agg, o, seed);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(find(*r, "legal", "chat")->suppressed);
  }
}

TEST(PrivacyRelease, EveryValueCarriesNoiseScaleAndInterval) {
  tokenmaxx::contribution_bounds b;
  b.max_tokens = 2000;
  b.max_requests = 10;
  b.max_cost_micros = 1000;
  auto s = make(1000, 0.5, b);
  populate(*s.agg, "big", "review", 400, 1500, 5, 800);
  auto o = public_opts({{"big", "review"}}, 2.0);
  o.requests = o.cost = true;
  o.headcount[{"big", "review"}] = 500;
  auto r = release_seeded(*s.agg, o, 3);
  ASSERT_TRUE(r.ok());
  const auto* row = find(*r, "big", "review");
  ASSERT_NE(row, nullptr);
  // Laplace, epsilon split over 4 metrics: scale = L0 * bound / (epsilon / 4).
  EXPECT_DOUBLE_EQ(row->active_people->noise_scale, 3.0 * 1 / 0.5);
  EXPECT_DOUBLE_EQ(row->tokens->noise_scale, 3.0 * 2000 / 0.5);
  EXPECT_DOUBLE_EQ(row->requests->noise_scale, 3.0 * 10 / 0.5);
  EXPECT_DOUBLE_EQ(row->cost_micros->noise_scale, 3.0 * 1000 / 0.5);
  for (const auto* v : {&*row->active_people, &*row->tokens, &*row->requests, &*row->cost_micros}) {
    EXPECT_LT(v->ci_low, v->value);
    EXPECT_GT(v->ci_high, v->value);
    EXPECT_EQ(v->value - v->ci_low, v->ci_high - v->value);
  }
  ASSERT_TRUE(row->adoption_share.has_value());
  EXPECT_EQ(row->adoption_share->headcount, 500);
  EXPECT_DOUBLE_EQ(row->adoption_share->value, std::clamp(static_cast<double>(row->active_people->value) / 500, 0.0, 1.0));
  EXPECT_LE(row->adoption_share->ci_low, row->adoption_share->value);
  EXPECT_GE(row->adoption_share->ci_high, row->adoption_share->value);
  EXPECT_TRUE(r->privacy.public_groups);
  EXPECT_FALSE(r->privacy.secure_randomness);  // the test build's seeded noise says so
}

TEST(PrivacyRelease, NoiseIsActuallyAddedWithTheSecureDefault) {
  auto s = make();
  populate(*s.agg, "big", "review", 50);
  auto o = public_opts({{"big", "review"}}, 1.0);
  std::set<std::int64_t> active_seen;
  for (int i = 0; i < 20; ++i) {
    auto r = s.agg->release(o);  // secure_random
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->privacy.secure_randomness);
    active_seen.insert(find(*r, "big", "review")->active_people->value);
  }
  EXPECT_GT(active_seen.size(), 5u);  // scale 6: 20 draws hit at most 5 values with prob < 1e-6
}

TEST(PrivacyRelease, ReleasedValuesAreNeverNegative) {
  // 20 people with 5,200 tokens each: the token noise (scale 300,000) is far larger than the total,
  // so about half of the raw draws are negative; what is released is clamped to >= 0.
  auto s = make();
  populate(*s.agg, "t", "w", 20, 5200);
  auto o = public_opts({{"t", "w"}, {"nobody", "w"}}, 1.0);
  int zeros = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto r = release_seeded(*s.agg, o, seed);
    ASSERT_TRUE(r.ok());
    for (const auto& row : r->rows) {
      if (row.suppressed) continue;
      for (const auto* v : {&*row.active_people, &*row.tokens}) {
        EXPECT_GE(v->value, 0);
        EXPECT_GE(v->ci_low, 0);
        EXPECT_GE(v->ci_high, v->value);
      }
      zeros += row.tokens->value == 0;
    }
  }
  EXPECT_GT(zeros, 40);  // the clamp was exercised
}

TEST(PrivacyRelease, DefaultBoundsGiveUsableAccuracyForLargeGroups) {
  // 500 people using 10,000 tokens each (the docs' table: +-18% at 95%). With the former default of
  // 2,000,000 tokens per person the interval was +-1,470%.
  auto s = make();
  populate(*s.agg, "t", "w", 500, 10'000);
  const auto o = public_opts({{"t", "w"}}, 1.0);
  int within = 0;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    auto r = release_seeded(*s.agg, o, 900 + i);
    ASSERT_TRUE(r.ok());
    within += std::abs(r->rows.at(0).tokens->value - 5'000'000) <= 1'000'000;
  }
  EXPECT_GE(within, 0.95 * n - 5.3 * std::sqrt(0.05 * 0.95 * n));
}

TEST(PrivacyRelease, IntervalsCoverTheTrueValueAtTheStatedRate) {
  for (auto mech : {tokenmaxx::noise_mechanism::laplace, tokenmaxx::noise_mechanism::gaussian}) {
    auto s = make();
    populate(*s.agg, "big", "review", 200, 700);
    const auto truth = test_access::true_bounded_totals(*s.agg).at({"big", "review"});
    auto o = public_opts({{"big", "review"}}, 0.5);
    o.mechanism = mech;
    o.delta = mech == tokenmaxx::noise_mechanism::gaussian ? 1e-6 : 0;
    const int n = 1000;
    int covered_active = 0, covered_tokens = 0, released = 0;
    for (int i = 0; i < n; ++i) {
      auto r = release_seeded(*s.agg, o, 5000 + i);
      ASSERT_TRUE(r.ok()) << r.status();
      const auto* row = find(*r, "big", "review");
      if (row->suppressed) continue;
      ++released;
      covered_active += row->active_people->ci_low <= truth.active_people && truth.active_people <= row->active_people->ci_high;
      covered_tokens += row->tokens->ci_low <= truth.sums.tokens && truth.sums.tokens <= row->tokens->ci_high;
    }
    EXPECT_GT(released, 995);  // 200 people: suppression is negligible
    const double floor = 0.95 - 5.3 * std::sqrt(0.95 * 0.05 / released);
    EXPECT_GE(covered_active / double(released), floor);
    EXPECT_GE(covered_tokens / double(released), floor);
  }
}

// Smaller defect of issue 11: after private selection a released count is biased up (it was
// selected because its noise was high), and an unconditional interval around it missed the truth
// every time for groups just above the threshold (true count 20 below a threshold of 29: 0 of 145
// covered). The active-people interval is now conditional on selection.
TEST(PrivacyRelease, IntervalsAfterPrivateSelectionCoverTheTruth) {
  for (auto mech : {tokenmaxx::noise_mechanism::laplace, tokenmaxx::noise_mechanism::gaussian}) {
    const char* name = mech == tokenmaxx::noise_mechanism::laplace ? "Laplace" : "Gaussian";
    tokenmaxx::contribution_bounds b;
    b.max_groups_per_person = 1;
    release_options o;
    o.epsilon = 0.5;
    o.delta = 1e-5;
    o.tokens = false;
    o.mechanism = mech;
    // Threshold and unconditional half-width, from a release of a group that always passes.
    auto probe = make(1000, 0.5, b);
    populate(*probe.agg, "t", "w", 500);
    auto first = release_seeded(*probe.agg, o, 1);
    ASSERT_TRUE(first.ok() && first->rows.size() == 1) << first.status();
    const std::int64_t threshold = first->privacy.selection_threshold;
    const double scale = first->rows[0].active_people->noise_scale;
    const std::int64_t half_width = mech == tokenmaxx::noise_mechanism::laplace
                                        ? tokenmaxx::privacy_detail::laplace_half_width(static_cast<std::uint64_t>(scale), 1, 0.05L)
                                        : tokenmaxx::privacy_detail::gaussian_half_width(scale, 0.05L);
    // A true count so far below the threshold that an unconditional interval around any released
    // value (>= threshold) cannot reach it.
    const int truth = static_cast<int>(threshold - half_width - 1);
    ASSERT_GE(truth, 5);
    int released = 0, covered = 0, seed = 0;
    while (released < 200) {
      auto s = make(1000, 0.5, b);
      populate(*s.agg, "t", "w", truth);
      for (int i = 0; i < 1990 && released < 200; ++i) {
        auto r = release_seeded(*s.agg, o, 40'000 + static_cast<std::uint64_t>(seed++));
        ASSERT_TRUE(r.ok()) << r.status();
        if (r->rows.empty()) continue;
        ++released;
        const auto& a = *r->rows[0].active_people;
        EXPECT_GE(a.value, threshold);
        EXPECT_GE(a.ci_low, 5);
        covered += a.ci_low <= truth && truth <= a.ci_high;
      }
    }
    EXPECT_GE(covered / double(released), 0.95 - 5.3 * std::sqrt(0.95 * 0.05 / released))
        << name << ", true count " << truth << ", threshold " << threshold << ": " << covered << " of " << released;
  }
}

TEST(PrivacyRelease, BoundingCapsAHugeUsersEffect) {
  tokenmaxx::contribution_bounds bounds;
  bounds.max_tokens = 10'000;
  bounds.max_requests = 100;
  bounds.max_cost_micros = 10'000;
  auto base = make(1000, 0.5, bounds);
  auto with_whale = make(1000, 0.5, bounds);
  for (auto* agg : {base.agg.get(), with_whale.agg.get()}) populate(*agg, "big", "review", 20, 5'000, 50, 5'000);
  // One person with a million times the usage of everyone else (5e9 tokens, spread over 100 events).
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(add(*with_whale.agg, "whale@example.com", "big", "review", 50'000'000, 1'000'000, 1'000'000'000).ok());
  }
  const auto t0 = test_access::true_bounded_totals(*base.agg).at({"big", "review"});
  const auto t1 = test_access::true_bounded_totals(*with_whale.agg).at({"big", "review"});
  EXPECT_EQ(t1.sums.tokens - t0.sums.tokens, bounds.max_tokens);
  EXPECT_EQ(t1.sums.requests - t0.sums.requests, bounds.max_requests);
  EXPECT_EQ(t1.sums.cost_micros - t0.sums.cost_micros, bounds.max_cost_micros);
  EXPECT_EQ(t1.active_people - t0.active_people, 1);
  // Through the release path with the same noise draws (same seed, same single group): the released
  // values differ by exactly the bounded contribution, so the whale moves the release by <= bound.
  auto o = public_opts({{"big", "review"}}, 40);
  o.requests = o.cost = true;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    auto r0 = release_seeded(*base.agg, o, seed);
    auto r1 = release_seeded(*with_whale.agg, o, seed);
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
  const auto ta = test_access::true_bounded_totals(*a.agg);
  const auto tb = test_access::true_bounded_totals(*b.agg);
  std::int64_t groups_counted = 0;
  for (const auto& [g, t] : ta) {
    groups_counted += t.active_people;
    EXPECT_EQ(t.active_people, tb.at(g).active_people);
    EXPECT_EQ(t.sums.tokens, tb.at(g).sums.tokens);
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
  const auto t = test_access::true_bounded_totals(*s.agg).at({"t", "w"});
  EXPECT_EQ(t.active_people, 5);
  EXPECT_EQ(t.sums.tokens, 540);
}

TEST(PrivacyRelease, NoIdentifierOrPseudonymInAnyOutput) {
  auto s = make();
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
  std::vector<std::string> outputs = {tokenmaxx::to_json(*r1).dump(), tokenmaxx::to_text(*r1),
                                      tokenmaxx::to_json(*r2).dump(), tokenmaxx::to_text(*r2), s.log->contents()};
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
  EXPECT_NE(s.log->contents().find("\"report_sha256\""), std::string::npos);
}

TEST(PrivacyRelease, AuditRecordFingerprintsTheReleasedReport) {
  auto s = make();
  populate(*s.agg, "big", "review", 40);
  auto r = s.agg->release(public_opts({{"big", "review"}, {"small", "chat"}}));
  ASSERT_TRUE(r.ok());
  const auto rec = s.log->records().back();
  EXPECT_EQ(rec["event"], "release");
  EXPECT_EQ(rec["report_sha256"], tokenmaxx::base::sha256_hex(tokenmaxx::to_json(*r).dump()));
  EXPECT_EQ(rec["groups_released"].get<int>() + rec["groups_suppressed"].get<int>(), 2);
  EXPECT_EQ(rec["secure_randomness"], true);
  EXPECT_EQ(rec["metrics"], nlohmann::json({"active_people", "tokens"}));
  EXPECT_EQ(rec["window"], nlohmann::json({"2025-04-07T00:00:00Z", "2025-04-14T00:00:00Z"}));
}

TEST(PrivacyRelease, GaussianMechanismReleasesWithDelta) {
  auto s = make();
  populate(*s.agg, "big", "review", 500);
  release_options o;
  o.mechanism = tokenmaxx::noise_mechanism::gaussian;
  o.epsilon = 1.0;
  o.delta = 1e-6;
  auto r = release_seeded(*s.agg, o, 9);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto* row = find(*r, "big", "review");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(tokenmaxx::to_json(*r)["privacy"]["mechanism"], "discrete_gaussian");
  // rho from (1, 5e-7) split over 2 metrics; sigma_active = sqrt(L0 / (2 rho_metric)).
  const double L = std::log(1 / 5e-7);
  const double rho = std::pow(std::sqrt(L + 1) - std::sqrt(L), 2) / 2;
  EXPECT_NEAR(row->active_people->noise_scale, std::sqrt(3 / (2 * rho)), 1e-3);
  EXPECT_NEAR(r->privacy.delta, 1e-6, 1e-18);
  EXPECT_EQ(s.accountant->spent(privacy_test::week_start()).delta_atto, 1'000'000'000'000);
}

TEST(PrivacyRelease, ReleaseRefusedPastTheBudgetSpendsNothing) {
  auto s = make(1.0, 0.0);
  populate(*s.agg, "big", "review", 20);
  auto o = public_opts({{"big", "review"}}, 0.6);
  ASSERT_TRUE(s.agg->release(o).ok());
  auto second = s.agg->release(o);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(second.status().message().find("budget exhausted"), std::string_view::npos) << second.status();
  EXPECT_EQ(s.accountant->spent(privacy_test::week_start()).epsilon_millionths, 600'000);
  o.epsilon = 0.4;
  EXPECT_TRUE(s.agg->release(o).ok());
  EXPECT_EQ(s.accountant->remaining(privacy_test::week_start()).epsilon_millionths, 0);
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
  EXPECT_TRUE(test_access::true_bounded_totals(agg).empty());  // nothing was ingested

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
  EXPECT_EQ(s.accountant->spent(privacy_test::week_start()).epsilon_millionths, 0);  // refused before spending

  // Aggregator construction: each case changes one field of a valid configuration.
  privacy_test::scratch_log log;
  auto acc = privacy_test::open_accountant(log, 1);
  const auto ws = privacy_test::week_start(), we = ws + std::chrono::days(7);
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
  EXPECT_EQ(mk([&](opts& o) { o.window_end = ws + std::chrono::weeks(10'500); }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.accountant = nullptr; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.bounds.max_tokens = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts& o) { o.bounds.max_groups_per_person = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mk([](opts&) {}, "2025-W16"), absl::StatusCode::kInvalidArgument);  // pseudonymizer keyed for another period
  EXPECT_EQ(mk([](opts&) {}), absl::StatusCode::kOk);
}

}  // namespace
