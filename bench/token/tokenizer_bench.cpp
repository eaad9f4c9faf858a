// Tokenizer throughput (MB/s of UTF-8 input) on the shared corpus and on hostile inputs.
// Exactness is checked before timing: every corpus document's count must equal tiktoken's
// expected count, or the benchmark aborts.
//
//   source scripts/env.sh && build/release/bench/token/tokenizer_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tokenmaxx/token.hpp"

namespace {

std::string env_or_die(const char* var) {
  const char* v = std::getenv(var);
  if (!v || !*v) {
    std::cerr << "set " << var << "\n";
    std::exit(2);
  }
  return v;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// A corpus file as the list of its documents' texts.
std::vector<std::string> documents(const std::string& file) {
  const auto path = std::filesystem::path(env_or_die("TOKENMAXX_CORPUS_DIR")) / file;
  if (path.extension() == ".txt") return {read_file(path)};
  std::vector<std::string> docs;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) docs.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  return docs;
}

void check_exact(const tokenmaxx::encoding& enc, const std::string& file, const std::vector<std::string>& docs) {
  const std::string stem = file.substr(0, file.rfind('.'));
  std::istringstream in(read_file(std::filesystem::path(env_or_die("TOKENMAXX_EXPECTED_DIR")) /
                                  (stem + "." + enc.name() + ".jsonl")));
  std::string line;
  std::size_t i = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto want = nlohmann::json::parse(line).at("count").get<std::size_t>();
    if (i >= docs.size() || enc.count(docs[i]) != want) {
      std::cerr << "exactness check failed: " << file << " " << enc.name() << " document " << i << "\n";
      std::exit(1);
    }
    ++i;
  }
}

void bm_count(benchmark::State& state, std::string enc_name, std::string file) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents(file);
  check_exact(*enc, file, docs);
  std::size_t bytes = 0, tokens = 0;
  for (const auto& d : docs) bytes += d.size();
  for (auto _ : state) {
    tokens = 0;
    for (const auto& d : docs) tokens += enc->count(d);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes));
  state.counters["tokens"] = double(tokens);
}

void bm_encode(benchmark::State& state, std::string enc_name, std::string file) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents(file);
  check_exact(*enc, file, docs);
  std::size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  std::vector<tokenmaxx::rank_t> ids;
  for (auto _ : state) {
    for (const auto& d : docs) {
      ids.clear();
      enc->encode_ordinary_into(d, ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes));
}

// Per-message latency on chat.jsonl: each of the 2,220 messages counted on its own, timed one by
// one; the median and the 99th percentile in ns per message, and the backend in the label.
void bm_chat_latency(benchmark::State& state, std::string enc_name) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents("chat.jsonl");
  check_exact(*enc, "chat.jsonl", docs);
  std::vector<double> ns;
  ns.reserve(docs.size() * 64);
  for (auto _ : state) {
    for (const auto& d : docs) {
      const auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(enc->count(d));
      ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  std::sort(ns.begin(), ns.end());
  state.counters["median_ns"] = ns[ns.size() / 2];
  state.counters["p99_ns"] = ns[ns.size() * 99 / 100];
  state.SetItemsProcessed(std::int64_t(state.iterations() * docs.size()));
  state.SetLabel(std::string(tokenmaxx::simd_backend()));
}

// count_batch over every UDHR document on `threads` threads (compare 1 and 2).
void bm_batch(benchmark::State& state, std::string enc_name, std::string file) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const auto docs = documents(file);
  const std::vector<std::string_view> views(docs.begin(), docs.end());
  std::size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  const auto threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(tokenmaxx::count_batch(*enc, views, threads));
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes));
}

