// Concurrency, with threads that really overlap: every thread waits at a barrier before its work,
// and each test checks that calls were in flight together. The budget is never exceeded by
// concurrent spends or releases, the audit log has one line per attempt in spending order, a
// release sees every add() that completed before it started, and concurrent add()/release() lose
// no event. Runs under TSan (label concurrency).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "privacy_test_util.hpp"
#include "tokenmaxx/privacy.hpp"

namespace {

using privacy_test::add;
using privacy_test::make;
using privacy_test::test_access;

// Counts calls in flight and remembers the most seen at once.
class overlap_meter {
 public:
  struct scope {
    explicit scope(overlap_meter& m) : m_(m) {
      const int now = m_.in_flight_.fetch_add(1) + 1;
      int seen = m_.most_.load();
      while (now > seen && !m_.most_.compare_exchange_weak(seen, now)) {
      }
    }
    ~scope() { m_.in_flight_.fetch_sub(1); }
    overlap_meter& m_;
  };
  int most() const { return most_.load(); }

 private:
  std::atomic<int> in_flight_{0}, most_{0};
};

TEST(PrivacyConcurrency, ConcurrentSpendsNeverExceedTheBudget) {
  // On disk: each spend holds the lock across a real fsync (milliseconds), so the threads pile up
  // behind it exactly where a missing lock would let two of them pass the budget check together.
  privacy_test::scratch_log log(/*on_disk=*/true);
  auto acc = privacy_test::open_accountant(log, 1.0, 0.0);
  const int threads = 8, per_thread = 40;
  std::atomic<int> granted{0}, refused{0};
  overlap_meter meter;
  std::barrier start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i) {
        const tokenmaxx::spend_request r{privacy_test::week_start(), privacy_test::week_start() + std::chrono::weeks(1),
                                         *tokenmaxx::privacy_cost::from(0.01, 0), {}};
        overlap_meter::scope in(meter);
        const absl::Status st = acc->spend(r);
        (st.ok() ? granted : refused).fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_GE(meter.most(), 2) << "the spends never overlapped";
  EXPECT_EQ(granted.load(), 100);
  EXPECT_EQ(refused.load(), threads * per_thread - 100);
  EXPECT_EQ(acc->spent(privacy_test::week_start()).epsilon_millionths, 1'000'000);
  int releases = 0, refusals = 0;
  std::int64_t last_spent = 0;
  for (const auto& rec : log.records()) {
    if (rec["event"] == "release") {
      ++releases;
      const std::int64_t spent = rec["periods"][0]["epsilon_spent_millionths"].get<std::int64_t>();
      EXPECT_EQ(spent, last_spent + 10'000);  // log order = spending order
      last_spent = spent;
    } else if (rec["event"] == "refused") {
      ++refusals;
    }
  }
  EXPECT_EQ(releases, 100);
  EXPECT_EQ(refusals, threads * per_thread - 100);
}

TEST(PrivacyConcurrency, ConcurrentReleasesNeverExceedTheBudget) {
  privacy_test::setup s;
  s.log = std::make_unique<privacy_test::scratch_log>(/*on_disk=*/true);
  s.accountant = privacy_test::open_accountant(*s.log, 3.0, 0.0);
  s.agg = privacy_test::make_aggregator(s.accountant);
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(add(*s.agg, absl::StrCat("p", i), absl::StrCat("t", i % 20), "w", 100).ok());
  tokenmaxx::release_options o;
  o.epsilon = 0.25;
  o.public_groups.emplace();
  for (int t = 0; t < 20; ++t) o.public_groups->push_back({absl::StrCat("t", t), "w"});
  std::atomic<int> ok{0}, exhausted{0}, other{0};
  overlap_meter meter;
  const int threads = 4;
  std::barrier start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 10; ++i) {
        overlap_meter::scope in(meter);
        auto r = s.agg->release(o);
        if (r.ok()) ok.fetch_add(1);
        else if (r.status().code() == absl::StatusCode::kResourceExhausted) exhausted.fetch_add(1);
        else other.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_GE(meter.most(), 2) << "the releases never overlapped";
  EXPECT_EQ(ok.load(), 12);
  EXPECT_EQ(exhausted.load(), 28);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(s.accountant->spent(privacy_test::week_start()).epsilon_millionths, 3'000'000);
}

TEST(PrivacyConcurrency, ConcurrentAddsAndReleasesLoseNothing) {
  tokenmaxx::contribution_bounds b;
  b.max_groups_per_person = 4;  // every person-workflow pair counts, so totals are exact
  auto s = make(1000, 0.5, b);
  const int writers = 4, per_writer = 20'000;
  std::atomic<int> writers_running{writers};
  std::atomic<std::int64_t> completed{0};
  std::atomic<int> releases{0}, releases_during_adds{0}, snapshots_behind{0};
  std::barrier start(writers + 1);
  std::thread reader([&] {
    tokenmaxx::release_options o;
    o.epsilon = 0.5;
    o.delta = 1e-6;
    start.arrive_and_wait();
    for (int seed = 0; seed < 1500 && writers_running.load() > 0; ++seed) {
      // A release sees every add() completed before it started: check it on the same snapshot path.
      const std::int64_t before = completed.load();
      std::int64_t seen = 0;
      for (const auto& [g, t] : test_access::true_bounded_totals(*s.agg)) seen += t.sums.tokens;
      snapshots_behind += seen < before;
      const bool adds_running = writers_running.load() > 0;
      auto r = privacy_test::release_seeded(*s.agg, o, static_cast<std::uint64_t>(seed));
      EXPECT_TRUE(r.ok()) << r.status();
      releases.fetch_add(1);
      releases_during_adds += adds_running && writers_running.load() > 0;
    }
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < writers; ++w) {
    pool.emplace_back([&, w] {
      start.arrive_and_wait();
      for (int i = 0; i < per_writer; ++i) {
        // 50 people per writer, 4 workflows: each person-workflow pair gets 100 events of 1 token.
        const std::string person = absl::StrCat("w", w, "-p", i % 50);
        const std::string workflow = absl::StrCat("wf", (i / 50) % 4);
        ASSERT_TRUE(add(*s.agg, person, "team", workflow, 1, 1, 1).ok());
        completed.fetch_add(1);
      }
      writers_running.fetch_sub(1);
    });
  }
  for (auto& th : pool) th.join();
  reader.join();
  EXPECT_GE(releases_during_adds.load(), 1) << "no release overlapped the adds (" << releases.load() << " releases)";
  EXPECT_EQ(snapshots_behind.load(), 0);
  const auto totals = test_access::true_bounded_totals(*s.agg);
  ASSERT_EQ(totals.size(), 4u);
  std::int64_t active = 0, tokens = 0;
  for (const auto& [g, t] : totals) {
    active += t.active_people;
    tokens += t.sums.tokens;
  }
  EXPECT_EQ(active, writers * 50 * 4);
  EXPECT_EQ(tokens, writers * per_writer);
}

TEST(PrivacyConcurrency, PseudonymizerIsSafeToShare) {
  auto ps = *tokenmaxx::pseudonymizer::create(privacy_test::test_key(), "2025-W15");
  std::vector<tokenmaxx::pseudonym> expected;
  for (int i = 0; i < 5000; ++i) expected.push_back(*ps.pseudonymize("id" + std::to_string(i)));
  std::atomic<int> mismatches{0};
  overlap_meter meter;
  const int threads = 4;
  std::barrier start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 5000; ++i) {
        const int k = (i * 7 + t * 1249) % 5000;
        overlap_meter::scope in(meter);
        if (*ps.pseudonymize("id" + std::to_string(k)) != expected[static_cast<std::size_t>(k)]) mismatches.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_GE(meter.most(), 2);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
