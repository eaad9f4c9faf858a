// Google Benchmark for tokenmaxx::ledger with baselines measured in the same run.
//
// Every multi-threaded benchmark uses real time and SetItemsProcessed, so `items_per_second` is the
// aggregate throughput of all threads; compare those (the per-iteration time is per thread).
// "op" = one call: ledger.record() of a 3-field usage (input, output, requests), ledger.add() of one
// field, or one fetch_add / one locked map update for the baselines.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenmaxx/usage/ledger.hpp"

namespace {

using namespace tokenmaxx;

constexpr usage kCall{.input = 1200, .output = 300, .requests = 1};

struct alignas(128) padded_counter {
  std::atomic<std::uint64_t> v{0};
};

struct alignas(128) plain_counters {
  std::atomic<std::uint64_t> input{0}, output{0}, requests{0};
};

struct mutex_map {
  std::mutex mu;
  std::unordered_map<std::string, usage> map;
  void record(const std::string& key, const usage& u) {
    std::lock_guard<std::mutex> lock(mu);
    usage& x = map[key];
    x.input += u.input;
    x.output += u.output;
    x.requests += u.requests;
  }
};

// ---- uncontended (each thread its own key / counter) ------------------------------------------

void BM_ledger_record_own_key(benchmark::State& state) {
  static ledger l({.capacity = 1024});
  key_handle h = *l.resolve("tenant-" + std::to_string(state.thread_index()), "gpt-4o");
  for (auto _ : state) l.record(h, kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_record_own_key)->ThreadRange(1, 2)->UseRealTime();

void BM_ledger_add_one_field_own_key(benchmark::State& state) {
  static ledger l({.capacity = 1024});
  key_handle h = *l.resolve("tenant-" + std::to_string(state.thread_index()), "gpt-4o");
  for (auto _ : state) l.add(h, token_type::output, 1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_add_one_field_own_key)->ThreadRange(1, 2)->UseRealTime();

void BM_baseline_fetch_add_own_counter(benchmark::State& state) {
  static padded_counter counters[64];
  auto& c = counters[state.thread_index() % 64].v;
  for (auto _ : state) c.fetch_add(1, std::memory_order_relaxed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_fetch_add_own_counter)->ThreadRange(1, 2)->UseRealTime();

void BM_baseline_3x_fetch_add_own_struct(benchmark::State& state) {
  static plain_counters counters[64];
  auto& c = counters[state.thread_index() % 64];
  for (auto _ : state) {
    c.input.fetch_add(kCall.input, std::memory_order_relaxed);
    c.output.fetch_add(kCall.output, std::memory_order_relaxed);
    c.requests.fetch_add(kCall.requests, std::memory_order_relaxed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_3x_fetch_add_own_struct)->ThreadRange(1, 2)->UseRealTime();

// ---- all threads on one key ---------------------------------------------------------------------

void BM_ledger_record_hot_key(benchmark::State& state) {
  static ledger l({.capacity = 16});
  static key_handle h = *l.resolve("hot", "gpt-4o");
  for (auto _ : state) l.record(h, kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_record_hot_key)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

void BM_ledger_add_one_field_hot_key(benchmark::State& state) {
  static ledger l({.capacity = 16});
  static key_handle h = *l.resolve("hot", "gpt-4o");
  for (auto _ : state) l.add(h, token_type::output, 1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_add_one_field_hot_key)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

void BM_baseline_shared_fetch_add(benchmark::State& state) {
  static padded_counter c;
  for (auto _ : state) c.v.fetch_add(1, std::memory_order_relaxed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_shared_fetch_add)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

void BM_baseline_shared_3x_fetch_add(benchmark::State& state) {
  static plain_counters c;
  for (auto _ : state) {
    c.input.fetch_add(kCall.input, std::memory_order_relaxed);
    c.output.fetch_add(kCall.output, std::memory_order_relaxed);
    c.requests.fetch_add(kCall.requests, std::memory_order_relaxed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_shared_3x_fetch_add)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

void BM_baseline_mutex_map_hot_key(benchmark::State& state) {
  static mutex_map m;
  const std::string key = "hot/gpt-4o";
  for (auto _ : state) m.record(key, kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_mutex_map_hot_key)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

// ---- by key name (lookup + add) -----------------------------------------------------------------

void BM_ledger_record_by_name_distinct_keys(benchmark::State& state) {
  static ledger l({.capacity = 1 << 16});
  std::vector<std::string> tenants;
  for (int i = 0; i < 256; ++i) tenants.push_back("tenant-" + std::to_string(state.thread_index()) + "-" + std::to_string(i));
  for (const auto& t : tenants) (void)l.resolve(t, "gpt-4o");
  std::size_t i = 0;
  for (auto _ : state) {
    absl::Status s = l.record(tenants[i++ & 255], "gpt-4o", kCall);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_record_by_name_distinct_keys)->ThreadRange(1, 2)->UseRealTime();

void BM_baseline_mutex_map_distinct_keys(benchmark::State& state) {
  static mutex_map m;
  std::vector<std::string> keys;
  for (int i = 0; i < 256; ++i) keys.push_back("tenant-" + std::to_string(state.thread_index()) + "-" + std::to_string(i) + "/gpt-4o");
  std::size_t i = 0;
  for (auto _ : state) m.record(keys[i++ & 255], kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_baseline_mutex_map_distinct_keys)->ThreadRange(1, 2)->UseRealTime();

// ---- snapshots ------------------------------------------------------------------------------------

ledger& big_ledger() {
  static ledger* l = [] {
    auto prices = std::make_shared<price_table>();
    model_price p;
    p.set(token_type::input, 2'500'000).set(token_type::output, 10'000'000).provider = "openai";
    (void)prices->set("gpt-4o", p);
    auto* out = new ledger({.capacity = 100'000, .prices = prices});
    for (int i = 0; i < 100'000; ++i) {
      key_handle h = *out->resolve("tenant-" + std::to_string(i / 4), i % 4 == 3 ? "mystery" : "gpt-4o");
      out->record(h, {.input = 1000u + i, .output = 10u + i % 7, .requests = 1});
    }
    return out;
  }();
  return *l;
}

void BM_snapshot_100k_keys(benchmark::State& state) {
  ledger& l = big_ledger();
  for (auto _ : state) {
    usage_snapshot s = l.snapshot();
    benchmark::DoNotOptimize(s.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_snapshot_100k_keys)->Unit(benchmark::kMillisecond);

void BM_snapshot_and_reset_100k_keys(benchmark::State& state) {
  ledger& l = big_ledger();
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < 100'000; ++i) {
      // Re-dirty every key so each reset really exchanges counters.
      (void)l.record("tenant-" + std::to_string(i / 4), i % 4 == 3 ? "mystery" : "gpt-4o", {.input = 1, .requests = 1});
    }
    state.ResumeTiming();
    usage_snapshot s = l.snapshot_and_reset();
    benchmark::DoNotOptimize(s.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_snapshot_and_reset_100k_keys)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
