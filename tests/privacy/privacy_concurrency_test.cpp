// Concurrency: the budget is never exceeded by concurrent spends or concurrent releases, the audit
// log has exactly one line per attempt, and concurrent add()/release() lose no event. Runs under TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy.hpp"

namespace {

using privacy_test::add;
using privacy_test::make;
using tokenmaxx::privacy_detail::privacy_test_access;

TEST(PrivacyConcurrency, ConcurrentSpendsNeverExceedTheBudget) {
  std::ostringstream out;
  tokenmaxx::audit_log log(out);
  auto acc = *tokenmaxx::privacy_accountant::create({.epsilon_per_period = 5.0, .log = &log});
  const int threads = 8, per_thread = 200;
  std::atomic<int> granted{0}, refused{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        auto st = acc->spend("2025-W15", *tokenmaxx::privacy_cost::from(0.01, 0));
        (st.ok() ? granted : refused).fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(granted.load(), 500);
  EXPECT_EQ(refused.load(), threads * per_thread - 500);
  EXPECT_EQ(acc->spent("2025-W15").epsilon_millionths, 5'000'000);
  std::istringstream in(out.str());
  std::string line;
  int releases = 0, refusals = 0;
  double last_spent = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["event"] == "release") {
      ++releases;
      EXPECT_GT(j["period_epsilon_spent"].get<double>(), last_spent);  // log order = spending order
      last_spent = j["period_epsilon_spent"].get<double>();
    } else {
      ++refusals;
    }
  }
  EXPECT_EQ(releases, 500);
  EXPECT_EQ(refusals, threads * per_thread - 500);
}

TEST(PrivacyConcurrency, ConcurrentReleasesNeverExceedTheBudget) {
  auto s = make(3.0, 0.0);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(add(*s.agg, absl::StrCat("p", i), "t", "w", 100).ok());
  tokenmaxx::release_options o;
  o.epsilon = 0.25;
  o.public_groups = std::vector<std::vector<std::string>>{{"t", "w"}};
  std::atomic<int> ok{0}, exhausted{0}, other{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        tokenmaxx::insecure_seeded_rng_for_tests rng(t * 100 + i);
        auto r = s.agg->release(o, rng);
        if (r.ok()) ok.fetch_add(1);
        else if (r.status().code() == absl::StatusCode::kResourceExhausted) exhausted.fetch_add(1);
        else other.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(ok.load(), 12);
  EXPECT_EQ(exhausted.load(), 28);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(s.accountant->spent("2025-W15").epsilon_millionths, 3'000'000);
}

TEST(PrivacyConcurrency, ConcurrentAddsAndReleasesLoseNothing) {
  auto s = make(1000, 0.5);
  const int writers = 4, per_writer = 2000;
  std::atomic<bool> done{false};
  std::atomic<int> releases{0};
  std::thread reader([&] {
    tokenmaxx::release_options o;
    o.epsilon = 0.5;
    o.delta = 1e-6;
    int seed = 0;
    while (!done.load()) {
      tokenmaxx::insecure_seeded_rng_for_tests rng(seed++);
      auto r = s.agg->release(o, rng);
      EXPECT_TRUE(r.ok()) << r.status();
      releases.fetch_add(1);
      if (seed > 200) break;
    }
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < writers; ++w) {
    pool.emplace_back([&, w] {
      for (int i = 0; i < per_writer; ++i) {
        // 50 people per writer, 4 workflows: each person-workflow pair gets 10 events of 3 tokens.
        const std::string person = absl::StrCat("w", w, "-p", i % 50);
        const std::string workflow = absl::StrCat("wf", (i / 50) % 4);
        ASSERT_TRUE(add(*s.agg, person, "team", workflow, 3, 1, 1).ok());
      }
    });
  }
  for (auto& th : pool) th.join();
  done.store(true);
  reader.join();
  EXPECT_GE(releases.load(), 1);
  EXPECT_EQ(s.agg->events_ingested(), static_cast<std::uint64_t>(writers * per_writer));
  const auto totals = privacy_test_access::true_bounded_totals(*s.agg);
  ASSERT_EQ(totals.size(), 4u);
  // 200 people, each with 10 events x 3 tokens in each of 4 workflows; L0 = 3 keeps 3 per person.
  std::int64_t active = 0, tokens = 0;
  for (const auto& [g, t] : totals) {
    active += t.active_people;
    tokens += t.tokens;
  }
  EXPECT_EQ(active, writers * 50 * 3);
  EXPECT_EQ(tokens, writers * 50 * 3 * 30);
}

TEST(PrivacyConcurrency, PseudonymizerIsSafeToShare) {
  auto ps = *tokenmaxx::pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  std::vector<tokenmaxx::pseudonym> expected;
  for (int i = 0; i < 500; ++i) expected.push_back(*ps.pseudonymize("id" + std::to_string(i)));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (*ps.pseudonymize("id" + std::to_string(i)) != expected[i]) mismatches.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
