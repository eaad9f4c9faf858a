// Multi-threaded stress tests (label: concurrency; run under ThreadSanitizer in CI).
// Every test compares against totals each thread tallied privately, so a lost or doubled increment fails.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tokenmaxx/usage/budget.hpp"
#include "tokenmaxx/usage/ledger.hpp"
#include "tokenmaxx/usage/window.hpp"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define TOKENMAXX_LEDGER_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define TOKENMAXX_LEDGER_SANITIZED 1
#endif
#endif
#ifndef TOKENMAXX_LEDGER_SANITIZED
#define TOKENMAXX_LEDGER_SANITIZED 0
#endif

namespace {

using namespace tokenmaxx;

// Iterations per thread: 4x the base figure in normal builds (about a second in total), 1x under
// sanitizers (5-20x slower; a few seconds), still tens of thousands of racing operations per test.
constexpr int scaled(int n) { return TOKENMAXX_LEDGER_SANITIZED ? n : n * 4; }

struct tally {
  token_counts tokens{};
  std::uint64_t requests = 0, errors = 0;
  void add(const usage& u) {
    for (token_type t : all_token_types) tokens[static_cast<std::size_t>(t)] += u.tokens(t);
    requests += u.requests;
    errors += u.errors;
  }
  void add(const usage_row& r) {
    for (std::size_t i = 0; i < token_type_count; ++i) tokens[i] += r.tokens[i];
    requests += r.requests;
    errors += r.errors;
  }
  void add(const tally& o) {
    for (std::size_t i = 0; i < token_type_count; ++i) tokens[i] += o.tokens[i];
    requests += o.requests;
    errors += o.errors;
  }
  bool operator==(const tally&) const = default;
};

tally total_of(const usage_snapshot& s) {
  tally t;
  for (const usage_row& r : s.rows) t.add(r);
  return t;
}

usage random_usage(std::mt19937_64& rng) {
  return {.input = rng() % 2000, .cached_input = rng() % 3 == 0 ? rng() % 500 : 0, .cache_creation = rng() % 7 == 0 ? 64u : 0u,
          .cache_creation_1h = rng() % 11 == 0 ? 32u : 0u, .output = rng() % 800, .reasoning = rng() % 5 == 0 ? rng() % 300 : 0,
          .requests = 1, .errors = rng() % 17 == 0 ? 1u : 0u};
}

// Records and counts a failure instead of asserting (gtest assertions are for the main thread).
void record_or_count(ledger& l, key_handle h, const usage& u, std::atomic<int>& failures) {
  if (!l.record(h, u).ok()) failures.fetch_add(1, std::memory_order_relaxed);
}

class ExactTotals : public ::testing::TestWithParam<int> {};

// All threads hammer one hot key through a handle, and insert/record cold keys by name (racing inserts
// of the same new keys), with staggered iteration counts so threads exit at different times.
TEST_P(ExactTotals, HotAndColdKeys) {
  const int threads = GetParam();
  const int iters = scaled(200'000) / threads * 2;
  ledger l({.capacity = 4096});
  auto hot = l.resolve("hot-tenant", "gpt-4o");
  ASSERT_TRUE(hot.ok());
  std::vector<tally> per_thread(threads);
  std::vector<tally> hot_per_thread(threads);
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937_64 rng(1234 + t);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const int my_iters = iters - (t * iters) / (2 * threads);  // staggered exits
      for (int i = 0; i < my_iters; ++i) {
        usage u = random_usage(rng);
        record_or_count(l, *hot, u, failures);
        hot_per_thread[t].add(u);
        per_thread[t].add(u);
        if (i % 16 == 0) {
          // 64 shared cold keys (inserted concurrently by everyone) and 8 private ones per thread.
          std::string tenant = (i % 32 == 0) ? "shared-" + std::to_string(rng() % 64) : "own-" + std::to_string(t) + "-" + std::to_string(rng() % 8);
          usage c{.output = 1 + rng() % 10, .requests = 1};
          if (!l.record(tenant, "claude", c).ok()) failures.fetch_add(1);
          per_thread[t].add(c);
        }
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  ASSERT_EQ(failures.load(), 0);
  tally want, want_hot;
  for (int t = 0; t < threads; ++t) {
    want.add(per_thread[t]);
    want_hot.add(hot_per_thread[t]);
  }
  usage_snapshot s = l.snapshot();
  EXPECT_EQ(total_of(s), want);
  tally got_hot;
  got_hot.add(*s.find("hot-tenant", "gpt-4o"));
  EXPECT_EQ(got_hot, want_hot);
  EXPECT_EQ(s.rows.size(), l.size());
  EXPECT_LE(l.size(), 1u + 64u + 8u * threads);
  // Every key appears exactly once (canonical order is strictly increasing).
  s.canonicalize();
  for (std::size_t i = 1; i < s.rows.size(); ++i)
    ASSERT_LT(std::tie(s.rows[i - 1].tenant, s.rows[i - 1].model), std::tie(s.rows[i].tenant, s.rows[i].model));
}

INSTANTIATE_TEST_SUITE_P(Threads, ExactTotals, ::testing::Values(2, 8, 32));

// Writers add while a collector repeatedly snapshot-and-resets: sum of deltas + final == written.
TEST(Conservation, SnapshotAndResetLosesNothing) {
  constexpr int writers = 4;
  const int iters = scaled(150'000);
  ledger l({.capacity = 2048});
  std::vector<key_handle> keys;
  for (int k = 0; k < 16; ++k) keys.push_back(*l.resolve("t" + std::to_string(k % 4), "m" + std::to_string(k / 4)));
  std::vector<tally> written(writers);
  std::atomic<int> running{writers};
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int w = 0; w < writers; ++w) {
    pool.emplace_back([&, w] {
      std::mt19937_64 rng(99 + w);
      const int my_iters = iters - w * (iters / 8);
      for (int i = 0; i < my_iters; ++i) {
        usage u = random_usage(rng);
        // Half the traffic on key 0 (contended, striped), the rest spread; now and then a key that is
        // new (inserted while the collector walks the table).
        if (i % 64 == 63) {
          if (!l.record("dyn-" + std::to_string(w) + "-" + std::to_string((i / 64) % 300), "m", u).ok()) std::abort();
        } else {
          record_or_count(l, keys[(i & 1) ? 0 : rng() % keys.size()], u, failures);
        }
        written[w].add(u);
      }
      running.fetch_sub(1, std::memory_order_release);
    });
  }
  tally collected;
  int snapshots = 0;
  std::int64_t clock = 0;
  while (running.load(std::memory_order_acquire) > 0) {
    usage_snapshot d = l.snapshot_and_reset(++clock);
    ASSERT_EQ(d.kind, snapshot_kind::delta);
    collected.add(total_of(d));
    ++snapshots;
  }
  for (auto& th : pool) th.join();
  collected.add(total_of(l.snapshot_and_reset(++clock)));
  tally want;
  for (const tally& t : written) want.add(t);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(collected, want);
  EXPECT_GT(snapshots, 1);
  EXPECT_EQ(total_of(l.snapshot_and_reset(++clock)), tally{});  // nothing left over
  EXPECT_EQ(total_of(l.snapshot()), want);                       // cumulative view untouched
}

// Two collectors racing each other (and the writers) still partition the increments exactly.
TEST(Conservation, ConcurrentCollectors) {
  const int iters = scaled(100'000);
  ledger l({.capacity = 16});
  auto h = *l.resolve("a", "m");
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  tally written;
  std::thread writer([&] {
    std::mt19937_64 rng(7);
    for (int i = 0; i < iters; ++i) {
      usage u = random_usage(rng);
      record_or_count(l, h, u, failures);
      written.add(u);
    }
    done.store(true, std::memory_order_release);
  });
  std::thread writer2([&] {
    for (int i = 0; i < iters; ++i)
      if (!l.add(h, token_type::output, 3).ok()) failures.fetch_add(1);
  });
  tally c1, c2;
  std::thread collector([&] {
    while (!done.load(std::memory_order_acquire)) c1.add(total_of(l.snapshot_and_reset()));
  });
  while (!done.load(std::memory_order_acquire)) c2.add(total_of(l.snapshot_and_reset()));
  writer.join();
  writer2.join();
  collector.join();
  c1.add(c2);
  c1.add(total_of(l.snapshot_and_reset()));
  written.tokens[static_cast<std::size_t>(token_type::output)] += 3ull * iters;
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(c1, written);
}

// Cumulative snapshots taken during writes never go backwards, and exporter-side deltas conserve.
TEST(Conservation, CumulativeIsMonotonicAndDeltasConserve) {
  const int iters = scaled(100'000);
  ledger l({.capacity = 64});
  std::vector<key_handle> keys;
  for (int k = 0; k < 4; ++k) keys.push_back(*l.resolve("t", "m" + std::to_string(k)));
  std::atomic<int> running{2};
  std::atomic<int> failures{0};
  std::vector<tally> written(2);
  std::vector<std::thread> pool;
  for (int w = 0; w < 2; ++w)
    pool.emplace_back([&, w] {
      std::mt19937_64 rng(5 + w);
      for (int i = 0; i < iters; ++i) {
        usage u = random_usage(rng);
        record_or_count(l, keys[static_cast<std::size_t>(i % 4)], u, failures);
        written[w].add(u);
      }
      running.fetch_sub(1);
    });
  delta_tracker tracker;
  tally deltas;
  while (running.load() > 0) {
    auto d = tracker.next(l.snapshot());
    ASSERT_TRUE(d.ok()) << d.status();  // fails if any counter was seen going backwards
    deltas.add(total_of(*d));
  }
  for (auto& th : pool) th.join();
  deltas.add(total_of(*tracker.next(l.snapshot())));
  written[0].add(written[1]);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(deltas, written[0]);
}

// Racing inserts into a small table with the overflow policy: exactly `capacity` keys, nothing lost.
TEST(FullTable, RacingInsertsRespectCapacityAndConserve) {
  constexpr int threads = 8;
  ledger l({.capacity = 100, .when_full = full_policy::overflow_bucket});
  std::atomic<std::uint64_t> written{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < scaled(4000); ++i) {
        const int k = (i * 7 + t * 13) % 300;
        ASSERT_TRUE(l.record("tenant-" + std::to_string(k), "m", {.input = 1u + k % 3, .requests = 1}).ok());
        written.fetch_add(1u + k % 3);
      }
    });
  for (auto& th : pool) th.join();
  EXPECT_EQ(l.size(), 100u);
  usage_snapshot s = l.snapshot();
  EXPECT_EQ(s.rows.size(), 101u);  // 100 keys + the overflow row
  EXPECT_NE(s.find("__overflow__", "__overflow__"), nullptr);
  EXPECT_EQ(total_of(s).tokens[0], written.load());
  EXPECT_GT(l.overflowed_resolves(), 0u);
}

// Concurrent callers can never jointly overshoot a budget.
TEST(Budget, NeverOvershootsUnderContention) {
  constexpr int threads = 8;
  constexpr std::uint64_t limit = 100'000;
  budget_book b(16);
  ASSERT_TRUE(b.set_limit("acme", limit).ok());
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> max_seen{0};
  std::atomic<std::uint64_t> committed{0};
  std::atomic<int> violations{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < scaled(40'000); ++i) {
        const std::uint64_t want = 1 + rng() % 400;
        auto r = b.try_reserve("acme", want);
        if (!r.ok()) {
          if (r.status().code() != absl::StatusCode::kResourceExhausted) violations.fetch_add(1);
          continue;
        }
        const std::uint64_t in_use = b.state("acme")->in_use;
        if (in_use > limit) violations.fetch_add(1);
        if (rng() % 3 == 0) {
          b.release(*r);
        } else {
          const std::uint64_t actual = rng() % (want + 1);
          if (!b.commit(*r, actual).ok()) violations.fetch_add(1);
          committed.fetch_add(actual);
        }
        if (rng() % 64 == 0 && t == 0) (void)b.reset_period("acme").ok();
      }
    });
  std::thread watcher([&] {
    while (!stop.load()) {
      std::uint64_t v = b.state("acme")->in_use;
      if (v > limit) violations.fetch_add(1);
      std::uint64_t m = max_seen.load();
      while (v > m && !max_seen.compare_exchange_weak(m, v)) {}
    }
  });
  for (auto& th : pool) th.join();
  stop.store(true);
  watcher.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_LE(max_seen.load(), limit);
  budget_state st = *b.state("acme");
  EXPECT_LE(st.in_use, limit);
  EXPECT_EQ(st.in_use, st.committed);  // all reservations resolved
  EXPECT_EQ(st.overrun, 0u);
}

// Unit reservations exactly fill the limit: no more, no fewer successes than the limit allows.
TEST(Budget, UnitReservationsFillExactly) {
  constexpr int threads = 8;
  const std::uint64_t limit = scaled(80'000);
  budget_book b(4);
  ASSERT_TRUE(b.set_limit("t", limit).ok());
  std::atomic<std::uint64_t> successes{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (;;) {
        auto r = b.try_reserve("t", 1);
        if (!r.ok()) break;
        ASSERT_TRUE(b.commit(*r, 1).ok());
        successes.fetch_add(1);
      }
    });
  for (auto& th : pool) th.join();
  EXPECT_EQ(successes.load(), limit);
  EXPECT_EQ(b.state("t")->committed, limit);
}

// Windows closed while writers run: closed + open windows sum to everything written, for minute and
// hour windows alike (keep is unbounded so that no minute window is dropped and skipped).
TEST(Windows, ConcurrentWritersConserveAcrossWindows) {
  ledger l({.capacity = 64});
  std::int64_t now = 1'700'000'000LL * 1'000'000'000LL;
  window_rollup w(l, [&] { return now; }, /*keep=*/std::numeric_limits<std::size_t>::max());
  auto h = *l.resolve("a", "m");
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<int> failures{0};
  std::vector<std::uint64_t> written(2, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 2; ++t)
    pool.emplace_back([&, t] {
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::uint64_t n = 1u + (i & 3);
        record_or_count(l, h, {.input = n, .requests = 1}, failures);
        written[static_cast<std::size_t>(t)] += n;
        if (i == 0) started.fetch_add(1);
      }
    });
  while (started.load() < 2) std::this_thread::yield();
  // The collector drives the test: 300 ticks of 7 s (35 minutes) while the writers run throughout.
  for (int tick = 0; tick < 300; ++tick) {
    now += 7'000'000'000LL;
    ASSERT_TRUE(w.advance().ok());
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  stop.store(true);
  for (auto& th : pool) th.join();
  now += 7'000'000'000LL;
  ASSERT_TRUE(w.advance().ok());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(w.closed(window_unit::minute).size(), 34u);
  for (window_unit u : {window_unit::minute, window_unit::hour}) {
    std::uint64_t sum = 0;
    std::size_t windows_with_usage = 0;
    for (const auto& cw : w.closed(u)) {
      for (const auto& r : cw.usage.rows) sum += r.tokens_of(token_type::input);
      windows_with_usage += !cw.usage.rows.empty();
    }
    for (const auto& r : w.open(u).rows) sum += r.tokens_of(token_type::input);
    EXPECT_EQ(sum, written[0] + written[1]) << "unit " << static_cast<int>(u);
    if (u == window_unit::minute) EXPECT_GE(windows_with_usage, 20u) << "writers and collector did not overlap";
  }
}

// Issue 10, defect 3: threads racing to resolve exactly `capacity` distinct keys must all get them
// (no spurious ResourceExhausted, nothing redirected to the overflow key).
TEST(FullTable, RacingResolvesOfExactlyCapacityKeysNeverFail) {
  constexpr int threads = 4;
  constexpr int capacity = 64;
  const int rounds = TOKENMAXX_LEDGER_SANITIZED ? 100 : 300;
  std::vector<std::string> tenants;
  for (int k = 0; k < capacity; ++k) tenants.push_back("tenant-" + std::to_string(k));
  int refused = 0, redirected = 0;
  for (int round = 0; round < rounds; ++round) {
    ledger strict({.capacity = capacity});
    ledger spill({.capacity = capacity, .when_full = full_policy::overflow_bucket});
    budget_book budgets(capacity);
    std::atomic<int> round_refused{0}, round_redirected{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();
        for (int i = 0; i < capacity; ++i) {
          const std::string& tenant = tenants[static_cast<std::size_t>((i * 7 + t * 13) % capacity)];
          if (!strict.resolve(tenant, "m").ok()) round_refused.fetch_add(1);
          auto h = spill.resolve(tenant, "m");
          if (!h.ok() || h->tenant() == overflow_key) round_redirected.fetch_add(1);
          if (!budgets.set_limit(tenant, 10).ok()) round_refused.fetch_add(1);
        }
      });
    for (auto& th : pool) th.join();
    refused += round_refused.load();
    redirected += round_redirected.load();
    ASSERT_EQ(strict.size(), static_cast<std::size_t>(capacity));
    ASSERT_EQ(spill.overflowed_resolves(), 0u);
    ASSERT_EQ(strict.resolve("one-more", "m").status().code(), absl::StatusCode::kResourceExhausted);
  }
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(redirected, 0);
}

// Issue 10, defect 4: keys written by a second and a third live thread, each once and with no race,
// must not grow stripes (the second thread takes the key's second owned line, the third the shared one).
TEST(Stripes, NoGrowthWithoutContention) {
  ledger l({.capacity = 2000});
  std::vector<key_handle> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back(*l.resolve("t" + std::to_string(i), "m"));
  std::atomic<int> phase{0};
  std::atomic<int> failures{0};
  auto writer = [&](std::uint64_t n, int done, int leave) {
    return std::thread([&, n, done, leave] {
      for (key_handle h : keys) record_or_count(l, h, {.input = n, .requests = 1}, failures);
      phase.store(done);
      while (phase.load() < leave) std::this_thread::yield();  // stay alive: keep the slot
    });
  };
  std::thread first = writer(1, 1, 3);
  while (phase.load() != 1) std::this_thread::yield();
  const ledger_stats before = l.stats();
  std::thread second = writer(2, 2, 3);
  while (phase.load() != 2) std::this_thread::yield();
  std::thread third([&] {
    for (key_handle h : keys) {
      record_or_count(l, h, {.input = 4, .requests = 1}, failures);
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // slower than "busy": one write per key anyway
    }
  });
  third.join();
  const ledger_stats after = l.stats();
  phase.store(3);
  first.join();
  second.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(after.contended_keys, 0u);
  EXPECT_EQ(after.bytes, before.bytes) << (after.bytes - before.bytes) / keys.size() << " bytes per key";
  const usage_snapshot s = l.snapshot();
  for (const usage_row& r : s.rows) {
    EXPECT_EQ(r.tokens_of(token_type::input), 7u);
    EXPECT_EQ(r.requests, 3u);
  }
}

// ...and a key that four threads keep writing grows once and stays exact.
TEST(Stripes, ContendedKeyGrowsOnceAndStaysExact) {
  constexpr int threads = 4;
  ledger l({.capacity = 16});
  auto h = *l.resolve("hot", "m");
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::uint64_t> written(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::uint64_t n = 0;
      // Until the key grew, then as long again (so that writes land in the stripes too).
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed) || i % 4096 != 0; ++i) {
        record_or_count(l, h, {.output = 1, .requests = 1}, failures);
        ++n;
      }
      written[static_cast<std::size_t>(t)] = n;
    });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (l.stats().contended_keys == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop.store(true);
  for (auto& th : pool) th.join();
  const ledger_stats st = l.stats();
  EXPECT_EQ(st.contended_keys, 1u);
  EXPECT_LE(st.bytes, 2048u + 512u + usage_detail::slot_count() * 128u + sizeof(ledger) + 64u * 16u);
  std::uint64_t total = 0;
  for (std::uint64_t n : written) total += n;
  const usage_snapshot snap = l.snapshot();
  const usage_row* r = snap.find("hot", "m");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(r->tokens_of(token_type::output), total);
  EXPECT_EQ(r->requests, total);
}

