// Privacy layer benchmarks: ingestion cost per usage event (HMAC pseudonym + aggregation) against
// the bare OpenSSL HMAC-SHA256 it is built on; the time to release a report for 10,000 groups
// (public list and private selection, discrete Laplace and discrete Gaussian; the production CSPRNG
// against the test build's seeded noise); and one durable spend (write + fsync) on disk vs tmpfs.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "privacy_testing.hpp"
#include "tokenmaxx/privacy.hpp"

namespace {

using clock_type = std::chrono::system_clock;

clock_type::time_point monday() { return clock_type::time_point(std::chrono::sys_days(std::chrono::year{2025} / 4 / 7)); }

tokenmaxx::master_key bench_key() {
  std::array<unsigned char, 32> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<unsigned char>(i * 13 + 5);
  return *tokenmaxx::master_key::from_bytes(b);
}

// A fresh audit log in `dir`, removed when the benchmark ends.
struct bench_log {
  explicit bench_log(const std::filesystem::path& dir)
      : path((dir / ("tokenmaxx-privacy-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".jsonl")).string()) {
    std::filesystem::remove(path);
  }
  ~bench_log() { std::filesystem::remove(path); }
  static inline int counter = 0;
  std::string path;
};

std::shared_ptr<tokenmaxx::privacy_accountant> make_accountant(const bench_log& log, double budget) {
  return *tokenmaxx::privacy_accountant::open({.audit_log_path = log.path, .epsilon_per_period = budget, .delta_per_period = 0.9});
}

std::unique_ptr<tokenmaxx::adoption_aggregator> make_aggregator(std::shared_ptr<tokenmaxx::privacy_accountant> acc) {
  auto agg = tokenmaxx::adoption_aggregator::create(
      {.dimensions = {"team", "workflow"},
       .period = "2025-W15",
       .window_start = monday(),
       .window_end = monday() + std::chrono::days(7),
       .bounds = {},
       .min_group_size = 5,
       .accountant = std::move(acc)},
      *tokenmaxx::pseudonymizer::create(bench_key(), "2025-W15"));
  return std::move(*agg);
}

// Baseline: one HMAC-SHA256 of an e-mail-sized id with OpenSSL's one-shot HMAC().
void BM_openssl_hmac_one_shot(benchmark::State& state) {
  const auto key = bench_key();
  const std::string id = "some.person.12345@corp.example";
  unsigned char out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), key.bytes().data(), 32, reinterpret_cast<const unsigned char*>(id.data()), id.size(), out, &len);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_openssl_hmac_one_shot);

void BM_pseudonymize(benchmark::State& state) {
  auto ps = *tokenmaxx::pseudonymizer::create(bench_key(), "2025-W15");
  const std::string id = "some.person.12345@corp.example";
  for (auto _ : state) benchmark::DoNotOptimize(ps.pseudonymize(id));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_pseudonymize);

// Steady-state ingestion: 100,000 people x 100 groups, events cycle over existing (person, group)
// pairs, so the cost is pseudonym + validation + one hash-map update under the lock.
void BM_ingest_event(benchmark::State& state) {
  static bench_log log(std::filesystem::temp_directory_path());
  static auto agg = make_aggregator(make_accountant(log, 10));  // shared by the threads of one run
  std::vector<std::string> people, teams, workflows;
  for (int i = 0; i < 100'000; ++i) people.push_back(absl::StrCat("person", i, "@corp.example"));
  for (int i = 0; i < 10; ++i) teams.push_back(absl::StrCat("team-", i));
  for (int i = 0; i < 10; ++i) workflows.push_back(absl::StrCat("workflow-", i));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t p = i % people.size();
    const std::array<std::string_view, 2> g{teams[p % 10], workflows[(p / 10 + i / people.size()) % 10]};
    absl::Status st = agg->add({.person_id = people[p], .group = g, .tokens = 1200, .requests = 1, .cost_micros = 9000,
                                .time = monday() + std::chrono::hours(1)});
    if (!st.ok()) state.SkipWithError("add failed");
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ingest_event)->Threads(1)->Threads(2)->UseRealTime();

// 10,000 groups (100 teams x 100 workflows) with `people` distinct people each, one event each.
std::unique_ptr<tokenmaxx::adoption_aggregator> populated(int people, std::shared_ptr<tokenmaxx::privacy_accountant> acc) {
  auto agg = make_aggregator(std::move(acc));
  for (int t = 0; t < 100; ++t) {
    for (int w = 0; w < 100; ++w) {
      const std::string team = absl::StrCat("team-", t), workflow = absl::StrCat("workflow-", w);
      const std::array<std::string_view, 2> g{team, workflow};
      for (int p = 0; p < people; ++p) {
        const std::string id = absl::StrCat("p", t, "-", w, "-", p);
        (void)agg->add({.person_id = id, .group = g, .tokens = 5000 + p, .requests = 3, .cost_micros = 40000,
                        .time = monday() + std::chrono::hours(5)});
      }
    }
  }
  return agg;
}

std::vector<std::vector<std::string>> all_groups() {
  std::vector<std::vector<std::string>> out;
  for (int t = 0; t < 100; ++t)
    for (int w = 0; w < 100; ++w) out.push_back({absl::StrCat("team-", t), absl::StrCat("workflow-", w)});
  return out;
}

// Arg 0: 0 = public list + Laplace, 1 = private selection + Laplace, 2 = public + Gaussian.
// Arg 1: 0 = secure_random (production), 1 = the test build's seeded noise.
// The audit log is on disk (the system temp folder), as in production: each release includes one fsync.
void BM_release_10k_groups(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  const bool seeded = state.range(1) == 1;
  bench_log log(std::filesystem::temp_directory_path());
  auto agg = populated(40, make_accountant(log, 1000));
  tokenmaxx::release_options o;
  o.epsilon = mode == 1 ? 8.0 : 0.5;  // private: epsilon large enough that groups of 40 pass
  o.delta = mode == 0 ? 0.0 : 1e-6;
  o.mechanism = mode == 2 ? tokenmaxx::noise_mechanism::gaussian : tokenmaxx::noise_mechanism::laplace;
  o.requests = o.cost = true;  // four noisy metrics per group
  if (mode != 1) o.public_groups = all_groups();
  tokenmaxx::privacy_testing::seeded_source test_source(1);
  std::size_t released = 0;
  for (auto _ : state) {
    auto r = seeded ? tokenmaxx::privacy_detail::test_access::release(*agg, o, test_source) : agg->release(o);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    released = 0;
    for (const auto& row : r->rows) released += row.suppressed ? 0 : 1;
    benchmark::DoNotOptimize(r->rows.data());
  }
  state.counters["groups_released"] = static_cast<double>(released);
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_release_10k_groups)
    ->ArgNames({"mode", "seeded"})
    ->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({2, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

// One spend: check, write and fsync of the audit record. Arg 0: 0 = system temp folder (disk),
// 1 = /dev/shm (tmpfs, where fsync returns at once).
void BM_accountant_spend(benchmark::State& state) {
  bench_log log(state.range(0) == 0 ? std::filesystem::temp_directory_path() : std::filesystem::path("/dev/shm"));
  auto acc = make_accountant(log, 1000);
  const auto start = monday();
  std::int64_t week = 0;
  for (auto _ : state) {
    // A new week every 900 spends of 1.0 keeps the budget open.
    const auto from = start + std::chrono::weeks(week++ / 900);
    absl::Status st = acc->spend({from, from + std::chrono::weeks(1), *tokenmaxx::privacy_cost::from(1.0, 0), {}});
    if (!st.ok()) state.SkipWithError(std::string(st.message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_accountant_spend)->ArgNames({"tmpfs"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