// The CJK ideographs of the UDHR (Chinese and Japanese translations), in order, repeated to
// 100 KiB: real CJK text without spaces or punctuation, one piece for every encoding.
std::string cjk_100k() {
  std::string all;
  std::ifstream in(std::filesystem::path(env_or_die("TOKENMAXX_CORPUS_DIR")) / "udhr.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) all += nlohmann::json::parse(line).at("text").get<std::string>();
  }
  std::string cjk;
  for (std::size_t i = 0; i < all.size();) {
    const auto b = static_cast<unsigned char>(all[i]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (len == 3 && b >= 0xE4 && b <= 0xE9) cjk.append(all, i, 3);  // U+4000..U+9FFF
    i += len;
  }
  std::string out;
  while (!cjk.empty() && out.size() + cjk.size() <= (100u << 10)) out += cjk;
  if (out.empty()) {
    std::cerr << "no CJK text found in udhr.jsonl\n";
    std::exit(2);
  }
  return out;
}

// Hostile inputs: one megabyte without a split point.
std::string hostile(const std::string& kind) {
  const std::size_t n = 1 << 20;
  if (kind == "cjk_100KiB") return cjk_100k();
  if (kind == "a") return std::string(n, 'a');
  if (kind == "caret") return std::string(n, '^');
  if (kind == "space") return std::string(n, ' ');
  std::mt19937_64 rng(42);  // base64 alphabet, fixed seed: a reproducible random blob
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(n, 'A');
  for (auto& c : s) c = kB64[rng() % 64];
  return s;
}

void bm_hostile(benchmark::State& state, std::string enc_name, std::string kind) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const std::string text = hostile(kind);
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->count(text);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

// count_until on a hostile megabyte with a limit far below its token count: the piece's lower
// bound (length / longest token) passes the limit, so nothing is merged.
void bm_hostile_count_until(benchmark::State& state, std::string enc_name, std::string kind, std::size_t limit) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  const std::string text = hostile(kind);
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->count_until(text, limit);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

// encode() with the default disallowed set on text dense in '<' (the first byte of every special):
// o200k_harmony has 1,104 specials, so this is where a naive special search goes quadratic.
void bm_encode_special_dense(benchmark::State& state, std::string enc_name) {
  const auto enc = tokenmaxx::get_encoding(enc_name);
  std::string text;
  while (text.size() < (600u << 10)) text += "<a>";
  std::size_t tokens = 0;
  for (auto _ : state) {
    tokens = enc->encode(text).size();
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
  state.counters["tokens"] = double(tokens);
}

void bm_load_vocab(benchmark::State& state, std::string file) {
  const auto path = std::filesystem::path(env_or_die("TOKENMAXX_VOCAB_DIR")) / file;
  const auto* known = tokenmaxx::find_known_vocab_file(file);
  for (auto _ : state) {
    auto v = tokenmaxx::vocabulary::load_file(path.string(), known->sha256);
    benchmark::DoNotOptimize(v.size());
  }
}

// Resident memory of a process that has loaded o200k_base and counted one sentence (maximum RSS,
// as getrusage reports it). Run alone (--benchmark_filter=rss) for a clean figure.
void bm_rss_after_load(benchmark::State& state) {
  const auto enc = tokenmaxx::get_encoding("o200k_base");
  for (auto _ : state) benchmark::DoNotOptimize(enc->count("hello world"));
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  state.counters["max_rss_MiB"] = double(u.ru_maxrss) / 1024.0;
}

int register_all() {
  for (const char* enc : {"r50k_base", "cl100k_base", "o200k_base"}) {
    for (const char* file : {"prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"}) {
      benchmark::RegisterBenchmark((std::string("count/") + enc + "/" + file).c_str(), bm_count, enc, file)
          ->Unit(benchmark::kMillisecond);
    }
    for (const char* file : {"prose_en.txt", "code_python.txt", "code_cpp.txt", "chat.jsonl", "udhr.jsonl"})
      benchmark::RegisterBenchmark((std::string("encode/") + enc + "/" + file).c_str(), bm_encode, enc, file)
          ->Unit(benchmark::kMillisecond);
    for (const char* kind : {"a", "caret", "space", "base64", "cjk_100KiB"})
      benchmark::RegisterBenchmark((std::string("hostile_1MiB/") + enc + "/" + kind).c_str(), bm_hostile, enc, kind)
          ->Unit(benchmark::kMillisecond);
  }
  for (const char* enc : {"cl100k_base", "o200k_base"})
    benchmark::RegisterBenchmark((std::string("hostile_1MiB_count_until_4096/") + enc + "/a").c_str(),
                                 bm_hostile_count_until, enc, "a", std::size_t{4096})
        ->Unit(benchmark::kMillisecond);
  for (const char* enc : {"o200k_base", "o200k_harmony"})
    benchmark::RegisterBenchmark((std::string("encode_special_dense_600KiB/") + enc).c_str(), bm_encode_special_dense, enc)
        ->Unit(benchmark::kMillisecond);
  for (const char* enc : {"cl100k_base", "o200k_base"}) {
    benchmark::RegisterBenchmark((std::string("chat_latency/") + enc).c_str(), bm_chat_latency, enc)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("batch_threads/") + enc + "/udhr.jsonl").c_str(), bm_batch, enc,
                                 "udhr.jsonl")
        ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("rss_after_load/o200k_base", bm_rss_after_load);
  for (const char* f : {"cl100k_base.tiktoken", "o200k_base.tiktoken"})
    benchmark::RegisterBenchmark((std::string("load_vocab/") + f).c_str(), bm_load_vocab, f)->Unit(benchmark::kMillisecond);
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