// Issue 10, defect 1 under load: writers drive one key to saturation through the owner line, the
// shared line and the stripes while two collectors claim deltas. Every collector finishes, the
// deltas of the saturated field add up to exactly 2^64 - 1, and requests stay exact.
TEST(Saturation, CollectorsFinishAndDeltasTelescopeToTheCeiling) {
  constexpr int writers = 3;
  const int per_writer = 30'000;  // 3 x 30,000 x (2^48 - 1) > 2^64
  ledger l({.capacity = 16});
  auto h = *l.resolve("a", "m");
  std::atomic<int> running{writers};
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int w = 0; w < writers; ++w)
    pool.emplace_back([&] {
      for (int i = 0; i < per_writer; ++i) record_or_count(l, h, {.input = max_increment, .requests = 1}, failures);
      running.fetch_sub(1);
    });
  std::atomic<std::uint64_t> input_sum_high{0}, input_sum_low{0}, requests{0};
  std::atomic<bool> flagged{false};
  auto collect = [&] {
    const usage_snapshot d = l.snapshot_and_reset();
    for (const usage_row& r : d.rows) {
      const std::uint64_t v = r.tokens_of(token_type::input);
      // 128-bit accumulation across threads: low word with carry into the high word.
      std::uint64_t low = input_sum_low.load();
      while (!input_sum_low.compare_exchange_weak(low, low + v)) {}
      if (low + v < low) input_sum_high.fetch_add(1);
      requests.fetch_add(r.requests);
      if (r.overflow) flagged.store(true);
    }
  };
  std::thread other_collector([&] {
    while (running.load() > 0) collect();
  });
  while (running.load() > 0) collect();
  for (auto& th : pool) th.join();
  other_collector.join();
  collect();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(input_sum_high.load(), 0u);
  EXPECT_EQ(input_sum_low.load(), UINT64_MAX);
  EXPECT_EQ(requests.load(), static_cast<std::uint64_t>(writers) * per_writer);
  EXPECT_TRUE(flagged.load());
  const usage_snapshot snap = l.snapshot();
  const usage_row* r = snap.find("a", "m");
  EXPECT_EQ(r->tokens_of(token_type::input), UINT64_MAX);
  EXPECT_TRUE(r->overflow);
}

}  // namespace
