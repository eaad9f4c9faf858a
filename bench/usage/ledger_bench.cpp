// Google Benchmark for tokenmaxx::ledger with baselines measured in the same run.
//
// Every multi-threaded benchmark uses real time and SetItemsProcessed, so `items_per_second` is the
// aggregate throughput of all threads; compare those (the per-iteration time is per thread).
// "op" = one call: ledger.record() of a 3-field usage (input, output, requests), ledger.add() of one
// field, or one fetch_add / one locked map update for the baselines.
//
// The file compiles against the ledger of tokenmaxx 0.2 too (record results are discarded with a
// cast, bytes are counted by the replaced operator new below), so bench/results/ledger.md can set
// the 100,000-key benchmarks of both side by side in one run.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tokenmaxx/usage/ledger.hpp"

// Bytes requested from operator new, by every thread: what a ledger holds is the difference around
// building it. (Allocator overhead is not included; RSS would include every other benchmark's.)
// The replacements pair malloc with free on purpose; GCC cannot see through that.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<std::size_t> requested_bytes{0};
void* counted(std::size_t n, std::size_t align) {
  requested_bytes.fetch_add(n, std::memory_order_relaxed);
  void* p = align <= alignof(std::max_align_t) ? std::malloc(n) : std::aligned_alloc(align, (n + align - 1) / align * align);
  return p;
}
}  // namespace
void* operator new(std::size_t n) {
  if (void* p = counted(n, 0)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

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
  for (auto _ : state) (void)l.record(h, kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_record_own_key)->ThreadRange(1, 2)->UseRealTime();

void BM_ledger_add_one_field_own_key(benchmark::State& state) {
  static ledger l({.capacity = 1024});
  key_handle h = *l.resolve("tenant-" + std::to_string(state.thread_index()), "gpt-4o");
  for (auto _ : state) (void)l.add(h, token_type::output, 1);
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
  for (auto _ : state) (void)l.record(h, kCall);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ledger_record_hot_key)->ThreadRange(1, 2)->Threads(8)->UseRealTime();

void BM_ledger_add_one_field_hot_key(benchmark::State& state) {
  static ledger l({.capacity = 16});
  static key_handle h = *l.resolve("hot", "gpt-4o");
  for (auto _ : state) (void)l.add(h, token_type::output, 1);
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
      (void)out->record(h, {.input = 1000u + static_cast<unsigned>(i), .output = 10u + static_cast<unsigned>(i % 7), .requests = 1});
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

// ---- 100,000 keys written by one thread, and by two (each key once by each, no race) ------------

struct written_ledger {
  std::unique_ptr<ledger> l;
  double bytes_per_key = 0;
};

// A first thread writes every key and stays alive (keeping its slot) while, with `writers` == 2, a
// second thread writes every key once more: the pattern of a service whose requests for one tenant
// land on different worker threads.
written_ledger build_written(int writers) {
  constexpr int keys = 100'000;
  written_ledger out;
  const std::size_t before = requested_bytes.load();
  out.l = std::make_unique<ledger>(ledger_options{.capacity = keys});
  std::vector<key_handle> handles;
  handles.reserve(keys);
  for (int i = 0; i < keys; ++i) handles.push_back(*out.l->resolve("tenant-" + std::to_string(i), "gpt-4o"));
  const std::size_t handle_bytes = handles.capacity() * sizeof(key_handle);
  std::atomic<int> phase{0};
  std::thread first([&] {
    for (key_handle h : handles) (void)out.l->record(h, kCall);
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
  });
  while (phase.load() != 1) std::this_thread::yield();
  if (writers == 2) {
    std::thread second([&] {
      for (key_handle h : handles) (void)out.l->record(h, kCall);
    });
    second.join();
  }
  phase.store(2);
  first.join();
  out.bytes_per_key = static_cast<double>(requested_bytes.load() - before - handle_bytes) / keys;
  return out;
}

void BM_snapshot_100k_keys_written_by(benchmark::State& state) {
  static written_ledger by[3];
  const int writers = static_cast<int>(state.range(0));
  if (!by[writers].l) by[writers] = build_written(writers);
  for (auto _ : state) {
    usage_snapshot s = by[writers].l->snapshot();
    benchmark::DoNotOptimize(s.rows.data());
  }
  state.counters["bytes_per_key"] = by[writers].bytes_per_key;
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_snapshot_100k_keys_written_by)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
